"""Job management through the SDK: cancel, list (filters, order, paging), get, update, delete,
sessions, top-level items, and jobs failing on bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.azure_emulator.fixtures import AzureEnv
from tests.integration.test_emulator_sdk import BELL_IONQ, BELL_QASM, BELL_QUIL, workspace

pytestmark = pytest.mark.azure


def test_cancel_a_queued_job(azure_env: AzureEnv) -> None:
    azure_env.emulator.set_target("ionq.simulator", queue_seconds=60)
    ws = workspace(azure_env)
    job = ws.get_targets("ionq.simulator").submit(BELL_IONQ, name="to-cancel")
    assert job.details.status == "Waiting"
    ws.cancel_job(job)
    job.refresh()
    assert job.details.status == "Cancelled"
    assert job.details.cancellation_time is not None
    with pytest.raises(RuntimeError, match="CANCELLED"):
        job.get_results()


def test_list_get_update_delete(azure_env: AzureEnv) -> None:
    from azure.core.exceptions import ResourceNotFoundError

    ws = workspace(azure_env)
    azure_env.emulator.world.page_size = 2  # force nextLink paging
    ionq, quil = ws.get_targets("ionq.simulator"), ws.get_targets("rigetti.sim.qvm")
    jobs = [ionq.submit(BELL_IONQ, name=f"bell-{i}") for i in range(3)]
    jobs.append(quil.submit(BELL_QUIL, name="quil-1"))
    for job in jobs:
        job.wait_until_completed(timeout_secs=30)

    listed = ws.list_jobs()
    assert sorted(j.id for j in listed) == sorted(j.id for j in jobs)
    paged = [
        r for r in azure_env.emulator.requests_matching("dp", "GET") if r.path.endswith("/jobs")
    ]
    assert len(paged) == 2 and "skip=2" in paged[1].query
    assert {j.details.name for j in ws.list_jobs(name_match="bell")} == {
        "bell-0",
        "bell-1",
        "bell-2",
    }
    assert [j.details.name for j in ws.list_jobs(provider=["rigetti"])] == ["quil-1"]
    assert len(ws.list_jobs(target=["ionq.simulator"], status=["Succeeded"])) == 3
    assert ws.list_jobs(status=["Failed"]) == []
    yesterday, tomorrow = (datetime.now(UTC) + timedelta(days=d) for d in (-1, 1))
    # (azure-quantum 3.13 joins created_after and created_before without "and": use one at a time)
    assert len(ws.list_jobs(created_after=yesterday)) == 4
    assert len(ws.list_jobs(created_before=tomorrow)) == 4
    assert ws.list_jobs(created_after=tomorrow) == []
    names = [j.details.name for j in ws.list_jobs(orderby_property="Name", is_asc=False)]
    assert names == ["quil-1", "bell-2", "bell-1", "bell-0"]

    fetched = ws.get_job(jobs[0].id)
    assert fetched.details.name == "bell-0" and fetched.details.status == "Succeeded"
    fetched.update(name="renamed", tags=["demo"])
    assert ws.get_job(jobs[0].id).details.name == "renamed"
    assert ws.get_job(jobs[0].id).details.tags == ["demo"]

    ws.delete_job(fetched)
    with pytest.raises(ResourceNotFoundError):
        ws.get_job(jobs[0].id)


def test_sessions_and_top_level_items(azure_env: AzureEnv) -> None:
    ws = workspace(azure_env)
    target = ws.get_targets("ionq.simulator")
    with target.open_session(name="my-session") as session:
        first = target.submit(BELL_IONQ, name="in-session")
        first.wait_until_completed(timeout_secs=30)
    lone = ws.get_targets("ionq.simulator").submit(BELL_IONQ, name="lone")  # no session
    assert first.details.session_id == session.id
    sessions = ws.list_sessions()
    assert [s.id for s in sessions] == [session.id]
    assert sessions[0].details.status == "Succeeded"
    assert [j.id for j in session.list_jobs()] == [first.id]
    top = {item.id for item in ws.list_top_level_items()}
    assert top == {session.id, lone.id}


@pytest.mark.parametrize(
    ("target", "payload", "message"),
    [
        (
            "ionq.simulator",
            {"qubits": 2, "circuit": [{"gate": "frobnicate", "targets": [0]}]},
            "frobnicate",
        ),
        ("ionq.simulator", {"qubits": 40, "circuit": [{"gate": "h", "targets": [0]}]}, "40 qubits"),
        ("quantinuum.sim.h2-1e", BELL_QASM.replace("cx q[0],q[1];", "cx q[0] q[1]"), "parse error"),
        ("rigetti.sim.qvm", BELL_QUIL.replace("CNOT 0 1", "FROB 0 1"), "FROB"),
    ],
)
def test_bad_input_fails_the_job(azure_env: AzureEnv, target: str, payload, message: str) -> None:
    job = workspace(azure_env).get_targets(target).submit(payload, name="bad")
    job.wait_until_completed(timeout_secs=30)
    assert job.details.status == "Failed"
    assert job.details.error_data.code == "InvalidInputData"
    assert message in job.details.error_data.message
    with pytest.raises(RuntimeError, match="InvalidInputData"):
        job.get_results()
