"""Local runs sized by method (issue 16): wide Clifford circuits run, with the method shown, beside
a plain qiskit-aer stabilizer script on the same file; a wide non-Clifford circuit is refused before
it starts, with the memory it needs against what is free.

Run: .venv/bin/python tests/bench/bench_local_methods.py [N]   (N: runs per case, median; 3)
Each run is a fresh process (`python -m desktop_app run FILE --json` vs the plain script). Prints
figures only (no assertions); programs are written to a temporary folder.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from tests.bench.figures import record  # noqa: E402
from tests.unit.test_local_methods import ghz, random_clifford  # noqa: E402

SHOTS = 1000
PLAIN = r"""
import sys
from qiskit import qasm2
from qiskit_aer import AerSimulator
circuit = qasm2.load(sys.argv[1], include_path=qasm2.LEGACY_INCLUDE_PATH,
                     custom_instructions=qasm2.LEGACY_CUSTOM_INSTRUCTIONS)
job = AerSimulator(method="stabilizer").run(circuit, shots=int(sys.argv[2]))
print(len(job.result().get_counts()))
"""


def _timed(command: list[str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    return time.perf_counter() - started, done


def _app(path: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    command = [sys.executable, "-m", "desktop_app", "run", str(path), "--shots", str(SHOTS)]
    return _timed([*command, "--json"])


def main(runs: int) -> None:
    cases = {
        "GHZ-50": ghz(50),
        "GHZ-100": ghz(100),
        "100-qubit random Clifford, depth 10": random_clifford(100, 10),
    }
    with tempfile.TemporaryDirectory() as folder:
        for name, source in cases.items():
            path = Path(folder) / "program.qasm"
            path.write_text(source, encoding="utf-8")
            app_times, plain_times, methods = [], [], set()
            for _ in range(runs):
                took, done = _app(path)
                app_times.append(took)
                result = json.loads(done.stdout)[0] if done.returncode == 0 else {}
                methods.add(str(result.get("method", f"failed: {done.stderr.strip()[-200:]}")))
                took, _ = _timed([sys.executable, "-c", PLAIN, str(path), str(SHOTS)])
                plain_times.append(took)
            app, plain = statistics.median(app_times), statistics.median(plain_times)
            shown = ", ".join(sorted(methods))
            print(f"{name:40s} app {app:.3f} s, plain aer stabilizer {plain:.3f} s; method {shown}")
            record(
                f"Clifford over 30 qubits: {name}, CLI end to end (method shown: {shown})",
                app,
                plain,
                "s",
                "run, method shown",
                met=methods == {"stabilizer"},
            )
        path = Path(folder) / "wide.qasm"
        path.write_text(ghz(34, "t q[0];\n"), encoding="utf-8")  # 256 GiB of statevector
        took, done = _app(path)
        said = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""
        refused = done.returncode == 2 and "memory" in said and "GiB" in said
        print(f"34-qubit non-Clifford: exit {done.returncode} in {took:.3f} s: {said}")
        record(
            "memory: a 34-qubit circuit with a T gate refused before it starts (CLI)",
            took,
            None,
            "s",
            "refused",
            met=refused,
            note=said[:160],
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
