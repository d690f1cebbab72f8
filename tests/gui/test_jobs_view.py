"""The jobs (history) view over a real ledger file: model, filters, sort, detail, edits, exports."""

from __future__ import annotations

import csv
import json
import threading
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QPoint, Qt, QTimer
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QHeaderView, QLabel
from pytestqt.qtbot import QtBot

from desktop_app.core.errors import QuantumDeskError
from desktop_app.core.ledger.errors import JobNotFoundError
from desktop_app.core.ledger.models import JobFilter, JobRecord, JobRow
from desktop_app.core.ledger.recovery import open_ledger
from desktop_app.core.ledger.store import Ledger
from desktop_app.core.results import JobStatus, RunResult
from desktop_app.ui import messages
from desktop_app.ui.jobs import exporting
from desktop_app.ui.jobs import view as jobs_view
from desktop_app.ui.jobs.columns import COLUMNS
from desktop_app.ui.jobs.detail import ExportKind
from desktop_app.ui.jobs.model import JobsModel
from desktop_app.ui.jobs.prompts import DeleteChoice
from desktop_app.ui.jobs.view import JobsView
from tests.gui.threads_of import threads_calling

N_JOBS = 300
BACKENDS = ("local.simulator", "ionq.simulator", "rigetti.sim.qvm", "quantinuum.sim.h2-1e")
BASE = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
WAIT_MS = 10_000
EXPORT_WAIT_MS = 90_000  # a bundle's translation.json: a worker process that may import qiskit


def program_of(i: int) -> str:
    return (
        f'OPENQASM 2.0;\ninclude "qelib1.inc";\n// experiment {i:04d}\nqreg q[2];\ncreg c[2];\n'
        "h q[0];\ncx q[0],q[1];\nmeasure q -> c;\n"
    )


@dataclass
class Job:
    id: str
    i: int
    name: str
    backend: str
    status: str
    created: datetime
    shots: int
    counts: dict[str, int] = field(default_factory=dict)


