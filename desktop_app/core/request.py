"""What a run asks for and the interface every executor offers (no executor is imported here)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from desktop_app.core.errors import UserInputError

if TYPE_CHECKING:
    from desktop_app.core.cancel import CancelToken, ProgressCallback
    from desktop_app.core.results import RunResult

MAX_SHOTS = 1_000_000


@dataclass(frozen=True)
class RunRequest:
    """One program on one backend. `source` is the program text; `path` only names it in errors."""

    source: str
    path: str | None
    backend: str
    shots: int = 1000
    options: Mapping[str, object] = field(default_factory=dict)  # provider options
    profile: str | None = None  # Azure profile name; None for local backends

    def validate(self) -> None:
        """Raise UserInputError for values no backend accepts."""
        if not 1 <= self.shots <= MAX_SHOTS:
            raise UserInputError(f"shots must be between 1 and {MAX_SHOTS:,}, not {self.shots}")
        if not self.source.strip():
            raise UserInputError("the program is empty: open a file or pick an example")


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
