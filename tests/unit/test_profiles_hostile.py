"""Hostile profiles files (generated here, never committed): deep nesting, bytes that are not
UTF-8, a BOM, a newer schema, 20,000 profiles. Each ends in a located one-line message or a
normal answer, within a wall-clock limit and an address-space limit (a CLI subprocess), and
never with a traceback; what cannot be read is moved aside and kept, what can be read is."""

from __future__ import annotations

import codecs
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.core.azure import secrets as secrets_module
from desktop_app.core.azure.profiles import SCHEMA_VERSION, ProfileFileError, ProfileStore
from desktop_app.core.azure.secrets import SecretStore
from tests.memory_keyring import MemoryKeyring

SUB = "0f6c1d2e-3a4b-4c5d-8e9f-a0b1c2d3e4f5"
RID = f"/subscriptions/{SUB}/resourceGroups/lab-rg/providers/Microsoft.Quantum/Workspaces/qws-1"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
CLIENT = "11111111-2222-3333-4444-555555555555"
WALL_CLOCK_S = 60
ADDRESS_SPACE = 2 * 1024**3


def entry(name: str, **extra: object) -> dict[str, object]:
    return {
        "name": name,
        "resource_id": RID,
        "location": "eastus",
        "auth_kind": "service-principal",
        "tenant_id": TENANT,
        "client_id": CLIENT,
        **extra,
    }


def document(*entries: dict[str, object], version: int = SCHEMA_VERSION) -> str:
    return json.dumps({"schema_version": version, "profiles": list(entries)}, ensure_ascii=False)


