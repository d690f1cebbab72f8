"""`quantum-desk run FILE --backend <azure target> --profile NAME --json [--yes]` headless."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop_app.cli import main
from tests.integration.test_azure_run_emulator import PROFILE, _profile, env  # noqa: F401

pytestmark = pytest.mark.azure

BELL = Path(__file__).resolve().parents[2] / "resources" / "examples" / "bell.qasm"


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
