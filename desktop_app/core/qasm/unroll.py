"""Our own unroller: evaluates the classical part of an OpenQASM 3 program (const, int/uint/float/
bool variables, arrays, for/while loops, if/switch on known values, bit access on integers) and
expands register broadcasts, leaving flat quantum code that qiskit's importer reads.

It is a second front end, written here, so that whatever pyqasm's unroller produces can be checked
against it (pyqasm 1.3 rewrites `cx q, r;` over two registers wrongly, docs/openqasm-parsers.md).
Anything it does not handle raises `NotHandled` with the place; the caller then tries other routes.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from openqasm3 import ast

Value = int | float | bool | list[Any]

_MAX_STEPS = 200_000  # statements emitted or loop turns: bounded time and memory


class NotHandled(Exception):
    """A construct this unroller does not evaluate; `span` is where (1-based line, 0-based col)."""

    def __init__(self, what: str, node: ast.QASMNode | None, *, error: bool = False) -> None:
        super().__init__(what)
        self.what = what
        self.span = getattr(node, "span", None)
        self.error = error  # True: the program is wrong (`what` is then a full message)


class _Runtime(Exception):
    """An expression depends on a measured bit: it must stay in the program."""


_CONSTANTS: dict[str, float] = {
    "pi": math.pi,
    "π": math.pi,
    "tau": math.tau,
    "τ": math.tau,
    "euler": math.e,
    "ℇ": math.e,
}

_FUNCTIONS: dict[str, Callable[..., Value]] = {
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "arcsin": math.asin,
    "arccos": math.acos,
    "arctan": math.atan,
    "exp": math.exp,
    "log": math.log,
    "sqrt": math.sqrt,
    "ceiling": math.ceil,
    "floor": math.floor,
    "mod": lambda a, b: a % b if isinstance(a, int) and isinstance(b, int) else math.fmod(a, b),
    "popcount": lambda a: bin(int(a)).count("1"),
}


@dataclass
class _Var:
    value: Value
    kind: str  # "int", "uint", "float", "bool", "angle", "array"
    size: int | None
    const: bool = False


@dataclass
class _Scope:
    variables: dict[str, _Var] = field(default_factory=dict)
    qubits: dict[str, int | None] = field(default_factory=dict)  # register -> size (None: 1 qubit)
    bits: dict[str, int | None] = field(default_factory=dict)  # bit register -> size
    # a subroutine's qubit parameter -> the qubit it stands for, or the qubits of a register
    aliases: dict[str, Any] = field(default_factory=dict)
    # in an inlined subroutine: its returned bit register -> the caller's register receiving it
    bit_rename: dict[str, str] = field(default_factory=dict)
    return_target: Any = None  # where `return measure ...;` writes


def unroll(program: ast.Program) -> tuple[ast.Program, dict[str, int | None], list[bool]]:
    """The program with every classical construct evaluated, the size of each qubit register
    (None for a single qubit), and for each `while` of the result (in order) whether its condition
    must be negated (it was `!=`); raises NotHandled."""
    unroller = _Unroller()
    flat = unroller.run(program)
    return flat, dict(unroller.scope.qubits), unroller.negated_whiles


class _Unroller:
    def __init__(self) -> None:
        self.scope = _Scope()
        self.steps = 0
        self.runtime_depth = 0  # > 0 inside an `if` on a measured bit
        self.subroutines: dict[str, ast.SubroutineDefinition] = {}
        # bits given a value when declared (`bit[2] f = "11";`): known until measured, per bit
        self.known_bits: dict[str, tuple[int, int, ast.QASMNode]] = {}  # value, known mask, where
        self.negated_whiles: list[bool] = []  # per emitted `while`: its condition is `!=`
        self.call_depth = 0

    def run(self, program: ast.Program) -> ast.Program:
        out: list[Any] = list(self.block(program.statements))
        for value, mask, node in self.known_bits.values():
            if value & mask:  # qiskit's bits start at 0: a 1 never overwritten would be lost
                raise NotHandled("a bit register given ones that are never measured over", node)
        return ast.Program(statements=out, version=program.version)

    def tick(self, node: ast.QASMNode) -> None:
        self.steps += 1
        if self.steps > _MAX_STEPS:
            raise NotHandled(
                f"this program unrolls into more than {_MAX_STEPS:,} statements (does a loop "
                "never end?)",
                node,
                error=True,
            )

    # ------------------------------------------------------------ statements

    def block(self, statements: list[Any]) -> Iterator[ast.Statement]:
        for statement in statements:
            self.tick(statement)
            yield from self.statement(statement)

    def statement(self, node: Any) -> Iterator[ast.Statement]:
        handler = getattr(self, "s_" + type(node).__name__, None)
        if handler is None:
            raise NotHandled(type(node).__name__, node)
        result: Iterator[ast.Statement] = handler(node)
        return result

    def s_Include(self, node: ast.Include) -> Iterator[ast.Statement]:
        yield node

    def s_Pragma(self, node: ast.Pragma) -> Iterator[ast.Statement]:
        return iter(())

    def s_QubitDeclaration(self, node: ast.QubitDeclaration) -> Iterator[ast.Statement]:
        size = None if node.size is None else self.integer(node.size)
        self.scope.qubits[node.qubit.name] = size
        yield replace(node, size=None if size is None else _literal(size))

    def s_QuantumGateDefinition(
        self, node: ast.QuantumGateDefinition
    ) -> Iterator[ast.Statement]:
        # The body sees only its parameters and global constants: substitute the constants.
        params = {p.name for p in node.arguments} | {q.name for q in node.qubits}
        yield replace(node, body=[self.substitute(s, params) for s in node.body])

    def s_ConstantDeclaration(
        self, node: ast.ConstantDeclaration
    ) -> Iterator[ast.Statement]:
        self.declare(node, node.type, node.identifier.name, node.init_expression, const=True)
        return iter(())

    def s_ClassicalDeclaration(
        self, node: ast.ClassicalDeclaration
    ) -> Iterator[ast.Statement]:
        name = node.identifier.name
        if isinstance(node.type, ast.BitType):
            size = None if node.type.size is None else self.integer(node.type.size)
            self.scope.bits[name] = size
            init = node.init_expression
            if name in self.scope.bit_rename:  # the register the caller receives: already there
                if init is not None:
                    raise NotHandled("a bit register with an initial value", node)
                return
            if self.runtime_depth:
                raise NotHandled("a bit declared under a condition", node)
            if isinstance(init, ast.BitstringLiteral | ast.IntegerLiteral | ast.BooleanLiteral):
                width = size or 1
                value = int(init.value)
                if self.call_depth or not 0 <= value < 1 << width:
                    raise NotHandled("this bit register's initial value", node)
                self.known_bits[name] = (value, (1 << width) - 1, node)
                yield replace(node, type=ast.BitType(size=None if size is None else _literal(size)),
                              init_expression=None)
                return
            if isinstance(init, ast.FunctionCall) and init.name.name in self.subroutines:
                yield replace(node, type=ast.BitType(size=None if size is None else _literal(size)),
                              init_expression=None)
                yield from self.inline(init, node, ast.Identifier(name=name))
                return
            if init is not None and not isinstance(init, ast.QuantumMeasurement):
                raise NotHandled("a bit register with an initial value", node)
            if isinstance(init, ast.QuantumMeasurement):
                init = ast.QuantumMeasurement(qubit=self.qubit_operand(init.qubit))
            yield replace(
                node,
                type=ast.BitType(size=None if size is None else _literal(size)),
                init_expression=init,
            )
            return
        self.declare(node, node.type, name, node.init_expression, const=False)

    def declare(
        self, node: ast.QASMNode, type_: Any, name: str, init: Any, *, const: bool
    ) -> None:
        if self.runtime_depth:
            raise NotHandled("a variable declared under a condition on a measured bit", node)
        kind, size = self.kind_of(type_, node)
        if init is None:
            value: Value = [] if kind == "array" else (False if kind == "bool" else 0)
        elif isinstance(init, ast.QuantumMeasurement):
            raise NotHandled("a measurement into an integer", node)
        else:
            value = self.value(init)
        if kind == "array" and isinstance(init, ast.ArrayLiteral) is False and init is not None:
            value = list(value) if isinstance(value, list) else value
        self.scope.variables[name] = _Var(_coerce(value, kind, size), kind, size, const)

    def kind_of(self, type_: Any, node: ast.QASMNode) -> tuple[str, int | None]:
        size = getattr(type_, "size", None)
        size_value = None if size is None else self.integer(size)
        if isinstance(type_, ast.IntType):
            return "int", size_value
        if isinstance(type_, ast.UintType):
            return "uint", size_value
        if isinstance(type_, ast.FloatType):
            return "float", None
        if isinstance(type_, ast.BoolType):
            return "bool", None
        if isinstance(type_, ast.AngleType):
            return "angle", None
        if isinstance(type_, ast.ArrayType):
            return "array", None
        raise NotHandled(type(type_).__name__, node)

    def s_ClassicalAssignment(
        self, node: ast.ClassicalAssignment
    ) -> Iterator[ast.Statement]:
        target = node.lvalue
        name = target.name.name if isinstance(target, ast.IndexedIdentifier) else target.name
        call = node.rvalue
        if (
            isinstance(call, ast.FunctionCall)
            and call.name.name in self.subroutines
            and name in self.scope.bits
            and node.op.name == "="
        ):
            return self.inline(call, node, target)
        var = self.scope.variables.get(name)
        if var is None or var.const or self.runtime_depth:
            raise NotHandled("this assignment", node)
        rhs = self.value(node.rvalue)
        op = node.op.name  # "=" is "=", "+=" is "+=" ...
        if isinstance(target, ast.IndexedIdentifier):
            if var.kind != "array":
                raise NotHandled("an assignment to a bit of an integer", node)
            *outer, last = [self.integer(i[0]) for i in target.indices if isinstance(i, list)]
            holder: Any = var.value
            for index in outer:
                holder = holder[index]
            holder[last] = _assign(op, holder[last], rhs, node)
            return iter(())
        var.value = _coerce(_assign(op, var.value, rhs, node), var.kind, var.size)
        return iter(())

    def s_QuantumGate(self, node: ast.QuantumGate) -> Iterator[ast.Statement]:
        name = node.name.name
        if name in self.subroutines:
            raise NotHandled(
                f"'{name}' is a subroutine ('def'), not a gate: call it as {name}(...)",
                node,
                error=True,
            )
        if node.duration is not None:
            raise NotHandled("a gate duration", node)
        modifiers = [
            replace(m, argument=None if m.argument is None else self.literal(m.argument))
            for m in node.modifiers
        ]
        arguments = [self.literal(a) for a in node.arguments]
        for operands in self.broadcast(node.qubits, node):
            yield replace(node, modifiers=modifiers, arguments=arguments, qubits=operands)

    def s_QuantumPhase(self, node: ast.QuantumPhase) -> Iterator[ast.Statement]:
        modifiers = [
            replace(m, argument=None if m.argument is None else self.literal(m.argument))
            for m in node.modifiers
        ]
        argument = self.literal(node.argument)
        if not node.qubits:
            yield replace(node, modifiers=modifiers, argument=argument)
            return
        for operands in self.broadcast(node.qubits, node):
            yield replace(node, modifiers=modifiers, argument=argument, qubits=operands)

    def broadcast(self, qubits: list[Any], node: ast.QASMNode) -> Iterator[list[Any]]:
        """One operand list per application: `cx q, r;` over registers of 3 is three `cx`."""
        expanded = [self.qubit_list(q) for q in qubits]
        sizes = {len(e) for e in expanded if e is not None}
        if not sizes:
            yield [self.qubit_operand(q) for q in qubits]
            return
        if len(sizes) > 1:
            raise NotHandled(
                "the registers in this gate call have different sizes", node, error=True
            )
        (count,) = sizes
        for k in range(count):
            yield [
                e[k] if e is not None else self.qubit_operand(q)
                for e, q in zip(expanded, qubits, strict=True)
            ]

    def qubit_list(self, operand: Any) -> list[ast.IndexedIdentifier] | None:
        """The single qubits a whole-register or slice operand stands for; None for one qubit."""
        if isinstance(operand, ast.Identifier) and operand.name in self.scope.aliases:
            alias = self.scope.aliases[operand.name]
            return list(alias) if isinstance(alias, list) else None
        if (
            isinstance(operand, ast.IndexedIdentifier)
            and operand.name.name in self.scope.aliases
            and len(operand.indices) == 1
        ):
            alias = self.scope.aliases[operand.name.name]
            if not isinstance(alias, list):
                raise NotHandled("an index on a single qubit", operand)
            index = operand.indices[0]
            picks = self.index_set(index, len(alias), operand)
            if isinstance(index, list) and len(index) == 1 and not isinstance(
                index[0], ast.RangeDefinition
            ):
                return None
            return [alias[i] for i in picks]
        if isinstance(operand, ast.Identifier):
            if operand.name not in self.scope.qubits:
                raise NotHandled(f"'{operand.name}' is not a declared qubit", operand, error=True)
            size = self.scope.qubits[operand.name]
            if size is None:
                return None
            return [_indexed(operand.name, i) for i in range(size)]
        if isinstance(operand, ast.IndexedIdentifier):
            if len(operand.indices) != 1:
                raise NotHandled("a multi-dimensional qubit index", operand)
            index = operand.indices[0]
            size = self.scope.qubits.get(operand.name.name)
            if size is None:
                raise NotHandled("an index on a single qubit", operand)
            picks = self.index_set(index, size, operand)
            if isinstance(index, list) and len(index) == 1 and not isinstance(
                index[0], ast.RangeDefinition
            ):
                return None
            return [_indexed(operand.name.name, i) for i in picks]
        raise NotHandled("this qubit operand", operand)

    def index_set(self, index: Any, size: int, node: ast.QASMNode) -> list[int]:
        if isinstance(index, ast.DiscreteSet):
            picks = [self.integer(v) for v in index.values]
        elif len(index) == 1 and isinstance(index[0], ast.RangeDefinition):
            picks = self.range_values(index[0], size)
        elif len(index) == 1:
            picks = [self.integer(index[0])]
        else:
            raise NotHandled("this qubit index", node)
        for p in picks:
            if not -size <= p < size:
                raise NotHandled(
                    f"qubit index {p} is out of range for a register of {size}", node, error=True
                )
        return [p + size if p < 0 else p for p in picks]

    def qubit_operand(self, operand: Any) -> Any:
        if isinstance(operand, ast.Identifier) and operand.name in self.scope.aliases:
            alias = self.scope.aliases[operand.name]
            if isinstance(alias, list):
                raise NotHandled("a register parameter used whole here", operand)
            return alias
        if isinstance(operand, ast.IndexedIdentifier) and operand.name.name in self.scope.aliases:
            alias = self.scope.aliases[operand.name.name]
            index = operand.indices[0] if len(operand.indices) == 1 else None
            if not isinstance(alias, list) or not isinstance(index, list) or len(index) != 1:
                raise NotHandled("this qubit index", operand)
            return alias[self.index_set(index, len(alias), operand)[0]]
        if isinstance(operand, ast.Identifier):
            return operand
        if isinstance(operand, ast.IndexedIdentifier):
            size = self.scope.qubits.get(operand.name.name)
            if size is not None and len(operand.indices) == 1:
                index = operand.indices[0]
                if isinstance(index, list) and len(index) == 1 and not isinstance(
                    index[0], ast.RangeDefinition
                ):
                    value = self.integer(index[0])
                    return _indexed(operand.name.name, value + size if value < 0 else value)
            return replace(operand, indices=[self.index_literal(i) for i in operand.indices])
        raise NotHandled("this operand", operand)

    def index_literal(self, index: Any) -> Any:
        if isinstance(index, ast.DiscreteSet):
            return ast.DiscreteSet(values=[self.literal(v) for v in index.values])
        return [
            ast.RangeDefinition(
                start=None if i.start is None else self.literal(i.start),
                end=None if i.end is None else self.literal(i.end),
                step=None if i.step is None else self.literal(i.step),
            )
            if isinstance(i, ast.RangeDefinition)
            else self.literal(i)
            for i in index
        ]

    def s_QuantumMeasurementStatement(
        self, node: ast.QuantumMeasurementStatement
    ) -> Iterator[ast.Statement]:
        target = node.target
        if target is not None:
            name = target.name.name if isinstance(target, ast.IndexedIdentifier) else target.name
            if name not in self.scope.bits:
                raise NotHandled("a measurement into a non-bit variable", node)
            target = self.rename_bits(self.qubit_operand(target))
            self.forget_bits(target, node)
        picks = self.qubit_list(node.measure.qubit)
        if picks is not None and self.scope.aliases:  # `measure a -> b;` on a register parameter
            if not isinstance(target, ast.Identifier):
                raise NotHandled("this measurement", node)
            for k, qubit in enumerate(picks):
                yield ast.QuantumMeasurementStatement(
                    measure=ast.QuantumMeasurement(qubit=qubit), target=_indexed(target.name, k)
                )
            return
        yield replace(
            node, measure=ast.QuantumMeasurement(qubit=self.qubit_operand(node.measure.qubit)),
            target=target,
        )

    def forget_bits(self, target: Any, node: Any) -> None:
        """A measurement overwrites the known value of the bits it writes."""
        name = target.name if isinstance(target, ast.Identifier) else target.name.name
        if name not in self.known_bits:
            return
        value, mask, where = self.known_bits[name]
        if isinstance(target, ast.Identifier):
            mask = 0
        else:
            index = target.indices[0] if len(target.indices) == 1 else None
            if not isinstance(index, list) or len(index) != 1 or isinstance(
                index[0], ast.RangeDefinition
            ):
                raise NotHandled("a measurement into part of a bit register with a value", node)
            mask &= ~(1 << self.integer(index[0]))
        if self.runtime_depth and value & ~mask & self.known_bits[name][1]:
            raise NotHandled("a bit register with a value measured under a condition", node)
        self.known_bits[name] = (value, mask, where)

    def rename_bits(self, operand: Any) -> Any:
        """A local bit register of an inlined subroutine is the caller's register it returns to."""
        if isinstance(operand, ast.Identifier) and operand.name in self.scope.bit_rename:
            return ast.Identifier(name=self.scope.bit_rename[operand.name])
        renamed = self.scope.bit_rename
        if isinstance(operand, ast.IndexedIdentifier) and operand.name.name in renamed:
            return replace(operand, name=ast.Identifier(renamed[operand.name.name]))
        if isinstance(operand, ast.IndexExpression):
            return replace(operand, collection=self.rename_bits(operand.collection))
        return operand

    def s_QuantumReset(self, node: ast.QuantumReset) -> Iterator[ast.Statement]:
        for operands in self.broadcast([node.qubits], node):
            yield replace(node, qubits=operands[0])

    def s_QuantumBarrier(self, node: ast.QuantumBarrier) -> Iterator[ast.Statement]:
        qubits: list[Any] = []
        for q in node.qubits:
            picks = self.qubit_list(q)
            qubits.extend(picks if picks is not None else [self.qubit_operand(q)])
        yield replace(node, qubits=qubits)

    def s_SubroutineDefinition(  # a subroutine is inlined where it is called
        self, node: ast.SubroutineDefinition
    ) -> Iterator[ast.Statement]:
        self.subroutines[node.name.name] = node
        return iter(())

    def s_ExpressionStatement(self, node: ast.ExpressionStatement) -> Iterator[ast.Statement]:
        call = node.expression
        if not isinstance(call, ast.FunctionCall) or call.name.name not in self.subroutines:
            raise NotHandled("ExpressionStatement", node)
        return self.inline(call, node, None)

    def inline(self, call: ast.FunctionCall, node: Any, target: Any) -> Iterator[ast.Statement]:
        """The subroutine's body in place of the call; its returned bits go to `target`."""
        definition = self.subroutines[call.name.name]
        if len(call.arguments) != len(definition.arguments) or self.call_depth > 32:
            raise NotHandled("this subroutine call", node)
        scope = _Scope(
            variables={k: v for k, v in self.scope.variables.items() if v.const},
            qubits=self.scope.qubits,
        )
        body = list(definition.body)
        returned = body[-1] if body and isinstance(body[-1], ast.ReturnStatement) else None
        if _has_return(body[:-1] if returned else body):
            raise NotHandled("a 'return' before the end of a subroutine", node)
        if target is not None or returned is not None:
            if target is None or returned is None:
                raise NotHandled("this subroutine call", node)
            result = returned.expression
            if isinstance(result, ast.Identifier):
                scope.bit_rename[result.name] = self.bit_target(target, node)
            elif isinstance(result, ast.QuantumMeasurement):
                scope.return_target = ast.Identifier(name=self.bit_target(target, node))
            else:
                raise NotHandled("this return value", returned)
        for parameter, argument in zip(definition.arguments, call.arguments, strict=True):
            if isinstance(parameter, ast.QuantumArgument):
                scope.aliases[parameter.name.name] = self.qubit_alias(argument)
            else:
                kind, size = self.kind_of(parameter.type, node)
                value = _coerce(self.value(argument), kind, size)
                scope.variables[parameter.name.name] = _Var(value, kind, size, True)
        saved = self.scope
        self.scope, self.call_depth = scope, self.call_depth + 1
        try:
            yield from self.block(body)
        finally:
            self.scope, self.call_depth = saved, self.call_depth - 1

    def bit_target(self, target: Any, node: Any) -> str:
        """The name of the whole bit register a subroutine's result is assigned to."""
        if not isinstance(target, ast.Identifier) or target.name not in self.scope.bits:
            raise NotHandled("a subroutine result assigned to this", node)
        return self.scope.bit_rename.get(target.name, target.name)

    def s_ReturnStatement(self, node: ast.ReturnStatement) -> Iterator[ast.Statement]:
        value = node.expression
        if isinstance(value, ast.Identifier) and value.name in self.scope.bit_rename:
            return
        if isinstance(value, ast.QuantumMeasurement) and self.scope.return_target is not None:
            yield ast.QuantumMeasurementStatement(
                measure=ast.QuantumMeasurement(qubit=self.qubit_operand(value.qubit)),
                target=self.scope.return_target,
            )
            return
        raise NotHandled("ReturnStatement", node)

    def qubit_alias(self, argument: Any) -> Any:
        """What a qubit parameter stands for: one qubit operand, or a list of them."""
        if isinstance(argument, ast.IndexExpression) and isinstance(
            argument.collection, ast.Identifier
        ):  # `f(q[0])`: in a call the operand is written as an expression
            argument = ast.IndexedIdentifier(name=argument.collection, indices=[argument.index])
        picks = self.qubit_list(argument)
        return picks if picks is not None else self.qubit_operand(argument)

    def s_ForInLoop(self, node: ast.ForInLoop) -> Iterator[ast.Statement]:
        values = self.loop_values(node.set_declaration, node)
        name = node.identifier.name
        kind, size = self.kind_of(node.type, node)
        saved = self.scope.variables.get(name)
        try:
            for value in values:
                self.tick(node)
                self.scope.variables[name] = _Var(_coerce(value, kind, size), kind, size, True)
                yield from self.block(_statements(node.block))
        finally:
            self.restore(name, saved)

    def restore(self, name: str, saved: _Var | None) -> None:
        if saved is None:
            self.scope.variables.pop(name, None)
        else:
            self.scope.variables[name] = saved

    def loop_values(self, spec: Any, node: ast.QASMNode) -> list[Value]:
        if isinstance(spec, ast.RangeDefinition):
            return list(self.range_values(spec, None))
        if isinstance(spec, ast.DiscreteSet):
            return [self.value(v) for v in spec.values]
        value = self.value(spec)
        if isinstance(value, list):
            return value
        raise NotHandled("this loop range", node)

    def range_values(self, spec: ast.RangeDefinition, size: int | None) -> list[int]:
        start = 0 if spec.start is None else self.integer(spec.start)
        step = 1 if spec.step is None else self.integer(spec.step)
        if spec.end is None:
            if size is None:
                raise NotHandled("a range without an end", spec)
            end = size - 1
        else:
            end = self.integer(spec.end)
        if step == 0:
            raise NotHandled("a range with step 0", spec)
        if abs((end - start) // step) > _MAX_STEPS:
            raise NotHandled("a loop too long to unroll", spec)
        stop = end + (1 if step > 0 else -1)  # OpenQASM ranges include their end
        return list(range(start, stop, step))

    def s_WhileLoop(self, node: ast.WhileLoop) -> Iterator[ast.Statement]:
        while True:
            try:
                if not self.value(node.while_condition):
                    return
            except _Runtime:
                break
            self.tick(node)
            yield from self.block(_statements(node.block))
        # The condition now depends on measured bits: a loop in the circuit. qiskit's importer reads
        # `bits == k` only; `bits != k` is written as `==` and negated in the circuit afterwards.
        condition = self.runtime_expression(node.while_condition)
        equal = _as_equality(condition)
        self.negated_whiles.append(equal is not None)
        self.runtime_depth += 1
        try:
            body = list(self.block(_statements(node.block)))
        finally:
            self.runtime_depth -= 1
        yield ast.WhileLoop(while_condition=equal or condition, block=body)

    def condition(self, expression: Any, node: ast.QASMNode) -> bool:
        try:
            return bool(self.value(expression))
        except _Runtime:
            raise NotHandled("a loop on a measured bit", node) from None

    def s_BranchingStatement(
        self, node: ast.BranchingStatement
    ) -> Iterator[ast.Statement]:
        try:
            taken = bool(self.value(node.condition))
        except _Runtime:
            # A condition on measured bits stays; its branches are unrolled in place.
            condition = self.runtime_expression(node.condition)
            equal = _as_equality(condition)  # `bits != k`: `bits == k` with the branches swapped
            if_block, else_block = _statements(node.if_block), _statements(node.else_block)
            if equal is not None:
                condition, if_block, else_block = equal, else_block, if_block
            self.runtime_depth += 1
            try:
                yield replace(
                    node,
                    condition=condition,
                    if_block=list(self.block(if_block)),
                    else_block=list(self.block(else_block)),
                )
            finally:
                self.runtime_depth -= 1
            return
        yield from self.block(_statements(node.if_block if taken else node.else_block))

    def s_SwitchStatement(self, node: ast.SwitchStatement) -> Iterator[ast.Statement]:
        try:
            target = self.value(node.target)
        except _Runtime:
            raise NotHandled("a switch on a measured bit", node) from None
        for labels, body in node.cases:
            if any(self.value(label) == target for label in labels):
                yield from self.block(_statements(body))
                return
        if node.default is not None:
            yield from self.block(_statements(node.default))

    def s_CompoundStatement(
        self, node: ast.CompoundStatement
    ) -> Iterator[ast.Statement]:
        yield from self.block(node.statements)

    # ------------------------------------------------------------ expressions

    def integer(self, expression: Any) -> int:
        value = self.value(expression)
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                return int(value)
            raise NotHandled("an integer was expected", expression)
        return value

    def literal(self, expression: Any) -> Any:
        try:
            return _literal(self.value(expression))
        except _Runtime:
            raise NotHandled("a value that depends on a measurement", expression) from None

    def runtime_expression(self, expression: Any) -> Any:
        """A condition on measured bits with every known value written in."""
        try:
            return _literal(self.value(expression))
        except _Runtime:
            pass
        if isinstance(expression, ast.BinaryExpression):
            lhs = self.runtime_expression(expression.lhs)
            rhs = self.runtime_expression(expression.rhs)
            # qiskit reads `bit == true` and `bits == 3`, not `bit == 1`: write the former.
            if (
                expression.op.name in ("==", "!=")
                and self.is_one_bit(lhs)
                and isinstance(rhs, ast.IntegerLiteral)
                and rhs.value in (0, 1)
            ):
                rhs = ast.BooleanLiteral(value=bool(rhs.value))
            return replace(expression, lhs=lhs, rhs=rhs)
        if isinstance(expression, ast.UnaryExpression):
            return replace(expression, expression=self.runtime_expression(expression.expression))
        if isinstance(expression, ast.IndexExpression):
            return replace(expression, index=self.index_literal(expression.index))
        if isinstance(expression, ast.Identifier | ast.IndexExpression):
            expression = self.rename_bits(expression)
        if isinstance(expression, ast.Cast):
            argument = self.runtime_expression(expression.argument)
            # int[n](c) / uint[n](c) / bool(c[0]) of bits: qiskit compares the bits themselves.
            if (
                isinstance(argument, ast.Identifier)
                and argument.name in self.scope.bits
                and isinstance(expression.type, ast.IntType | ast.UintType)
            ):
                return argument
            if isinstance(expression.type, ast.BoolType) and self.is_one_bit(argument):
                return argument
            return replace(expression, argument=argument)
        return expression

    def is_one_bit(self, expression: Any) -> bool:
        if isinstance(expression, ast.Identifier):
            return expression.name in self.scope.bits and self.scope.bits[expression.name] is None
        return (
            isinstance(expression, ast.IndexExpression)
            and isinstance(expression.collection, ast.Identifier)
            and expression.collection.name in self.scope.bits
            and isinstance(expression.index, list)
            and len(expression.index) == 1
            and not isinstance(expression.index[0], ast.RangeDefinition)
        )

    def substitute(self, node: Any, keep: set[str]) -> Any:
        """`node` with global constants written in (inside gate bodies)."""
        if isinstance(node, ast.Identifier):
            var = self.scope.variables.get(node.name)
            if node.name not in keep and var is not None and var.const:
                return _literal(var.value)
            return node
        if isinstance(node, list):
            return [self.substitute(n, keep) for n in node]
        if isinstance(node, ast.QASMNode):
            changes = {
                f: self.substitute(getattr(node, f), keep)
                for f in node.__dataclass_fields__
                if f != "span" and isinstance(getattr(node, f), ast.QASMNode | list)
            }
            return replace(node, **changes)
        return node

    def value(self, e: Any) -> Value:
        if isinstance(e, ast.IntegerLiteral):
            return e.value
        if isinstance(e, ast.FloatLiteral):
            return e.value
        if isinstance(e, ast.BooleanLiteral):
            return e.value
        if isinstance(e, ast.ImaginaryLiteral | ast.DurationLiteral):
            raise NotHandled(type(e).__name__, e)
        if isinstance(e, ast.ArrayLiteral):
            return [self.value(v) for v in e.values]
        if isinstance(e, ast.Identifier):
            var = self.scope.variables.get(e.name)
            if var is not None:
                return var.value
            if e.name in _CONSTANTS:
                return _CONSTANTS[e.name]
            if e.name in self.scope.bits:
                known = self.known_bits.get(self.scope.bit_rename.get(e.name, e.name))
                width = self.scope.bits[e.name] or 1
                if known is not None and known[1] == (1 << width) - 1:
                    return known[0]
                raise _Runtime
            raise NotHandled(f"the name {e.name}", e)
        if isinstance(e, ast.UnaryExpression):
            operand = self.value(e.expression)
            return _unary(e.op.name, operand, e)
        if isinstance(e, ast.BinaryExpression):
            return _binary(e.op.name, self.value(e.lhs), self.value(e.rhs), e)
        if isinstance(e, ast.Cast):
            kind, size = self.kind_of(e.type, e)
            return _coerce(self.value(e.argument), kind, size)
        if isinstance(e, ast.FunctionCall):
            function = _FUNCTIONS.get(e.name.name)
            if function is None:
                raise NotHandled(f"the function {e.name.name}", e)
            try:
                return function(*(self.value(a) for a in e.arguments))
            except (ValueError, TypeError, ZeroDivisionError, OverflowError):
                raise NotHandled("a call with arguments out of its domain", e) from None
        if isinstance(e, ast.IndexExpression):
            return self.index_value(e)
        raise NotHandled(type(e).__name__, e)

    def index_value(self, e: ast.IndexExpression) -> Value:
        collection = self.value(e.collection)
        index = e.index
        if not isinstance(index, list) or len(index) != 1:
            raise NotHandled("this index", e)
        if isinstance(index[0], ast.RangeDefinition):
            raise NotHandled("a slice of a classical value", e)
        position = self.integer(index[0])
        if isinstance(collection, list):
            try:
                return collection[position]  # type: ignore[no-any-return]
            except IndexError:
                raise NotHandled("an array index out of range", e) from None
        if isinstance(collection, int) and not isinstance(collection, bool) and position >= 0:
            return (collection >> position) & 1  # bit access on an int/uint
        raise NotHandled("this index", e)


# ---------------------------------------------------------------- value helpers


def replace(node: Any, **changes: Any) -> Any:
    """dataclasses.replace for AST nodes (their `annotations` field is not an init argument)."""
    copied = copy.copy(node)
    for name, value in changes.items():
        setattr(copied, name, value)
    return copied


def _as_equality(condition: Any) -> Any:
    """`a == b` for a condition `a != b`, else None."""
    if isinstance(condition, ast.BinaryExpression) and condition.op.name == "!=":
        return replace(condition, op=ast.BinaryOperator["=="])
    return None


def _has_return(statements: list[Any]) -> bool:
    for statement in statements:
        if isinstance(statement, ast.ReturnStatement):
            return True
        for name in ("block", "if_block", "else_block", "statements"):
            inner = getattr(statement, name, None)
            if isinstance(inner, ast.CompoundStatement):
                inner = inner.statements
            if isinstance(inner, list) and _has_return(inner):
                return True
        for _, body in getattr(statement, "cases", None) or []:
            if _has_return(body.statements):
                return True
    return False


def _statements(block: Any) -> list[Any]:
    return list(block.statements) if isinstance(block, ast.CompoundStatement) else list(block)


def _indexed(name: str, index: int) -> ast.IndexedIdentifier:
    return ast.IndexedIdentifier(
        name=ast.Identifier(name=name), indices=[[ast.IntegerLiteral(value=index)]]
    )


def _literal(value: Value) -> Any:
    if isinstance(value, bool):
        return ast.BooleanLiteral(value=value)
    if isinstance(value, int):
        if value < 0:
            return ast.UnaryExpression(
                op=ast.UnaryOperator["-"], expression=ast.IntegerLiteral(value=-value)
            )
        return ast.IntegerLiteral(value=value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NotHandled("a value that is not a finite number", None)
        if value < 0:
            return ast.UnaryExpression(
                op=ast.UnaryOperator["-"], expression=ast.FloatLiteral(value=-value)
            )
        return ast.FloatLiteral(value=value)
    raise NotHandled("an array where a number was expected", None)


def _coerce(value: Value, kind: str, size: int | None) -> Value:
    if kind == "array":
        return value
    if isinstance(value, list):
        raise NotHandled("an array where a number was expected", None)
    if kind == "bool":
        return bool(value)
    if kind in ("float", "angle"):
        return float(value)
    number = int(value)  # int(3.7) == 3: OpenQASM casts truncate toward zero
    if size is not None:
        number &= (1 << size) - 1
        if kind == "int" and number >= 1 << (size - 1):
            number -= 1 << size
    elif kind == "uint" and number < 0:
        raise NotHandled("a negative value in an unsigned integer", None)
    return number


def _unary(op: str, value: Value, node: ast.QASMNode) -> Value:
    if isinstance(value, list):
        raise NotHandled("an operation on an array", node)
    if op == "-":
        return -value
    if op == "!":
        return not value
    if op == "~" and isinstance(value, int):
        return ~value
    raise NotHandled(f"the operator {op}", node)


def _binary(op: str, a: Value, b: Value, node: ast.QASMNode) -> Value:
    if isinstance(a, list) or isinstance(b, list):
        raise NotHandled("an operation on an array", node)
    both_int = isinstance(a, int) and isinstance(b, int)
    try:
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "/":
            if both_int:  # integer division truncates toward zero
                return _trunc_div(int(a), int(b))
            return a / b
        if op == "%":
            return a % b if both_int else math.fmod(a, b)
        if op == "**":
            return a**b
        if op in ("<<", ">>", "&", "|", "^") and both_int:
            shifts: dict[str, Callable[[int, int], int]] = {
                "<<": lambda x, y: x << y,
                ">>": lambda x, y: x >> y,
                "&": lambda x, y: x & y,
                "|": lambda x, y: x | y,
                "^": lambda x, y: x ^ y,
            }
            return shifts[op](int(a), int(b))
        comparisons: dict[str, Callable[[Any, Any], bool]] = {
            "==": lambda x, y: x == y,
            "!=": lambda x, y: x != y,
            "<": lambda x, y: x < y,
            "<=": lambda x, y: x <= y,
            ">": lambda x, y: x > y,
            ">=": lambda x, y: x >= y,
            "&&": lambda x, y: bool(x) and bool(y),
            "||": lambda x, y: bool(x) or bool(y),
        }
        if op in comparisons:
            return comparisons[op](a, b)
    except (ZeroDivisionError, OverflowError, ValueError):
        raise NotHandled("an arithmetic error (division by zero or overflow)", node) from None
    raise NotHandled(f"the operator {op}", node)


def _trunc_div(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def _assign(op: str, old: Value, rhs: Value, node: ast.QASMNode) -> Value:
    if op == "=":
        return rhs
    return _binary(op.removesuffix("="), old, rhs, node)
