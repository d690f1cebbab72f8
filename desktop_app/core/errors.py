"""Errors that carry a message a student can act on (never a traceback in the UI)."""

from __future__ import annotations


class QuantumDeskError(Exception):
    """Base of every error the UI and the CLI show as plain text."""


class UserInputError(QuantumDeskError):
    """Bad input from the user: unknown backend, shots out of range, too many qubits..."""
