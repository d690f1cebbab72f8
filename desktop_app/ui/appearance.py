"""Light or dark, as the operating system says (Qt 6's `QStyleHints.colorScheme`), and a focus ring
that shows on every focusable control in both.

`Appearance.install(app)` (once per application) follows the OS colour scheme and its change
signal, unless the user picked Light or Dark (View > Appearance, stored in QSettings) or the
environment variable QUANTUM_DESK_COLOR_SCHEME=light|dark says so (screenshots, tests: the
offscreen platform has no scheme). Dark applies the Fusion style (`DarkFusion`) with a dark
palette whose standard roles are all set, so that anything reading
`palette().color(QPalette.Window)` (the editor's highlighting, the charts) finds the right
colours; Light restores the platform's own palette when it is light, else Fusion's standard one.
`is_dark()` is the one question the views ask.

It imports nothing of the project but `ui.settings`: the editor, results and jobs packages may
all use it.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, QSettings, Qt, Signal, Slot
from PySide6.QtGui import QAction, QActionGroup, QColor, QGuiApplication, QPainter, QPalette, QPen
from PySide6.QtWidgets import QApplication, QFocusFrame, QMenu, QStyleFactory, QWidget

from desktop_app.ui.settings import COLOR_SCHEME

if TYPE_CHECKING:
    from desktop_app.ui.dark_style import DarkFusion

log = logging.getLogger(__name__)

ENV_SCHEME = "QUANTUM_DESK_COLOR_SCHEME"
_SCHEMES = {
    "system": Qt.ColorScheme.Unknown,
    "light": Qt.ColorScheme.Light,
    "dark": Qt.ColorScheme.Dark,
}


def is_dark(palette: QPalette | None = None) -> bool:
    """True when `palette` (default: the application's) has a dark window background."""
    if palette is None:
        palette = QGuiApplication.palette()
    window = palette.color(QPalette.ColorRole.Window)
    text = palette.color(QPalette.ColorRole.WindowText)
    return window.lightness() < text.lightness()


def dark_palette() -> QPalette:
    """A dark palette with every standard role set (active, inactive and disabled)."""
    roles = QPalette.ColorRole
    colors = {
        roles.Window: "#2d2d2d",
        roles.WindowText: "#e8e8e8",
        roles.Base: "#1e1e1e",
        roles.AlternateBase: "#262626",
        roles.ToolTipBase: "#3a3a3a",
        roles.ToolTipText: "#f0f0f0",
        roles.PlaceholderText: "#8c8c8c",
        roles.Text: "#e8e8e8",
        roles.Button: "#353535",
        roles.ButtonText: "#e8e8e8",
        roles.BrightText: "#ff6b6b",
        roles.Light: "#4a4a4a",
        roles.Midlight: "#3e3e3e",
        roles.Mid: "#2a2a2a",
        roles.Dark: "#1a1a1a",
        roles.Shadow: "#0a0a0a",
        roles.Highlight: "#3d8ee6",
        roles.HighlightedText: "#ffffff",
        roles.Link: "#6cb4ff",
        roles.LinkVisited: "#b59cff",
        roles.Accent: "#3d8ee6",
    }
    palette = QPalette()
    for role, value in colors.items():
        palette.setColor(role, QColor(value))
    disabled = QPalette.ColorGroup.Disabled
    for role in (roles.WindowText, roles.Text, roles.ButtonText, roles.HighlightedText):
        palette.setColor(disabled, role, QColor("#7a7a7a"))
    palette.setColor(disabled, roles.Highlight, QColor("#505050"))
    palette.setColor(disabled, roles.Base, QColor("#262626"))
    palette.setColor(disabled, roles.Button, QColor("#2d2d2d"))
    return palette


class FocusRing(QFocusFrame):
    """A 2-pixel ring in the highlight colour around the focused control. QFocusFrame keeps it
    on the control (it lives in the control's parent, follows moves and resizes, and is clipped
    with it in a scroll area); only the drawing is ours, so it shows in every style."""

    def __init__(self) -> None:
        super().__init__(None)
        self.setObjectName("focusRing")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)

    def paintEvent(self, _event: object) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Highlight), 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(self.rect().adjusted(1, 1, -1, -1), 3, 3)
        painter.end()


