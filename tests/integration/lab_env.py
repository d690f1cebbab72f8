"""Fixtures for lab-mode tests: a lab file in a temporary system config folder pointing at the
emulator, a student account in the emulated tenant, and an empty sign-in state."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.core.azure import lab, session, sign_in

STUDENT = "student@lab.example"
CONTACT = "ask lab-support@lab.example (room 3.12)"


def write_lab(folder: Path, env: object, **extra: str) -> Path:
    text = lab.lab_document(
        resource_id=env.resource_id,  # type: ignore[attr-defined]
        tenant_id=env.tenant_id,  # type: ignore[attr-defined]
        authority_host=env.authority,  # type: ignore[attr-defined]
        arm_endpoint=env.arm_endpoint,  # type: ignore[attr-defined]
        contact=CONTACT,
        **extra,
    )
    path = folder / "quantum-desk" / lab.LAB_FILE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    lab.write_lab_file(path, text)
    return path


@pytest.fixture
def lab_env(azure_env: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """The emulator with a student account, and a lab file (browser sign-in) for it."""
    system = tmp_path / "xdg-system"
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(system))
    # webbrowser runs BROWSER as one program and waits for it: like a real browser, the
    # script returns at once and follows the sign-in in the background (it ends by itself).
    browser = tmp_path / "scripted-browser"
    browser.write_text(
        f'#!/bin/sh\n"{sys.executable}" -m tests.integration.scripted_browser "$1" &\n'
    )
    browser.chmod(0o755)
    monkeypatch.setenv("BROWSER", str(browser))
    # msal-extensions keeps its cache's change marker under HOME: never the developer's own
    (tmp_path / "home").mkdir()
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    azure_env.emulator.users.add_user(STUDENT)  # type: ignore[attr-defined]
    session.forget_credentials()
    sign_in.forget_all()
    # This process keeps its cache in memory: libsecret (GLib's D-Bus thread) in the pytest
    # process hung its exit after the test Secret Service was stopped. The real store is used
    # by the child processes of test_lab_sign_in_keyring.py, which probe it themselves.
    sign_in.set_cache_store(sign_in.CacheStore(False, sign_in.NO_STORE_MESSAGE))
    yield azure_env
    sign_in.set_cache_store(None)
    sign_in.forget_all()
    session.forget_credentials()
