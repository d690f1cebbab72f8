"""`quantum-desk run FILE --backend <azure target> --profile NAME --json [--yes]` headless."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.core.azure import process
from desktop_app.core.azure.secret_binding import decode
from desktop_app.core.azure.secrets import SERVICE_NAME
from tests.azure_emulator.fixtures import profile_add_args
from tests.integration.keyring_session import keyring_session, secret_service  # noqa: F401
from tests.integration.test_azure_run_emulator import PROFILE, _profile, env  # noqa: F401

pytestmark = pytest.mark.azure

ROOT = Path(__file__).resolve().parents[2]
BELL = ROOT / "resources" / "examples" / "bell.qasm"


def _cli(
    *args: str, stdin: str | None = None, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m desktop_app ARGS` in a fresh process, as a lab admin's script runs it."""
    return subprocess.run(
        [sys.executable, "-m", "desktop_app", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=180,
        check=False,
        env={**os.environ, "QDK_PYTHON_TELEMETRY": "none", **(extra_env or {})},
    )


def test_run_on_ionq_simulator_prints_one_json_document(env, capsys):  # noqa: F811
    _profile(env)
    code = main(["run", str(BELL), "--backend", "ionq.simulator", "--profile", PROFILE, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    (result,) = json.loads(out)
    assert result["backend"] == "ionq.simulator" and result["status"] == "Succeeded"
    assert result["exact"] is True
    assert result["probabilities"] == pytest.approx({"00": 0.5, "11": 0.5})
    # `id` is the ledger's id of the run; the Azure job id was chosen before the submit.
    assert result["id"] and result["azure_job_id"] != result["id"]
    assert env.emulator.job(result["azure_job_id"])["status"] == "Succeeded"
    assert process.worker_pid() is None  # the job's Azure worker process ended with the command


def test_paid_target_needs_yes_and_nothing_is_submitted_without_it(env, capsys):  # noqa: F811
    _profile(env)
    args = ["run", str(BELL), "--backend", "quantinuum.sim.h2-1e", "--profile", PROFILE, "--json"]
    code = main(args)
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert "quantinuum.sim.h2-1e" in err and "eHQC (estimate)" in err and "--yes" in err
    assert not env.emulator.requests_matching(role="dp", method="PUT")

    code = main([*args, "--yes", "--shots", "200"])
    out, err = capsys.readouterr()
    assert code == 0, err
    (result,) = json.loads(out)
    assert result["status"] == "Succeeded" and sum(result["counts"].values()) == 200


def test_unknown_profile_is_bad_input(env, capsys):  # noqa: F811
    code = main(["run", str(BELL), "--backend", "ionq.simulator", "--profile", "nobody"])
    _out, err = capsys.readouterr()
    assert code == 2 and "No profile named 'nobody'" in err


@pytest.mark.keyring
def test_headless_profile_add_then_run_in_fresh_processes(
    env,  # noqa: F811
    secret_service,  # noqa: F811
    isolated_user_dirs,
):
    """The lab-admin flow: `profile add --secret-stdin` (secret into the real Secret Service), then
    `run --json` in another process, which reads the secret back from the keyring."""
    added = _cli(*profile_add_args(env, PROFILE), stdin=env.client_secret + "\n")
    assert added.returncode == 0, added.stderr
    stored = secret_service.get_password(SERVICE_NAME, PROFILE)
    assert stored is not None and decode(stored)[1] == env.client_secret
    ran = _cli("run", str(BELL), "--backend", "ionq.simulator", "--profile", PROFILE, "--json")
    assert ran.returncode == 0, ran.stderr
    (result,) = json.loads(ran.stdout)
    assert result["status"] == "Succeeded" and result["exact"] is True
    assert result["counts"] == {"00": 500, "11": 500}
    assert env.emulator.job(result["azure_job_id"])["status"] == "Succeeded"
    for path in isolated_user_dirs.rglob("*"):
        if path.is_file():
            assert env.client_secret.encode() not in path.read_bytes(), path


def test_no_keyring_run_reads_the_secret_from_stdin_and_stores_it_nowhere(
    env,  # noqa: F811
    isolated_user_dirs,
):
    """A lab machine without a Secret Service: the profile is saved (no secret), and each headless
    run is given the secret on stdin; it reaches no file and no keyring."""
    no_keyring = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}

    def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return _cli(*args, stdin=stdin, extra_env=no_keyring)

    added = cli(
        "profile", "add", PROFILE, "--resource-id", env.resource_id, "--location", env.location,
        "--tenant-id", env.tenant_id, "--client-id", env.client_id, "--authority", env.authority,
        "--arm-endpoint", env.arm_endpoint, "--allow-custom-endpoints", "--secret-stdin",
        stdin=env.client_secret + "\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "session only" in added.stderr
    run = ["run", str(BELL), "--backend", "ionq.simulator", "--profile", PROFILE, "--json"]
    without = cli(*run)
    assert json.loads(without.stdout)[0]["error"]["code"] == "no-secret"
    ran = cli(*run, "--secret-stdin", stdin=env.client_secret + "\n")
    assert ran.returncode == 0, ran.stderr
    (result,) = json.loads(ran.stdout)
    assert result["status"] == "Succeeded" and result["counts"] == {"00": 500, "11": 500}
    for path in isolated_user_dirs.rglob("*"):
        if path.is_file():
            assert env.client_secret.encode() not in path.read_bytes(), path


def _set_budget(budget: str) -> None:
    import dataclasses

    from desktop_app.core.azure.profiles import ProfileStore

    store = ProfileStore()
    store.update(PROFILE, dataclasses.replace(store.get(PROFILE), budget=budget))


def test_a_run_past_the_monthly_budget_is_refused_with_the_figures(env, capsys):  # noqa: F811
    """Bell x 1000 on the H2 emulator is 11.2 eHQC (5 + 1000 x (1 + 10 + 5 x 4) / 5000)."""
    _profile(env)
    _set_budget("10 eHQC")
    args = ["run", str(BELL), "--backend", "quantinuum.sim.h2-1e", "--profile", PROFILE, "--yes"]
    code = main([*args, "--json"])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "spent 0.00 eHQC" in err and "this run 11.20 eHQC" in err
    assert "budget 10.00 eHQC" in err
    assert not env.emulator.requests_matching(role="dp", method="PUT")

    _set_budget("20 eHQC")
    code = main([*args, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    (result,) = json.loads(out)
    # the ledger keeps the app's estimate beside the service's costEstimate
    code = main(["jobs", "show", result["id"], "--json"])
    shown, err = capsys.readouterr()
    assert code == 0, err
    record = json.loads(shown)
    assert record["estimated_cost"]["amount"] == pytest.approx(11.2)
    assert record["estimated_cost"]["currency"] == "eHQC"
    assert record["estimated_cost"]["entry"] == "quantinuum-h2-emulators"
    billed = env.emulator.job(result["azure_job_id"])["costEstimate"]
    assert record["billed_cost"]["amount"] == pytest.approx(billed["estimatedTotal"])
    assert record["billed_cost"]["source"] == "azure"

    # 11.2 spent this month + 11.2 for this run > 20
    code = main([*args, "--json"])
    out, err = capsys.readouterr()
    assert code == 2 and "spent 11.20 eHQC" in err and "budget 20.00 eHQC" in err
    assert len(env.emulator.requests_matching(role="dp", method="PUT")) == 1


def test_a_paid_run_without_a_terminal_lists_the_total(env, capsys):  # noqa: F811
    _profile(env)
    args = ["run", str(BELL), "--profile", PROFILE, "--backend", "ionq.qpu.forte-1"]
    code = main([*args, "--backend", "quantinuum.sim.h2-1e", "--backend", "ionq.simulator"])
    _out, err = capsys.readouterr()
    assert code == 2 and err.count("\n") == 1
    assert "ionq.qpu.forte-1: ≈ $169.48 (estimate)" in err and "total $169.48; 11.20 eHQC" in err
    assert not env.emulator.requests_matching(role="dp", method="PUT")


def test_a_run_reads_the_profiles_secret_from_the_keyring_once(env, capsys, monkeypatch):  # noqa: F811
    from desktop_app.core.azure import secrets

    _profile(env)
    reads: list[str] = []
    real_get = secrets.SecretStore.get

    def counted(self, profile):
        reads.append(profile.name)
        return real_get(self, profile)

    monkeypatch.setattr(secrets.SecretStore, "get", counted)
    args = ["run", str(BELL), "--profile", PROFILE, "--json", "--yes"]
    args += ["--backend", "ionq.simulator", "--backend", "rigetti.sim.qvm"]
    code = main(args)
    out, err = capsys.readouterr()
    assert code == 0, err
    assert [r["status"] for r in json.loads(out)] == ["Succeeded", "Succeeded"]
    assert reads == [PROFILE]  # checked before anything ran, then used by both backends


def test_the_run_takes_the_workspace_opened_while_the_program_was_read(env, capsys):  # noqa: F811
    _profile(env)
    code = main(["run", str(BELL), "--backend", "ionq.simulator", "--profile", PROFILE, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out)[0]["status"] == "Succeeded"
    # One sign-in, one workspace lookup at ARM: the run used the workspace its Azure worker
    # opened ahead (`core.azure.ahead`), not a second one of its own.
    assert len(env.emulator.requests_matching("arm", "GET", "/workspaces/")) == 1
    assert len(env.emulator.requests_matching("dp", "PUT", "/jobs/")) == 1
    # and the target read with it: the workspace's targets were listed once, not again by the run
    assert len(env.emulator.requests_matching("dp", "GET", "/providerStatus")) == 1


def test_the_commands_azure_worker_is_started_before_parsing_and_used_by_its_run(
    env,  # noqa: F811
    capsys,
    monkeypatch,
):
    """`run` with an Azure target and a profile starts its worker from the words of the command
    line (`cli.run_early`); the run then uses that worker, not a second one."""
    from desktop_app.cli import run_early

    _profile(env)
    started: list[int | None] = []
    real_start = run_early.start

    def start(words: list[str], verbose: bool) -> bool:
        begun = real_start(words, verbose)
        started.append(process.worker_pid())
        return begun

    used: list[int | None] = []
    real_connect = process.connect_ahead

    def connect(*args: object) -> None:
        used.append(process.worker_pid())
        real_connect(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(run_early, "start", start)
    monkeypatch.setattr(process, "connect_ahead", connect)
    code = main(["run", str(BELL), "--backend", "ionq.simulator", "--profile", PROFILE, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out)[0]["status"] == "Succeeded"
    assert started and started[0] is not None and used == started
    assert process.worker_pid() is None  # ended with the command


def test_a_command_refused_by_argparse_ends_the_worker_started_early(env, capsys):  # noqa: F811
    _profile(env)
    with pytest.raises(SystemExit):
        main(["run", str(BELL), "--backend", "ionq.simulator", "--profile", PROFILE, "--bogus"])
    assert "unrecognized arguments" in capsys.readouterr().err
    assert process.worker_pid() is None
