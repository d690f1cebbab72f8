"""Our own unroller: evaluates the classical part of an OpenQASM 3 program (const, int/uint/float/
bool variables, arrays, for/while loops, if/switch on known values, bit access on integers) and
expands register broadcasts, leaving flat quantum code that qiskit's importer reads.

It is a second front end, written here, so that whatever pyqasm's unroller produces can be checked
against it (pyqasm 1.3 rewrites `cx q, r;` over two registers wrongly, docs/openqasm-parsers.md).
Anything it does not handle raises `NotHandled` with the place; the caller then tries other routes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from openqasm3 import ast

from desktop_app.core.qasm.unroll_base import (
    _MAX_STEPS,
    NotHandled,
    Value,
    _as_equality,
    _assign,
    _coerce,
    _has_return,
    _indexed,
    _literal,
    _Runtime,
    _Scope,
    _statements,
    _Var,
    replace,
)
from desktop_app.core.qasm.unroll_values import _Evaluator


def unroll(program: ast.Program) -> tuple[ast.Program, dict[str, int | None], list[bool]]:
    """The program with every classical construct evaluated, the size of each qubit register
    (None for a single qubit), and for each `while` of the result (in order) whether its condition
    must be negated (it was `!=`); raises NotHandled."""
    unroller = _Unroller()
    try:
        flat = unroller.run(program)
    except NotHandled as exc:
        exc.evaluated = unroller.evaluated
        raise
    return flat, dict(unroller.scope.qubits), unroller.negated_whiles


# Statements whose body is not (or not all) evaluated where they stand: only their inner
# statements, as they run, count as evaluated.
_HOLDS_STATEMENTS = (
    *(ast.ForInLoop, ast.WhileLoop, ast.BranchingStatement, ast.SwitchStatement),
    *(ast.CompoundStatement, ast.SubroutineDefinition, ast.QuantumGateDefinition),
)


class _Unroller(_Evaluator):
    def __init__(self) -> None:
        self.scope = _Scope()
        self.steps = 0
        self.runtime_depth = 0  # > 0 inside an `if` on a measured bit
        self.subroutines: dict[str, ast.SubroutineDefinition] = {}
        # bits given a value when declared (`bit[2] f = "11";`): known until measured, per bit
        self.known_bits: dict[str, tuple[int, int, ast.QASMNode]] = {}  # value, known mask, where
        self.negated_whiles: list[bool] = []  # per emitted `while`: its condition is `!=`
        self.call_depth = 0
        # spans of the statements evaluated without fault: another front end's error inside one
        # of them is that front end's limitation, not the program's mistake
        self.evaluated: list[ast.Span] = []

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
        aliases = dict(self.scope.aliases)  # a `let` inside a block ends with the block
        scope = self.scope
        try:
            for statement in statements:
                self.tick(statement)
                yield from self.statement(statement)
                if statement.span is not None and not isinstance(statement, _HOLDS_STATEMENTS):
                    self.evaluated.append(statement.span)
        finally:
            scope.aliases = aliases

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

    def s_AliasStatement(self, node: ast.AliasStatement) -> Iterator[ast.Statement]:
        """`let a = q[{0, 2}];`, `let b = q[1:3];`, `let c = q ++ r;`: a name for qubits."""
        parts: list[Any] = []
        pending: list[Any] = [node.value]
        while pending:  # `a ++ b ++ c` nests to the left
            part = pending.pop(0)
            if isinstance(part, ast.Concatenation):
                pending[:0] = [part.lhs, part.rhs]
            else:
                parts.append(part)
        picks: list[Any] = []
        for part in parts:
            base = part.collection if isinstance(part, ast.IndexExpression) else part
            name = base.name if isinstance(base, ast.Identifier) else None
            known = name is not None and (
                name in self.scope.qubits or name in self.scope.aliases or name[:1] == "$"
            )
            if not known:
                raise NotHandled("an alias ('let') of something other than qubits", node)
            alias = self.qubit_alias(part)
            picks.extend(alias if isinstance(alias, list) else [alias])
        single = len(parts) == 1 and not isinstance(self.qubit_alias(parts[0]), list)
        self.scope.aliases[node.target.name] = picks[0] if single else picks
        return iter(())

    def s_QuantumGateDefinition(self, node: ast.QuantumGateDefinition) -> Iterator[ast.Statement]:
        # The body sees only its parameters and global constants: substitute the constants.
        params = {p.name for p in node.arguments} | {q.name for q in node.qubits}
        yield replace(node, body=[self.substitute(s, params) for s in node.body])

    def s_ConstantDeclaration(self, node: ast.ConstantDeclaration) -> Iterator[ast.Statement]:
        self.declare(node, node.type, node.identifier.name, node.init_expression, const=True)
        return iter(())

    def s_ClassicalDeclaration(self, node: ast.ClassicalDeclaration) -> Iterator[ast.Statement]:
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
                yield replace(
                    node,
                    type=ast.BitType(size=None if size is None else _literal(size)),
                    init_expression=None,
                )
                return
            if isinstance(init, ast.FunctionCall) and init.name.name in self.subroutines:
                yield replace(
                    node,
                    type=ast.BitType(size=None if size is None else _literal(size)),
                    init_expression=None,
                )
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

    def declare(self, node: ast.QASMNode, type_: Any, name: str, init: Any, *, const: bool) -> None:
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

    def s_ClassicalAssignment(self, node: ast.ClassicalAssignment) -> Iterator[ast.Statement]:
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
            node,
            measure=ast.QuantumMeasurement(qubit=self.qubit_operand(node.measure.qubit)),
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
            if (
                not isinstance(index, list)
                or len(index) != 1
                or isinstance(index[0], ast.RangeDefinition)
            ):
                raise NotHandled("a measurement into part of a bit register with a value", node)
            mask &= ~(1 << self.integer(index[0]))
        if self.runtime_depth and value & ~mask & self.known_bits[name][1]:
            raise NotHandled("a bit register with a value measured under a condition", node)
        self.known_bits[name] = (value, mask, where)

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

    def s_BranchingStatement(self, node: ast.BranchingStatement) -> Iterator[ast.Statement]:
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

    def s_CompoundStatement(self, node: ast.CompoundStatement) -> Iterator[ast.Statement]:
        yield from self.block(node.statements)

    # ------------------------------------------------------------ expressions


# ---------------------------------------------------------------- value helpers
