"""Where the example programs are (the Examples menu, the program shown at the first start)."""

from __future__ import annotations

import os
from pathlib import Path


def examples_dir() -> Path:
    """resources/examples next to the package (a bundle may point elsewhere with the env var)."""
    default = Path(__file__).resolve().parents[2] / "resources" / "examples"
    return Path(os.environ.get("QUANTUM_DESK_EXAMPLES_DIR") or default)
