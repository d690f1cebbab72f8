"""The live catalog against the emulated workspace: targets added and retired through the
emulator's admin endpoint appear in and leave the backend summary; a built-in target the workspace
does not offer stays, marked so; a target the app cannot translate for is greyed with its reason."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.core.azure.profiles import ProfileStore
from desktop_app.core.catalog import builtin_backends
from desktop_app.ui import tasks as background
from desktop_app.ui.backends.catalog_rows import NOT_OFFERED
from desktop_app.ui.backends.model import BackendModel
from desktop_app.ui.backends.profile_selector import ProfileSelector
from desktop_app.ui.backends.summary import AzureSummary
from tests.azure_emulator.fixtures import AzureEnv
from tests.integration.test_azure_run_emulator import _profile, env  # noqa: F401

pytestmark = pytest.mark.azure

WAIT_MS = 30_000


def _admin(env: AzureEnv, method: str, path: str, body: object = None) -> None:  # noqa: F811
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        env.admin_endpoint + path,
        data=data,
        method=method,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status in (200, 201, 204)


@pytest.fixture
def summary(qtbot: QtBot) -> Iterator[AzureSummary]:
    selector = ProfileSelector()
    qtbot.addWidget(selector)
    azure = AzureSummary(BackendModel(builtin_backends()), selector, store=ProfileStore())
    yield azure
    azure.shutdown()
    assert background.wait_idle(WAIT_MS)


def _live(snapshot: object) -> bool:
    return snapshot is not None and not getattr(snapshot, "from_cache", True)


def _row(summary: AzureSummary, name: str):
    return next((r for r in summary.model.rows() if r.backend.name == name), None)


def test_the_summary_follows_the_workspace(
    qtbot: QtBot,
    env: AzureEnv,  # noqa: F811
    summary: AzureSummary,
):
    _profile(env)
    _admin(
        env,
        "POST",
        "/targets",
        {"provider_id": "quantinuum", "target_id": "quantinuum.qpu.helios-1", "num_qubits": 98},
    )
    _admin(
        env,
        "POST",
        "/targets",
        {"provider_id": "pasqal", "target_id": "pasqal.sim.emu-tn", "num_qubits": 100},
    )
    _admin(env, "POST", "/targets", {"provider_id": "ionq", "target_id": "ionq.qpu.zeta-7"})
    _admin(env, "DELETE", "/targets/ionq.qpu.forte-enterprise-1")
    with qtbot.waitSignal(
        summary.refresher.snapshotChanged, timeout=WAIT_MS, check_params_cb=_live
    ):
        summary.reload_profiles()
    assert summary.selector.status.text().startswith("Live figures from ")
    assert "built-in target table" not in summary.selector.status.text()

    helios = _row(summary, "quantinuum.qpu.helios-1")
    assert helios is not None and helios.runnable
    # qubits and format from the target table, not from the status call
    assert (helios.backend.num_qubits, helios.backend.input_format) == (
        98,
        "honeywell.openqasm.v1",
    )
    unknown = _row(summary, "ionq.qpu.zeta-7")
    assert unknown is not None and unknown.runnable and unknown.backend.num_qubits == 0

    pasqal = _row(summary, "pasqal.sim.emu-tn")
    assert pasqal is not None and not pasqal.runnable
    assert "Pulser" in pasqal.reason and "not gate circuits" in pasqal.reason
    assert pasqal.info["availability"] == "Available"  # the workspace offers it; we cannot run it
    index = summary.model.index(summary.model.rows().index(pasqal), 0)
    assert not summary.model.setData(index, 2, 10)  # a greyed row cannot be ticked

    retired = _row(summary, "ionq.qpu.forte-enterprise-1")
    assert retired is not None and not retired.runnable  # built-in: kept, marked
    assert retired.info["availability"] == NOT_OFFERED == "Not offered by this workspace"
    assert "not offered" in retired.reason

    # Retire an extra target and bring the built-in one back: the summary follows.
    _admin(env, "DELETE", "/targets/quantinuum.qpu.helios-1")
    _admin(
        env,
        "POST",
        "/targets",
        {"provider_id": "ionq", "target_id": "ionq.qpu.forte-enterprise-1", "num_qubits": 36},
    )
    with qtbot.waitSignal(
        summary.refresher.snapshotChanged, timeout=WAIT_MS, check_params_cb=_live
    ):
        summary.refresher.refresh()
    assert _row(summary, "quantinuum.qpu.helios-1") is None
    back = _row(summary, "ionq.qpu.forte-enterprise-1")
    assert back is not None and back.runnable and back.info["availability"] == "Available"
    assert _row(summary, "pasqal.sim.emu-tn") is not None
