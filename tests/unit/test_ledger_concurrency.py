"""One ledger shared by threads, and two or more app processes writing one ledger file at once."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

from desktop_app.core.ledger.errors import LedgerError
from desktop_app.core.ledger.models import JobFilter
from desktop_app.core.ledger.recovery import open_ledger

BELL = 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\ncreg c[2];\nh q[0];\ncx q[0],q[1];\n'

# Another Quantum Desk process: creates jobs and moves each through its statuses.
_WRITER = textwrap.dedent(
    """
    import json, sys
    from desktop_app.core.ledger.models import new_azure_job_id
    from desktop_app.core.ledger.recovery import open_ledger
    path, tag, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    ids = []
    with open_ledger(__import__("pathlib").Path(path), busy_timeout=60) as ledger:
        for i in range(n):
            job_id = ledger.create_job(
                backend=f"proc.{tag}", program=f"// {tag} {i}", shots=i + 1,
                azure_job_id=new_azure_job_id(),
            )
            ledger.mark_submitted(job_id)
            ledger.set_status(job_id, "Succeeded")
            ids.append(job_id)
        ledger.page(limit=10)
    print(json.dumps(ids))
    """
)


def test_threads_share_one_ledger(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    errors: list[BaseException] = []
    created: list[str] = []
    lock = threading.Lock()
    with open_ledger(path) as ledger:

        def worker(tag: int) -> None:
            try:
                for i in range(40):
                    job_id = ledger.create_job(
                        backend=f"thread.{tag}", program=BELL, shots=i + 1, status="Waiting"
                    )
                    ledger.set_status(job_id, "Executing")
                    with lock:
                        created.append(job_id)
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=worker, args=(t,)) for t in range(4)]
        for thread in threads:
            thread.start()
        # the "GUI thread" keeps reading while the workers write
        reads = 0
        while any(t.is_alive() for t in threads) or reads == 0:
            before = ledger.count()
            rows = ledger.page(JobFilter(text="thread."), limit=50)
            after = ledger.count()
            assert before <= after and min(50, before) <= len(rows) <= min(50, after)
            reads += 1
        for thread in threads:
            thread.join()
        assert errors == []
        assert ledger.count() == 160 == len(set(created))
        assert ledger.count(JobFilter(statuses=("Executing",))) == 160
        for job_id in created[:10]:
            assert [h.status for h in ledger.get(job_id).history] == ["Waiting", "Executing"]
        assert ledger.integrity_check() == "ok"


def test_processes_write_one_file_concurrently(tmp_path: Path) -> None:
    # The file does not exist yet: the processes also race to create and migrate it.
    path = tmp_path / "ledger.sqlite3"
    n = 60
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(path), tag, str(n)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag in ("a", "b", "c")
    ]
    ids: list[str] = []
    for proc in procs:
        out, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, err
        ids += json.loads(out)
    assert len(ids) == len(set(ids)) == 3 * n
    with open_ledger(path) as ledger:
        assert ledger.integrity_check() == "ok"
        assert ledger.count() == 3 * n
        for tag in ("a", "b", "c"):
            assert ledger.count(JobFilter(backends=(f"proc.{tag}",))) == n
        assert ledger.count(JobFilter(statuses=("Succeeded",))) == 3 * n
        assert all(row.azure_job_id for row in ledger.page(limit=None))
        record = ledger.get(ids[-1])
        assert [h.status for h in record.history] == ["Submitting", "Waiting", "Succeeded"]


def test_close_while_a_worker_writes_is_clean(tmp_path: Path) -> None:
    ledger = open_ledger(tmp_path / "ledger.sqlite3")
    outcome: list[BaseException | None] = []
    started = threading.Event()

    def worker() -> None:
        try:
            while True:
                ledger.create_job(backend="b", program=BELL, shots=1)
                started.set()
        except LedgerError as exc:  # the ledger was closed under it: a plain error, no crash
            outcome.append(exc)

    thread = threading.Thread(target=worker)
    thread.start()
    assert started.wait(30)
    ledger.close()
    thread.join(30)
    assert not thread.is_alive()
    assert len(outcome) == 1 and "closed" in str(outcome[0])
    with open_ledger(tmp_path / "ledger.sqlite3") as reopened:
        assert reopened.count() >= 1
        assert reopened.integrity_check() == "ok"


def test_connections_of_ended_threads_are_closed(tmp_path: Path) -> None:
    with open_ledger(tmp_path / "ledger.sqlite3") as ledger:
        for _ in range(20):  # e.g. QThreadPool workers that come and go
            thread = threading.Thread(target=ledger.count)
            thread.start()
            thread.join()
        ledger.count()
        assert len(ledger._conns) <= 2  # this thread's and at most the last worker's


def test_data_version_notices_another_process(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    with open_ledger(path) as ledger:
        before = ledger.data_version()
        ledger.create_job(backend="b", program=BELL, shots=1)
        assert ledger.data_version() == before  # our own commit on this connection
        proc = subprocess.run(
            [sys.executable, "-c", _WRITER, str(path), "x", "1"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
        assert ledger.data_version() != before
        assert ledger.count() == 2


_SUBMITTER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from desktop_app.core.ledger.models import new_azure_job_id
    from desktop_app.core.ledger.recovery import open_ledger
    ledger = open_ledger(Path(sys.argv[1]))
    while True:  # write-ahead rows, as the Azure submit path records them, until killed
        job_id = ledger.create_job(
            backend="ionq.simulator", program="// x", shots=1, azure_job_id=new_azure_job_id()
        )
        print(job_id, flush=True)
    """
)


def test_sigkill_mid_write_loses_no_recorded_job(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    proc = subprocess.Popen(
        [sys.executable, "-c", _SUBMITTER, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    recorded = [proc.stdout.readline().strip() for _ in range(25)]
    proc.kill()  # SIGKILL: no cleanup, possibly in the middle of a transaction
    proc.wait(timeout=30)
    proc.stdout.close()
    with open_ledger(path) as ledger:
        assert ledger.integrity_check() == "ok"
        unfinished = {row.id for row in ledger.unfinished_jobs()}
        assert set(recorded) <= unfinished  # every id reported as written is there
        assert ledger.count() == len(unfinished) >= 25
        assert all(row.status == "Submitting" for row in ledger.unfinished_jobs())
