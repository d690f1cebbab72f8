"""Timing-only statements dropped, with a warning, where that cannot change the outcomes.

An ideal simulator has no notion of time: waiting (`delay`), a scheduling scope (`box`) and the
`stretch`/`duration` values those use change nothing in its distribution. They are removed from the
text by blanking them out (so every later position is still the user's line and column), and only
when every `stretch`/`duration` value is used nowhere else: `float f = d / 1ns;` makes a duration
a number the program computes with, which is refused by name at its place.

The edit is not trusted blindly: the blanked text is parsed again and must give exactly the tree
of the program with those statements taken out (an independent, tree-level removal).
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from desktop_app.core.qasm.wording import ProgramRefusal

if TYPE_CHECKING:
    from openqasm3 import ast


@dataclass
class Dropped:
    """What was taken out: kind -> positions (line, column), and the timing names."""

    at: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    names: set[str] = field(default_factory=set)
    blanks: list[tuple[int, int, int, int]] = field(default_factory=list)  # 1-based line, 0-based

    def add(self, kind: str, node: Any) -> None:
        span = node.span
        self.at.setdefault(kind, []).append((span.start_line, span.start_column + 1))


_WHAT = {
    "delay": "'delay'",
    "box": "'box'",
    "stretch": "'stretch' declaration",
    "duration": "'duration' declaration",
}


def uses_timing(tree: ast.Program) -> bool:
    """Whether the program has a construct qiskit's importer cannot read: box, stretch, duration
    declarations, durationof (a plain `delay[100ns]` it reads, and that stays)."""
    from openqasm3 import ast

    return any(
        isinstance(node, ast.Box | ast.DurationOf | ast.StretchType | ast.DurationType)
        for node in _nodes(tree)
    )


def drop_timing(source: str, tree: ast.Program) -> tuple[str, ast.Program, list[str]]:
    """The source with the timing-only statements blanked out, its tree, and one warning per kind
    of statement dropped ("line:column: ..."); raises ProgramRefusal where timing is used as a
    value or the edit cannot be confirmed."""
    import openqasm3

    dropped = Dropped()
    expected = _strip(tree, dropped, source)
    _refuse_other_uses(expected, dropped.names)
    text = _blank(source, dropped.blanks)
    first = min(p for positions in dropped.at.values() for p in positions)
    try:
        reread = openqasm3.parse(text)
        confirmed = openqasm3.dumps(reread) == openqasm3.dumps(expected)
    except Exception:  # the reference parser refusing the edited text: not confirmed
        confirmed = False
    if not confirmed:
        raise ProgramRefusal(
            "timing statements ('delay', 'box', 'stretch', 'duration') are not supported here: "
            "the simulator has no notion of time, and they could not be set aside safely",
            *first,
        )
    warnings = []
    for kind, positions in sorted(dropped.at.items(), key=lambda item: min(item[1])):
        line, column = positions[0]
        more = f" (and {len(positions) - 1} more)" if len(positions) > 1 else ""
        kept = " (the statements inside run as written)" if kind == "box" else ""
        warnings.append(
            f"{line}:{column}: {_WHAT[kind]}{more} left out{kept}: the simulator has no notion of "
            "time, and timing does not change an ideal simulation's outcomes"
        )
    return text, reread, warnings


def _strip(node: Any, dropped: Dropped, source: str) -> Any:
    """A copy of `node` without timing statements (a box's body stays in its place)."""
    from openqasm3 import ast

    if isinstance(node, list):
        if node and all(isinstance(item, ast.Statement) for item in node):
            return [kept for item in node for kept in _strip_statement(item, dropped, source)]
        return [_strip(item, dropped, source) for item in node]
    if isinstance(node, tuple):
        return tuple(_strip(item, dropped, source) for item in node)
    if isinstance(node, ast.QASMNode):
        copied = copy.copy(node)  # a shallow copy keeps the span and annotations
        for f in dataclasses.fields(node):
            value = getattr(node, f.name)
            if f.name != "span" and isinstance(value, list | tuple | ast.QASMNode):
                setattr(copied, f.name, _strip(value, dropped, source))
        return copied
    return node


def _strip_statement(node: Any, dropped: Dropped, source: str) -> list[Any]:
    from openqasm3 import ast

    span = node.span
    if isinstance(node, ast.DelayInstruction):
        dropped.add("delay", node)
        dropped.blanks.append((span.start_line, span.start_column, span.end_line, span.end_column))
        return []
    declared = isinstance(node, ast.ClassicalDeclaration | ast.ConstantDeclaration)
    if declared and isinstance(node.type, ast.StretchType | ast.DurationType):
        kind = "stretch" if isinstance(node.type, ast.StretchType) else "duration"
        dropped.add(kind, node)
        dropped.names.add(node.identifier.name)
        dropped.blanks.append((span.start_line, span.start_column, span.end_line, span.end_column))
        return []
    if isinstance(node, ast.Box):
        declarations = (
            ast.ClassicalDeclaration,
            ast.ConstantDeclaration,
            ast.QubitDeclaration,
            ast.AliasStatement,
            ast.IODeclaration,
        )
        if any(isinstance(s, declarations) for s in node.body):
            raise ProgramRefusal(
                "a 'box' holding declarations is not supported: the simulator has no notion of "
                "time",
                span.start_line,
                span.start_column + 1,
            )
        dropped.add("box", node)
        opening = _opening_brace(source, node)
        dropped.blanks.append((span.start_line, span.start_column, *opening))
        dropped.blanks.append((span.end_line, span.end_column, span.end_line, span.end_column))
        return [kept for item in node.body for kept in _strip_statement(item, dropped, source)]
    return [_strip(node, dropped, source)]


def _opening_brace(source: str, box: Any) -> tuple[int, int]:
    """(line, column) of the `{` that opens a box's body, found with the reference lexer (so a
    brace in a comment or in the designator, `box[durationof({x $0;})]`, is not taken)."""
    from antlr4 import InputStream, Token
    from antlr4.error.ErrorListener import ErrorListener
    from openqasm3._antlr.qasm3Lexer import qasm3Lexer

    lines = source.split("\n")
    line, column = box.span.start_line, box.span.start_column
    rest = "\n".join([lines[line - 1][column:], *lines[line:]])
    lexer = qasm3Lexer(InputStream(rest))
    lexer.removeErrorListeners()
    lexer.addErrorListener(ErrorListener())
    names = lexer.symbolicNames
    depth = 0  # inside the designator's brackets
    while True:
        token = lexer.nextToken()
        if token.type == Token.EOF:
            raise ProgramRefusal("this 'box' has no body", line, column + 1)
        name = names[token.type] if 0 < token.type < len(names) else ""
        depth += {"LBRACKET": 1, "RBRACKET": -1}.get(name, 0)
        if name == "LBRACE" and depth == 0:
            # the lexer's lines count from the box; on its first line, columns from the box too
            found_line = line + token.line - 1
            return found_line, token.column + (column if token.line == 1 else 0)


def _refuse_other_uses(tree: Any, names: set[str]) -> None:
    """A timing value left anywhere once the timing statements are gone is a value the program
    computes with: refused at its place."""
    from openqasm3 import ast

    for node in _nodes(tree):
        bad = isinstance(
            node, ast.DurationOf | ast.DurationLiteral | ast.StretchType | ast.DurationType
        ) or (isinstance(node, ast.Identifier) and node.name in names)
        if bad:
            span = node.span
            raise ProgramRefusal(
                "a 'duration' or 'stretch' used as a value (outside 'delay' and 'box') is not "
                "supported: the simulator has no notion of time",
                span.start_line if span else 1,
                span.start_column + 1 if span else 1,
            )


def _nodes(node: Any) -> list[Any]:
    from openqasm3 import ast

    found: list[Any] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, list | tuple):
            stack.extend(reversed(item))
        elif isinstance(item, ast.QASMNode):
            found.append(item)
            fields = [getattr(item, f.name) for f in dataclasses.fields(item) if f.name != "span"]
            stack.extend(reversed(fields))
    return found


def _blank(source: str, blanks: list[tuple[int, int, int, int]]) -> str:
    """`source` with each (start line, start column, end line, end column) range, ends included,
    replaced by spaces: line breaks stay, so every other position is unchanged."""
    starts = [0]
    for line in source.split("\n"):
        starts.append(starts[-1] + len(line) + 1)
    chars = list(source)
    for start_line, start_column, end_line, end_column in blanks:
        begin = starts[start_line - 1] + start_column
        end = starts[end_line - 1] + end_column
        for k in range(begin, min(end + 1, len(chars))):
            if chars[k] != "\n":
                chars[k] = " "
    return "".join(chars)
