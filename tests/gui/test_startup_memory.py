"""After the first paint the start-up's objects leave the cyclic collector's sight, so its full
collections no longer walk them with the interpreter lock held (GUI-thread pauses)."""

from __future__ import annotations

import gc
import weakref

from desktop_app.ui.startup_memory import freeze_startup_objects


class Node:
    """An object in a reference cycle with itself: only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.me = self


def test_the_start_ups_objects_are_frozen_and_a_later_cycle_is_still_collected() -> None:
    before = Node()
    freeze_startup_objects()
    try:
        assert gc.get_freeze_count() > 0
        assert not any(o is before for o in gc.get_objects())  # out of every generation
        later = weakref.ref(Node())  # garbage made after the freeze
        gc.collect()
        assert later() is None  # is still collected
    finally:
        gc.unfreeze()  # the rest of this test process as before
    assert any(o is before for o in gc.get_objects())
