"""A read-only data or config folder on first start (issue 14): every command says what is
read-only in one line, never a traceback, and runs what can run (a local simulation, unrecorded).

Real read-only folders (mode 0555). As root, which ignores permissions, the command runs through
`setpriv` without CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH, so the modes bind it like any user.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BELL = ROOT / "resources" / "examples" / "bell.qasm"


def _prefix() -> list[str]:
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    assert setpriv, "running as root: util-linux's setpriv is needed to drop CAP_DAC_OVERRIDE"
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search", "--"]


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[Path]:
    """An empty folder nobody may write to (made writable again for the clean-up)."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    yield folder
    folder.chmod(0o755)


def _cli(*args: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*_prefix(), sys.executable, "-m", "desktop_app", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
        env={**os.environ, "QDK_PYTHON_TELEMETRY": "none", **env},
    )


def _one_plain_line(err: str) -> str:
    assert "Traceback" not in err and "OSError" not in err and "Errno" not in err, err
    assert err.count("\n") == 1, err
    return err


@pytest.mark.parametrize("where", ["folder", "parent"])
def test_jobs_and_a_local_run_work_with_a_read_only_data_dir(read_only: Path, where: str) -> None:
    data = read_only if where == "folder" else read_only / "quantum-desk"
    env = {"QUANTUM_DESK_DATA_DIR": str(data)}
    listed = _cli("jobs", env=env)
    assert listed.returncode == 0 and listed.stdout == "No jobs.\n"
    assert str(read_only) in _one_plain_line(listed.stderr) and "not writable" in listed.stderr

    ran = _cli("run", str(BELL), "--seed", "7", env=env)
    assert ran.returncode == 0, ran.stderr
    assert "local.simulator  Succeeded" in ran.stdout
    assert "not recorded" in _one_plain_line(ran.stderr)
    assert list(read_only.iterdir()) == []


def test_an_azure_run_with_a_read_only_data_dir_is_refused_in_one_line(
    read_only: Path, tmp_path: Path
) -> None:
    config = tmp_path / "config"
    profile = [
        "profile", "add", "lab", "--resource-id",
        "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/"
        "Microsoft.Quantum/Workspaces/ws",
        "--location", "eastus", "--auth", "azure-sign-in",
    ]  # fmt: skip
    assert _cli(*profile, env={"XDG_CONFIG_HOME": str(config)}).returncode == 0
    env = {"QUANTUM_DESK_DATA_DIR": str(read_only), "XDG_CONFIG_HOME": str(config)}
    ran = _cli("run", str(BELL), "--backend", "ionq.simulator", "--profile", "lab", env=env)
    assert ran.returncode == 2 and ran.stdout == ""
    assert "none was sent" in _one_plain_line(ran.stderr)


def test_profiles_with_a_read_only_config_dir(read_only: Path) -> None:
    no_keyring = "keyring.backends.fail.Keyring"
    env = {"XDG_CONFIG_HOME": str(read_only), "PYTHON_KEYRING_BACKEND": no_keyring}
    listed = _cli("profile", "list", env=env)
    assert listed.returncode in (0, 2)
    assert "Traceback" not in listed.stderr and "Errno" not in listed.stderr
    if listed.returncode == 2:  # the settings folder could not even be made: said so
        assert str(read_only) in _one_plain_line(listed.stderr)
    added = _cli(
        "profile", "add", "lab", "--resource-id",
        "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/"
        "Microsoft.Quantum/Workspaces/ws",
        "--location", "eastus", "--auth", "azure-sign-in", env=env,
    )  # fmt: skip
    assert added.returncode == 2 and str(read_only) in _one_plain_line(added.stderr)
    assert list(read_only.iterdir()) == []