def populate(ledger: Ledger, n: int = N_JOBS) -> list[Job]:
    """n jobs, one a day apart in created time; every 5th Failed, every 5th+1 Waiting, the rest
    Succeeded with counts."""
    jobs: list[Job] = []
    with ledger.transaction():
        for i in range(n):
            backend = BACKENDS[i % len(BACKENDS)]
            name = f"job {i:03d}" + (" grover" if i % 10 == 3 else "")
            created = BASE + timedelta(days=i, minutes=i)
            shots = 100 + (i * 37) % 900
            job_id = ledger.create_job(
                backend=backend,
                program=program_of(i),
                shots=shots,
                name=name,
                azure_job_id=None if backend.startswith("local.") else f"azure-{i:04d}",
                status=JobStatus.WAITING,
                created_at=created,
                tags=["even"] if i % 2 == 0 else [],
                estimated_cost={"amount": 0.25 * (i % 4), "currency": "USD"},
            )
            job = Job(job_id, i, name, backend, "Waiting", created, shots)
            if i % 5 == 0:
                ledger.set_error(job_id, "InvalidInput", f"bad gate on line {i}", status="Failed")
                job.status = "Failed"
            elif i % 5 != 1:
                job.counts = {"00": shots // 2 + i % 7, "11": shots - shots // 2 - i % 7}
                ledger.record_result(
                    job_id,
                    RunResult.from_counts(backend, job.counts),
                    raw=json.dumps(job.counts),
                    raw_content_type="application/json",
                )
                job.status = "Succeeded"
            jobs.append(job)
    return jobs


@pytest.fixture
def ledger() -> Iterator[Ledger]:
    with open_ledger() as opened:  # data_dir() is per test (tests/conftest.py)
        yield opened


@pytest.fixture
def jobs(ledger: Ledger) -> list[Job]:
    return populate(ledger)


def loaded_ids(model: JobsModel, qtbot: QtBot) -> list[str]:
    """Every row's job id, in order, once all pages have arrived."""
    qtbot.waitUntil(lambda: not model.is_loading(), timeout=WAIT_MS)

    def all_loaded() -> bool:
        return all(model.job_row(r) is not None for r in range(model.rowCount()))

    qtbot.waitUntil(all_loaded, timeout=WAIT_MS)
    return [model.job_id(r) or "" for r in range(model.rowCount())]


@pytest.fixture
def make_view(qtbot: QtBot, ledger: Ledger) -> Iterator[type[JobsView]]:
    views: list[JobsView] = []

    def make(**kw: object) -> JobsView:
        view = JobsView(ledger, **kw)  # type: ignore[arg-type]
        qtbot.addWidget(view)
        views.append(view)
        view.resize(1100, 600)
        view.show()
        qtbot.waitUntil(lambda: view.model.total() > 0 or not view.model.is_loading())
        return view

    yield make  # type: ignore[misc]
    for view in views:
        view.shutdown()


def wait_for_exports(qtbot: QtBot) -> None:
    """Until every export started has ended."""
    qtbot.waitUntil(lambda: not exporting.running(), timeout=EXPORT_WAIT_MS)


def apply(view: JobsView, qtbot: QtBot) -> list[str]:
    view.apply_filter()
    return loaded_ids(view.model, qtbot)


def names(view: JobsView, ids: list[str], jobs: list[Job]) -> list[str]:
    by_id = {j.id: j.name for j in jobs}
    return [by_id[i] for i in ids]


# ------------------------------------------------------------------------------------ model
def test_model_passes_the_model_tester(
    ledger: Ledger, jobs: list[Job], qtbot: QtBot, qtmodeltester
):
    model = JobsModel(ledger, page_size=64)  # five pages for 300 rows
    try:
        ids = loaded_ids(model, qtbot)
        assert len(ids) == N_JOBS
        # newest first by default
        assert ids == [j.id for j in sorted(jobs, key=lambda j: j.created, reverse=True)]
        qtmodeltester.check(model)
        assert model.headerData(0, Qt.Orientation.Horizontal) == "Name"
        assert model.columnCount() == len(COLUMNS)
        # the tester stays attached: inserts, removals, layout changes and resets are checked too
        new_id = ledger.create_job(backend="ionq.simulator", program=program_of(0), shots=5)
        qtbot.waitUntil(lambda: model.total() == N_JOBS + 1, timeout=WAIT_MS)
        ledger.delete([new_id, jobs[0].id, jobs[1].id])
        qtbot.waitUntil(lambda: model.total() == N_JOBS - 2, timeout=WAIT_MS)
        with qtbot.waitSignal(model.refreshed, timeout=WAIT_MS):
            model.set_filter(JobFilter(backends=("rigetti.sim.qvm",)))
        assert len(loaded_ids(model, qtbot)) == sum(j.backend == "rigetti.sim.qvm" for j in jobs)
    finally:
        model.close()


def test_filter_by_text_backend_status_and_date(make_view, jobs: list[Job], qtbot: QtBot) -> None:
    view = make_view()
    assert set(loaded_ids(view.model, qtbot)) == {j.id for j in jobs}
    assert view.findChild(QLabel, "jobsCount").text() == f"{N_JOBS} jobs"

    view.text_filter.setText("GROVER")  # case-insensitive, in the name
    assert set(apply(view, qtbot)) == {j.id for j in jobs if "grover" in j.name}

    view.text_filter.setText("experiment 0042")  # in the program text only
    assert apply(view, qtbot) == [jobs[42].id]

    view.text_filter.clear()
    view.backend_filter.setCurrentIndex(view.backend_filter.findData("rigetti.sim.qvm"))
    assert set(apply(view, qtbot)) == {j.id for j in jobs if j.backend == "rigetti.sim.qvm"}

    view.status_filter.setCurrentIndex(view.status_filter.findData("Failed"))
    expected = {j.id for j in jobs if j.backend == "rigetti.sim.qvm" and j.status == "Failed"}
    assert expected and set(apply(view, qtbot)) == expected

    view.backend_filter.setCurrentIndex(0)
    view.status_filter.setCurrentIndex(view.status_filter.findData("unfinished"))
    assert set(apply(view, qtbot)) == {j.id for j in jobs if j.status == "Waiting"}

    view.status_filter.setCurrentIndex(0)
    first, last = jobs[10].created, jobs[19].created
    view.set_date_range(QDate(first.astimezone().date()), QDate(last.astimezone().date()))
    shown = set(loaded_ids(view.model, qtbot))
    in_range = {
        j.id
        for j in jobs
        if first.astimezone().date() <= j.created.astimezone().date() <= last.astimezone().date()
    }
    assert shown == in_range and len(shown) == 10

    view.date_filter.setCurrentIndex(0)
    assert len(apply(view, qtbot)) == N_JOBS


def test_recent_date_ranges(make_view, ledger: Ledger, jobs: list[Job], qtbot: QtBot) -> None:
    now = datetime.now(UTC)
    recent = {
        days: ledger.create_job(
            backend="ionq.simulator",
            program=program_of(days),
            shots=1,
            created_at=now - timedelta(days=days, minutes=1),
        )
        for days in (0, 3, 20)
    }
    today = ledger.create_job(backend="ionq.simulator", program="", shots=1, created_at=now)
    view = make_view()
    for key, expected in (
        (
            "today",
            {today}
            | (
                {recent[0]}
                if (now - timedelta(minutes=1)).astimezone().date() == now.astimezone().date()
                else set()
            ),
        ),
        ("7d", {today, recent[0], recent[3]}),
        ("30d", {today, recent[0], recent[3], recent[20]}),
    ):
        view.date_filter.setCurrentIndex(view.date_filter.findData(key))
        assert set(loaded_ids(view.model, qtbot)) == expected, key


def test_typing_applies_the_text_filter_once_typing_pauses(
    make_view, jobs: list[Job], qtbot: QtBot
) -> None:
    view = make_view()
    loaded_ids(view.model, qtbot)
    qtbot.keyClicks(view.text_filter, "grover")
    assert view.model.job_filter().text == ""  # not yet: the filter waits for a pause
    qtbot.waitUntil(lambda: view.model.job_filter().text == "grover", timeout=WAIT_MS)
    assert set(loaded_ids(view.model, qtbot)) == {j.id for j in jobs if "grover" in j.name}


def click_header(qtbot: QtBot, view: JobsView, column: int) -> None:
    header: QHeaderView = view.table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    with qtbot.waitSignal(view.model.refreshed, timeout=WAIT_MS):
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))


