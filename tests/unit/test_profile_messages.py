"""Every message about a profiles file is plain words naming the file and the field (issue 14):
no Python type name ("not int"), no exception class name ("NotADirectoryError"), no "Errno",
no json module wording ("Expecting value")."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from desktop_app.core.azure.profiles import ProfileError, ProfileFileError, ProfileStore

RID = (
    "/subscriptions/0f6c1d2e-3a4b-4c5d-8e9f-a0b1c2d3e4f5/resourceGroups/rg/providers/"
    "Microsoft.Quantum/Workspaces/ws"
)
PYTHON_WORDS = re.compile(
    r"\b(int|str|float|bool|dict|list\[|NoneType|tuple)\b|Error\b|Errno|Expecting|Traceback|"
    r"\w+Error|\w+Exception|object at 0x"
)


def assert_plain(text: str) -> None:
    found = PYTHON_WORDS.search(text)
    assert found is None, f"{found.group(0)!r} in {text!r}"


def document(**fields: object) -> str:
    profile = {"name": "lab", "resource_id": RID, "location": "eastus", **fields}
    return json.dumps({"schema_version": 1, "profiles": [profile]})


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (3, "a number"),
        (2.5, "a number"),
        (True, "true or false"),
        ([1], "a list"),
        ({"a": 1}, "a group of fields"),
    ],
    ids=["int", "float", "bool", "list", "object"],
)
def test_a_field_of_the_wrong_kind_is_said_in_json_words(
    tmp_path: Path, value: object, kind: str
) -> None:
    path = tmp_path / "profiles.json"
    path.write_text(document(location=value))
    with pytest.raises(ProfileFileError) as caught:
        ProfileStore(path).profiles()
    text = str(caught.value)
    assert str(path) in text and "field 'profiles[0].location'" in text
    assert f"must be text in double quotes, not {kind}" in text
    assert_plain(text)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("{", "line 1, column 2: a field name must be text in double quotes"),
        ('{"schema_version": }', "a value is missing"),
        ('{"schema_version": 1 "profiles": []}', "a comma is missing"),
        ('{"schema_version" 1}', "a colon is missing"),
        ('{"schema_version": 1, "profiles": ["abc', "not closed with a double quote"),
        ('{"a": "\\q"}', "backslash"),
        ('{"schema_version": 1, "profiles": []} []', "something follows the end"),
        ('{"a": "x\ny"}', "control character"),
    ],
)
def test_json_syntax_errors_are_located_in_plain_words(
    tmp_path: Path, content: str, words: str
) -> None:
    path = tmp_path / "profiles.json"
    path.write_text(content)
    with pytest.raises(ProfileFileError) as caught:
        ProfileStore(path).profiles()
    text = str(caught.value)
    assert str(path) in text and "not valid JSON at line" in text and words in text
    assert_plain(text)


def test_a_folder_in_place_of_the_file_is_said_plainly(tmp_path: Path) -> None:
    path = tmp_path / "profiles.json"
    path.mkdir()
    with pytest.raises(ProfileFileError) as caught:
        ProfileStore(path).profiles()
    text = str(caught.value)
    assert str(path) in text and "a folder, not a file" in text
    assert_plain(text)
    assert path.is_dir()  # unreadable: nothing moved


def test_a_file_in_place_of_the_folder_is_said_plainly(tmp_path: Path) -> None:
    (tmp_path / "config").write_text("a file where the folder should be")
    path = tmp_path / "config" / "profiles.json"  # reading it fails with ENOTDIR
    with pytest.raises(ProfileFileError) as caught:
        ProfileStore(path).profiles()
    text = str(caught.value)
    assert str(path) in text and "a file stands in place of a folder" in text
    assert_plain(text)


def test_importing_a_folder_or_a_bad_file_is_said_plainly(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "profiles.json")
    folder = tmp_path / "export.json"
    folder.mkdir()
    with pytest.raises(ProfileFileError) as caught:
        store.import_file(folder)
    assert "a folder, not a file" in str(caught.value)
    assert_plain(str(caught.value))
    bad = tmp_path / "bad.json"
    bad.write_text(document(tenant_id=7))
    with pytest.raises((ProfileFileError, ProfileError)) as caught_bad:
        store.import_file(bad)
    assert "not a number" in str(caught_bad.value)
    assert_plain(str(caught_bad.value))
