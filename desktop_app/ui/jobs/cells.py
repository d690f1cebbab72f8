"""The jobs table's cells, drawn from the model's ready texts, each text laid out once.

Why not Qt's own QStyledItemDelegate: it asks the model for 7 roles of every cell at every paint
(a Python call each) and lays every text out anew. A full paint of the table (33 rows of 9
columns) of texts drawn before took 28.8 ms of the GUI thread with it, 16.5-17 ms with this one
(a bare QTableView over a C++ model of the same texts: 13.5 ms); a paint of all-new texts (a new
filter's first page) costs the same as Qt's, 27.5 ms, a QStaticText's first layout being the
dearer part (issue 16; docs/performance.md). It draws what Qt's drew for these cells: the
selection, the current cell's focus frame, the text elided at its end, numbers at the right, a
failed job's status in the error colour. Tooltips and size hints stay the base class's (from
the model's roles).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetricsF, QPainter, QPalette, QStaticText
from PySide6.QtWidgets import (
    QAbstractItemView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionFocusRect,
    QStyleOptionViewItem,
)

from desktop_app.ui.jobs.columns import ERROR_COLOUR, ERROR_STATUSES, RIGHT_ALIGNED, STATUS_COLUMN
from desktop_app.ui.jobs.model import JobsModel

# the state bits as plain integers: Python's enum.Flag operators cost more than the rest of a cell
_SELECTED = QStyle.StateFlag.State_Selected.value
_FOCUS = QStyle.StateFlag.State_HasFocus.value
_ACTIVE = QStyle.StateFlag.State_Active.value
_ENABLED = QStyle.StateFlag.State_Enabled.value
_RIGHT_TO_LEFT = Qt.LayoutDirection.RightToLeft
_GROUPS = (QPalette.ColorGroup.Disabled, QPalette.ColorGroup.Inactive, QPalette.ColorGroup.Active)
_RESET_ON = (QEvent.Type.FontChange, QEvent.Type.StyleChange)
_KEPT_TEXTS = 4096  # (text, width) pairs: a few screens of cells
Colours = tuple[QBrush, QColor, QColor]  # selection, selected text, text


class JobCellDelegate(QStyledItemDelegate):
    def __init__(self, model: JobsModel, view: QAbstractItemView) -> None:
        super().__init__(view)
        self._model = model
        self._view = view
        self._texts: dict[tuple[str, int], tuple[QStaticText, float]] = {}
        self._colours: dict[tuple[int, int], Colours] = {}  # (palette's cacheKey, group)
        self._error = QColor(ERROR_COLOUR)
        self._reset()
        view.installEventFilter(self)  # a new font or style: texts measured again

    def _reset(self) -> None:
        self._texts.clear()
        self._metrics = QFontMetricsF(self._view.font())
        self._line = self._metrics.height()
        style = self._view.style()
        # QCommonStyle's text margin in an item view cell
        self._margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self._view)
        self._margin += 1

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._view and event.type() in _RESET_ON:
            self._reset()
        return False

    def _colours_of(self, palette: QPalette, group: int) -> Colours:
        key = (palette.cacheKey(), group)
        found = self._colours.get(key)
        if found is None:
            if len(self._colours) > 16:  # palettes of a session: light, dark, a theme change
                self._colours.clear()
            role = QPalette.ColorRole
            at = _GROUPS[group]
            found = self._colours[key] = (
                palette.brush(at, role.Highlight),
                palette.color(at, role.HighlightedText),
                palette.color(at, role.Text),
            )
        return found

    def shown_text(self, text: str, width: int) -> tuple[QStaticText, float]:
        """`text` as it fits in `width` pixels (elided at its end) and its width in pixels."""
        key = (text, width)
        found = self._texts.get(key)
        if found is None:
            shown = text
            if self._metrics.horizontalAdvance(text) > width:
                shown = self._metrics.elidedText(text, self._view.textElideMode(), width)
            if len(self._texts) >= _KEPT_TEXTS:
                self._texts.clear()
            static = QStaticText(shown)
            static.setTextFormat(Qt.TextFormat.PlainText)  # names and tags are never markup
            found = self._texts[key] = (static, self._metrics.horizontalAdvance(shown))
        return found

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        column = index.column()
        entry = self._model.entry(index.row())
        if entry is None:  # its page is loading: blank until it comes
            return
        job, texts = entry
        text = texts[column]
        failed = column == STATUS_COLUMN and job.status in ERROR_STATUSES
        rect = option.rect
        state = option.state.value
        group = (2 if state & _ACTIVE else 1) if state & _ENABLED else 0  # in _GROUPS
        selection, selected_text, plain_text = self._colours_of(option.palette, group)
        selected = bool(state & _SELECTED)
        if selected:
            painter.fillRect(rect, selection)
            painter.setPen(selected_text)
        elif failed:
            painter.setPen(self._error)
        else:
            painter.setPen(plain_text)
        if text:
            static, width = self.shown_text(text, rect.width() - 2 * self._margin)
            at_right = column in RIGHT_ALIGNED
            if option.direction == _RIGHT_TO_LEFT:
                at_right = not at_right
            x = rect.right() - self._margin - width + 1 if at_right else rect.left() + self._margin
            y = rect.top() + (rect.height() - self._line) // 2  # as Qt rounds: the same pixels
            painter.drawStaticText(QPointF(x, y), static)
        if state & _FOCUS:
            self._paint_focus(painter, option, selected)

    def _paint_focus(self, painter: QPainter, option: QStyleOptionViewItem, selected: bool) -> None:
        """The current cell's frame, as QCommonStyle draws it for an item view's cell."""
        frame = QStyleOptionFocusRect()
        frame.initFrom(self._view)
        frame.rect = option.rect
        frame.state = (
            option.state | QStyle.StateFlag.State_KeyboardFocusChange | QStyle.StateFlag.State_Item
        )
        enabled = bool(option.state.value & _ENABLED)
        group = QPalette.ColorGroup.Normal if enabled else QPalette.ColorGroup.Disabled
        role = QPalette.ColorRole.Highlight if selected else QPalette.ColorRole.Window
        frame.backgroundColor = option.palette.color(group, role)
        self._view.style().drawPrimitive(
            QStyle.PrimitiveElement.PE_FrameFocusRect, frame, painter, self._view
        )
