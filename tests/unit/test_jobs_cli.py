"""`quantum-desk jobs`: list, show, export over the ledger in the data dir."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.core.ledger.models import new_azure_job_id
from desktop_app.core.ledger.recovery import open_ledger
from desktop_app.core.results import RunResult, read_csv

BELL = 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\ncreg c[2];\nh q[0];\ncx q[0],q[1];\n'


@pytest.fixture
def jobs() -> dict[str, str]:
    """Three jobs in the default ledger: a local success, an Azure job waiting, a failure."""
    start = datetime(2026, 3, 1, 12, tzinfo=UTC)
    with open_ledger() as ledger:
        local = ledger.create_job(
            backend="local.simulator",
            program=BELL,
            shots=100,
            status="Waiting",
            name="bell local",
            created_at=start,
        )
        ledger.mark_submitted(local, status="Executing", at=start + timedelta(seconds=1))
        ledger.record_result(local, RunResult.from_counts("local.simulator", {"00": 52, "11": 48}))
        azure_id = new_azure_job_id()
        waiting = ledger.create_job(
            backend="ionq.simulator",
            program=BELL,
            shots=100,
            azure_job_id=azure_id,
            created_at=start + timedelta(minutes=1),
        )
        ledger.mark_submitted(waiting, at=start + timedelta(minutes=1, seconds=2))
        failed = ledger.create_job(
            backend="rigetti.sim.qvm",
            program=BELL,
            shots=10,
            status="Waiting",
            created_at=start + timedelta(minutes=2),
        )
        ledger.set_error(failed, "InvalidInput", "bad program", status="Failed")
    return {"local": local, "waiting": waiting, "azure_id": azure_id, "failed": failed}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_json_shape_and_filters(jobs: dict[str, str], capsys) -> None:
    code, out, _ = run(capsys, "jobs", "--json")
    assert code == 0
    listed = json.loads(out)
    assert [j["id"] for j in listed] == [jobs["failed"], jobs["waiting"], jobs["local"]]
    for item in listed:
        assert {"id", "azure_job_id", "backend", "status", "submitted_at"} <= set(item)
    waiting = listed[1]
    assert waiting["azure_job_id"] == jobs["azure_id"]
    assert waiting["status"] == "Waiting"
    assert datetime.fromisoformat(waiting["submitted_at"]) == datetime(
        2026, 3, 1, 12, 1, 2, tzinfo=UTC
    )
    assert listed[0]["submitted_at"] is None  # failed before it was ever submitted

    code, out, _ = run(capsys, "jobs", "--json", "--status", "succeeded")
    assert [j["id"] for j in json.loads(out)] == [jobs["local"]]
    code, out, _ = run(capsys, "jobs", "--json", "--backend", "ionq.simulator")
    assert [j["id"] for j in json.loads(out)] == [jobs["waiting"]]
    code, out, _ = run(capsys, "jobs", "--json", "--backend", "nowhere")
    assert json.loads(out) == []
    code, out, _ = run(capsys, "jobs", "--json", "--limit", "1", "--search", "BELL LOCAL")
    assert [j["id"] for j in json.loads(out)] == [jobs["local"]]


def test_list_table(jobs: dict[str, str], capsys) -> None:
    code, out, _ = run(capsys, "jobs")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "NAME", "BACKEND", "STATUS", "CREATED", "SHOTS"]
    assert len(lines) == 4
    assert lines[3].startswith(jobs["local"][:8]) and "bell local" in lines[3]


def test_empty_ledger(capsys) -> None:
    assert run(capsys, "jobs") == (0, "No jobs.\n", "")
    code, out, _ = run(capsys, "jobs", "--json")
    assert code == 0 and json.loads(out) == []


def test_show_json_adds_counts_and_history(jobs: dict[str, str], capsys) -> None:
    code, out, _ = run(capsys, "jobs", "show", jobs["local"][:8], "--json")
    assert code == 0
    shown = json.loads(out)
    assert shown["id"] == jobs["local"]
    assert shown["counts"] == {"00": 52, "11": 48}
    assert shown["program"] == BELL
    assert [h["status"] for h in shown["history"]] == ["Waiting", "Executing", "Succeeded"]

    code, out, _ = run(capsys, "jobs", "show", jobs["azure_id"], "--json")  # by Azure id
    assert json.loads(out)["id"] == jobs["waiting"]
    assert json.loads(out)["counts"] is None


def test_show_text(jobs: dict[str, str], capsys) -> None:
    code, out, _ = run(capsys, "jobs", "show", jobs["failed"])
    assert code == 0
    assert "InvalidInput: bad program" in out
    assert "rigetti.sim.qvm" in out and "History:" in out
    code, out, _ = run(capsys, "jobs", "show", jobs["local"])
    assert "Counts:" in out and "00  52" in out


def test_export_by_suffix(jobs: dict[str, str], capsys, tmp_path: Path) -> None:
    code, out, _ = run(capsys, "jobs", "export", jobs["local"], "--to", str(tmp_path / "b.zip"))
    assert code == 0 and "b.zip" in out
    with zipfile.ZipFile(tmp_path / "b.zip") as bundle:
        assert bundle.read("program.qasm").decode() == BELL
    code, _, _ = run(capsys, "jobs", "export", jobs["local"], "--to", str(tmp_path / "c.csv"))
    assert code == 0
    assert read_csv(tmp_path / "c.csv") == {"local.simulator": {"00": 52, "11": 48}}

    code, out, err = run(
        capsys, "jobs", "export", jobs["waiting"], "--to", str(tmp_path / "w.json")
    )
    assert code != 0 and out == ""
    assert err.count("\n") == 1 and "no results" in err


def test_a_bundle_without_its_translation_says_so(capsys, tmp_path: Path) -> None:
    # The job's program no longer reads (here: it never did): the bundle still has it as
    # submitted, and the command says which part is missing, as the window does.
    with open_ledger() as ledger:
        job = ledger.create_job(
            backend="local.simulator", program="qreg q[2;\n", shots=10, status="Waiting"
        )
        ledger.record_result(job, RunResult.from_counts("local.simulator", {"00": 10}))
    code, out, _ = run(capsys, "jobs", "export", job, "--to", str(tmp_path / "b.zip"))
    assert code == 0 and "b.zip" in out
    assert "translation.json is not in it" in out
    with zipfile.ZipFile(tmp_path / "b.zip") as bundle:
        assert "translation.json" not in bundle.namelist()
        assert bundle.read("program.qasm").decode() == "qreg q[2;\n"


def test_bad_id_is_one_line_and_nonzero(jobs: dict[str, str], capsys) -> None:
    code, out, err = run(capsys, "jobs", "show", "no-such-job")
    assert code != 0 and out == ""
    assert err.count("\n") == 1 and "no-such-job" in err and "Traceback" not in err


def test_real_entry_point(jobs: dict[str, str]) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "desktop_app", "jobs", "export", "nope", "--to", "x.zip"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "'nope'" in proc.stderr
    proc = subprocess.run(
        [sys.executable, "-m", "desktop_app", "jobs", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads(proc.stdout)) == 3


def test_corrupt_ledger_message(capsys) -> None:
    from desktop_app.core import paths

    (paths.data_dir() / "ledger.sqlite3").write_bytes(b"\x00garbage" * 512)
    code, out, err = run(capsys, "jobs")
    assert code != 0 and out == ""
    assert err.count("\n") == 1 and "damaged" in err and "ledger.sqlite3" in err


def test_the_json_list_is_written_as_json_dump_writes_it(jobs: dict[str, str], capsys) -> None:
    code, out, _ = run(capsys, "jobs", "--json")
    assert code == 0
    assert out == json.dumps(json.loads(out), indent=2) + "\n"  # a job at a time, same text
    assert [j["id"] for j in json.loads(out)] == [jobs["failed"], jobs["waiting"], jobs["local"]]


def test_a_long_list_takes_its_widths_from_its_first_rows(
    jobs: dict[str, str], capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop_app.cli import quick

    monkeypatch.setattr(quick, "WIDTH_ROWS", 2)
    with open_ledger() as ledger:
        ledger.rename(jobs["local"], "a much longer name than the others")  # the oldest job
    code, out, _ = run(capsys, "jobs", "--limit", "10")  # the full command
    assert code == 0
    header, newest, second, oldest = out.splitlines()
    assert header.startswith("ID")
    assert newest.index("rigetti.sim.qvm") == second.index("ionq.simulator")  # aligned
    assert "a much longer name than the others" in oldest  # not cut: the rest moves right
    assert oldest.index("local.simulator") > second.index("ionq.simulator")


def test_a_reader_that_stops_early_ends_the_list_quietly(tmp_path: Path) -> None:
    with open_ledger() as ledger, ledger.transaction():
        for i in range(1500):  # 120 KB of table, 500 KB of JSON: more than a pipe holds
            ledger.create_job(backend="local.simulator", program=BELL, shots=i + 1)
    for argv in (["jobs", "--json"], ["jobs"]):  # the full command, and the quick one
        child = subprocess.Popen(
            [sys.executable, "-m", "desktop_app", *argv],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert child.stdout is not None and child.stderr is not None
        assert child.stdout.readline()  # as `| head -1` does: one line, then gone
        child.stdout.close()
        errors = child.stderr.read()
        assert child.wait(60) == 141, errors  # a shell's status for SIGPIPE
        assert errors == b""
