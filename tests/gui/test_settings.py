"""ui.settings: typed options over QSettings, under a schema version."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from desktop_app.ui import settings


def _settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "qd.ini"), QSettings.Format.IniFormat)


def test_an_option_round_trips_and_records_the_schema(tmp_path: Path) -> None:
    store = _settings(tmp_path)
    settings.WINDOW_GEOMETRY.write(store, QByteArray(b"\x01\x02"))
    store.sync()
    again = _settings(tmp_path)
    assert settings.WINDOW_GEOMETRY.read(again) == QByteArray(b"\x01\x02")
    assert int(again.value("schema/version")) == settings.SCHEMA_VERSION


def test_a_value_of_the_wrong_type_reads_as_the_default(tmp_path: Path) -> None:
    store = _settings(tmp_path)
    store.setValue("window/geometry", "not bytes")
    assert settings.WINDOW_GEOMETRY.read(store) == QByteArray()


def test_a_newer_schema_is_left_alone(tmp_path: Path) -> None:
    store = _settings(tmp_path)
    store.setValue("schema/version", settings.SCHEMA_VERSION + 1)
    store.setValue("window/geometry", QByteArray(b"new"))
    settings.WINDOW_GEOMETRY.write(store, QByteArray(b"old"))
    assert store.value("window/geometry") == QByteArray(b"new")
    assert not settings.writable(store)
