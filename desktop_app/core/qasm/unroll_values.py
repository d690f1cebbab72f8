"""The unroller's evaluation of expressions and operands: constant values, bit access on integers,
index sets, and the qubits a register broadcast stands for."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from openqasm3 import ast

from desktop_app.core.qasm.unroll_base import (
    _CONSTANTS,
    _FUNCTIONS,
    _MAX_STEPS,
    NotHandled,
    Value,
    _binary,
    _coerce,
    _indexed,
    _literal,
    _Runtime,
    _Scope,
    _unary,
    replace,
)


class _Evaluator:
    """Expressions and operands of `unroll._Unroller` (which adds the statements)."""

    scope: _Scope
    known_bits: dict[str, tuple[int, int, ast.QASMNode]]

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
            if (
                isinstance(index, list)
                and len(index) == 1
                and not isinstance(index[0], ast.RangeDefinition)
            ):
                return None
            return [alias[i] for i in picks]
        if isinstance(operand, ast.Identifier):
            if operand.name[:1] == "$" and operand.name[1:].isdigit():
                return None  # a physical qubit (`$0`): one qubit, declared by its use
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
            if (
                isinstance(index, list)
                and len(index) == 1
                and not isinstance(index[0], ast.RangeDefinition)
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
                if (
                    isinstance(index, list)
                    and len(index) == 1
                    and not isinstance(index[0], ast.RangeDefinition)
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
