"""The offline fallback of the live catalog: without an answer from the workspace the rows are the
built-in target table's, and the status line says how old that table is."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.core.azure.profiles import ProfileStore
from desktop_app.core.azure.status import StatusSnapshot, TargetStatus
from desktop_app.core.catalog import builtin_backends
from desktop_app.core.target_table import target_table
from desktop_app.ui import tasks as background
from desktop_app.ui.backends.catalog_rows import fallback_note, follow_workspace
from desktop_app.ui.backends.model import BackendModel
from desktop_app.ui.backends.profile_selector import ProfileSelector
from desktop_app.ui.backends.summary import AzureSummary
from tests.gui.offline_profiles import sp_profile


@pytest.fixture
def summary(qtbot: QtBot) -> Iterator[AzureSummary]:
    selector = ProfileSelector()
    qtbot.addWidget(selector)
    azure = AzureSummary(BackendModel(builtin_backends()), selector, store=ProfileStore())
    yield azure
    azure.shutdown()
    assert background.wait_idle(30_000)


def test_unreachable_workspace_shows_the_built_in_table_and_its_age(
    qtbot: QtBot, summary: AzureSummary
):
    summary.store.create(sp_profile(), allow_custom_endpoints=True)
    with qtbot.waitSignal(summary.refresher.refreshFailed, timeout=30_000):
        summary.reload_profiles()
    text = summary.selector.status.text()
    checked = target_table().checked.isoformat()
    assert f"Targets from the built-in target table (checked {checked}, " in text
    assert "days ago" in text or "today" in text or "1 day ago" in text
    names = [r.backend.name for r in summary.model.rows() if not r.backend.is_local]
    assert names == [t.name for t in target_table().targets if t.shown]
    forte = next(r for r in summary.model.rows() if r.backend.name == "ionq.qpu.forte-1")
    assert forte.backend.num_qubits == 36 and "provider-ionq" in forte.backend.source


def test_the_table_age_is_counted_in_days():
    table = target_table()
    assert table.age_text(table.checked).endswith("today)")
    assert table.age_text(table.checked + dt.timedelta(days=1)).endswith("1 day ago)")
    assert table.age_text(table.checked + dt.timedelta(days=40)).endswith("40 days ago)")


def test_a_snapshot_without_targets_keeps_the_rows(qtbot: QtBot):
    model = BackendModel(builtin_backends())
    before = [r.backend.name for r in model.rows()]
    empty = StatusSnapshot("mine", 0.0, ())
    follow_workspace(model, empty, before)
    assert [r.backend.name for r in model.rows()] == before
    assert fallback_note(empty).startswith("Targets from the built-in target table")
    live = StatusSnapshot("mine", 0.0, (TargetStatus("ionq.simulator", "ionq", "Available", 2),))
    assert fallback_note(live) == ""
    cached = StatusSnapshot("mine", 0.0, live.targets, from_cache=True, error="offline")
    assert fallback_note(cached) == ""  # the workspace's last answer, not the built-in table
    assert fallback_note(None).startswith("Targets from the built-in target table")


def test_a_ticked_row_that_leaves_unticks(qtbot: QtBot):
    model = BackendModel(builtin_backends())
    first = StatusSnapshot(
        "mine", 0.0, (TargetStatus("rigetti.qpu.cepheus-1-108q", "rigetti", "Available", 9),)
    )
    follow_workspace(model, first, [b.name for b in builtin_backends()])
    model.set_runnable("rigetti.qpu.cepheus-1-108q", True)
    model.set_checked("rigetti.qpu.cepheus-1-108q", True)
    assert "rigetti.qpu.cepheus-1-108q" in model.checked_backends()
    with qtbot.waitSignal(model.checkedChanged, timeout=1000):
        follow_workspace(
            model,
            StatusSnapshot("mine", 0.0, (TargetStatus("ionq.simulator", "ionq", "", None),)),
            [b.name for b in builtin_backends()],
        )
    assert not model.has_backend("rigetti.qpu.cepheus-1-108q")
    assert "rigetti.qpu.cepheus-1-108q" not in model.checked_backends()
