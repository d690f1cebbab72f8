"""Live target status from the emulated workspace, and the cached copy for offline use."""

from __future__ import annotations

import json

import pytest

from desktop_app.core import paths
from desktop_app.core.azure import session as azure_session
from desktop_app.core.azure import status as azure_status
from desktop_app.core.azure.errors import AzureRunError
from desktop_app.core.azure.secrets import default_secret_store
from tests.integration.test_azure_run_emulator import PROFILE, _profile, env  # noqa: F401

pytestmark = pytest.mark.azure


def test_live_status_lists_every_target_and_is_cached(env):  # noqa: F811
    _profile(env)
    env.emulator.set_target("quantinuum.sim.h2-1e", availability="Degraded", average_queue_time=600)
    env.emulator.add_target("pasqal", "pasqal.sim.emu-tn", 100, average_queue_time=30)
    assert azure_status.cached_status(PROFILE) is None

    live = azure_status.refresh_status(PROFILE)
    names = {t.name for t in live.targets}
    assert names >= {
        "ionq.qpu.forte-1",
        "ionq.qpu.forte-enterprise-1",
        "ionq.simulator",
        "rigetti.sim.qvm",
        "quantinuum.sim.h2-1sc",
        "quantinuum.sim.h2-1e",
        "pasqal.sim.emu-tn",
    }
    assert not live.from_cache and live.error is None and live.age() < 60
    degraded = live.find("quantinuum.sim.h2-1e")
    assert degraded.availability == "Degraded" and degraded.average_queue_time == 600
    assert "Degraded" in degraded.warning
    simulator = live.find("ionq.simulator")
    assert simulator.availability == "Available" and simulator.warning is None
    assert live.find("pasqal.sim.emu-tn").provider_id == "pasqal"

    # The cache is a JSON file in the cache dir with the fetch time; no secret in it.
    files = list((paths.cache_dir() / "azure-status").glob("*.json"))
    assert len(files) == 1
    text = files[0].read_text(encoding="utf-8")
    assert env.client_secret not in text
    assert json.loads(text)["fetched_at"] == pytest.approx(live.fetched_at)
    offline = azure_status.cached_status(PROFILE)
    assert offline.from_cache and offline.targets == live.targets


def test_failed_refresh_falls_back_to_the_cache_with_a_plain_reason(env):  # noqa: F811
    profile = _profile(env)
    first = azure_status.refresh_status(PROFILE)
    default_secret_store().set(profile, "a-wrong-secret")
    azure_session.forget_credentials()
    again = azure_status.refresh_status(PROFILE)
    assert again.from_cache and again.targets == first.targets
    assert again.error is not None and "client secret" in again.error


def test_no_cache_and_no_connection_raises_a_plain_error(env):  # noqa: F811
    _profile(env, secret="a-wrong-secret")
    with pytest.raises(AzureRunError, match="client secret") as caught:
        azure_status.refresh_status(PROFILE)
    assert "a-wrong-secret" not in str(caught.value)


def test_unavailable_target_warning_and_queue_time_text(env):  # noqa: F811
    _profile(env)
    env.emulator.set_target("ionq.qpu.forte-1", availability="Unavailable")
    live = azure_status.refresh_status(PROFILE)
    target = live.find("ionq.qpu.forte-1")
    assert target.availability == "Unavailable" and "Unavailable" in target.warning
    assert azure_status.format_queue_time(target.average_queue_time) == "24 h"
    assert azure_status.format_queue_time(None) == "—"
    assert azure_status.format_queue_time(2) == "2 s"