class Appearance(QObject):
    """The application's colour scheme. `changed(bool)` (dark) after the palette changed."""

    changed = Signal(bool)

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.setObjectName("appearance")
        self._app = app
        self._platform_palette = QPalette(app.palette())
        # The platform's style, read when the dark one replaces it: asking for the style here
        # would build the Python side of QStyle (~20 ms) before the first paint.
        self._platform_style = ""
        self._ring: FocusRing | None = None
        self._dark_style: DarkFusion | None = None
        env = os.environ.get(ENV_SCHEME, "").strip().lower()
        self._forced_by_env = env in _SCHEMES and env != "system"
        self._choice = env if self._forced_by_env else "system"
        app.styleHints().colorSchemeChanged.connect(self._on_styleHints_colorSchemeChanged)
        app.focusChanged.connect(self._on_app_focusChanged)
        self._dark: bool | None = None
        self.apply()

    @classmethod
    def install(cls, app: QApplication) -> Appearance:
        """The application's one Appearance (made on the first call)."""
        found = app.findChild(Appearance, "appearance")
        return found if found is not None else cls(app)

    # ---- the scheme
    def choice(self) -> str:
        """The choice: system, light or dark."""
        return self._choice

    def set_choice(self, choice: str) -> None:
        """Follow the OS ("system") or force "light" / "dark" (the environment variable, when
        set, wins: a screenshot run stays in its scheme)."""
        if choice not in _SCHEMES:
            raise ValueError(f"unknown colour scheme {choice!r}")
        if not self._forced_by_env:
            self._choice = choice
        self.apply()

    def scheme(self) -> Qt.ColorScheme:
        """The scheme in force: the user's choice, else the OS's (Unknown reads as light)."""
        forced = _SCHEMES[self._choice]
        return forced if forced != Qt.ColorScheme.Unknown else self.os_scheme()

    def os_scheme(self) -> Qt.ColorScheme:
        """What the platform says (Unknown where it has no colour scheme, e.g. offscreen)."""
        return self._app.styleHints().colorScheme()

    def dark(self) -> bool:
        return self.scheme() == Qt.ColorScheme.Dark

    def apply(self) -> None:
        dark = self.dark()
        if dark == self._dark:
            return
        self._dark = dark
        if dark:
            from desktop_app.ui.dark_style import DarkFusion

            if not isinstance(self._app.style(), DarkFusion):
                self._platform_style = self._platform_style or self._app.style().name()
                self._dark_style = DarkFusion()  # the application owns it from here
                self._app.setStyle(self._dark_style)
            self._app.setPalette(dark_palette())
        else:
            dark_style = self._dark_style  # None: the dark style was never applied
            if dark_style is not None and isinstance(self._app.style(), type(dark_style)):
                platform_style = QStyleFactory.create(self._platform_style) or QStyleFactory.create(
                    "Fusion"
                )
                self._app.setStyle(platform_style)
            if is_dark(self._platform_palette):  # the OS said dark at start: Fusion's light one
                self._app.setPalette(self._app.style().standardPalette())
            else:
                self._app.setPalette(self._platform_palette)
        # a style change hides the focus frame (QFocusFrame does on StyleChange): show it again
        self._on_app_focusChanged(None, self._app.focusWidget())
        log.debug("colour scheme: %s", "dark" if dark else "light")
        self.changed.emit(dark)

    @Slot(Qt.ColorScheme)
    def _on_styleHints_colorSchemeChanged(self, _scheme: Qt.ColorScheme) -> None:
        if self._choice == "system":
            self.apply()

    # ---- focus
    def focus_ring(self) -> FocusRing | None:
        ring = self._ring
        return ring if ring is not None and shiboken6.isValid(ring) else None

    @Slot(QWidget, QWidget)
    def _on_app_focusChanged(self, _old: QWidget | None, new: QWidget | None) -> None:
        ring = self.focus_ring()
        if new is None or new.isWindow() or new.focusPolicy() == Qt.FocusPolicy.NoFocus:
            if ring is not None:
                ring.setWidget(None)  # type: ignore[arg-type]
            return
        if ring is None:  # none yet, or it went with the parent of the last focused control
            ring = self._ring = FocusRing()
        ring.setWidget(new)
        ring.show()
        ring.raise_()


def appearance_menu(menu: QMenu, appearance: Appearance, settings: QSettings) -> QMenu:
    """View > Appearance: Follow the system / Light / Dark (radio items), the choice kept in
    `settings` and applied now."""
    stored = COLOR_SCHEME.read(settings)
    appearance.set_choice(stored if stored in _SCHEMES else "system")
    sub = menu.addMenu("&Appearance")
    sub.setObjectName("appearanceMenu")
    group = QActionGroup(sub)
    for key, text in (("system", "Follow the &system"), ("light", "&Light"), ("dark", "&Dark")):
        action = QAction(text=text, parent=sub)  # by keyword: see ui.actions
        action.setCheckable(True)
        action.setChecked(appearance.choice() == key)
        action.setData(key)
        group.addAction(action)
        sub.addAction(action)

    def chosen(action: QAction) -> None:
        key = str(action.data())
        COLOR_SCHEME.write(settings, key)
        appearance.set_choice(key)

    group.triggered.connect(chosen)
    return sub
