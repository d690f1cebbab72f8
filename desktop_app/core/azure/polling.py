"""How often a job's status is asked for, and how long one failing service call is retried.

Kept apart from the executor: the CLI, the reconciler and the worker process name a schedule
without importing what runs the jobs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from desktop_app.core.azure.retry import DEFAULT_RETRY_DEADLINE


@dataclass(frozen=True)
class PollSchedule:
    """Seconds between status polls: `first`, growing by `factor`, capped at `maximum`; one
    service call that keeps failing (busy, 5xx, dropped) is retried for `retry_deadline` s."""

    first: float = 0.2  # the SDK's own first wait (Job._default_poll_wait)
    factor: float = 1.5
    maximum: float = 60.0
    retry_deadline: float = DEFAULT_RETRY_DEADLINE

    def delays(self) -> Iterator[float]:
        delay = self.first
        while True:
            yield delay
            delay = min(self.maximum, delay * self.factor)


FAST_POLLING = PollSchedule(first=0.2, factor=1.5, maximum=1.0)  # tests and the emulator
DEFAULT_POLLING = PollSchedule()  # Azure's own pace: from 0.2 s up to a minute between polls
