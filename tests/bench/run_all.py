"""`./dev.sh bench`: every benchmark under tests/bench, then ONE table of every figure of issue 16.

Each script runs in its own process (its output streams as it goes) with QUANTUM_DESK_BENCH_FIGURES
pointing at a file where it records its figures (tests/bench/figures.py): the app's figure, its
baseline measured in the same run, the ratio, the load average when it was taken, and the goal.
A figure of the issue that no script recorded shows as "not measured", so a missing benchmark
is seen, not skipped. Nothing is asserted.

Run: `.venv/bin/python tests/bench/run_all.py [--quick] [--only bench_x.py,...]`
(--quick: the ledger at 10,000 jobs instead of 1,000,000, fewer repetitions).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
from tests.bench.figures import FIGURES_ENV  # noqa: E402

# script -> (arguments, quick arguments); scripts not named run without arguments
ARGUMENTS: dict[str, tuple[list[str], list[str]]] = {
    "bench_cli_start.py": (["15"], ["7"]),
    "bench_startup.py": (["7"], ["5"]),
    "bench_azure_submit.py": (["10"], ["3"]),
    "bench_ledger.py": (["10000,1000000"], ["10000"]),
}
SKIPPED = {"bench_qasm_corpus.py": "needs a folder of public programs: run it by hand"}
TIMEOUT_S = 3600

# The figures of the issue's table, in its order: (words every matching figure's name holds,
# the issue's wording, its goal). A figure recorded by no script shows as "not measured".
ISSUE_FIGURES: list[tuple[tuple[str, ...], str, str]] = [
    (("CLI start", "--help"), "`quantum-desk --help`, CPU vs `python -c pass`", "<= 3x"),
    (("CLI start", "backends"), "`quantum-desk backends`, CPU vs `python -c pass`", "<= 3x"),
    (("CLI start", "jobs"), "`quantum-desk jobs`, CPU vs `python -c pass`", "<= 3x"),
    (("GUI start",), "GUI start to first paint vs a bare QMainWindow", "<= 1.5x"),
    (("GUI-thread stall", "cold"), "GUI-thread stall, first Azure run of a process", "< 16 ms"),
    (("GUI-thread stall", "warm"), "GUI-thread stall, a later Azure run", "< 16 ms"),
    (("first Azure job",), "first Azure job of a process vs plain SDK", "<= 1.2x"),
    (("Azure jobs at once",), "20 Azure jobs at once vs SDK + thread pool", "<= 1.05x"),
    (("one Azure job, warm",), "one Azure job, warm, vs plain SDK (issue 4)", "<= 1.1x"),
    (("Clifford",), "Clifford / low-entanglement circuits over 30 qubits", "run, method shown"),
    (("memory",), "30 qubits without the memory: refused before starting", "refused"),
    (("text search",), "ledger text search at 1M jobs", "< 50 ms"),
    (("unfinished_jobs",), "`unfinished_jobs()` at 1M jobs", "< 20 ms"),
    (("last page",), "last page at 1M jobs", "< 20 ms"),
    (("sort by name",), "sort by name at 1M jobs", "< 20 ms"),
    (("per job",), "ledger file per job", "<= 1 KB"),
    (("jobs view",), "jobs view: text filter to rows shown; scroll p99", "< 100 ms; < 16 ms"),
]


def scripts(only: set[str] | None) -> list[Path]:
    found = sorted(HERE.glob("bench_*.py"))
    return [p for p in found if (only is None or p.name in only) and p.name not in SKIPPED]


def run_script(path: Path, quick: bool, figures_file: Path) -> tuple[int, float]:
    args = ARGUMENTS.get(path.name, ([], []))[1 if quick else 0]
    env = {**os.environ, FIGURES_ENV: str(figures_file)}
    started = time.perf_counter()
    print(f"\n==> {path.relative_to(ROOT)} {' '.join(args)}", flush=True)
    try:
        code = subprocess.run(
            [sys.executable, str(path), *args], cwd=ROOT, env=env, timeout=TIMEOUT_S, check=False
        ).returncode
    except subprocess.TimeoutExpired:
        print(f"==> {path.name}: stopped after {TIMEOUT_S} s", flush=True)
        code = -1
    return code, time.perf_counter() - started


def _amount(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "s":
        return f"{value:.3f} s"
    if unit == "ms":
        return f"{value:.1f} ms"
    return f"{value:.2f} {unit}"


def _row(figure: dict[str, Any]) -> list[str]:
    app, base, unit = figure["app"], figure["baseline"], figure["unit"]
    ratio = "-" if base in (None, 0) or app is None else f"{app / base:.2f}x"
    met = {True: "yes", False: "NO", None: "see note"}[figure.get("met")]
    note = figure.get("note") or ""
    return [
        figure["figure"] + (f" ({note})" if note else ""),
        _amount(app, unit),
        _amount(base, unit),
        ratio,
        f"{figure['load']:.2f}",
        figure["goal"],
        met,
    ]


def table(recorded: list[dict[str, Any]]) -> list[list[str]]:
    rows: list[list[str]] = []
    used: set[int] = set()
    for words, wording, goal in ISSUE_FIGURES:
        matches = [
            i
            for i, f in enumerate(recorded)
            if i not in used and all(w.lower() in f["figure"].lower() for w in words)
        ]
        if not matches:
            rows.append([wording, "not measured", "-", "-", "-", goal, "-"])
        for i in matches:
            used.add(i)
            rows.append(_row(recorded[i]))
    rows.extend(_row(f) for i, f in enumerate(recorded) if i not in used)
    return rows


def print_table(rows: list[list[str]]) -> None:
    header = ["figure", "app", "baseline", "ratio", "load", "goal", "met"]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        print("| " + " | ".join(cell.replace("|", "/") for cell in row) + " |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repetitions")
    parser.add_argument("--only", help="comma-separated script names (bench_x.py,...)")
    options = parser.parse_args()
    only = set(options.only.split(",")) if options.only else None
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-figures-") as tmp:
        figures_file = Path(tmp) / "figures.jsonl"
        figures_file.touch()
        for path in scripts(only):
            code, took = run_script(path, options.quick, figures_file)
            if code != 0:
                failures.append(f"{path.name} (exit {code})")
            print(f"==> {path.name}: {took:.0f} s", flush=True)
        lines = figures_file.read_text(encoding="utf-8").splitlines()
    recorded = [json.loads(line) for line in lines if line.strip()]
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nIssue 16 figures ({os.cpu_count()} cores; load average now {load}):\n")
    print_table(table(recorded))
    for name, why in SKIPPED.items():
        print(f"\nnot run: {name}: {why}")
    if failures:
        print("\nscripts that failed: " + ", ".join(failures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
