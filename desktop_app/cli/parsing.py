"""The argparse classes of the command line, apart from `desktop_app.cli` so that importing
that package (the quick start of `backends` and `jobs`, cli/quick.py) costs no argparse."""

from __future__ import annotations

import argparse
import os

TYPE_CHECKING = False  # `typing` costs a CLI start as much as Python's own start (issue 16)
if TYPE_CHECKING:
    from typing import Any


class HelpFormatter(argparse.HelpFormatter):
    """argparse's, sized without `shutil` (which brings bz2, lzma and zlib into every --help)."""

    def __init__(self, prog: str) -> None:
        try:
            width = int(os.environ.get("COLUMNS", "")) or os.get_terminal_size().columns
        except (ValueError, OSError):
            width = 80
        super().__init__(prog, width=max(width, 40) - 2)


class Parser(argparse.ArgumentParser):
    """The top parser and (argparse makes them of its class) the sub-commands' parsers."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)