def profiles_path(home: Path) -> Path:
    path = home / "config" / "quantum-desk" / "profiles.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """`quantum-desk ARGS` in a fresh process under a wall-clock and an address-space limit."""
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    return subprocess.run(
        [sys.executable, "-m", "desktop_app", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=WALL_CLOCK_S,
        env=env,
        preexec_fn=_limits,
        check=False,
    )


def assert_one_plain_line(err: str, *words: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert len(lines[0]) < 2000, len(lines[0])  # a quoted hostile value is cut short
    assert lines[0].startswith("quantum-desk: error: "), err
    for word in words:
        assert word in lines[0], (word, err)
    for leak in ("Traceback", "RecursionError", "UnicodeDecodeError", "desktop_app."):
        assert leak not in err


def kept_files(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f"{path.name}.bad-*"))


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (
            b'{"schema_version": 1, "profiles": ' + b"[" * 200_000 + b"]" * 200_000 + b"}",
            "nested too deeply",
        ),
        (document(entry("caf\u00e9")).encode("latin-1"), "not UTF-8 text (byte 0xe9 at offset"),
        (codecs.BOM_UTF16_LE + b"{\xd8", "not utf-16 text"),
        (b"\x00\xff" * 10, "not UTF-8 text (byte 0xff at offset 1)"),
        (b'{"schema_version": 1' + b"0" * 5000 + b', "profiles": []}', "number too long"),
        (document(entry("lab", location="x" * 5_000_000)).encode(), "is not an Azure region"),
    ],
    ids=["nested-200000", "latin-1", "broken-utf-16", "binary", "huge-number", "huge-value"],
)
def test_an_unreadable_file_is_moved_aside_and_kept(
    isolated_user_dirs: Path, content: bytes, words: str
):
    path = profiles_path(isolated_user_dirs)
    path.write_bytes(content)
    done = cli("profile", "list")
    assert done.returncode == 2
    assert_one_plain_line(done.stderr, str(path), words, "was kept as")
    (kept,) = kept_files(path)
    assert str(kept) in done.stderr
    assert kept.read_bytes() == content and not path.exists()
    again = cli("profile", "list")  # the next command starts from an empty list
    assert again.returncode == 0 and "No profiles yet" in again.stdout, again.stderr


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_fifo_or_a_device_is_moved_aside_without_blocking(isolated_user_dirs: Path, kind: str):
    path = profiles_path(isolated_user_dirs)
    if kind == "fifo":
        os.mkfifo(path)  # opening it to read would wait for a writer forever
    else:
        path.symlink_to("/dev/zero")  # reading it would never end
    done = cli("profile", "list")
    assert done.returncode == 2
    assert_one_plain_line(done.stderr, str(path), "not a regular file", "was kept as")
    assert not path.exists() and not path.is_symlink() and len(kept_files(path)) == 1
    assert Path("/dev/zero").exists()  # the link was moved, not what it points to


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
        lambda text: text.encode("utf-16"),  # Windows Notepad's "Unicode": a BOM, then UTF-16
        lambda text: text.encode("utf-32"),
    ],
    ids=["utf-8-bom", "utf-16", "utf-32"],
)
def test_a_file_with_a_bom_is_read(isolated_user_dirs: Path, encode: object):
    path = profiles_path(isolated_user_dirs)
    path.write_bytes(encode(document(entry("caf\u00e9 lab"))))  # type: ignore[operator]
    done = cli("profile", "list", "--json")
    assert done.returncode == 0, done.stderr
    assert [row["name"] for row in json.loads(done.stdout)] == ["caf\u00e9 lab"]
    assert kept_files(path) == []
    # the next save writes plain UTF-8 (no BOM), keeping the profile
    store = ProfileStore(path)
    store.rename("caf\u00e9 lab", "lab")
    assert path.read_bytes().startswith(b"{") and [p.name for p in store.profiles()] == ["lab"]


def test_a_newer_schema_is_left_alone_and_read_only(isolated_user_dirs: Path):
    path = profiles_path(isolated_user_dirs)
    newer = document(
        entry("lab", sign_in_hint="a field of the newer version"),
        {"name": "future", "kind": "quantum-cloud-x"},
        version=SCHEMA_VERSION + 1,
    )
    path.write_text(newer, encoding="utf-8")

    listed = cli("profile", "list")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.startswith("lab  [service-principal]")  # what this version can read
    assert "newer Quantum Desk" in listed.stderr and "left unchanged" in listed.stderr
    assert "Traceback" not in listed.stderr

    added = cli(
        "profile",
        "add",
        "second",
        "--resource-id",
        RID,
        "--location",
        "eastus",
        "--auth",
        "azure-sign-in",
    )
    assert added.returncode == 2
    assert_one_plain_line(added.stderr, str(path), "left unchanged", "newer Quantum Desk")
    assert path.read_text(encoding="utf-8") == newer  # not rewritten
    assert kept_files(path) == []  # not moved aside either

    store = ProfileStore(path)
    assert [p.name for p in store.profiles()] == ["lab"]
    assert store.read_only is not None and "newer Quantum Desk" in store.read_only
    with pytest.raises(ProfileFileError, match="left unchanged"):
        store.delete("lab")
    assert path.read_text(encoding="utf-8") == newer


def test_an_import_file_with_a_bom_or_too_deep_is_handled(tmp_path: Path):
    store = ProfileStore(tmp_path / "profiles.json")
    bom = tmp_path / "bom.json"
    bom.write_bytes(codecs.BOM_UTF8 + document(entry("a")).encode())
    assert [p.name for p in store.import_file(bom)] == ["a"]
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 200_000 + "]" * 200_000)
    with pytest.raises(ProfileFileError, match="nested too deeply"):
        store.import_file(deep)
    assert deep.exists() and store.names() == ["a"]  # an import file is never moved


# ---------------------------------------------------------------- 20,000 profiles


@pytest.fixture
def counting_keyring() -> MemoryKeyring:
    backend = MemoryKeyring()
    secrets_module.set_default_secret_store(SecretStore(backend))
    yield backend
    secrets_module.set_default_secret_store(None)


def test_listing_20000_profiles_looks_no_secret_up(
    isolated_user_dirs: Path,
    counting_keyring: MemoryKeyring,
    capsys: pytest.CaptureFixture[str],
):
    from desktop_app.cli import main

    path = profiles_path(isolated_user_dirs)
    path.write_text(document(*(entry(f"p{i:05}") for i in range(20_000))), encoding="utf-8")
    assert main(["profile", "list"]) == 0
    out = capsys.readouterr().out
    assert len(out.splitlines()) == 20_000
    assert main(["profile", "list", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 20_000
    assert counting_keyring.calls["get"] == 0  # no D-Bus round trip per profile, not even one
    # asked for: one lookup per profile (plus the store's one probe), said in the help
    assert main(["profile", "list", "--secrets", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {row["secret"] for row in rows} == {"missing"}
    assert counting_keyring.calls["get"] == 20_000 + 1


def test_listing_20000_profiles_is_bounded_in_a_fresh_process(isolated_user_dirs: Path):
    path = profiles_path(isolated_user_dirs)
    path.write_text(document(*(entry(f"p{i:05}") for i in range(20_000))), encoding="utf-8")
    done = cli("profile", "list", "--json")  # within WALL_CLOCK_S and ADDRESS_SPACE
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)) == 20_000


def test_importing_20000_profiles_looks_few_secrets_up(
    tmp_path: Path,
    counting_keyring: MemoryKeyring,
    capsys: pytest.CaptureFixture[str],
):
    from desktop_app.cli import main

    shared = tmp_path / "shared.json"
    shared.write_text(document(*(entry(f"p{i:05}") for i in range(20_000))), encoding="utf-8")
    assert main(["profile", "import", str(shared)]) == 0
    assert main(["profile", "import", str(shared), "--replace"]) == 0
    assert "Imported 20000 profile(s)" in capsys.readouterr().out
    assert counting_keyring.calls["get"] <= 21  # the probe and at most 20 replaced profiles
