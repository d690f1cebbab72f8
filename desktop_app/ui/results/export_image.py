"""The results area as an image (PNG or SVG) with a caption: title, backends, shots and date, so
an exported chart still says what it shows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QPoint, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QImage, QPaintDevice, QPainter, QPalette
from PySide6.QtWidgets import QWidget

from desktop_app.core.atomic_files import atomic_target
from desktop_app.core.results import RunResult

CAPTION_LINES = 2
PADDING = 8


def caption(title: str, results: Sequence[RunResult], when: datetime | None = None) -> list[str]:
    """Two lines: "<title> — <date>" and "backend (N shots) · ...", plus the bit order."""
    stamp = (when or datetime.now().astimezone()).strftime("%Y-%m-%d %H:%M %Z").strip()
    runs = " · ".join(f"{r.backend} ({r.shots:,} shots)" for r in results)
    return [f"{title} — {stamp}", f"{runs}   (classical bit 0 is the rightmost character)"]


Body = Callable[[QPainter, QRectF], None]  # draws the chart into the rectangle below the caption


def _widget_body(widget: QWidget) -> Body:
    def draw(painter: QPainter, target: QRectF) -> None:
        QWidget.render(widget, painter, target.topLeft().toPoint())

    return draw


def _draw(
    device: QPaintDevice, font_of: QWidget, lines: list[str], size: QSize, body: Body
) -> None:
    painter = QPainter()
    if not painter.begin(device):
        raise OSError("could not start drawing the image")
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    palette = font_of.palette()  # the chart's own colours (light or dark), caption included
    painter.fillRect(QRect(QPoint(0, 0), size), palette.color(QPalette.ColorRole.Base))
    metrics = font_of.fontMetrics()
    line_height = metrics.height() + 2
    painter.setPen(palette.color(QPalette.ColorRole.Text))
    for number, line in enumerate(lines):
        font = font_of.font()
        font.setBold(number == 0)
        painter.setFont(font)
        painter.drawText(
            QRectF(
                PADDING, PADDING + number * line_height, size.width() - 2 * PADDING, line_height
            ),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            line,
        )
    top = _caption_height(font_of, lines)
    body(painter, QRectF(0, top, size.width(), size.height() - top))
    painter.end()


def _caption_height(widget: QWidget, lines: list[str]) -> int:
    return 2 * PADDING + len(lines) * (widget.fontMetrics().height() + 2)


def image_size(widget: QWidget, lines: list[str], body: QSize | None = None) -> QSize:
    body = body or widget.size()
    return QSize(body.width(), body.height() + _caption_height(widget, lines))


def save_png(
    widget: QWidget,
    lines: list[str],
    path: str | Path,
    body: Body | None = None,
    body_size: QSize | None = None,
) -> None:
    """`widget` (or `body`, drawn at `body_size`, in `widget`'s font and colours) under `lines`."""
    size = image_size(widget, lines, body_size)
    image = QImage(size, QImage.Format.Format_ARGB32)
    _draw(image, widget, lines, size, body or _widget_body(widget))
    with atomic_target(path) as tmp:
        if not image.save(str(tmp), "PNG"):  # type: ignore[call-overload]
            raise OSError(f"could not write a PNG image to {path}")


def save_svg(
    widget: QWidget,
    lines: list[str],
    path: str | Path,
    body: Body | None = None,
    body_size: QSize | None = None,
) -> None:
    from PySide6.QtSvg import QSvgGenerator

    size = image_size(widget, lines, body_size)
    with atomic_target(path) as tmp:
        generator = QSvgGenerator()
        generator.setFileName(str(tmp))
        generator.setSize(size)
        generator.setViewBox(QRectF(0, 0, size.width(), size.height()))
        generator.setTitle(lines[0])
        generator.setDescription("\n".join(lines[1:]))
        _draw(generator, widget, lines, size, body or _widget_body(widget))
