"""Errors that carry a message a student can act on (never a traceback in the UI)."""

from __future__ import annotations

from collections.abc import Iterator


class QuantumDeskError(Exception):
    """Base of every error the UI and the CLI show as plain text."""


class UserInputError(QuantumDeskError):
    """Bad input from the user: unknown backend, shots out of range, too many qubits..."""


def exception_chain(exc: BaseException) -> Iterator[BaseException]:
    """`exc`, then its causes and contexts (each once): where an SDK's root error hides."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__