def test_clicking_headers_sorts_in_sql(make_view, jobs: list[Job], qtbot: QtBot) -> None:
    view = make_view()
    loaded_ids(view.model, qtbot)
    header = view.table.horizontalHeader()
    shots_column = [c.title for c in COLUMNS].index("Shots")

    click_header(qtbot, view, shots_column)
    descending = header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    shots = [j.shots for j in jobs]
    by_id = {j.id: j.shots for j in jobs}
    got = [by_id[i] for i in loaded_ids(view.model, qtbot)]
    assert got == sorted(shots, reverse=descending)
    assert view.model.job_order().column == "shots"

    click_header(qtbot, view, shots_column)  # again: the other way round
    got = [by_id[i] for i in loaded_ids(view.model, qtbot)]
    assert got == sorted(shots, reverse=not descending)

    name_column = [c.title for c in COLUMNS].index("Name")
    click_header(qtbot, view, name_column)
    shown = names(view, loaded_ids(view.model, qtbot), jobs)
    assert shown == sorted(
        shown, reverse=header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    )
    assert view.model.index(0, name_column).data() == shown[0]

    # Tags cannot be sorted in SQL: the click changes nothing and the indicator stays
    order = view.model.job_order()
    tags_column = [c.title for c in COLUMNS].index("Tags")
    x = header.sectionViewportPosition(tags_column) + 5
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    assert view.model.job_order() == order
    assert header.sortIndicatorSection() == name_column


# ------------------------------------------------------------------------------------ detail
def test_opening_a_job_shows_program_settings_history_and_counts(
    make_view, ledger: Ledger, jobs: list[Job], qtbot: QtBot
) -> None:
    view = make_view()
    loaded_ids(view.model, qtbot)
    job = jobs[7]  # Succeeded, quantinuum.sim.h2-1e
    assert job.status == "Succeeded" and job.counts
    row = view.model.loaded_row_of(job.id)
    assert row is not None
    view.table.scrollTo(view.model.index(row, 0))
    rect = view.table.visualRect(view.model.index(row, 0))
    with qtbot.waitSignal(view.jobOpened, timeout=WAIT_MS) as opened:
        # Qt 6's QTest double click lacks the first press that item views expect
        qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened.args == [job.id]
    dialog = view.open_dialogs()[job.id]
    qtbot.addWidget(dialog)
    assert dialog.program_view.toPlainText() == program_of(7)
    fields = {
        label.objectName()[len("field:") :]: label.text()
        for label in dialog.findChildren(QLabel)
        if label.objectName().startswith("field:")
    }
    assert fields["Backend"] == "quantinuum.sim.h2-1e"
    assert fields["Shots"] == f"{job.shots:,}"
    assert fields["Azure job id"] == "azure-0007"
    assert fields["Estimated cost"] == "$0.75"
    history = [
        dialog.history_table.item(r, 0).text() for r in range(dialog.history_table.rowCount())
    ]
    assert history == ["Waiting", "Succeeded"]
    panel = dialog.result_panel
    assert panel is not None and panel.histogram is not None
    assert dict(panel.histogram.bars()) == {k: float(v) for k, v in job.counts.items()}
    model = panel.counts_model
    shown = {model.index(r, 0).data(): model.index(r, 1).data() for r in range(model.rowCount())}
    assert shown == job.counts
    assert not dialog.error_box.isVisibleTo(dialog)

    # a status change written by the app's worker reaches the open dialog
    writer = threading.Thread(target=lambda: ledger.rename(job.id, "renamed elsewhere"))
    writer.start()
    writer.join()
    qtbot.waitUntil(lambda: "renamed elsewhere" in dialog.heading.text(), timeout=WAIT_MS)

    # Return on a selected row opens it too (the open dialog is raised, not duplicated)
    view.table.setFocus()
    view.table.setCurrentIndex(view.model.index(row, 0))
    with qtbot.waitSignal(view.jobOpened, timeout=WAIT_MS) as opened:
        qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert opened.args == [job.id]
    assert list(view.open_dialogs()) == [job.id]


def test_a_failed_job_shows_its_error_code_message_and_hint(
    make_view, jobs: list[Job], qtbot: QtBot
) -> None:
    view = make_view()
    loaded_ids(view.model, qtbot)
    dialog = view.open_job(jobs[5].id)
    assert dialog is not None
    qtbot.addWidget(dialog)
    assert dialog.error_box.isVisibleTo(dialog)
    text = dialog.error_label.text()
    assert "InvalidInput" in text and "bad gate on line 5" in text and "What to do" in text
    assert dialog.result_panel is None
    assert not dialog.export_buttons[ExportKind.CSV].isEnabled()
    assert dialog.export_buttons[ExportKind.BUNDLE].isEnabled()


# ------------------------------------------------------------------------------------ edits
def select(view: JobsView, qtbot: QtBot, job_id: str) -> None:
    loaded_ids(view.model, qtbot)
    assert view.select_job(job_id)
    assert [j.id for j in view.selected_jobs()] == [job_id]


