"""The local simulator executor, isolated (worker process) and in-process; no Qt."""

from __future__ import annotations

import os
import time

import pytest

from desktop_app.core.cancel import Cancelled, CancelToken
from desktop_app.core.catalog import LOCAL_SIMULATOR
from desktop_app.core.errors import UserInputError
from desktop_app.core.jobs.dispatch import executor_for
from desktop_app.core.local.executor import LocalSimulatorExecutor, busy_worker_pids
from desktop_app.core.programs import ProgramError
from desktop_app.core.request import RunRequest
from desktop_app.core.results import JobStatus

BELL = """OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
bit[2] c;
h q[0];
cx q[0], q[1];
c = measure q;
"""

# An X on qubit 0 measured into clbit 0: clbit 0 is the rightmost character.
X_ON_Q0 = """OPENQASM 2.0;
include "qelib1.inc";
qreg q[2];
creg c[2];
x q[0];
measure q -> c;
"""

BROKEN = """OPENQASM 2.0;
include "qelib1.inc";
qreg q[2];
h q[0]
cx q[0], q[1];
"""


def long_circuit(num_qubits: int = 25, layers: int = 40) -> str:
    """Non-Clifford layers on many qubits: aer needs seconds for it, long enough to cancel."""
    lines = [
        "OPENQASM 2.0;",
        'include "qelib1.inc";',
        f"qreg q[{num_qubits}];",
        f"creg c[{num_qubits}];",
    ]
    for layer in range(layers):
        lines += [f"rx({0.1 + 0.01 * (q + layer)}) q[{q}];" for q in range(num_qubits)]
        start = layer % 2
        lines += [f"cx q[{q}], q[{q + 1}];" for q in range(start, num_qubits - 1, 2)]
    lines.append("measure q -> c;")
    return "\n".join(lines) + "\n"


def run(source: str, *, isolate: bool, shots: int = 1000, path: str | None = None):
    messages: list[str] = []
    result = LocalSimulatorExecutor(isolate=isolate).run(
        RunRequest(source, path, LOCAL_SIMULATOR, shots),
        CancelToken(),
        lambda m, f: messages.append(m),
    )
    return result, messages


@pytest.mark.parametrize("isolate", [True, False], ids=["isolated", "in-process"])
def test_bell_gives_only_00_and_11(isolate: bool) -> None:
    result, messages = run(BELL, isolate=isolate, shots=2000)
    assert result.status is JobStatus.SUCCEEDED
    assert result.backend == LOCAL_SIMULATOR
    assert set(result.counts) == {"00", "11"}
    assert sum(result.counts.values()) == result.shots == 2000
    assert 0.4 < result.probabilities["00"] < 0.6
    assert messages[0] == "Starting simulator"
    assert "Simulating" in messages
    assert messages[-1] == "Done"


def test_bit_order_across_the_process_boundary() -> None:
    result, _ = run(X_ON_Q0, isolate=True, shots=100)
    assert result.counts == {"01": 100}


def test_a_warm_worker_is_reused() -> None:
    pids: list[set[int]] = []
    for _ in range(2):
        LocalSimulatorExecutor().run(
            RunRequest(BELL, None, LOCAL_SIMULATOR, 10),
            CancelToken(),
            lambda m, f: pids.append(busy_worker_pids()) if m == "Simulating" else None,
        )
    assert len(pids) == 2 and pids[0] == pids[1] and len(pids[0]) == 1


def test_bad_program_raises_program_error_with_its_position_across_processes() -> None:
    with pytest.raises(ProgramError) as info:
        run(BROKEN, isolate=True, path="broken.qasm")
    error = info.value
    assert error.file == "broken.qasm"
    assert error.line == 4
    assert error.column is not None
    assert str(error).startswith("broken.qasm:4:")
    # the worker survived the bad program and runs the next one
    result, _ = run(BELL, isolate=True, shots=10)
    assert result.status is JobStatus.SUCCEEDED


def test_too_many_qubits_is_a_user_error_across_processes() -> None:
    # 40 qubits, not Clifford: 16 TiB of statevector, refused by memory in the worker process
    source = (
        'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[40];\ncreg c[40];\nh q[0];\nt q[0];\n'
        "measure q -> c;\n"
    )
    with pytest.raises(UserInputError, match="40 qubits"):
        run(source, isolate=True)


def test_program_without_measurement_is_a_user_error() -> None:
    source = 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[1];\nh q[0];\n'
    with pytest.raises(UserInputError, match="measures nothing"):
        run(source, isolate=False)


@pytest.mark.parametrize("shots", [0, 10_000_001])
def test_shots_out_of_range(shots: int) -> None:
    with pytest.raises(UserInputError, match="shots"):
        run(BELL, isolate=True, shots=shots)


def test_cancel_kills_the_worker_process_promptly() -> None:
    token = CancelToken()
    seen: dict[str, object] = {}

    def progress(message: str, _fraction: float | None) -> None:
        if message == "Simulating":  # the worker is inside aer's run() from here on
            seen["pids"] = busy_worker_pids()
            seen["cancelled_at"] = time.perf_counter()
            token.cancel()

    with pytest.raises(Cancelled):
        LocalSimulatorExecutor().run(
            RunRequest(long_circuit(), None, LOCAL_SIMULATOR, 100), token, progress
        )
    elapsed = time.perf_counter() - seen["cancelled_at"]  # type: ignore[operator]
    pids = seen["pids"]
    assert isinstance(pids, set) and len(pids) == 1
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # killed and reaped
    assert elapsed < 2.0, f"cancel took {elapsed:.2f} s"  # goal 0.5 s; slack for a loaded machine
    assert busy_worker_pids() == set()


def test_cancelled_before_start_does_not_simulate() -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        LocalSimulatorExecutor(isolate=False).run(
            RunRequest(BELL, None, LOCAL_SIMULATOR, 10), token, lambda m, f: None
        )


def test_executor_for_names() -> None:
    assert isinstance(executor_for(LOCAL_SIMULATOR), LocalSimulatorExecutor)
    assert executor_for(LOCAL_SIMULATOR, isolate=False).isolate is False  # type: ignore[attr-defined]
    assert not isinstance(executor_for("ionq.simulator"), LocalSimulatorExecutor)
    with pytest.raises(UserInputError, match="known backends"):
        executor_for("no.such.backend")
