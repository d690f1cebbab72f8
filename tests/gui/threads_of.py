"""Which threads call a function: for tests that some work runs off the GUI thread."""

from __future__ import annotations

import threading
from typing import Any

import pytest


def threads_calling(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> list[Any]:
    """Replace `owner.name` (a module's function, read at call time) with one that records
    the thread of each call and then calls the original; the list fills as it is called."""
    threads: list[threading.Thread] = []
    real = getattr(owner, name)

    def watched(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, watched)
    return threads
