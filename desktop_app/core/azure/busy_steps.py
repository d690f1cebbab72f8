"""The cap on the Python-heavy steps of Azure jobs (sign-in, workspace client, submit; download
and normalize) run at once in a process.

20 jobs doing them at once kept the GUI thread waiting for the GIL 40-130 ms at a time
(tests/bench/bench_azure_gui_stall.py). The GIL serializes that work anyway, so the cap costs
little; polling and queue waits are not capped. In the Azure worker process
(core.azure.process_worker) no window waits for the GIL: it lifts the cap with `allow`, and 20
jobs submit side by side as on a plain SDK thread pool.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop_app.core.cancel import CancelToken

_SLOTS = [threading.BoundedSemaphore(2)]


def allow(count: int) -> None:
    """Let `count` jobs of this process do their Python-heavy steps at once (before any run)."""
    _SLOTS[0] = threading.BoundedSemaphore(count)


def acquire(cancel: CancelToken) -> threading.BoundedSemaphore:
    """Wait for a slot; Cancelled when Cancel is pressed meanwhile. Returns what to release."""
    slots = _SLOTS[0]
    while not slots.acquire(timeout=0.05):
        cancel.raise_if_cancelled()
    return slots


@contextlib.contextmanager
def held() -> Iterator[None]:
    """A slot for a step that is not cancellable (the job is final, its result on the way)."""
    slots = _SLOTS[0]
    with slots:
        yield
