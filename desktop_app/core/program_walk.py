"""The pre-scan's statement walk (`program_scan.check_source` runs it after the tokens).

The walk estimates what a program asks of the parsers and the simulator (declared qubits and bits,
registers, gate parameters, definition depth, loop iterations, gates after unrolling definitions
and loops) without deciding whether the program is valid: the parsers do that, with better
messages. Whatever it does not recognise costs one gate; unbalanced brackets just end the walk.
Time and memory are linear in the text (at most MAX_TOKENS tokens are kept).
"""

from __future__ import annotations

import itertools
from pathlib import Path

from desktop_app.core.program_limits import (
    MAX_ARRAY_ELEMENTS,
    MAX_DECLARED_BITS,
    MAX_DECLARED_QUBITS,
    MAX_DEFINITION_DEPTH,
    MAX_EXPANDED_GATES,
    MAX_GATE_PARAMETERS,
    MAX_GATE_QUBITS,
    MAX_INCLUDE_DEPTH,
    MAX_LOOP_ITERATIONS,
    MAX_NESTING_DEPTH,
    MAX_REGISTERS,
    LimitError,
    check_text_size,
    read_program_bytes,
    resolve_include,
)
from desktop_app.core.program_tokens import (
    _CLOSE,
    _DECLARATIONS,
    _GATE_MODIFIERS,
    _OPEN,
    _PREFIXES,
    _SKIPPED,
    _STRUCTURE,
    BUILTIN_GATES,
    HUGE,
    MAX_CALL_ARGUMENTS,
    STANDARD_GATES,
    Definition,
    Step,
    Tokens,
    _too_deep,
    approx,
    check_nesting,
    evaluate,
    tokenize,
)


