"""A reproducibility bundle is enough to run the same emulation again: its program, settings, seeds
and noise-model file give the same counts (same seed); the translated payload is in it too."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from desktop_app.core import emulation_table
from desktop_app.core.jobs.bundle import bundle_parts
from desktop_app.core.ledger.export import export_job
from desktop_app.core.ledger.recovery import open_ledger
from desktop_app.core.ledger.store import Ledger
from desktop_app.core.local import executor
from desktop_app.core.local.worker import simulate
from desktop_app.core.request import RunRequest
from desktop_app.core.results import JobStatus, read_json

GHZ3 = (
    'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[3] q;\nbit[3] c;\nh q[0];\ncx q[0], q[1];\n'
    "cx q[1], q[2];\nc = measure q;\n"
)
EMULATION = "local.emulator.quantinuum-h2-1"


@pytest.fixture
def ledger(tmp_path: Path):
    with open_ledger(tmp_path / "ledger.sqlite3") as opened:
        yield opened


@pytest.fixture(autouse=True, scope="module")
def _end_workers() -> object:
    yield
    executor.shutdown_workers()


def _no_progress(_message: str, _fraction: float | None) -> None:
    return None


def _run_and_record(ledger: Ledger, options: dict[str, object]) -> str:
    request = RunRequest(GHZ3, "ghz3.qasm", EMULATION, 2000, options=options)
    result = simulate(request, _no_progress)
    job_id = ledger.create_job(
        backend=EMULATION,
        program=GHZ3,
        program_path="ghz3.qasm",
        shots=2000,
        options=options,
        versions={"quantum-desk": "test", "qiskit-aer": "installed"},
        status=JobStatus.EXECUTING,
    )
    ledger.record_result(job_id, result)
    return job_id


def test_an_emulation_runs_again_from_its_bundle_with_the_same_counts(
    ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    record = ledger.get(_run_and_record(ledger, {"seed": 1234}))
    target = tmp_path / "bundle.zip"
    export_job(record, target, bundle_parts(record))
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(target) as bundle:
        bundle.extractall(unpacked)
    reproduce = json.loads((unpacked / "reproduce.json").read_text("utf-8"))
    assert reproduce["seeds"] == {"simulator": 1234, "transpiler": emulation_table.TRANSPILE_SEED}
    noise = reproduce["noise_model"]
    assert noise["file"] == "noise_model.toml" and noise["checked"] == "2026-12-01"
    assert "provider-quantinuum" in noise["source"] and noise["emulation"]["error_2q"] == 0.003
    translation = json.loads((unpacked / "translation.json").read_text("utf-8"))
    assert translation["backend"] == EMULATION and "rzz" in translation["payload"]
    assert translation["native_gates"]["measurements"] == 3
    (recorded_result,) = read_json(unpacked / "counts.json")
    recorded = recorded_result.counts

    # A year later: the app's own table may have changed; the bundle's noise file is used.
    monkeypatch.setenv("QUANTUM_DESK_EMULATIONS_FILE", str(unpacked / noise["file"]))
    emulation_table.emulations.cache_clear()
    try:
        settings = json.loads((unpacked / "settings.json").read_text("utf-8"))
        again = simulate(
            RunRequest(
                (unpacked / "program.qasm").read_text("utf-8"),
                settings["program_file"],
                settings["backend"],
                settings["shots"],
                options={**settings["options"], "seed": reproduce["seeds"]["simulator"]},
            ),
            _no_progress,
        )
    finally:
        emulation_table.emulations.cache_clear()
    assert again.counts == recorded
    assert set(recorded) - {"000", "111"}  # noisy: the emulation's errors are in the counts


def test_a_run_without_a_seed_says_its_counts_will_differ(ledger: Ledger, tmp_path: Path):
    record = ledger.get(_run_and_record(ledger, {}))
    target = tmp_path / "bundle.zip"
    export_job(record, target)
    with zipfile.ZipFile(target) as bundle:
        reproduce = json.loads(bundle.read("reproduce.json"))
        assert "noise_model.toml" in bundle.namelist()
        assert "translation.json" not in bundle.namelist()  # made only where qiskit may run
    assert reproduce["seeds"]["simulator"] is None
    assert "same distribution, not the same counts" in reproduce["note"]
