"""After the first paint (app.main, before the background imports), the objects made so far
(modules, classes, the window's widgets, the catalog: ~80,000) are moved out of the cyclic
garbage collector's sight (`gc.freeze`). Python's full collections walked all of them on
whichever thread allocated, with the interpreter lock held: 40-120 ms pauses of the GUI thread in
the first seconds after start and during a first run (`bench_azure_gui_stall.py`, measured with
gc.callbacks on 2026-12-01). Frozen objects are still freed by their reference counts; only a
cycle among them is kept for good.
"""

from __future__ import annotations

import gc


def freeze_startup_objects() -> None:
    """No collection first: that would be one more such pause."""
    gc.freeze()