class Walker:
    """The statement walk; one instance per program, shared by its include files."""

    def __init__(self, tokens: Tokens, program_path: str | None) -> None:
        self.program_path = program_path
        text = tokens.text
        self.version2 = len(text) > 1 and text[0] == "OPENQASM" and text[1].startswith("2")
        self.definitions: dict[str, Definition] = {}
        self.sizes: dict[str, int] = {}  # register or array -> elements (broadcasts, loops)
        self.values: dict[str, int] = {}  # whole-number constants
        self.loop_ranges: dict[str, tuple[int, int]] = {}  # loop variable -> (first, last)
        self.qubits = self.bits = self.registers = 0
        self.total = 0
        self.nesting = 0
        self.defining: tuple[str, str] | None = None  # (keyword, name) of the definition walked
        self.includes: list[str] = []  # real paths of the include files being walked
        self.stdgates_line: int | None = None  # where an OpenQASM 3 program includes stdgates.inc
        self._use(tokens)

    def _use(self, tokens: Tokens) -> None:
        self.t = tokens
        self.text = tokens.text
        self.n = len(tokens.text)

    # ------------------------------------------------------------ token helpers

    def at(self, index: int) -> str:
        return self.text[index] if index < self.n else ""

    def close_of(self, index: int) -> int:
        """Index of the bracket closing the one at `index` (or the end of the tokens)."""
        depth = 0
        for cursor in range(index, self.n):
            token = self.text[cursor]
            if token in _OPEN:
                depth += 1
            elif token in _CLOSE:
                depth -= 1
                if depth == 0:
                    return cursor
        return self.n

    def statement_end(self, index: int) -> int:
        """Index of the ';' ending the statement at `index` (brackets skipped)."""
        while index < self.n:
            token = self.text[index]
            if token == ";":
                return index
            if token in _OPEN:
                index = self.close_of(index)
            elif token in _CLOSE:
                return index - 1
            index += 1
        return self.n

    def split(self, start: int, end: int, separator: str) -> list[tuple[int, int]]:
        """[start, end) cut at top-level `separator` tokens."""
        parts: list[tuple[int, int]] = []
        index = part_start = start
        while index < end:
            token = self.text[index]
            if token in _OPEN:
                index = self.close_of(index)
            elif token == separator:
                parts.append((part_start, index))
                part_start = index + 1
            index += 1
        parts.append((part_start, end))
        return parts

    def count_items(self, opener: int) -> int:
        """Items of the comma list in the brackets opening at `opener`."""
        close = self.close_of(opener)
        return 0 if close == opener + 1 else len(self.split(opener + 1, close, ","))

    def evaluate(self, start: int, end: int) -> int | None:
        return evaluate(self.text[start:end], self.values)

    def error(self, index: int, message: str) -> LimitError:
        return self.t.error(index, message)

    # ------------------------------------------------------------ files and blocks

    def walk_file(self) -> None:
        index = 0
        while index < self.n:
            step = self.statement(index)
            self.total = min(HUGE, self.total + step.cost)
            if self.total > MAX_EXPANDED_GATES:
                raise self.error(
                    index,
                    f"the program would run about {approx(self.total)} gates up to this statement"
                    " after unrolling gate definitions and loops; the most a program may run is"
                    f" {MAX_EXPANDED_GATES:,}",
                )
            index = max(step.end, index + 1)

    def block(self, index: int) -> Step:
        """A `{...}` block, or a single statement where a block may stand."""
        if self.at(index) != "{":
            return self.statement(index)
        end = self.close_of(index)
        step = Step(end + 1)
        cursor = index + 1
        while cursor < end:
            inner = self.statement(cursor)
            step.cost = min(HUGE, step.cost + inner.cost)
            step.depth = max(step.depth, inner.depth)
            cursor = max(inner.end, cursor + 1)
        return step

    def statement(self, index: int) -> Step:
        self.nesting += 1
        try:
            if self.nesting > MAX_NESTING_DEPTH:
                raise self.error(index, _too_deep())
            return self._statement(index)
        finally:
            self.nesting -= 1

    def _statement(self, index: int) -> Step:
        first = self.at(index)
        if first == "{":
            return self.block(index)
        if first in _CLOSE or first == ";":
            return Step(index + 1)
        while first in _PREFIXES:
            index += 1
            first = self.at(index)
        if first == "include":
            return self.include(index)
        if first in _SKIPPED:
            return Step(self.statement_end(index) + 1)
        if first in _DECLARATIONS:
            return self.declaration(index)
        if first == "array":
            return self.array_declaration(index)
        if first in ("int", "uint"):
            return self.integer_declaration(index)
        if first in ("gate", "def"):
            return self.definition(index)
        if first in ("defcal", "cal"):
            return Step(self.skip_block(index))
        if first == "for":
            return self.for_loop(index)
        if first == "while":
            return self.while_loop(index)
        return self.generic(index)

    def skip_block(self, index: int) -> int:
        while index < self.n and self.text[index] not in ("{", ";"):
            index += 1
        return self.close_of(index) + 1 if self.at(index) == "{" else index + 1

    # ------------------------------------------------------------ include files (OpenQASM 2)

    def include(self, index: int) -> Step:
        end = self.statement_end(index)
        name_token = self.at(index + 1)
        if not self.version2:
            if name_token[1:-1] == "stdgates.inc" and self.stdgates_line is None:
                self.stdgates_line = self.t.position(index)[0]
            return Step(end + 1)  # OpenQASM 3 importers read no files
        if name_token[:1] not in ('"', "'"):
            return Step(end + 1)
        name = name_token[1:-1] if len(name_token) > 1 and name_token[-1] == name_token[0] else ""
        if name == "stdgates.inc":
            raise self.error(
                index + 1,
                'include "stdgates.inc" is the OpenQASM 3 library; OpenQASM 2 programs include'
                ' "qelib1.inc"',
            )
        try:
            found = resolve_include(name, self.program_path)
        except LimitError as exc:
            raise self.error(index + 1, exc.message) from None
        if found is None:
            return Step(end + 1)
        real = str(found)
        if real in self.includes or len(self.includes) >= MAX_INCLUDE_DEPTH:
            why = (
                "it includes itself"
                if real in self.includes
                else (f"include files are nested more than {MAX_INCLUDE_DEPTH} deep")
            )
            raise self.error(index + 1, f'include "{name}": {why}')
        try:
            data = read_program_bytes(found)
            source = data.decode("utf-8-sig")
        except LimitError as exc:
            raise self.error(index + 1, f'include "{name}": {exc.message}') from None
        except UnicodeDecodeError:
            raise self.error(index + 1, f'include "{name}": the file is not UTF-8 text') from None
        shown = str(Path(self.program_path).parent / name) if self.program_path else name
        check_text_size(source, shown)
        tokens = tokenize(source, shown)
        check_nesting(tokens)
        outer = self.t
        self.includes.append(real)
        self._use(tokens)
        try:
            self.walk_file()
        finally:
            self._use(outer)
            self.includes.pop()
        return Step(end + 1)

    # ------------------------------------------------------------ declarations

    def declaration(self, index: int) -> Step:
        keyword = self.text[index]
        end = self.statement_end(index)
        size: int | None = 1
        size_at = index  # `qubit q;`: the keyword; with a size, the size
        name_at = index + 1
        if self.at(index + 1) == "[":  # qubit[4] q;
            size_at = index + 2
            close = self.close_of(index + 1)
            size = self.evaluate(index + 2, close)
            name_at = close + 1
        elif self.at(index + 2) == "[":  # qreg q[4];
            size_at = index + 3
            size = self.evaluate(index + 3, self.close_of(index + 2))
        if size is None:
            raise self.error(
                size_at,
                "the size of this register must be a whole number or a constant made of whole"
                " numbers, so that it is known before anything runs",
            )
        self.registers += 1
        if self.registers > MAX_REGISTERS:
            raise self.error(
                index,
                f"the program declares more than {MAX_REGISTERS:,} registers, the most it may",
            )
        if _DECLARATIONS[keyword] == "qubit":
            self.qubits = min(HUGE, self.qubits + max(size, 0))
            if self.qubits > MAX_DECLARED_QUBITS:
                raise self.error(
                    size_at,
                    f"the program declares {approx(self.qubits)} qubits; the most a program may"
                    f" declare is {MAX_DECLARED_QUBITS:,} (no backend has more)",
                )
        else:
            self.bits = min(HUGE, self.bits + max(size, 0))
            if self.bits > MAX_DECLARED_BITS:
                raise self.error(
                    size_at,
                    f"the program declares {approx(self.bits)} classical bits; the most a"
                    f" program may declare is {MAX_DECLARED_BITS:,}",
                )
        name = self.at(name_at)
        if name.isidentifier():
            self.sizes[name] = size
        return Step(end + 1)

    def array_declaration(self, index: int) -> Step:
        end = self.statement_end(index)
        if self.at(index + 1) != "[":
            return Step(end + 1)
        close = self.close_of(index + 1)
        dimensions = self.split(index + 2, close, ",")[1:]  # array[TYPE, d1, d2, ...]
        elements = 1
        for start, stop in dimensions:
            value = self.evaluate(start, stop)
            if value is None:
                raise self.error(
                    start,
                    "the size of this array must be a whole number or a constant made of whole"
                    " numbers",
                )
            elements = min(HUGE, elements * max(value, 0))
        if elements > MAX_ARRAY_ELEMENTS:
            raise self.error(
                index,
                f"this array has {approx(elements)} elements; the most an array may have is"
                f" {MAX_ARRAY_ELEMENTS:,}",
            )
        if dimensions:
            self.sizes[self.at(close + 1)] = self.evaluate(*dimensions[0]) or 0
        return Step(end + 1)

    def integer_declaration(self, index: int) -> Step:
        """`int n = 3;`, `const uint[8] n = 2 * m;`: the value bounds sizes and ranges."""
        end = self.statement_end(index)
        cursor = self.close_of(index + 1) + 1 if self.at(index + 1) == "[" else index + 1
        name = self.at(cursor)
        if self.at(cursor + 1) == "=":
            value = self.evaluate(cursor + 2, end)
            if value is not None:
                self.values[name] = value
            else:
                self.values.pop(name, None)
        return Step(end + 1)

    # ------------------------------------------------------------ definitions

    def definition(self, index: int) -> Step:
        """`gate NAME(params) qubits { body }` or `def NAME(args) -> type { body }`."""
        keyword, name = self.text[index], self.at(index + 1)
        self.check_redefinition(index + 1, name)
        cursor = index + 2
        if self.at(cursor) == "(":
            params = self.count_items(cursor)
            most = MAX_GATE_PARAMETERS if keyword == "gate" else MAX_CALL_ARGUMENTS
            if params > most:
                what = "gate" if keyword == "gate" else "subroutine"
                raise self.error(
                    cursor,
                    f"{what} '{name}' has {params:,} parameters; the most it may have is {most}",
                )
            cursor = self.close_of(cursor) + 1
        body = cursor
        while body < self.n and self.text[body] not in ("{", ";"):
            body += 1
        if keyword == "gate":
            qubits = len(self.split(cursor, body, ","))
            if qubits > MAX_GATE_QUBITS:
                raise self.error(
                    cursor,
                    f"gate '{name}' acts on {qubits:,} qubits; the most a gate may act on is"
                    f" {MAX_GATE_QUBITS}",
                )
        if self.at(body) != "{":
            return Step(body + 1)
        outer, self.defining = self.defining, (keyword, name)
        try:
            step = self.block(body)
        finally:
            self.defining = outer
        depth = step.depth + 1
        if depth > MAX_DEFINITION_DEPTH:
            raise self.error(
                index + 1,
                f"'{name}' is built from definitions {depth} levels deep; the most is"
                f" {MAX_DEFINITION_DEPTH} (the transpiler recurses once per level)",
            )
        self.definitions[name] = Definition(max(step.cost, 1), depth)
        return Step(step.end)

    def check_redefinition(self, index: int, name: str) -> None:
        if self.version2:
            return  # qiskit.qasm2 itself refuses redefinitions of qelib1.inc's gates
        if name in BUILTIN_GATES:
            raise self.error(index, f"'{name}' is built into OpenQASM 3: choose another name")
        if name in STANDARD_GATES and self.stdgates_line is not None:
            raise self.error(
                index,
                f"'{name}' is already defined by stdgates.inc (included on line"
                f" {self.stdgates_line}): choose another name",
            )

    # ------------------------------------------------------------ loops

    def for_loop(self, index: int) -> Step:
        """`for TYPE? VAR in RANGE BODY`: the body's cost times the iterations."""
        cursor = index + 1
        while cursor < self.n and self.text[cursor] not in ("in", "{", ";"):
            cursor = self.close_of(cursor) + 1 if self.text[cursor] in _OPEN else cursor + 1
        if self.at(cursor) != "in":
            return self.generic(index)
        variable, spec = self.at(cursor - 1), cursor + 1
        iterations, extremes = self.iterations(spec)
        if iterations is None:
            raise self.error(
                spec,
                "cannot tell before running how many times this loop runs: loop over a range of"
                " whole numbers or constants, e.g. [0:7]",
            )
        if iterations > MAX_LOOP_ITERATIONS:
            raise self.error(
                index,
                f"this loop runs {approx(iterations)} times; the most a loop may run is"
                f" {MAX_LOOP_ITERATIONS:,}",
            )
        after = self.close_of(spec) + 1 if self.at(spec) in _OPEN else spec + 1
        saved = self.loop_ranges.pop(variable, None), self.values.pop(variable, None)
        if extremes is not None:
            self.loop_ranges[variable] = extremes
        try:
            step = self.block(after)
        finally:
            self.loop_ranges.pop(variable, None)
            if saved[0] is not None:
                self.loop_ranges[variable] = saved[0]
            if saved[1] is not None:
                self.values[variable] = saved[1]
        step.cost = min(HUGE, step.cost * max(iterations, 0))
        return step

    def iterations(self, spec: int) -> tuple[int | None, tuple[int, int] | None]:
        """(iterations, (first, last) value) of `[a:b]`, `[a:s:b]`, `{a, b}` or a register."""
        opener = self.at(spec)
        if opener == "{":
            return self.count_items(spec), None
        if opener != "[":
            return self.sizes.get(opener), None
        parts = self.split(spec + 1, self.close_of(spec), ":")
        if len(parts) not in (2, 3):
            return None, None
        # A range using an outer loop's variable is measured at each end of that loop's range.
        used = [name for name in self.loop_ranges if name in self.text[spec : parts[-1][1]]]
        best: tuple[int, tuple[int, int]] | None = None
        for choice in itertools.product((0, 1), repeat=min(len(used), 4)):
            values = dict(self.values)
            values.update(
                {
                    name: self.loop_ranges[name][pick]
                    for name, pick in zip(used, choice, strict=False)
                }
            )
            numbers = [evaluate(self.text[a:b], values) for a, b in parts]
            if any(number is None for number in numbers):
                return None, None
            first, last = numbers[0] or 0, numbers[-1] or 0
            step = numbers[1] if len(numbers) == 3 else 1
            if not step:
                return None, None
            count = max(0, (last - first) // step + 1)
            if best is None or count > best[0]:
                best = count, (first, last)
        return (best[0], best[1]) if best is not None else (None, None)

    def while_loop(self, index: int) -> Step:
        """A `while` loop must be able to stop: its body changes something its condition reads."""
        if self.at(index + 1) != "(":
            return self.generic(index)
        close = self.close_of(index + 1)
        names = {token for token in self.text[index + 2 : close] if token.isidentifier()} - {
            "true",
            "false",
        }
        step = self.block(close + 1)
        body = self.text[close + 1 : step.end]
        changes = "=" in body or "measure" in body
        if not (names & set(body)) or not changes:
            raise self.error(
                index,
                "this while loop can never stop: nothing in its body changes its condition",
            )
        return step

    # ------------------------------------------------------------ everything else

    def generic(self, index: int) -> Step:
        """A gate call, measurement, assignment, `if`, `switch`, `box`...: one gate or what the
        definitions it calls run (times `pow(k)` and register broadcasts), plus inner blocks."""
        factor = 1
        while self.at(index) in _GATE_MODIFIERS:
            if self.at(index + 1) == "(":
                close = self.close_of(index + 1)
                argument = self.evaluate(index + 2, close)
                if self.text[index] == "pow" and argument is not None:
                    factor = min(HUGE, factor * max(abs(argument), 1))
                controls = argument if self.text[index] != "pow" and argument is not None else 0
                if controls > MAX_GATE_QUBITS:
                    raise self.error(
                        index + 2,
                        f"{approx(controls)} controls; the most a gate may have is"
                        f" {MAX_GATE_QUBITS}",
                    )
                index = close + 1
            else:
                index += 1
            if self.at(index) == "@":
                index += 1
        step = Step(index)
        broadcast = 1
        cursor = index
        chain = 0  # `else if` branches so far: each one is a statement inside the one before
        text, n, definitions, sizes = self.text, self.n, self.definitions, self.sizes
        recursive = self.defining[1] if self.defining and self.defining[0] == "def" else None
        top_level = self.defining is None
        while cursor < n:
            token = text[cursor]
            if token not in _STRUCTURE:  # names, numbers, operators: the common case first
                definition = definitions.get(token)
                if definition is not None:
                    if token == recursive and self.at(cursor + 1) == "(":
                        raise self.error(cursor, f"'{token}' calls itself, so it would never end")
                    step.cost = min(HUGE, step.cost + definition.cost)
                    step.depth = max(step.depth, definition.depth)
                elif top_level and token in sizes and self.at(cursor + 1) != "[":
                    broadcast = max(broadcast, sizes[token])  # `h q;` on a whole register
                elif token == recursive and self.at(cursor + 1) == "(":
                    raise self.error(cursor, f"'{token}' calls itself, so it would never end")
                cursor += 1
                continue
            if token == ";":
                cursor += 1
                break
            if token in _CLOSE:
                break
            if token == "[":
                cursor = self.close_of(cursor) + 1
                continue
            if token == "{":
                inner = self.block(cursor)
                self._add(step, inner)
                cursor = inner.end
                if self.at(cursor) != "else":
                    break
                cursor += 1
                chain += 1
                if self.nesting + chain > MAX_NESTING_DEPTH:
                    raise self.error(cursor - 1, _too_deep())
                continue
            # token == "("
            if cursor > index and text[cursor - 1] in ("if", "switch", "while"):
                cursor = self.close_of(cursor) + 1
                if self.at(cursor) not in ("{", ""):  # `if (c) x q;`: one statement as body
                    inner = self.statement(cursor)
                    self._add(step, inner)
                    cursor = inner.end
                    if self.at(cursor) != "else":
                        break
                    cursor += 1
                    chain += 1
                    if self.nesting + chain > MAX_NESTING_DEPTH:
                        raise self.error(cursor - 1, _too_deep())
                continue
            arguments = self.count_items(cursor)
            if arguments > MAX_CALL_ARGUMENTS:
                raise self.error(
                    cursor,
                    f"this call has {arguments:,} arguments; the most a call may have is"
                    f" {MAX_CALL_ARGUMENTS}",
                )
            cursor = self.close_of(cursor) + 1
        step.end = max(cursor, index + 1)
        step.cost = min(HUGE, max(step.cost, 1) * broadcast * factor)
        return step

    @staticmethod
    def _add(step: Step, inner: Step) -> None:
        step.cost = min(HUGE, step.cost + inner.cost)
        step.depth = max(step.depth, inner.depth)
