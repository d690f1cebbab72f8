"""Packaging files: the Linux .desktop entry, AppStream metainfo, MIME type, macOS plist, icon and
the PyInstaller spec agree with each other and with pyproject.toml.

The freedesktop linters (desktop-file-validate, appstreamcli, update-mime-database) run when they
are installed; they are packaging-lint extras, so their absence skips those tests with the Debian
package that provides them.
"""

from __future__ import annotations

import ast
import configparser
import plistlib
import re
import shutil
import struct
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from desktop_app import __version__

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
APP_ID = "io.github.quantumdesk.QuantumDesk"
DESKTOP = PACKAGING / "linux" / f"{APP_ID}.desktop"
METAINFO = PACKAGING / "linux" / f"{APP_ID}.metainfo.xml"
MIME_XML = PACKAGING / "linux" / "quantum-desk-qasm.xml"
PLIST = PACKAGING / "macos" / "Info.plist.fragment.plist"
SPEC = PACKAGING / "quantum-desk.spec"
ICONS = ROOT / "resources" / "icons"
QASM_MIME = "text/x-qasm"
MIME_NS = "{http://www.freedesktop.org/standards/shared-mime-info}"

# https://specifications.freedesktop.org/menu-spec/latest/category-registry.html (main categories)
MAIN_CATEGORIES = {
    "AudioVideo", "Audio", "Video", "Development", "Education", "Game", "Graphics", "Network",
    "Office", "Science", "Settings", "System", "Utility",
}  # fmt: skip


def _pyproject() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as file:
        project: dict[str, object] = tomllib.load(file)["project"]
        return project


def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # case-sensitive keys
    parser.read_string(DESKTOP.read_text(encoding="utf-8"), source=str(DESKTOP))
    assert parser.sections() == ["Desktop Entry"]
    return parser["Desktop Entry"]


def _list(value: str) -> list[str]:
    """A desktop-entry list: ';'-separated with a trailing ';'."""
    assert value.endswith(";"), f"list value {value!r} must end with ';'"
    return value[:-1].split(";")


def _run_tool(args: list[str], package: str) -> subprocess.CompletedProcess[str]:
    if shutil.which(args[0]) is None:
        pytest.skip(f"{args[0]} not installed (Debian package {package}): packaging lint only")
    return subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)


# ---- .desktop -------------------------------------------------------------------------------


def test_desktop_entry_keys() -> None:
    entry = _desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Name"] == "Quantum Desk"
    assert entry["Comment"]
    assert entry["Terminal"] == "false"
    assert entry["Icon"] == APP_ID  # installed as hicolor/<size>/apps/<app id>.png|svg


def test_desktop_exec_runs_the_installed_script_with_files() -> None:
    entry = _desktop_entry()
    scripts = _pyproject()["scripts"]
    assert isinstance(scripts, dict)
    program, *codes = entry["Exec"].split()
    assert program in scripts, f"Exec runs {program!r}, pyproject's scripts are {list(scripts)}"
    assert entry["TryExec"] == program
    # the window opens one file (`quantum-desk [FILE]`): %f, not %F, which may pass several
    assert codes == ["%f"], f"Exec must pass the one file to open, got {entry['Exec']!r}"


def test_desktop_mime_type_and_categories() -> None:
    entry = _desktop_entry()
    assert QASM_MIME in _list(entry["MimeType"])
    categories = _list(entry["Categories"])
    assert len(MAIN_CATEGORIES.intersection(categories)) == 1, categories
    assert "quantum" in _list(entry["Keywords"])


# ---- AppStream ------------------------------------------------------------------------------


def _metainfo() -> ET.Element:
    return ET.parse(METAINFO).getroot()


def test_metainfo_matches_desktop_file_and_project() -> None:
    root = _metainfo()
    assert root.tag == "component"
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID == DESKTOP.name.removesuffix(".desktop")
    launchable = root.find("launchable")
    assert launchable is not None
    assert launchable.get("type") == "desktop-id"
    assert launchable.text == DESKTOP.name
    assert root.findtext("name") == _desktop_entry()["Name"]
    assert root.findtext("project_license") == _pyproject()["license"]
    assert root.findtext("metadata_license") == "CC0-1.0"
    assert root.findtext("provides/binary") == _desktop_entry()["TryExec"]
    assert QASM_MIME in [m.text for m in root.findall("provides/mediatype")]