def test_rename_tag_and_delete_reach_the_ledger(
    make_view, ledger: Ledger, jobs: list[Job], qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = make_view()
    job = jobs[12]
    select(view, qtbot, job.id)
    monkeypatch.setattr(jobs_view, "ask_text", lambda *a: "  Bell on Monday ")
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_F2)
    # written on the ledger lane, off the GUI thread
    qtbot.waitUntil(lambda: ledger.get(job.id).name == "Bell on Monday", timeout=WAIT_MS)
    name_column = [c.title for c in COLUMNS].index("Name")

    def shown_name() -> str | None:
        row = view.model.loaded_row_of(job.id)
        return None if row is None else view.model.index(row, name_column).data()

    qtbot.waitUntil(lambda: shown_name() == "Bell on Monday", timeout=WAIT_MS)

    select(view, qtbot, job.id)
    monkeypatch.setattr(jobs_view, "ask_text", lambda *a: "thesis, chapter 3,, thesis")
    view.tag_action.trigger()
    qtbot.waitUntil(lambda: ledger.get(job.id).tags == ("thesis", "chapter 3"), timeout=WAIT_MS)
    view.text_filter.setText("chapter 3")
    assert apply(view, qtbot) == [job.id]
    assert [j.id for j in view.selected_jobs()] == [job.id]  # kept across the new filter

    asked: list[tuple[str, bool]] = []

    def confirm(parent: object, question: str, offer_remote: bool) -> DeleteChoice:
        asked.append((question, offer_remote))
        return DeleteChoice(remote=False)

    monkeypatch.setattr(jobs_view, "ask_delete", confirm)
    select(view, qtbot, job.id)
    with qtbot.waitSignal(view.jobsDeleted) as deleted:
        qtbot.keyClick(view.table, Qt.Key.Key_Delete)
    assert deleted.args == [[job.id]]
    assert asked and asked[0][1] is False  # no remote deletion seam given
    with pytest.raises(JobNotFoundError):
        ledger.get(job.id)
    qtbot.waitUntil(lambda: view.model.total() == 0, timeout=WAIT_MS)
    assert ledger.count() == N_JOBS - 1

    # "No" keeps the job
    monkeypatch.setattr(jobs_view, "ask_delete", lambda *a: None)
    view.text_filter.clear()
    apply(view, qtbot)
    select(view, qtbot, jobs[13].id)
    view.delete_action.trigger()
    assert ledger.get(jobs[13].id).id == jobs[13].id


