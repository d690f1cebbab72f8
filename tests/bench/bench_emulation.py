"""Emulation overhead: a run on an offline emulation (`core.local.worker.simulate`: parse, native
transpilation, noise model, sampling, counts) against a plain qiskit-aer noisy run of the same
transpiled circuit with the same noise model (the floor: what aer alone takes).
Goal (issue 15): <= 1.1x. In-process, so the worker's pipe is not counted (bench_gui_stall and
bench_cli_ghz20 measure that path).
Run: .venv/bin/python tests/bench/bench_emulation.py   (prints the figures, asserts nothing)
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from desktop_app.core.emulation_table import emulations
from desktop_app.core.local.emulation import native_circuit, noise_model
from desktop_app.core.local.worker import simulate
from desktop_app.core.programs import load_program
from desktop_app.core.request import RunRequest

QUBITS, DEPTH, SHOTS, ROUNDS, SEED = 10, 6, 1000, 5, 3


def program() -> str:
    from qiskit import qasm2
    from qiskit.circuit.random import random_circuit

    return qasm2.dumps(random_circuit(QUBITS, DEPTH, max_operands=2, measure=True, seed=9))


def medians(first: Callable[[], None], second: Callable[[], None]) -> tuple[float, float]:
    """Median seconds of each, the two interleaved (a busy machine slows both alike)."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(ROUNDS):
        for call, kept in ((first, times[0]), (second, times[1])):
            started = time.perf_counter()
            call()
            kept.append(time.perf_counter() - started)
    return statistics.median(times[0]), statistics.median(times[1])


def main() -> int:
    from qiskit import QuantumCircuit
    from qiskit_aer import AerSimulator

    source = program()
    circuit = load_program(source).circuit
    for emulation in emulations():
        native = native_circuit(circuit, emulation)
        plain = AerSimulator(noise_model=noise_model(emulation))
        request = RunRequest(source, None, emulation.name, SHOTS, options={"seed": SEED})

        def ours(request: RunRequest = request) -> None:
            simulate(request, lambda _m, _f: None)

        def floor(plain: AerSimulator = plain, native: QuantumCircuit = native) -> None:
            plain.run(native, shots=SHOTS, seed_simulator=SEED).result().get_counts()

        ours()
        floor()  # warm-up: imports and aer's first-run set-up
        app, aer = medians(ours, floor)
        print(
            f"{emulation.name}: {QUBITS}-qubit random circuit (depth {DEPTH}, "
            f"{native.size()} native ops), {SHOTS} shots: emulation {app * 1000:.0f} ms, plain "
            f"aer {aer * 1000:.0f} ms, overhead {app / aer:.2f}x (goal <= 1.1x)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
