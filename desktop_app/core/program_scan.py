"""The pre-scan behind every program load: size checks, tokens, nesting, then a statement walk.

The walk estimates what a program asks of the parsers and the simulator (declared qubits and bits,
registers, gate parameters, definition depth, loop iterations, gates after unrolling definitions
and loops) without deciding whether the program is valid: the parsers do that, with better
messages. Time and memory are linear in the text (at most MAX_TOKENS tokens are kept).
"""

from __future__ import annotations

import logging

from desktop_app.core.program_limits import LimitError, check_text_size
from desktop_app.core.program_tokens import check_nesting, tokenize
from desktop_app.core.program_walk import Walker

log = logging.getLogger(__name__)


def scan(source: str, path: str | None) -> None:
    """Check one program (and, for OpenQASM 2, its include files); raises LimitError."""
    tokens = tokenize(source, path)
    check_nesting(tokens)
    walker = Walker(tokens, program_path=path)
    walker.walk_file()


def check_source(source: str, path: str | None = None) -> None:
    """Raise LimitError (with file, line, column) when `source` is past any limit of
    `program_limits`.

    Linear in the length of the text, whatever it holds; it refuses before building anything
    large. OpenQASM 2 include files are checked too (where they may be, and what they hold)."""
    check_text_size(source, path)
    try:
        scan(source, path)
    except LimitError:
        raise
    except Exception:  # a bug of the scan: refuse rather than let an unchecked text through
        log.warning("the pre-scan of %s failed", path or "<editor>", exc_info=True)
        raise LimitError("the program could not be checked before loading it", path) from None
