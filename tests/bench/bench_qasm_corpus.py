"""Classify every OpenQASM file of a folder for Quantum Desk, qiskit alone, pyqasm alone, the QDK.

Run: .venv/bin/python tests/bench/bench_qasm_corpus.py FOLDER [FOLDER ...] [--files] [--shots N]
     [--exact-qubits N] [--qdk-max-qubits N]   (both 20 by default; lower them for big corpora)
(N: samples per sampled reading, default 4000; the QDK, which simulates each shot anew, gets at
most 300 and is not tried above 20 qubits; neither pyqasm nor the QDK is tried on files > 300 kB.)
Each *.qasm file under FOLDER (its own folder on the include path) is read by each tool:
- "right": it runs, and its outcome distribution agrees with that of another, independent front
  end (exact probabilities where the circuit is small enough, else samples; see `agree`).
- "wrong": it runs, and disagrees with two other front ends that agree with each other (or with
  the only other one that runs: then both count as "disputed").
- "unconfirmed": it runs, but no other front end reads the file to confirm its distribution.
- "runs, not checked": it loads, but the circuit has more than 20 qubits (no distribution computed).
- "refused, plain, at line:column": an error message with a position in the file and no internal
  text (desktop_app.core.qasm.wording.looks_internal); "refused, other": anything else.
Front ends: Quantum Desk's reading is grouped with qiskit's when it took qiskit's route (same
parser), and stands alone when it took our unroller. Prints a Markdown table (and with --files one
row per file); Quantum Desk's refusals that show internal text are listed. No corpus file is kept.
"""

from __future__ import annotations

import contextlib
import io
import logging
import math
import os
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
os.environ.setdefault("QDK_PYTHON_TELEMETRY", "none")  # as dev.sh sets it: no telemetry thread
sys.path.insert(0, str(ROOT))

from desktop_app.core.qasm.qdk_readout import declared_bits, qdk_key  # noqa: E402

EXACT_QUBITS = 20  # exact statevector up to here; beyond, samples from qiskit-aer
SAMPLE_MAX_QUBITS = 20  # above, a reading that loads is "runs, not checked" (aer takes minutes)
QDK_MAX_QUBITS = 20  # the QDK simulates each shot anew: more is minutes per file on this machine
QDK_SHOTS = 300
# pyqasm (pure Python) and the QDK's per-shot simulation take minutes on QASMBench's multi-megabyte
# files (hhl_n10.qasm is 3.3 MB): beyond this size they are not tried
SLOW_TOOL_MAX_BYTES = 300_000
LIMITS = {"exact": EXACT_QUBITS, "qdk": QDK_MAX_QUBITS}  # --exact-qubits N, --qdk-max-qubits N
TOOLS = ("Quantum Desk", "qiskit", "pyqasm", "QDK")


@dataclass
class Reading:
    group: str = ""  # front end; readings of one group do not confirm each other
    exact: dict[str, float] | None = None
    sampled: dict[str, int] | None = None
    error: str | None = None
    located: bool = False
    verdict: str = ""
    seconds: float = 0.0


# ------------------------------------------------------------------ distributions


def distribution_of(circuit: Any, shots: int) -> tuple[dict[str, float] | None, dict[str, int]]:
    """(exact probabilities or None, samples): keys with clbit 0 rightmost, registers joined."""
    from desktop_app.core.qasm import exact

    exact.MAX_QUBITS = LIMITS["exact"]
    exact.MAX_BRANCHES = 4096
    if circuit.num_qubits > SAMPLE_MAX_QUBITS:
        return None, {}
    try:
        return exact.distribution(circuit), {}
    except Exception:  # too large, or a construct the exact route does not follow
        pass
    return None, sample(circuit, shots)


def sample(circuit: Any, shots: int) -> dict[str, int]:
    from qiskit import transpile
    from qiskit_aer import AerSimulator

    simulator = AerSimulator()
    compiled = transpile(circuit, simulator, optimization_level=0)  # as the app: translate only
    result = simulator.run(compiled, shots=shots, seed_simulator=3).result()
    width = circuit.num_clbits
    return {format(int(k, 16), f"0{width}b"): v for k, v in result.data(0)["counts"].items()}


def _probabilities(r: Reading) -> dict[str, float]:
    if r.exact is not None:
        return r.exact
    total = sum(r.sampled.values()) if r.sampled else 1
    return {k: v / total for k, v in (r.sampled or {}).items()}


