"""Render resources/icons/quantum-desk.svg to PNGs (256x256 by default) with Qt's SVG renderer.

Run: .venv/bin/python packaging/render_icon.py [SIZE ...]
Works headless (offscreen platform). Writes quantum-desk.png (the 256 px one) and, for other
sizes, quantum-desk-<size>.png next to the SVG; each is written to a temporary file first.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"
SVG = ICONS / "quantum-desk.svg"


def render(size: int, target: Path) -> None:
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"{SVG}: not a valid SVG for Qt's renderer")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    tmp = target.with_suffix(".tmp.png")
    if not image.save(str(tmp)):  # format from the .png suffix
        raise SystemExit(f"{tmp}: cannot write the PNG")
    os.replace(tmp, target)


def main(argv: list[str]) -> int:
    app = QGuiApplication(sys.argv[:1])  # noqa: F841 (QImage/QPainter need one)
    sizes = [int(a) for a in argv] or [256]
    for size in sizes:
        name = "quantum-desk.png" if size == 256 else f"quantum-desk-{size}.png"
        render(size, ICONS / name)
        print(f"wrote {ICONS / name} ({size}x{size})")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
