"""Codes recorded beside a message are a service's or plain words, never Python class names."""

from __future__ import annotations

import errno

import pytest

from desktop_app.core.azure.errors import AzureRunError
from desktop_app.core.errors import (
    NotWritableError,
    QuantumDeskError,
    UserInputError,
    error_code,
    why_not_readable,
)
from desktop_app.core.programs import ProgramError


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (AzureRunError("refused", "InvalidJobDefinition"), "InvalidJobDefinition"),
        (ProgramError("no such gate", "bell.qasm", 3, 1), "program"),
        (UserInputError("shots out of range"), "input"),
        (NotWritableError("the data folder is read-only"), "file"),
        (QuantumDeskError("the simulator failed"), "error"),
        (ZeroDivisionError("division by zero"), "unexpected"),
    ],
)
def test_error_codes_are_plain(exc: BaseException, code: str) -> None:
    assert error_code(exc) == code


def test_why_a_file_cannot_be_read_in_plain_words() -> None:
    denied = OSError(errno.EACCES, "Permission denied")
    assert why_not_readable(denied) == "not readable for this user"
    assert why_not_readable(OSError(errno.EISDIR, "Is a directory")) == "a folder, not a file"
    with pytest.raises(UnicodeDecodeError) as caught:
        b"ok\xff".decode("utf-8")
    assert why_not_readable(caught.value) == "not UTF-8 text (byte 3)"
