"""CLI start-up: CPU time of `quantum-desk --help`, `backends`, `jobs` against `python -c pass`.

Run: `.venv/bin/python tests/bench/bench_cli_start.py [N]` (N runs each, interleaved so that load
changes hit app and baseline alike). CPU time (user + system, from the children's rusage) is used,
not wall time: on a shared 2-core machine it varies less with the other processes. Goal (issue 16):
<= 3x the baseline. Prints app, baseline, ratio, load average and goal; asserts nothing.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from tests.bench.figures import record  # noqa: E402

GOAL_RATIO = 3.0
COMMANDS = (("--help",), ("backends",), ("jobs",))
# what the full `jobs` command imports from the standard library (argument parsing, logging, the
# ledger's SQLite and dataclasses; a plain `jobs` starts with sqlite3 alone, cli/quick.py):
# printed for reference, so that the part of the ratio that is the standard library shows
STDLIB_FLOOR = "import argparse, logging, sqlite3, json, dataclasses, pathlib, datetime"


def cpu_seconds(args: list[str], env: dict[str, str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def run_bench(runs: int, data_dir: Path) -> tuple[list[tuple[str, float, float]], float]:
    env = {**os.environ, "XDG_DATA_HOME": str(data_dir), "QDK_PYTHON_TELEMETRY": "none"}
    # An installed app runs from bytecode: let the warm-up runs write it (to a cache of our own,
    # outside the worktree) even where PYTHONDONTWRITEBYTECODE is set, as it is on some CI hosts.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(data_dir / "pycache")
    baseline: list[float] = []
    floor: list[float] = []
    app: dict[tuple[str, ...], list[float]] = {c: [] for c in COMMANDS}
    for warm_up in range(runs + 1):
        if warm_up == 0:
            for command in COMMANDS:
                cpu_seconds([sys.executable, "-m", "desktop_app", *command], env)
            cpu_seconds([sys.executable, "-c", STDLIB_FLOOR], env)
            continue
        baseline.append(cpu_seconds([sys.executable, "-c", "pass"], env))
        floor.append(cpu_seconds([sys.executable, "-c", STDLIB_FLOOR], env))
        for command in COMMANDS:
            # the console script's own code path (desktop_app.__main__:main), no runpy
            code = (
                "import sys; from desktop_app.__main__ import main; "
                f"sys.exit(main({list(command)!r}))"
            )
            app[command].append(cpu_seconds([sys.executable, "-c", code], env))
    base = statistics.median(baseline)
    rows = [(" ".join(c), statistics.median(t), base) for c, t in app.items()]
    return rows, statistics.median(floor)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    with tempfile.TemporaryDirectory() as tmp:
        rows, floor = run_bench(runs, Path(tmp))
    load = "/".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nCLI start, CPU time, median of {runs} fresh processes each (load average {load})")
    print(f"  {'command':22s} {'app':>9s} {'baseline':>9s} {'ratio':>7s}  goal")
    for label, app_s, base_s in rows:
        ratio = app_s / base_s
        record(
            f"CLI start `quantum-desk {label}`, CPU vs `python -c pass`",
            app_s * 1000,
            base_s * 1000,
            "ms",
            f"<= {GOAL_RATIO:.0f}x",
            met=ratio <= GOAL_RATIO,
        )
        print(
            f"  quantum-desk {label:9s} {app_s * 1000:7.1f}ms {base_s * 1000:7.1f}ms "
            f"{ratio:6.2f}x  <= {GOAL_RATIO:.0f}x (python -c pass)"
        )
    base_s = rows[0][2]
    print(f"  (stdlib floor: {STDLIB_FLOOR!r}: {floor * 1000:.1f}ms, {floor / base_s:.2f}x)")


if __name__ == "__main__":
    main()