def agree(a: Reading, b: Reading, shots: int) -> bool:
    p, q = _probabilities(a), _probabilities(b)
    if len(next(iter(p), "")) != len(next(iter(q), "")):
        return False
    distance = 0.5 * sum(abs(p.get(k, 0.0) - q.get(k, 0.0)) for k in set(p) | set(q))
    if a.exact is not None and b.exact is not None:
        return distance < 1e-6
    # samples: 4 sigma per outcome, on the mean of the two, with each side's number of samples
    inverse = sum(1 / sum(r.sampled.values()) for r in (a, b) if r.exact is None and r.sampled)
    mean = {k: (p.get(k, 0.0) + q.get(k, 0.0)) / 2 for k in set(p) | set(q)}
    bound = 0.5 * sum(4 * math.sqrt(v * (1 - v) * inverse) for v in mean.values())
    return distance <= bound + 1e-9


# ------------------------------------------------------------------ the tools


def quantum_desk(path: Path, shots: int) -> Reading:
    from desktop_app.core.programs import ProgramError, load_program_file

    try:
        program = load_program_file(path)
    except ProgramError as exc:
        return refused(exc.message, exc.line is not None and exc.column is not None)
    group = "ours" if program.route == "unrolled" else "qiskit"
    exact_p, sampled = distribution_of(program.circuit, shots)
    return Reading(group, exact_p, sampled)


def qiskit_alone(path: Path, source: str, shots: int) -> Reading:
    import qiskit.qasm2
    import qiskit.qasm3

    from desktop_app.core.programs import detect_version

    try:
        if detect_version(source) == "2":
            circuit = qiskit.qasm2.loads(
                source,
                include_path=(str(path.parent),),
                custom_instructions=qiskit.qasm2.LEGACY_CUSTOM_INSTRUCTIONS,
            )
        else:
            circuit = qiskit.qasm3.loads(source)
        exact_p, sampled = distribution_of(circuit, shots)
    except Exception as exc:
        return refused(str(exc), bool(re.search(r"\b\d+,\d+\b", str(exc))))
    return Reading("qiskit", exact_p, sampled)


def pyqasm_alone(source: str, shots: int) -> Reading:
    import pyqasm
    import qiskit.qasm3

    records: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: records.append(record.getMessage())  # type: ignore[method-assign]
    logger = logging.getLogger("pyqasm")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        module = pyqasm.loads(source)
        module.unroll()
        flat = pyqasm.dumps(module)
        if flat.lstrip().startswith("OPENQASM 2"):  # pyqasm keeps OpenQASM 2 (and qelib1.inc)
            import qiskit.qasm2

            circuit = qiskit.qasm2.loads(
                flat, custom_instructions=qiskit.qasm2.LEGACY_CUSTOM_INSTRUCTIONS
            )
        else:
            circuit = qiskit.qasm3.loads(flat)
        exact_p, sampled = distribution_of(circuit, shots)
    except Exception as exc:
        located = any("line" in r and "column" in r for r in records) or "line" in str(exc)
        return refused(str(exc), located)
    finally:
        logger.removeHandler(handler)
        sys.tracebacklimit = 1000
    return Reading("pyqasm", exact_p, sampled)


def qdk_alone(path: Path, source: str, shots: int, qubits: int | None) -> Reading:
    try:
        from qdk.openqasm import run
    except ImportError:
        return Reading(error="not installed")
    if qubits is not None and qubits > LIMITS["qdk"]:
        return Reading(error=f"not tried: {qubits} qubits")
    try:
        shots_out = run(source, shots=min(shots, QDK_SHOTS), as_bitstring=True)
    except BaseException as exc:  # QasmError; a Rust panic is a BaseException
        if isinstance(exc, KeyboardInterrupt):
            raise
        text = str(exc)
        human = [ln.strip()[2:] for ln in text.splitlines() if ln.strip().startswith("x ")]
        return refused(human[0] if human else text, bool(re.search(r":\d+:\d+\]", text)))
    counts: Counter[str] = Counter()
    flags = declared_bits(source)
    for shot in shots_out:
        parts = [shot] if isinstance(shot, str) else list(shot)
        counts[qdk_key(flags, parts)] += 1
    return Reading("qdk", None, dict(counts))


def refused(message: str, located: bool) -> Reading:
    return Reading(error=" ".join(message.split())[:300] or "(empty message)", located=located)


# ------------------------------------------------------------------ verdicts


def judge(readings: dict[str, Reading], shots: int) -> None:
    from desktop_app.core.qasm.wording import looks_internal

    ran = {t: r for t, r in readings.items() if r.error is None and (r.exact or r.sampled)}
    for tool, r in readings.items():
        if r.error is None and not (r.exact or r.sampled):
            r.verdict = f"runs, not checked (over {SAMPLE_MAX_QUBITS} qubits)"
            continue
        if r.error is not None:
            if r.error.startswith(("not installed", "not tried")):
                r.verdict = r.error.split(":")[0]
            elif r.located and not looks_internal(r.error):
                r.verdict = "refused, plain, at line:column"
            else:
                r.verdict = "refused, other"
            continue
        others = [o for t, o in ran.items() if t != tool and o.group != r.group]
        groups = {o.group for o in others}
        if not others:
            r.verdict = "unconfirmed"
        elif any(agree(r, o, shots) for o in others):
            r.verdict = "right"
        elif len(groups) >= 2 and any(
            agree(a, b, shots) for a in others for b in others if a.group < b.group
        ):
            r.verdict = "wrong"
        else:
            r.verdict = "disputed"


