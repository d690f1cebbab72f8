"""Local runs sized by method (issue 16): qiskit-aer's automatic choice (stabilizer for Clifford
circuits, statevector otherwise), matrix product state on request, and a refusal by the memory
the chosen method needs against the memory available, before anything is simulated."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.core.cancel import CancelToken, no_progress
from desktop_app.core.catalog import LOCAL_SIMULATOR, find_backend
from desktop_app.core.errors import UserInputError
from desktop_app.core.local import memory, methods
from desktop_app.core.local.executor import LocalSimulatorExecutor
from desktop_app.core.local.methods import MemoryNeededError
from desktop_app.core.local.worker import simulate
from desktop_app.core.request import RunRequest
from desktop_app.core.results import JobStatus, RunResult, from_json_dict, to_json_dict

GIB = 1 << 30


def ghz(n: int, extra: str = "") -> str:
    chain = "".join(f"cx q[{i}],q[{i + 1}];\n" for i in range(n - 1))
    return (
        f'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[{n}];\ncreg c[{n}];\nh q[0];\n{chain}'
        f"{extra}measure q -> c;\n"
    )


def random_clifford(n: int, depth: int, seed: int = 7) -> str:
    rng = random.Random(seed)
    lines = []
    for _ in range(depth):
        for q in range(n):
            lines.append(f"{rng.choice(['h', 's', 'sdg', 'x', 'z', 'sx'])} q[{q}];")
        order = list(range(n))
        rng.shuffle(order)
        for a, b in zip(order[::2], order[1::2], strict=False):
            lines.append(f"{rng.choice(['cx', 'cz', 'swap'])} q[{a}],q[{b}];")
    body = "\n".join(lines)
    return (
        f'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[{n}];\ncreg c[{n}];\n{body}\n'
        "measure q -> c;\n"
    )


def run(source: str, shots: int = 200, **options: object) -> RunResult:
    return simulate(RunRequest(source, None, LOCAL_SIMULATOR, shots, options=options), no_progress)


@pytest.fixture
def free(monkeypatch: pytest.MonkeyPatch):
    """Set the memory 'available now' the simulator sees (the machine's own otherwise)."""

    def set_free(count: int | None) -> None:
        monkeypatch.setattr(memory, "available_bytes", lambda: count)

    return set_free


@pytest.mark.parametrize("n", [50, 100])
def test_wide_ghz_runs_on_the_stabilizer_method(n: int) -> None:
    result = run(ghz(n))
    assert result.status is JobStatus.SUCCEEDED and result.method == "stabilizer"
    assert set(result.counts) <= {"0" * n, "1" * n} and sum(result.counts.values()) == 200
    assert len(result.counts) == 2  # both outcomes in 200 shots


def test_a_100_qubit_clifford_circuit_runs_on_the_stabilizer_method() -> None:
    result = run(random_clifford(100, 20), shots=50)
    assert result.status is JobStatus.SUCCEEDED and result.method == "stabilizer"
    assert sum(result.counts.values()) == 50 and all(len(k) == 100 for k in result.counts)


def test_a_non_clifford_circuit_runs_on_the_statevector_method() -> None:
    result = run(ghz(12, "t q[0];\n"))
    assert result.method == "statevector"
    assert set(result.counts) <= {"0" * 12, "1" * 12}


@pytest.mark.parametrize(("angle", "method"), [("pi/2", "stabilizer"), ("0.3", "statevector")])
def test_rotations_count_as_clifford_only_at_quarter_turns(angle: str, method: str) -> None:
    # the method aer itself reports (its result metadata) is the one shown
    assert run(ghz(3, f"rz({angle}) q[0];\n")).method == method


def test_a_wide_non_clifford_circuit_is_refused_by_memory_before_it_starts(free) -> None:
    free(8 * GIB)
    said: list[str] = []
    request = RunRequest(ghz(32, "t q[0];\n"), None, LOCAL_SIMULATOR, 100)
    with pytest.raises(MemoryNeededError) as refused:
        simulate(request, lambda message, _fraction: said.append(message))
    assert str(refused.value).startswith(
        "not run: 32 qubits on the statevector method need about 64.0 GiB of memory; 8.0 GiB is "
        "available now. With little entanglement the matrix_product_state method needs about "
    )
    assert "Simulating" not in said  # refused before the simulation started


def test_the_refusal_follows_the_memory_available_not_a_qubit_count(free) -> None:
    source = ghz(24, "t q[0];\n")  # 256 MiB of statevector
    free(200 << 20)
    with pytest.raises(MemoryNeededError, match=r"need about 256.0 MiB .* 200.0 MiB is available"):
        run(source, shots=10)
    free(2 * GIB)
    assert run(source, shots=10).method == "statevector"


def test_matrix_product_state_on_request_runs_a_wide_low_entanglement_circuit(free) -> None:
    free(8 * GIB)
    source = ghz(40, "t q[0];\n")
    with pytest.raises(MemoryNeededError, match="--method matrix_product_state"):
        run(source)
    result = run(source, method="matrix_product_state")
    assert result.method == "matrix_product_state"
    assert set(result.counts) == {"0" * 40, "1" * 40}


def test_jobs_show_says_the_method_that_ran(capsys, tmp_path: Path) -> None:
    program = tmp_path / "ghz40.qasm"
    program.write_text(ghz(40, "t q[0];\n"), encoding="utf-8")
    assert main(["run", str(program), "--method", "mps", "--shots", "50"]) == 0
    capsys.readouterr()
    assert main(["jobs", "--json"]) == 0
    (job,) = json.loads(capsys.readouterr().out)
    assert main(["jobs", "show", job["id"]]) == 0
    shown = capsys.readouterr().out.splitlines()
    assert "Method        matrix_product_state (qiskit-aer)" in shown
    assert 'Options       {"method": "matrix_product_state"' in "\n".join(shown)


def test_memory_figures_by_method() -> None:
    from qiskit import QuantumCircuit

    chain = QuantumCircuit(40)
    chain.h(0)
    for i in range(39):
        chain.cx(i, i + 1)
    assert methods.needed_bytes(chain, "statevector") == 16 << 40
    assert methods.needed_bytes(chain, "stabilizer") == 2 * 40 * 17  # tableau rows
    assert methods.mps_bytes(chain) == 2 * 16 * (2 * 1 * 2 + 38 * 2 * 2)  # bond dimension 2
    dense = QuantumCircuit(40)
    for _ in range(30):
        for i in range(39):
            dense.rxx(0.1, i, i + 1)  # a general two-qubit gate: up to 4x per cut
    assert methods.mps_bytes(dense) > methods.mps_bytes(chain) * 10**6
    assert methods.plan(chain, "automatic", available=GIB).method == "stabilizer"


def test_the_stabilizer_method_refuses_a_non_clifford_program() -> None:
    with pytest.raises(UserInputError, match=r"only Clifford circuits .* also uses t: use the"):
        run(ghz(4, "t q[1];\n"), method="stabilizer")


def test_method_names_are_checked() -> None:
    assert methods.check_method("MPS") == "matrix_product_state"
    assert methods.check_method(None) == "automatic"
    with pytest.raises(UserInputError, match="must be one of automatic, statevector"):
        methods.check_method("density")


def test_the_local_simulator_has_no_fixed_30_qubit_cap() -> None:
    assert find_backend(LOCAL_SIMULATOR).num_qubits >= 100


def test_the_method_is_kept_in_the_result_json() -> None:
    result = run(ghz(3))
    document = to_json_dict(result)
    assert document["method"] == "stabilizer"
    assert from_json_dict(json.loads(json.dumps(document))).method == "stabilizer"
    assert "method" not in to_json_dict(RunResult("ionq.simulator", 10))


def test_through_the_worker_process() -> None:
    executor = LocalSimulatorExecutor(isolate=True)
    wide = RunRequest(ghz(60), None, LOCAL_SIMULATOR, 100)
    assert executor.run(wide, CancelToken(), no_progress).method == "stabilizer"
    # 40 non-Clifford qubits: 16 TiB of statevector, more than any test machine has free
    huge = RunRequest(ghz(40, "t q[0];\n"), None, LOCAL_SIMULATOR, 100)
    with pytest.raises(MemoryNeededError, match=r"need about 16.0 TiB of memory; .* available"):
        executor.run(huge, CancelToken(), no_progress)


# ---------------------------------------------------------------------- command line
def _write(tmp_path: Path, name: str, source: str) -> str:
    path = tmp_path / name
    path.write_text(source, encoding="utf-8")
    return str(path)


def test_cli_shows_the_method(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = _write(tmp_path, "ghz100.qasm", ghz(100))
    assert main(["run", path, "--json", "--shots", "100"]) == 0
    (result,) = json.loads(capsys.readouterr().out)
    assert result["method"] == "stabilizer" and result["status"] == "Succeeded"
    assert main(["run", path, "--shots", "100"]) == 0
    head = capsys.readouterr().out.splitlines()[0]
    assert head.startswith("local.simulator  Succeeded  100 shots") and "stabilizer method" in head


def test_cli_method_option(capsys: pytest.CaptureFixture[str], tmp_path: Path, free) -> None:
    free(8 * GIB)
    path = _write(tmp_path, "ghz36t.qasm", ghz(36, "t q[0];\n"))
    assert main(["run", path]) == 2
    err = capsys.readouterr().err
    assert err.startswith("quantum-desk: error: not run: 36 qubits on the statevector method")
    assert "need about 1.0 TiB of memory; 8.0 GiB is available now" in err
    assert main(["run", path, "--method", "matrix_product_state", "--json"]) == 0
    (result,) = json.loads(capsys.readouterr().out)
    assert result["method"] == "matrix_product_state"
    assert main(["run", path, "--method", "dense"]) == 2
    assert "--method must be one of" in capsys.readouterr().err
    code = main(["run", path, "--method", "mps", "--backend", "ionq.simulator", "--profile", "p"])
    assert code == 2
    assert "--method: only local.simulator has simulation methods" in capsys.readouterr().err


def test_an_offline_emulation_is_refused_by_memory_too(free) -> None:
    free(100 << 20)
    request = RunRequest(ghz(25), None, "local.emulator.ionq-forte-1", 10)
    with pytest.raises(
        MemoryNeededError, match=r"25 qubits on the statevector method need about 512"
    ) as refused:
        simulate(request, no_progress)
    assert "stabilizer" not in str(refused.value)  # an emulation has no other method


def test_the_window_reads_clifford_programs_from_their_text() -> None:
    # the GUI process has no qiskit: a conservative read of the statements
    assert memory.looks_clifford(ghz(100))
    assert memory.looks_clifford(random_clifford(5, 3))
    assert memory.looks_clifford(
        'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[2] q;\nbit[2] c;\nh q[0];\n'
        "cx q[0], q[1]; // t q[1];\nc[0] = measure q[0];\nc = measure q;\n"
    )
    assert not memory.looks_clifford(ghz(3, "t q[0];\n"))
    assert not memory.looks_clifford(ghz(3, "rz(pi/2) q[0];\n"))  # an angle: left to aer
    assert not memory.looks_clifford(ghz(3, "gate g a { h a; }\ng q[0];\n"))
    assert not memory.looks_clifford(ghz(3, "if (c == 1) x q[0];\n"))
