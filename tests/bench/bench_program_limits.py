"""Time of the program pre-scan (program_limits.check_source) on large and hostile texts.

The pre-scan runs before every parse, in the editor's process too, so it must stay well under the
parsers' own time: goal < 1 s for the largest accepted program (100,000 lines) and < 3 s for any
refused text up to MAX_FILE_BYTES on a developer machine.

Run: `.venv/bin/python tests/bench/bench_program_limits.py` (prints the figures, asserts nothing)
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from desktop_app.core.program_limits import MAX_FILE_BYTES, MAX_LINE_CHARS, LimitError
from desktop_app.core.program_scan import check_source

V3 = 'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[4] q;\nbit[4] c;\n'
LINE = ";" * (MAX_LINE_CHARS - 1) + "\n"

CASES = {
    "100,000 lines of gates (accepted)": V3 + "h q[0];\ncx q[0], q[1];\n" * 49_990,
    "loops and definitions (accepted)": V3
    + "gate g a { h a; x a; }\n" * 1000
    + "for int i in [0:99] { for int j in [i:99] { g q[0]; } }\n" * 10,
    "5 MB of ';' (refused: tokens)": V3 + LINE * (MAX_FILE_BYTES // len(LINE) - 1),
    "5 MB of 'x q; ' (refused: tokens)": V3
    + ("x q; " * (MAX_LINE_CHARS // 5 - 1) + "\n") * (MAX_FILE_BYTES // MAX_LINE_CHARS - 1),
    "3,000 nested if (refused: nesting)": V3 + "if (c) {\n" * 3000 + "}\n" * 3000,
}


def main() -> None:
    for name, source in CASES.items():
        started = time.perf_counter()
        try:
            check_source(source, "bench.qasm")
            verdict = "accepted"
        except LimitError as exc:
            verdict = f"refused at {exc.line}:{exc.column}"
        seconds = time.perf_counter() - started
        print(f"{name:40s} {len(source) / 1e6:5.2f} MB  {seconds:6.3f} s  {verdict}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of this process: {peak:.0f} MB")


if __name__ == "__main__":
    main()
