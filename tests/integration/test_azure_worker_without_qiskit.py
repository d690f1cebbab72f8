"""The window's Azure runs are translated in a simulator worker, where qiskit is warm, the command
line's in its own process (it read the program with qiskit already): the Azure worker process,
which both run their jobs in, never imports qiskit (half its memory), for a run or a wrong
program."""

from __future__ import annotations

import os

import pytest

from desktop_app.core.azure import process
from desktop_app.core.cancel import CancelToken
from desktop_app.core.jobs.dispatch import executor_for
from desktop_app.core.programs import ProgramError
from desktop_app.core.results import JobStatus
from tests.integration.test_azure_run_emulator import _profile, _request, env  # noqa: F401
from tests.integration.worker_probe import loaded_in_worker

pytestmark = pytest.mark.azure


@pytest.mark.parametrize("isolate", [True, False], ids=["window", "command-line"])
def test_a_run_leaves_qiskit_out_of_the_azure_worker(env, isolate: bool) -> None:  # noqa: F811
    _profile(env)
    executor = executor_for("ionq.simulator", isolate=isolate)
    try:
        result = executor.run(_request("ionq.simulator", 100), CancelToken(), lambda *_: None)
        assert result.status is JobStatus.SUCCEEDED, result.error_message
        assert sum(result.counts.values()) == 100
        broken = _request("ionq.simulator", 100, source="OPENQASM 2.0;\nqreg q[2];\nfoo q;\n")
        with pytest.raises(ProgramError) as refused:  # its located error, as in this process
            executor.run(broken, CancelToken(), lambda *_: None)
        assert (refused.value.line, refused.value.column) == (3, 1)
        assert process.worker_pid() not in (None, os.getpid())  # the job ran there
        assert process.call_in_azure_worker(loaded_in_worker, "azure.quantum")
        assert not process.call_in_azure_worker(loaded_in_worker, "qiskit")
    finally:
        process.shutdown_worker()
