"""The lab profile file: found in every system config folder, refused with a located line when
bad, never holding a secret, shadowed by a user's profile of the same name, and `lab init` /
`lab show` / `profile list --json` on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.core.azure import lab
from desktop_app.core.azure.profiles import AZURE_SIGN_IN, Profile, ProfileStore

RID = (
    "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-lab"
    "/providers/Microsoft.Quantum/Workspaces/ws-lab"
)
TENANT = "11111111-1111-1111-1111-111111111111"


@pytest.fixture
def system_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    dirs = [tmp_path / "first", tmp_path / "second"]
    monkeypatch.setenv("XDG_CONFIG_DIRS", ":".join(str(d) for d in dirs))
    return dirs


def _install(folder: Path, text: str) -> Path:
    path = folder / "quantum-desk" / lab.LAB_FILE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _doc(**extra: object) -> str:
    return lab.lab_document(resource_id=RID, tenant_id=TENANT, contact="ask lab@x.example", **extra)


@pytest.mark.parametrize("which", [0, 1])
def test_found_in_each_system_folder(system_dirs: list[Path], which: int) -> None:
    path = _install(system_dirs[which], _doc(budget="50 USD", allowed_targets=["ionq.simulator"]))
    found = lab.load_lab()
    assert found is not None and found.source == path
    assert found.profile.auth_kind == AZURE_SIGN_IN and found.profile.sign_in == "browser"
    assert found.profile.location == ""  # optional: the service finds the workspace's region
    assert found.profile.budget == "50 USD" and found.allowed_targets == ("ionq.simulator",)
    assert found.allows("ionq.simulator") and not found.allows("ionq.qpu.forte-1")


def test_the_first_folder_wins(system_dirs: list[Path]) -> None:
    first = _install(system_dirs[0], _doc(name="First"))
    _install(system_dirs[1], _doc(name="Second"))
    found = lab.load_lab()
    assert found is not None and found.name == "First" and found.source == first


def test_default_location_is_etc_xdg(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XDG_CONFIG_DIRS")
    assert lab.lab_dirs() == [Path("/etc/xdg/quantum-desk")]


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('resource_id = "nope"\n', "resource_id"),
        (f'resource_id = "{RID}"\nclient_secret = "s3cret"\n', "client_secret"),
        (f'resource_id = "{RID}"\nlocation = "mars"\n', "location"),
        (f'resource_id = "{RID}"\nsign_in = "carrier-pigeon"\n', "sign_in"),
        (f'resource_id = "{RID}"\ntenant_id = "x"\n', "tenant_id"),
        (f'resource_id = "{RID}"\nbudget = "lots"\n', "budget"),
        (f'resource_id = "{RID}"\nallowed_targets = "ionq.simulator"\n', "allowed_targets"),
        (f'resource_id = "{RID}"\ncolour = "blue"\n', "colour"),
        (f'resource_id = "{RID}"\nschema_version = 9\n', "schema_version"),
        ("contact = 3\n", "contact"),
        ('contact = "x"\n', "resource_id"),
    ],
)
def test_a_bad_file_is_one_located_line(system_dirs: list[Path], text: str, field: str) -> None:
    path = _install(system_dirs[0], text)
    with pytest.raises(lab.LabFileError) as caught:
        lab.load_lab()
    message = str(caught.value)
    assert str(path) in message and f"field '{field}'" in message
    assert "\n" not in message and "s3cret" not in message and "Error" not in message


def test_not_toml_is_located(system_dirs: list[Path]) -> None:
    path = _install(system_dirs[0], "resource_id = \n[[[")
    with pytest.raises(lab.LabFileError, match="is not valid TOML") as caught:
        lab.load_lab()
    assert str(path) in str(caught.value)


def test_a_user_profile_of_the_same_name_wins(system_dirs: list[Path]) -> None:
    _install(system_dirs[0], _doc())
    assert [e.is_lab for e in lab.profile_entries()] == [True]
    assert lab.resolve_profile("lab").resource_id == RID  # names compare case-insensitively
    mine = Profile(
        "Lab",
        RID.replace("ws-lab", "ws-mine"),
        "eastus",
        tenant_id=TENANT,
        client_id="33333333-3333-3333-3333-333333333333",
    )
    ProfileStore().create(mine)
    entries = lab.profile_entries()
    assert [(e.profile.workspace_name, e.is_lab) for e in entries] == [("ws-mine", False)]
    assert lab.resolve_profile("Lab").workspace_name == "ws-mine"
    assert lab.lab_for("Lab") is None


def test_lab_init_round_trips_and_show_says_where(
    system_dirs: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    target = system_dirs[0] / "quantum-desk" / "lab.toml"
    code = main(
        [
            "lab",
            "init",
            "--resource-id",
            RID,
            "--tenant-id",
            TENANT,
            "--budget",
            "200 USD",
            "--allow-target",
            "ionq.simulator",
            "--contact",
            "ask lab@x.example",
        ]
    )
    assert code == 0 and target.is_file()
    assert "secret" not in target.read_text().replace("Never put a secret", "")
    found = lab.read_lab_file(target)
    assert (found.profile.resource_id, found.profile.tenant_id) == (RID, TENANT)
    assert found.profile.budget == "200 USD" and found.contact == "ask lab@x.example"
    capsys.readouterr()
    assert main(["lab", "show"]) == 0
    shown = capsys.readouterr().out
    assert str(target) in shown and "ws-lab" in shown and "ask lab@x.example" in shown
    assert main(["lab", "show", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["source"] == str(target)
    # a second init does not overwrite without --replace
    assert main(["lab", "init", "--resource-id", RID]) == 2
    assert "--replace" in capsys.readouterr().err


def test_lab_init_to_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "somewhere" / "lab.toml"
    assert main(["lab", "init", "--resource-id", RID, "--to", str(out)]) == 0
    assert lab.read_lab_file(out).profile.resource_id == RID
    assert main(["lab", "init", "--resource-id", "bad", "--to", str(tmp_path / "x.toml")]) == 2
    err = capsys.readouterr().err
    assert "field 'resource_id'" in err and "Traceback" not in err
    assert not (tmp_path / "x.toml").exists()


def test_profile_list_json_marks_the_lab(
    system_dirs: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = _install(system_dirs[1], _doc())
    assert main(["profile", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows == [
        {
            **{k: v for k, v in rows[0].items() if k not in ("lab", "source")},
            "lab": True,
            "source": str(path),
        }
    ]
    assert rows[0]["name"] == "Lab" and rows[0]["contact"] == "ask lab@x.example"
    assert main(["profile", "list"]) == 0
    assert "the lab's" in capsys.readouterr().out


def test_a_bad_lab_file_does_not_stop_profile_list(
    system_dirs: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _install(system_dirs[0], "resource_id = 'x'\n")
    assert main(["profile", "list", "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out) == []
    assert "field 'resource_id'" in captured.err
    assert main(["lab", "show"]) == 2
    assert "field 'resource_id'" in capsys.readouterr().err


def test_the_lab_refuses_targets_it_does_not_allow(system_dirs: list[Path]) -> None:
    from desktop_app.core.errors import UserInputError

    _install(system_dirs[0], _doc(allowed_targets=["ionq.simulator"]))
    lab.check_allowed("Lab", ["ionq.simulator"])
    with pytest.raises(UserInputError, match=r"does not allow ionq\.qpu\.forte-1.*ask lab@"):
        lab.check_allowed("Lab", ["ionq.qpu.forte-1"])


@pytest.mark.parametrize(
    ("platform", "folder"),
    [("linux", "quantum-desk"), ("win32", "Quantum Desk"), ("darwin", "Quantum Desk")],
)
def test_the_system_folder_is_named_as_each_platform_expects(
    monkeypatch: pytest.MonkeyPatch, platform: str, folder: str
) -> None:
    asked: list[str] = []

    def site_config_dir(name: str, **_kw: object) -> str:
        asked.append(name)
        return f"/system/{name}"

    monkeypatch.setattr(lab.sys, "platform", platform)
    monkeypatch.setattr(lab.platformdirs, "site_config_dir", site_config_dir)
    assert lab.lab_dirs() == [Path(f"/system/{folder}")] and asked == [folder]