def test_metainfo_releases_and_content_rating() -> None:
    root = _metainfo()
    releases = root.findall("releases/release")
    assert releases, "AppStream needs at least one release"
    newest = releases[0]  # AppStream lists the newest first
    assert newest.get("version") == __version__ == _pyproject()["version"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", newest.get("date") or ""), newest.attrib
    rating = root.find("content_rating")
    assert rating is not None
    assert rating.get("type") == "oars-1.1"
    assert root.find("description/p") is not None
    assert root.findtext("url[@type='homepage']", "").startswith("https://")


# ---- MIME type, macOS document type, icon -----------------------------------------------------


def test_mime_xml_declares_qasm_globs() -> None:
    root = ET.parse(MIME_XML).getroot()
    assert root.tag == f"{MIME_NS}mime-info"
    types = root.findall(f"{MIME_NS}mime-type")
    assert [t.get("type") for t in types] == [QASM_MIME]
    globs = {g.get("pattern") for g in types[0].findall(f"{MIME_NS}glob")}
    assert "*.qasm" in globs
    parent = types[0].find(f"{MIME_NS}sub-class-of")
    assert parent is not None
    assert parent.get("type") == "text/plain"


def test_macos_plist_declares_qasm_document_type() -> None:
    with PLIST.open("rb") as file:
        plist = plistlib.load(file)
    (doc_type,) = plist["CFBundleDocumentTypes"]
    (uti,) = doc_type["LSItemContentTypes"]
    (declared,) = plist["UTImportedTypeDeclarations"]
    assert declared["UTTypeIdentifier"] == uti
    tags = declared["UTTypeTagSpecification"]
    assert "qasm" in tags["public.filename-extension"]
    assert tags["public.mime-type"] == [QASM_MIME]
    assert "public.plain-text" in declared["UTTypeConformsTo"]


def test_icon_svg_and_png() -> None:
    svg = ET.parse(ICONS / "quantum-desk.svg").getroot()
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    assert svg.get("viewBox") == "0 0 256 256"
    header = (ICONS / "quantum-desk.png").read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert header[12:16] == b"IHDR"
    assert struct.unpack(">II", header[16:24]) == (256, 256)


# ---- PyInstaller spec -------------------------------------------------------------------------


def _spec_list(name: str) -> list[str]:
    """A list literal assigned at the top level of the spec (read without running PyInstaller)."""
    tree = ast.parse(SPEC.read_text(encoding="utf-8"), filename=str(SPEC))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            value = ast.literal_eval(node.value)
            assert isinstance(value, list)
            return value
    raise AssertionError(f"{SPEC.name} has no top-level {name} = [...]")


def test_spec_does_not_exclude_qt_modules_the_app_uses() -> None:
    used = set()
    for source in (ROOT / "desktop_app").rglob("*.py"):
        used.update(re.findall(r"PySide6\.(Qt\w+)", source.read_text(encoding="utf-8")))
    assert {"QtCore", "QtGui", "QtWidgets"} <= used
    excluded = set(_spec_list("UNUSED_QT"))
    assert "QtWebEngineCore" in excluded
    assert not used & excluded, f"the spec excludes Qt modules the app imports: {used & excluded}"


def test_spec_entry_point_and_resources_exist() -> None:
    text = SPEC.read_text(encoding="utf-8")
    entry = PACKAGING / "quantum_desk_entry.py"
    assert '"quantum_desk_entry.py"' in text
    entry_text = entry.read_text(encoding="utf-8")
    # spawn-started simulator workers re-run the frozen executable: freeze_support() goes first
    assert entry_text.index("freeze_support()") < entry_text.index("from desktop_app")
    assert '(str(ROOT / "resources"), "resources")' in text
    assert (ROOT / "resources" / "examples").is_dir()
    assert '"qiskit_aer.backends.controller_wrappers"' in text  # aer's C++ core, loaded by name


# ---- freedesktop linters (optional) -----------------------------------------------------------


def test_desktop_file_validate() -> None:
    proc = _run_tool(["desktop-file-validate", str(DESKTOP)], "desktop-file-utils")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "error" not in (proc.stdout + proc.stderr).lower()


def test_appstreamcli_validate() -> None:
    proc = _run_tool(["appstreamcli", "validate", "--no-net", str(METAINFO)], "appstream")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_update_mime_database_accepts_the_mime_xml(tmp_path: Path) -> None:
    packages = tmp_path / "mime" / "packages"
    packages.mkdir(parents=True)
    shutil.copy(MIME_XML, packages)
    proc = _run_tool(["update-mime-database", str(tmp_path / "mime")], "shared-mime-info")
    # it exits 0 even for a broken file, reporting problems as "Error in ..." lines
    assert proc.returncode == 0, proc.stderr
    assert "error" not in proc.stderr.lower(), proc.stderr
    globs = (tmp_path / "mime" / "globs2").read_text(encoding="utf-8").splitlines()
    assert f"50:{QASM_MIME}:*.qasm" in globs
