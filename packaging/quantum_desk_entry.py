"""PyInstaller entry point: the frozen `quantum-desk` executable starts here.

`multiprocessing.freeze_support()` must run first: the local simulator's worker processes are
started with the spawn method, which in a frozen app re-runs this executable with special
arguments that freeze_support() recognizes (and then never returns).
"""

from __future__ import annotations

import multiprocessing
import sys

if __name__ == "__main__":
    from desktop_app import privacy

    privacy.apply()  # telemetry off before anything else, in the app and its worker processes
    multiprocessing.freeze_support()
    from desktop_app.__main__ import main

    sys.exit(main())