def classify(path: Path, shots: int) -> dict[str, Reading]:
    source = path.read_text(encoding="utf-8", errors="replace")
    readings: dict[str, Reading] = {}
    qubits = _qubits(source)
    for tool in TOOLS:
        started = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            try:
                if tool == "Quantum Desk":
                    reading = quantum_desk(path, shots)
                elif tool == "qiskit":
                    reading = qiskit_alone(path, source, shots)
                elif len(source) > SLOW_TOOL_MAX_BYTES:
                    reading = Reading(error=f"not tried: {len(source) // 1000} kB")
                elif tool == "pyqasm":
                    reading = pyqasm_alone(source, shots)
                else:
                    reading = qdk_alone(path, source, shots, qubits)
            except Exception as exc:  # a crash of the tool itself
                reading = refused(f"crashed: {type(exc).__name__}: {exc}", False)
        reading.seconds = time.perf_counter() - started
        readings[tool] = reading
    judge(readings, shots)
    return readings


def _qubits(source: str) -> int:
    total = 0
    for match in re.finditer(r"\bqreg\s+\w+\s*\[\s*(\d+)\s*\]|\bqubit\s*\[\s*(\d+)\s*\]", source):
        total += int(match.group(1) or match.group(2))
    total += len(re.findall(r"\bqubit\s+\w+\s*;", source))
    return total


# ------------------------------------------------------------------ report


VERDICTS = (
    "right",
    "refused, plain, at line:column",
    "unconfirmed",
    f"runs, not checked (over {SAMPLE_MAX_QUBITS} qubits)",
    "disputed",
    "wrong",
    "refused, other",
    "not tried",
    "not installed",
)


def main(argv: list[str]) -> int:
    logging.disable(logging.CRITICAL)
    folders = [a for a in argv if not a.startswith("--")]
    per_file = "--files" in argv
    shots = 4000
    for flag, key in (("--exact-qubits", "exact"), ("--qdk-max-qubits", "qdk")):
        if flag in argv:
            LIMITS[key] = int(argv[argv.index(flag) + 1])
            folders = [f for f in folders if f != str(LIMITS[key])]
    if "--shots" in argv:
        shots = int(argv[argv.index("--shots") + 1])
        folders = [f for f in folders if f != str(shots)]
    if not folders:
        print(__doc__)
        print("no folder given: nothing measured")
        return 0
    internal: list[str] = []
    from desktop_app.core.qasm.wording import looks_internal

    for folder in folders:
        files = sorted(p for p in Path(folder).rglob("*.qasm") if p.is_file())
        table: dict[str, Counter[str]] = {t: Counter() for t in TOOLS}
        seconds: Counter[str] = Counter()
        rows = []
        for number, path in enumerate(files, start=1):
            print(f"[{number}/{len(files)}] {path.name}", file=sys.stderr, flush=True)
            readings = classify(path, shots)
            for tool, r in readings.items():
                table[tool][r.verdict] += 1
                seconds[tool] += r.seconds
            qd = readings["Quantum Desk"]
            if qd.error and looks_internal(qd.error):
                internal.append(f"{path.name}: {qd.error}")
            rows.append((path.relative_to(folder), readings))
        print(f"\n### {folder}: {len(files)} files, {shots} shots where sampled\n")
        print("| | " + " | ".join(TOOLS) + " |")
        print("|---|" + "---|" * len(TOOLS))
        for verdict in VERDICTS:
            if any(table[t][verdict] for t in TOOLS):
                cells = " | ".join(str(table[t][verdict]) for t in TOOLS)
                print(f"| {verdict} | {cells} |")
        print("| seconds (total) | " + " | ".join(f"{seconds[t]:.1f}" for t in TOOLS) + " |")
        if per_file:
            print("\n| file | " + " | ".join(TOOLS) + " |")
            print("|---|" + "---|" * len(TOOLS))
            for name, readings in rows:
                cells = " | ".join(
                    readings[t].verdict
                    + (
                        f": {readings[t].error[:80]}"
                        if readings[t].error and t == "Quantum Desk"
                        else ""
                    )
                    for t in TOOLS
                )
                print(f"| {name} | {cells} |")
    print("\nQuantum Desk refusals with internal text:", len(internal))
    for line in internal:
        print("  ", line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
