"""What a run asks for and the interface every executor offers (no executor is imported here)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from desktop_app.core.errors import UserInputError

if TYPE_CHECKING:
    from desktop_app.core.cancel import CancelToken, ProgressCallback
    from desktop_app.core.programs import Program
    from desktop_app.core.results import RunResult

MAX_SHOTS = 1_000_000
DEFAULT_SHOTS = 1000


def check_shots(shots: int, field: str = "shots") -> int:
    """`shots` if a backend can take it; else UserInputError naming `field` (the CLI passes its
    option, "--shots"): the one check and wording for the window, the CLI and the executors."""
    if not 1 <= shots <= MAX_SHOTS:
        raise UserInputError(f"{field} must be between 1 and {MAX_SHOTS:,}, not {shots}")
    return shots


@dataclass(frozen=True)
class RunRequest:
    """One program on one backend, valid by construction (UserInputError otherwise).

    `source` is the program text; `path` only names it in errors. `program`, when the caller has
    parsed `source` already (the CLI checks it up front), spares this process a second parse; it
    is not sent to the simulator's worker process, which parses on its own."""

    source: str
    path: str | None
    backend: str
    shots: int = DEFAULT_SHOTS
    options: Mapping[str, object] = field(default_factory=dict)  # provider options
    profile: str | None = None  # Azure profile name; None for local backends
    program: Program | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        check_shots(self.shots)
        if not self.source.strip():
            raise UserInputError("the program is empty: open a file or pick an example")

    @property
    def job_name(self) -> str:
        """The job's name in the ledger, local or Azure alike: its program's file name."""
        return os.path.basename(self.path) if self.path else "untitled"

    def parsed(self) -> Program:
        """The program of this request (parsed now unless the caller handed it in)."""
        if self.program is not None:
            return self.program
        from desktop_app.core.programs import load_program

        return load_program(self.source, self.path)


class Executor(Protocol):
    def run(
        self, request: RunRequest, cancel: CancelToken, progress: ProgressCallback
    ) -> RunResult:
        """Run `request`; ProgramError / UserInputError for bad input, Cancelled when cancelled."""
        ...


@runtime_checkable
class RecordsRemoteJobs(Protocol):
    """An executor whose jobs live at a service (Azure): it reports each job to a recorder as it is
    created, before it is submitted, so that the ledger writes ahead (`core.jobs.recording`)."""

    def with_recorder(self, recorder: Any) -> Executor:
        """A copy of this executor that reports to `recorder` (the caller's may be shared)."""
        ...
