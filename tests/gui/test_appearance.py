"""Dark mode follows the OS colour scheme (or View > Appearance), the editor's highlighting follows
the palette, and a focus ring shows on every control the Tab key reaches, in both schemes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from desktop_app.ui.appearance import Appearance, is_dark
from desktop_app.ui.dark_style import DarkFusion
from desktop_app.ui.editor.highlighter import DARK_COLORS, LIGHT_COLORS
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.settings import COLOR_SCHEME


@pytest.fixture
def appearance(window: MainWindow) -> Iterator[Appearance]:
    assert window.appearance is not None
    yield window.appearance
    window.appearance.set_choice("system")  # the next test starts light (offscreen: Unknown)


PROGRAM = 'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[2] q;\nh q[0];\n'


def _app() -> QApplication:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    return app


def _keyword_color(window: MainWindow) -> str:
    """The colour the highlighter gave `OPENQASM` on the first line."""
    block = window.editor.document().firstBlock()
    assert block.text().startswith("OPENQASM")
    for fmt_range in block.layout().formats():
        if fmt_range.start == 0:
            return str(fmt_range.format.foreground().color().name())
    raise AssertionError("the first word is not highlighted")


def test_dark_choice_sets_a_dark_palette_and_editor_colors(
    qtbot: QtBot, window: MainWindow, appearance: Appearance
) -> None:
    window.editor.setPlainText(PROGRAM)
    assert not is_dark()
    assert _keyword_color(window) == LIGHT_COLORS["keyword"]
    changes: list[bool] = []
    appearance.changed.connect(changes.append)

    appearance.set_choice("dark")

    assert changes == [True]
    palette = _app().palette()
    assert palette.color(QPalette.ColorRole.Window).lightness() < 80
    assert palette.color(QPalette.ColorRole.WindowText).lightness() > 180
    assert palette.color(QPalette.ColorRole.Base).lightness() < 60
    assert is_dark()
    style = _app().style()
    assert isinstance(style, DarkFusion) and style.baseStyle().name().lower() == "fusion"
    # widgets get the new palette by a posted event: wait for it
    qtbot.waitUntil(lambda: is_dark(window.editor.palette()))
    assert window.editor.highlighter.dark
    assert _keyword_color(window) == DARK_COLORS["keyword"]

    appearance.set_choice("light")

    assert changes == [True, False]
    assert not is_dark() and not isinstance(_app().style(), DarkFusion)
    qtbot.waitUntil(lambda: _keyword_color(window) == LIGHT_COLORS["keyword"])


def test_the_os_scheme_and_its_change_signal_drive_the_palette(
    qtbot: QtBot, window: MainWindow, appearance: Appearance, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The offscreen platform has no scheme of its own (QStyleHints.setColorScheme has no effect
    there): the platform's answer is replaced, and its real change signal is emitted."""
    window.editor.setPlainText(PROGRAM)
    scheme = Qt.ColorScheme.Dark
    monkeypatch.setattr(Appearance, "os_scheme", lambda self: scheme)
    hints = _app().styleHints()

    hints.colorSchemeChanged.emit(scheme)
    assert is_dark()
    qtbot.waitUntil(lambda: _keyword_color(window) == DARK_COLORS["keyword"])

    scheme = Qt.ColorScheme.Light
    hints.colorSchemeChanged.emit(scheme)
    assert not is_dark()
    qtbot.waitUntil(lambda: _keyword_color(window) == LIGHT_COLORS["keyword"])

    appearance.set_choice("dark")  # a choice of the user's wins over the OS
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert is_dark()


def test_view_menu_choice_is_kept(
    window: MainWindow, appearance: Appearance, make_window: type[MainWindow]
) -> None:
    menu = window.findChild(QWidget, "appearanceMenu")
    assert menu is not None
    dark = next(a for a in menu.actions() if a.data() == "dark")  # type: ignore[attr-defined]
    dark.trigger()
    assert is_dark()
    assert COLOR_SCHEME.read(window.settings) == "dark"
    appearance.set_choice("light")
    second = make_window()  # a new start reads the stored choice
    assert isinstance(second.settings, QSettings)
    assert is_dark()


def _tab_chain(window: MainWindow) -> list[QWidget]:
    first = window.editor
    chain = [first]
    widget = first.nextInFocusChain()
    while widget is not first and len(chain) < 200:
        if (
            widget.isVisibleTo(window)
            and widget.isEnabled()
            and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
            and widget.window() is window
        ):
            chain.append(widget)
        widget = widget.nextInFocusChain()
    return chain


def _ring_color_at_edge(widget: QWidget) -> QColor:
    """The colour painted 1 px inside the focus ring's left edge, middle height."""
    ring = widget.parentWidget()
    assert ring is not None
    image = ring.grab().toImage()
    frame = next(c for c in ring.children() if c.objectName() == "focusRing")
    assert isinstance(frame, QWidget)
    geometry = frame.geometry()
    return image.pixelColor(geometry.left() + 1, geometry.center().y())


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_focus_ring_shows_on_every_tab_stop(
    qtbot: QtBot, window: MainWindow, appearance: Appearance, scheme: str
) -> None:
    appearance.set_choice(scheme)
    qtbot.waitUntil(lambda: is_dark(window.palette()) == (scheme == "dark"))
    chain = _tab_chain(window)
    assert {"programEditor", "shotsInput", "runButton", "backendSummary"} <= {
        w.objectName() for w in chain
    }
    highlight = _app().palette().color(QPalette.ColorRole.Highlight)
    for widget in chain:
        widget.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(widget.hasFocus)
        focused = QApplication.focusWidget()  # a spin box's line edit: the spin box
        ring = appearance.focus_ring()
        assert ring is not None and ring.widget() is focused, widget.objectName()
        assert ring.isVisible()
        assert ring.geometry().contains(focused.geometry()), widget.objectName()
    shots = window.shots_input
    shots.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(shots.hasFocus)
    edge = _ring_color_at_edge(shots)
    # drawn in the palette's highlight colour (antialiased: close, not exact)
    assert abs(edge.hue() - highlight.hue()) < 20 and edge.saturation() > 80
