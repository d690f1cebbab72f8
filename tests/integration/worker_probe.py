"""Functions a test runs in the Azure worker (`process.call_in_azure_worker`): their module is
imported there to unpickle them, so it imports nothing itself."""

from __future__ import annotations

import sys


def loaded_in_worker(_context: object, module: str) -> bool:
    """Whether `module` is imported in the process this runs in."""
    return module in sys.modules
