"""The app's TOML tables come back parsed from the cache folder while unchanged (issue 16), and
every other case reads the TOML file as before."""

from __future__ import annotations

import os
import sys
import tomllib
from pathlib import Path

import pytest

from desktop_app.core import toml_cache
from desktop_app.core.emulation_table import EmulationDataError, emulations
from desktop_app.core.paths import cache_dir
from desktop_app.core.target_table import CatalogDataError, target_table

TABLE = 'format = "x"\n[[row]]\nname = "a"\nqubits = 3\nshown = true\n'


def _no_tomllib(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tomllib", None)  # `import tomllib` now raises ImportError


def test_a_table_read_once_comes_back_without_tomllib(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "table.toml"
    path.write_text(TABLE, encoding="utf-8")
    first = toml_cache.load(path)
    assert first == tomllib.loads(TABLE)

    _no_tomllib(monkeypatch)
    assert toml_cache.load(path) == first


def test_a_changed_table_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "table.toml"
    path.write_text(TABLE, encoding="utf-8")
    toml_cache.load(path)
    path.write_text(TABLE.replace("qubits = 3", "qubits = 30"), encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))  # a coarse clock
    assert toml_cache.load(path)["row"][0]["qubits"] == 30


def test_a_damaged_copy_is_not_used(tmp_path: Path) -> None:
    path = tmp_path / "table.toml"
    path.write_text(TABLE, encoding="utf-8")
    toml_cache.load(path)
    (copy,) = (cache_dir() / "tables").iterdir()
    for damage in (b"", b"\x00garbage", copy.read_bytes()[:-3]):
        copy.write_bytes(damage)
        assert toml_cache.load(path) == tomllib.loads(TABLE)


def test_an_unwritable_cache_folder_still_gives_the_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("QUANTUM_DESK_CACHE_DIR", str(blocker / "cache"))
    path = tmp_path / "table.toml"
    path.write_text(TABLE, encoding="utf-8")
    assert toml_cache.load(path) == tomllib.loads(TABLE)
    assert toml_cache.load(path) == tomllib.loads(TABLE)


def test_a_table_with_a_toml_date_is_read_each_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "table.toml"
    path.write_text("checked = 2026-12-01\n", encoding="utf-8")  # no marshal form: not kept
    assert str(toml_cache.load(path)["checked"]) == "2026-12-01"
    _no_tomllib(monkeypatch)
    with pytest.raises(ImportError):
        toml_cache.load(path)


def test_text_that_is_not_toml_raises_as_tomllib_does(tmp_path: Path) -> None:
    path = tmp_path / "table.toml"
    path.write_text("format = ", encoding="utf-8")
    with pytest.raises(tomllib.TOMLDecodeError):
        toml_cache.load(path)
    with pytest.raises(tomllib.TOMLDecodeError):  # nothing was kept
        toml_cache.load(path)


def test_the_built_in_tables_from_their_copies_equal_the_files(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target_table.cache_clear()
    emulations.cache_clear()
    fresh = (target_table(), emulations())
    target_table.cache_clear()
    emulations.cache_clear()
    _no_tomllib(monkeypatch)
    try:
        assert (target_table(), emulations()) == fresh
        assert fresh[0].target("ionq.simulator") is not None
    finally:
        target_table.cache_clear()
        emulations.cache_clear()


@pytest.mark.parametrize(
    ("variable", "reader", "error"),
    [
        ("QUANTUM_DESK_CATALOG_FILE", target_table, CatalogDataError),
        ("QUANTUM_DESK_EMULATIONS_FILE", emulations, EmulationDataError),
    ],
)
def test_a_broken_table_file_is_said_with_its_path(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    reader: object,
    error: type[Exception],
) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text('format = "quantum-desk.catalog.v1"\nchecked = ]\nx = 1\n', encoding="utf-8")
    monkeypatch.setenv(variable, str(broken))
    reader.cache_clear()  # type: ignore[attr-defined]
    try:
        with pytest.raises(error, match=r"broken\.toml: not valid TOML \(.*line 2, column 11\)"):
            reader()  # type: ignore[operator]
    finally:
        reader.cache_clear()  # type: ignore[attr-defined]