def test_delete_at_azure_goes_through_the_seam(
    make_view, ledger: Ledger, jobs: list[Job], qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    deleted_remote: list[JobRow] = []
    failing = {jobs[2].id}

    def delete_remote(job: JobRow) -> None:
        if job.id in failing:
            raise QuantumDeskError("the workspace refused: missing role")
        deleted_remote.append(job)

    errors: list[str] = []
    monkeypatch.setattr(messages, "show_error", lambda parent, title, text: errors.append(text))
    offered: list[bool] = []

    def confirm(parent: object, question: str, offer_remote: bool) -> DeleteChoice:
        offered.append(offer_remote)
        return DeleteChoice(remote=True)

    monkeypatch.setattr(jobs_view, "ask_delete", confirm)
    view = make_view(delete_remote=delete_remote)

    select(view, qtbot, jobs[1].id)  # ionq.simulator, has an Azure id
    view.delete_action.trigger()
    qtbot.waitUntil(lambda: ledger.count() == N_JOBS - 1, timeout=WAIT_MS)
    assert [j.id for j in deleted_remote] == [jobs[1].id]
    assert offered == [True]

    select(view, qtbot, jobs[2].id)  # the service refuses: the job stays in the ledger
    view.delete_action.trigger()
    qtbot.waitUntil(lambda: bool(errors), timeout=WAIT_MS)
    assert "missing role" in errors[0]
    assert ledger.get(jobs[2].id).id == jobs[2].id

    select(view, qtbot, jobs[4].id)  # local.simulator: nothing to delete at Azure
    view.delete_action.trigger()
    assert offered[-1] is False
    qtbot.waitUntil(lambda: ledger.count() == N_JOBS - 2, timeout=WAIT_MS)  # the ledger lane


# ------------------------------------------------------------------------------------ exports
def test_exports_parse_back_to_the_same_counts(
    make_view,
    ledger: Ledger,
    jobs: list[Job],
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    job = jobs[8]
    assert job.counts
    view = make_view()
    target: dict[str, Path] = {}
    monkeypatch.setattr(
        messages, "ask_save_path", lambda parent, title, suggested, flt: str(target["path"])
    )
    errors: list[str] = []
    monkeypatch.setattr(messages, "show_error", lambda parent, title, text: errors.append(text))

    select(view, qtbot, job.id)
    for kind in ExportKind:
        target["path"] = tmp_path / f"table-export.{kind.value}"
        view.export_actions[kind].trigger()
    wait_for_exports(qtbot)
    dialog = view.open_job(job.id)
    assert dialog is not None
    qtbot.addWidget(dialog)
    made_on: list[threading.Thread] = []  # the dialog has its result: an image's caption too
    make_result = JobRecord.run_result

    def run_result(record: JobRecord) -> RunResult | None:
        made_on.append(threading.current_thread())  # the exports' threads make their own
        return make_result(record)

    monkeypatch.setattr(JobRecord, "run_result", run_result)
    for kind in ExportKind:
        target["path"] = tmp_path / "dialog-export"  # the suffix is added
        export = dialog.export(kind)
        assert export is not None
        qtbot.waitUntil(lambda e=export: e.done, timeout=EXPORT_WAIT_MS)
        assert export.written == tmp_path / f"dialog-export.{kind.value}"
        export.written.rename(tmp_path / f"dialog.{kind.value}")
    assert errors == [] and threading.main_thread() not in made_on
    assert dialog.export_line.text().startswith("Saved to ")

    for prefix in ("table-export", "dialog"):
        with (tmp_path / f"{prefix}.csv").open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        assert {r["bitstring"]: int(r["count"]) for r in rows} == job.counts
        assert {r["backend"] for r in rows} == {job.backend}

        data = json.loads((tmp_path / f"{prefix}.json").read_text(encoding="utf-8"))
        assert data[0]["counts"] == job.counts

        with zipfile.ZipFile(tmp_path / f"{prefix}.zip") as bundle:
            assert bundle.read("program.qasm").decode() == program_of(8)
            assert json.loads(bundle.read("counts.json"))[0]["counts"] == job.counts
            assert json.loads(bundle.read("settings.json"))["shots"] == job.shots
            assert json.loads(bundle.read("raw_result.json")) == job.counts

        image = QImage(str(tmp_path / f"{prefix}.png"))
        assert not image.isNull() and image.width() > 200
        bar_color = QColor("#3b6fb6").rgb()
        assert any(
            image.pixel(x, y) == bar_color
            for x in range(0, image.width(), 3)
            for y in range(0, image.height(), 3)
        ), f"{prefix}.png has no histogram bars"

        svg = ET.parse(tmp_path / f"{prefix}.svg").getroot()
        texts = {
            "".join(t.itertext()).strip() for t in svg.iter("{http://www.w3.org/2000/svg}text")
        }
        assert set(job.counts) <= texts, f"{prefix}.svg lacks the outcome labels"
    assert not list(tmp_path.glob(".*"))  # no temporary files left behind


def test_a_bundle_is_written_after_its_dialog_closed(
    make_view, jobs: list[Job], qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop_app.core.jobs import bundle

    view = make_view()
    job = jobs[8]
    shown: list[tuple[object, str]] = []
    monkeypatch.setattr(
        messages, "show_error", lambda parent, t, text: shown.append((parent, text))
    )
    closed = threading.Event()  # the exports' pool thread goes on once the dialog is gone
    real_parts = bundle.bundle_parts

    def parts_after_close(*args: object) -> object:
        assert closed.wait(WAIT_MS / 1000)
        return real_parts(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(bundle, "bundle_parts", parts_after_close)
    dialog = view.open_job(job.id)
    assert dialog is not None
    monkeypatch.setattr(messages, "ask_save_path", lambda *a: str(tmp_path / "after-close.zip"))
    written = dialog.export(ExportKind.BUNDLE)
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    monkeypatch.setattr(messages, "ask_save_path", lambda *a: str(blocker / "out.zip"))
    refused = dialog.export(ExportKind.BUNDLE)
    assert written is not None and refused is not None
    gone: list[bool] = []
    dialog.destroyed.connect(lambda: gone.append(True))
    dialog.close()  # deleted on close; its exports go on
    qtbot.waitUntil(lambda: bool(gone), timeout=WAIT_MS)
    closed.set()
    wait_for_exports(qtbot)
    assert written.written == tmp_path / "after-close.zip"
    with zipfile.ZipFile(tmp_path / "after-close.zip") as bundle:
        names = set(bundle.namelist())
    assert {"translation.json", "reproduce.json", "program.qasm"} <= names
    # the failure is still said, over no window (the dialog is gone)
    assert refused.error is not None and shown == [
        (None, f"{blocker / 'out.zip'}: {refused.error}")
    ]


def test_a_wide_job_is_read_off_the_gui_thread_then_exported(
    make_view,
    jobs: list[Job],
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from desktop_app.ui.jobs import job_reads

    job = jobs[8]
    monkeypatch.setattr(job_reads, "LOAD_LATER_BYTES", 0)  # every result counts as wide
    threads = threads_calling(monkeypatch, job_reads, "load_job")
    converted: list[bool] = []
    watched = job_reads.load_job

    def load(
        ledger: Ledger, job_id: str, *, convert: bool, rank_wide: bool, chart: bool
    ) -> job_reads.LoadedJob:
        converted.append(convert)
        return watched(ledger, job_id, convert=convert, rank_wide=rank_wide, chart=chart)

    monkeypatch.setattr(job_reads, "load_job", load)
    made_on: list[threading.Thread] = []  # where the record was made a RunResult
    make_result = JobRecord.run_result

    def run_result(record: JobRecord) -> RunResult | None:
        made_on.append(threading.current_thread())
        return make_result(record)

    monkeypatch.setattr(JobRecord, "run_result", run_result)
    from desktop_app.ui.results import histogram

    charted_on = threads_calling(monkeypatch, histogram, "top_values")
    target: dict[str, Path] = {}
    monkeypatch.setattr(messages, "ask_save_path", lambda *_a: str(target["path"]))
    view = make_view()
    select(view, qtbot, job.id)
    for kind in (ExportKind.CSV, ExportKind.PNG):
        target["path"] = tmp_path / f"wide.{kind.value}"
        assert view.export_selected(kind) is None  # it starts once the job is read
        assert view.export_line.text() == f"Reading job {job.name} for the export…"
        qtbot.waitUntil(target["path"].exists, timeout=EXPORT_WAIT_MS)
        wait_for_exports(qtbot)
        qtbot.waitUntil(lambda: view.export_line.text().startswith("Saved to "))
    assert len(threads) == 2 and threading.main_thread() not in threads
    assert converted == [False, True]  # the CSV's thread converts it; the image here
    assert made_on and threading.main_thread() not in made_on  # the caption too: not again
    assert len(charted_on) == 1 and charted_on[0] is not threading.main_thread()  # its bars
    with (tmp_path / "wide.csv").open(newline="", encoding="utf-8") as f:
        assert {r["bitstring"]: int(r["count"]) for r in csv.DictReader(f)} == job.counts
    assert not QImage(str(tmp_path / "wide.png")).isNull()


def test_an_export_stopped_at_exit_leaves_no_file(
    make_view, jobs: list[Job], qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop_app.core.jobs import bundle

    view = make_view()
    shown: list[str] = []
    monkeypatch.setattr(messages, "show_error", lambda parent, t, text: shown.append(text))
    monkeypatch.setattr(messages, "ask_save_path", lambda *a: str(tmp_path / "stopped.zip"))
    stopped = threading.Event()
    real_parts = bundle.bundle_parts

    def parts_once_stopped(*args: object) -> object:
        assert stopped.wait(WAIT_MS / 1000)
        return real_parts(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(bundle, "bundle_parts", parts_once_stopped)
    select(view, qtbot, jobs[8].id)
    export = view.export_selected(ExportKind.BUNDLE)
    assert export is not None and exporting.running() == [export]
    exporting.cancel_all()  # what JobsView.shutdown does at exit
    stopped.set()
    wait_for_exports(qtbot)
    assert export.error == "the export was stopped" and export.written is None
    assert view.export_line.text() == "The export failed: the export was stopped"
    assert list(tmp_path.iterdir()) == []  # neither the bundle nor a temporary file
    assert shown == []  # no error box while the window closes


def test_export_errors_are_shown_not_raised(
    make_view, jobs: list[Job], qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = make_view()
    errors: list[str] = []
    monkeypatch.setattr(messages, "show_error", lambda parent, title, text: errors.append(text))
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    monkeypatch.setattr(messages, "ask_save_path", lambda *a: str(blocker / "out.csv"))
    select(view, qtbot, jobs[8].id)
    view.export_actions[ExportKind.CSV].trigger()
    qtbot.waitUntil(lambda: bool(errors), timeout=EXPORT_WAIT_MS)  # written off the GUI thread
    assert len(errors) == 1 and "out.csv" in errors[0]
    assert view.export_line.text().startswith("The export failed: ")
    assert "Traceback" not in errors[0] and "Error" not in errors[0]
    monkeypatch.setattr(messages, "ask_save_path", lambda *a: str(tmp_path / "x.png"))
    select(view, qtbot, jobs[5].id)  # Failed: no results to draw
    view.export_actions[ExportKind.PNG].trigger()
    assert "no results" in errors[1] and not (tmp_path / "x.png").exists()


# ------------------------------------------------------------------------------------ changes
def test_a_change_from_another_thread_updates_the_view(
    make_view, ledger: Ledger, jobs: list[Job], qtbot: QtBot
) -> None:
    view = make_view()
    loaded_ids(view.model, qtbot)
    created: list[str] = []

    def worker() -> None:  # what the executor's worker thread does
        job_id = ledger.create_job(
            backend="ionq.simulator", program=program_of(999), shots=10, name="from a worker"
        )
        ledger.set_status(job_id, "Executing")
        created.append(job_id)

    selected = jobs[-3]  # third newest: row 2, until the new job pushes it down
    select(view, qtbot, selected.id)
    assert view.model.loaded_row_of(selected.id) == 2
    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: view.model.total() == N_JOBS + 1, timeout=WAIT_MS)
    # the selection followed its job to row 3: a Delete now still deletes that job
    assert [j.id for j in view.selected_jobs()] == [selected.id]
    assert view.table.currentIndex().row() == view.model.loaded_row_of(selected.id) == 3
    qtbot.waitUntil(lambda: view.model.job_id(0) == created[0], timeout=WAIT_MS)  # newest first
    assert view.model.index(0, 0).data() == "from a worker"
    assert view.model.index(0, [c.title for c in COLUMNS].index("Status")).data() == "Executing"
    assert view.findChild(QLabel, "jobsCount").text() == f"{N_JOBS + 1} jobs"

    thread = threading.Thread(target=lambda: ledger.delete([created[0]]))
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: view.model.total() == N_JOBS, timeout=WAIT_MS)


def test_an_unreadable_ledger_is_reported_in_the_view(
    make_view, ledger: Ledger, jobs: list[Job], qtbot: QtBot
) -> None:
    view = make_view()
    loaded_ids(view.model, qtbot)
    with qtbot.waitSignal(view.model.loadFailed, timeout=WAIT_MS) as failed:
        ledger.close()
        view.model.refresh()
    assert "closed" in failed.args[0]
    assert view.count_label.text() == "Could not read the job ledger"


def test_an_empty_ledger_shows_no_rows(make_view, qtbot: QtBot, ledger: Ledger) -> None:
    view = make_view()
    qtbot.waitUntil(lambda: not view.model.is_loading(), timeout=WAIT_MS)
    assert view.model.rowCount() == 0 and view.count_label.text() == "0 jobs"
    assert view.context_menu().isEmpty()
    assert ledger.count(JobFilter()) == 0


def test_the_context_menu_matches_the_job(make_view, jobs: list[Job], qtbot: QtBot) -> None:
    view = make_view()
    select(view, qtbot, jobs[5].id)  # Failed: nothing to export but the bundle
    menu = view.context_menu()
    titles = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert titles == [
        "&Open",
        "Open program in &editor",
        "Run &again",
        "&Compare the two…",
        "&Rename…",
        "Edit &tags…",
        "&Export",
        "&Delete…",
    ]
    assert not view.compare_action.isEnabled()  # one job selected
    enabled = {kind: act.isEnabled() for kind, act in view.export_actions.items()}
    assert enabled == {
        ExportKind.CSV: False,
        ExportKind.JSON: False,
        ExportKind.BUNDLE: True,
        ExportKind.PNG: False,
        ExportKind.SVG: False,
    }
    menu.deleteLater()
    select(view, qtbot, jobs[8].id)  # Succeeded
    view.context_menu().deleteLater()
    assert all(act.isEnabled() for act in view.export_actions.values())


def test_the_delete_question_offers_azure_only_when_it_can(qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QApplication, QCheckBox, QDialog, QDialogButtonBox

    def answer(tick: bool, button: QDialogButtonBox.StandardButton) -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QDialog)
        box = dialog.findChild(QCheckBox)
        assert box is not None and box.isVisibleTo(dialog) == tick
        if tick:
            box.setChecked(True)
        dialog.findChild(QDialogButtonBox).button(button).click()

    for offer, button, expected in (
        (True, QDialogButtonBox.StandardButton.Yes, DeleteChoice(remote=True)),
        (False, QDialogButtonBox.StandardButton.Yes, DeleteChoice(remote=False)),
        (True, QDialogButtonBox.StandardButton.No, None),
    ):
        QTimer.singleShot(0, lambda o=offer, b=button: answer(o, b))
        assert jobs_view.ask_delete(None, "Delete it?", offer) == expected


def test_the_main_window_shows_the_jobs_tab(
    make_window, ledger: Ledger, jobs: list[Job], qtbot: QtBot
) -> None:
    window = make_window()
    assert not window.show_jobs_action.isEnabled()  # no ledger attached: no Jobs tab
    view = window.attach_jobs_view(ledger)
    window.show()
    qtbot.waitExposed(window)
    assert (
        window.tabs.indexOf(view) >= 0 and window.tabs.tabText(window.tabs.indexOf(view)) == "Jobs"
    )
    assert window.show_jobs_action.shortcut().toString() == "Ctrl+J"
    window.activateWindow()  # shortcuts only reach the active window
    qtbot.waitUntil(window.isActiveWindow)
    window.editor.setFocus()
    qtbot.keyClick(window.editor, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is view
    qtbot.waitUntil(lambda: view.model.total() == N_JOBS, timeout=WAIT_MS)
    window.show_results_action.trigger()
    assert window.tabs.currentWidget() is window.results_view
    window.close()  # shuts the view down: no query thread outlives the window
    assert view.model._closed


# ------------------------------------------------------------------------------------ costs
def test_cost_column_and_the_total_of_the_filtered_jobs(
    make_view, ledger: Ledger, jobs: list[Job], qtbot: QtBot
) -> None:
    from desktop_app.core.ledger.models import JobFilter

    view = make_view()
    cost = [c.title for c in COLUMNS].index("Cost")
    with qtbot.waitSignal(view.model.costsChanged, timeout=WAIT_MS):
        view.model.set_filter(JobFilter(backends=("ionq.simulator",)))
    ionq = [j for j in jobs if j.backend == "ionq.simulator"]  # i % 4 == 1: estimated $0.25
    assert view.model.total() == len(ionq) == 75
    assert view.cost_label.text() == "Cost of these jobs: $18.75"  # 75 x 0.25
    loaded_ids(view.model, qtbot)
    assert view.model.index(0, cost).data() == "≈ $0.25"
    # the service's figure replaces the estimate once it is reported
    first = view.model.job_row(0)
    assert first is not None
    with qtbot.waitSignal(view.model.costsChanged, timeout=WAIT_MS):
        ledger.set_costs(first.id, billed={"amount": 0.05, "currency": "USD", "source": "azure"})
    assert view.cost_label.text() == "Cost of these jobs: $18.55 (1 billed)"
    qtbot.waitUntil(lambda: view.model.index(0, cost).data() == "$0.05 billed", timeout=WAIT_MS)
    # local runs cost nothing and are not counted
    with qtbot.waitSignal(view.model.costsChanged, timeout=WAIT_MS):
        view.model.set_filter(JobFilter(backends=("local.simulator",)))
    assert view.cost_label.text() == ""


def test_a_job_with_a_wide_result_is_read_off_the_gui_thread_then_opened(
    make_view, ledger: Ledger, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop_app.ui.jobs import job_reads
    from desktop_app.ui.results import ranking

    monkeypatch.setattr(ranking, "WIDE", 100)
    counts = {format(i, "010b"): 1 + i % 5 for i in range(600)}
    job_id = ledger.create_job(
        backend="local.simulator", program=program_of(1), shots=sum(counts.values())
    )
    ledger.record_result(job_id, RunResult.from_counts("local.simulator", counts))
    small_id = ledger.create_job(backend="local.simulator", program=program_of(2), shots=3)
    ledger.record_result(small_id, RunResult.from_counts("local.simulator", {"0": 3}))
    monkeypatch.setattr(job_reads, "LOAD_LATER_BYTES", ledger.result_bytes(small_id) + 1)
    threads = threads_calling(monkeypatch, job_reads, "load_job")
    from desktop_app.ui.jobs import detail

    ranked_on = threads_calling(monkeypatch, detail, "rank")
    view = make_view()
    assert view.open_job(small_id) is not None  # small: at once, on the GUI thread
    with qtbot.waitSignal(view.jobOpened, timeout=WAIT_MS) as opened:
        assert view.open_job(job_id) is None  # read on the ledger lane first
        assert view.open_job(job_id) is None  # a second ask while it is read: still one read
    assert opened.args == [job_id]
    small_read, wide_read = threads  # each read once: the small one at once, on this thread
    assert small_read is threading.main_thread() and wide_read is not small_read
    dialog = view.open_dialogs()[job_id]
    qtbot.addWidget(dialog)
    panel = dialog.result_panel
    assert panel is not None
    # ranked with the read, on its thread: drawn as the dialog opens, nothing left to rank
    assert ranked_on == [wide_read]
    assert panel.counts_model.total_rows() == 600 and panel.histogram is not None
    assert panel.histogram.bars() and "in order" not in panel.status.text()
    # a change to the job re-reads it on the ledger lane too, and shows it
    ledger.rename(job_id, "wide one")
    qtbot.waitUntil(lambda: "wide one" in dialog.heading.text(), timeout=WAIT_MS)
    assert len(threads) == 2  # the dialog's re-read is its own (load_job in ui.jobs.detail)
    assert len(ranked_on) == 2 and threading.main_thread() not in ranked_on


def test_a_wide_job_that_cannot_be_read_is_said_and_the_cursor_comes_back(
    make_view, ledger: Ledger, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QApplication

    from desktop_app.ui.jobs import job_reads

    job_id = ledger.create_job(backend="local.simulator", program=program_of(1), shots=3)
    monkeypatch.setattr(job_reads, "LOAD_LATER_BYTES", -1)  # every job counts as wide

    def gone(_ledger: Ledger, missing: str, **_convert: bool) -> job_reads.LoadedJob:
        raise JobNotFoundError(f"No job {missing} in the job ledger.")

    monkeypatch.setattr(job_reads, "load_job", gone)
    said: list[tuple[str, str]] = []
    monkeypatch.setattr(messages, "show_error", lambda _p, title, text: said.append((title, text)))
    view = make_view()
    assert view.open_job(job_id) is None
    qtbot.waitUntil(lambda: bool(said), timeout=WAIT_MS)
    assert said == [("Cannot open job", f"No job {job_id} in the job ledger.")]
    assert QApplication.overrideCursor() is None and view.open_dialogs() == {}
    select(view, qtbot, job_id)
    assert view.export_selected(ExportKind.CSV) is None
    qtbot.waitUntil(lambda: len(said) == 2, timeout=WAIT_MS)
    assert said[1] == ("Export failed", f"No job {job_id} in the job ledger.")
    assert view.export_line.text() == f"The export failed: No job {job_id} in the job ledger."
    assert QApplication.overrideCursor() is None


def test_closing_the_view_while_a_wide_job_is_read_leaves_no_busy_cursor(
    make_view, ledger: Ledger, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QApplication

    from desktop_app.ui.jobs import job_reads

    job_id = ledger.create_job(backend="local.simulator", program=program_of(1), shots=3)
    ledger.record_result(job_id, RunResult.from_counts("local.simulator", {"0": 3}))
    monkeypatch.setattr(job_reads, "LOAD_LATER_BYTES", 0)  # every result counts as wide
    release = threading.Event()
    real = job_reads.load_job

    def slow(ledger: Ledger, job_id: str, **convert: bool) -> job_reads.LoadedJob:
        release.wait(10)
        return real(ledger, job_id, **convert)

    monkeypatch.setattr(job_reads, "load_job", slow)
    view = make_view()
    assert view.open_job(job_id) is None
    assert QApplication.overrideCursor() is not None  # busy while it is read
    view.reads.shutdown()
    assert QApplication.overrideCursor() is None
    with qtbot.waitSignal(view.reads._calls.finished, timeout=WAIT_MS):  # the late answer
        release.set()
    assert view.open_dialogs() == {} and QApplication.overrideCursor() is None  # dropped
