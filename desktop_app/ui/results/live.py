"""A run's live state in plain words: Starting, Queued, Running, Finishing, with elapsed time."""

from __future__ import annotations

import time

from desktop_app.core.results import JobStatus

# What the executors report (core.local, core.azure) -> what a student reads.
_WORDS = {
    "Starting simulator": "Starting",
    "Connecting to Azure": "Starting",
    "Submitting": "Submitting",
    JobStatus.SUBMITTING.value: "Submitting",
    JobStatus.WAITING.value: "Queued",
    JobStatus.EXECUTING.value: "Running",
    "Simulating": "Running",
    "Downloading results": "Finishing",
    "Done": "Finishing",
    "Cancelling": "Cancelling",
}


def plain_state(message: str) -> str:
    """The word for an executor's progress message (other messages, e.g. a retry, as they are)."""
    return _WORDS.get(message, message)


def elapsed_text(seconds: float) -> str:
    seconds = max(0, int(seconds))
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class LiveState:
    """One backend's state while it runs; `text()` is what its panel shows."""

    def __init__(self, now: float | None = None) -> None:
        self.started = time.monotonic() if now is None else now
        self.state = "Starting"
        self.job_id: str | None = None

    def update(self, message: str) -> None:
        self.state = plain_state(message)

    def text(self, now: float | None = None) -> str:
        elapsed = (time.monotonic() if now is None else now) - self.started
        return f"{self.state} · {elapsed_text(elapsed)}"
