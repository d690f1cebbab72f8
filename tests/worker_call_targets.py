"""Module-level functions for tests/unit/test_worker_calls.py to run in a worker process."""

from __future__ import annotations

import os

from desktop_app.core.errors import UserInputError


def pid_and_sum(values: tuple[int, ...]) -> tuple[int, int]:
    return os.getpid(), sum(values)


def refuse(message: str) -> None:
    raise UserInputError(message)


def divide(a: int, b: int) -> float:
    return a / b


def spin() -> None:
    while True:
        pass


def crash() -> None:
    os._exit(139)
