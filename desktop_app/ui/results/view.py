"""The results area: one panel per backend (histogram over a counts table), side by side, or
every backend on one axis (ui/results/overlay.py) with the distances between them.

A strip above the panels holds the options every panel shares (counts or percentages, sort
order, how many outcomes before "rest"), so the panels use one unit on one value range.
While a backend runs its panel says where it is (Queued, Running, Finishing), for how long, and
the job id once there is one (selectable; "Copy job id").
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QGuiApplication, QPixmap
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.cancel import job_id_in
from desktop_app.ui import settings
from desktop_app.ui.plain_text import plain, tooltip
from desktop_app.ui.results import chart_data
from desktop_app.ui.results.chart_controls import OVERLAY, ChartControls
from desktop_app.ui.results.chart_data import ChartOptions
from desktop_app.ui.results.elided_label import MiddleElidedLabel

if TYPE_CHECKING:
    from collections.abc import Sequence

    from desktop_app.core.results import RunResult
    from desktop_app.ui.results.counts_table import CountsTable
    from desktop_app.ui.results.histogram import Histogram
    from desktop_app.ui.results.live import LiveState
    from desktop_app.ui.results.overlay import OverlayChart
    from desktop_app.ui.results.ranking import Ranking


def _import_result_parts() -> None:
    from desktop_app.core import compare, results  # noqa: F401
    from desktop_app.ui.results import (  # noqa: F401
        counts_model,
        counts_table,
        histogram,
        live,
        overlay,
    )


def preload_result_parts() -> None:
    """After the first paint: import what a run's result panes use (the charts, the counts
    table, the result types) on a pool thread, so the first result does not on the GUI thread
    (`bench_azure_gui_stall.py --window --why` caught one in a 40 ms stall)."""
    from desktop_app.ui.tasks import Lane, run_task

    run_task(_import_result_parts, lane=Lane.LONG)


class ResultPanel(QGroupBox):
    """One backend: status line, then (once done) histogram and counts table.

    `ranked` is emitted when a wide result, ranked on a pool thread, has been drawn."""

    ranked = Signal()

    def __init__(self, backend: str, parent: QWidget | None = None) -> None:
        from desktop_app.ui.results.counts_model import CountsModel  # with a run, not at start

        super().__init__(backend, parent)
        self.setObjectName(f"result:{backend}")
        self.backend = backend
        self.result: RunResult | None = None
        self.histogram: Histogram | None = None
        self.live: LiveState | None = None
        self.counts_model = CountsModel(self)
        self._layout = QVBoxLayout(self)
        self.status = plain(QLabel("Waiting", self))  # backend names and error text
        # No word wrap (a height-for-width label makes the scroll area scroll vertically); a long
        # message must not widen the panel: it is cut, the tooltip holds all of it.
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.job_id_label = MiddleElidedLabel(self)  # both ends of the id, when cut
        self.job_id_label.setObjectName("jobIdLabel")
        self.job_id_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.copy_id_button = QPushButton("Copy job id", self)
        self.copy_id_button.setObjectName("copyJobIdButton")
        self.copy_id_button.clicked.connect(self._on_copyIdButton_clicked)
        id_row = QHBoxLayout()
        id_row.setContentsMargins(0, 0, 0, 0)
        id_row.addWidget(self.job_id_label, 1)
        id_row.addWidget(self.copy_id_button)
        self.job_id_label.hide()
        self.copy_id_button.hide()
        self._layout.addWidget(self.status)
        self._layout.addLayout(id_row)
        self._layout.addStretch(1)  # keeps a lone status line at the top; replaced by the chart
        self._stretched = True  # the stretch is the layout's last item
        self._table: CountsTable | None = None  # made with the first result (~0.6 ms a pane)
        self._ranking: Ranking | None = None  # of `result`, once ranked
        self._ranking_for: RunResult | None = None  # a wide result on its way to a pool thread
        self._bars: tuple[Ranking, ChartOptions, list[chart_data.Bar]] | None = None
        self.setMinimumWidth(260)  # four backends side by side fit a 1100 px window

    @property
    def table(self) -> CountsTable:
        if self._table is None:
            from desktop_app.ui.results.counts_table import CountsTable

            self._table = CountsTable(self.counts_model, self)
            self._table.hide()
        return self._table

    def prepared(self) -> bool:
        return self.histogram is not None

    def prepare(self) -> None:
        """Make the chart and the table, hidden and polished, ahead of the first result: ~3 ms a
        pane, which the view spends in the event loop's turns while the run goes (one pane a
        turn) rather than in the turn a result lands (issue 16)."""
        if self.histogram is not None:
            return
        from desktop_app.ui.results.histogram import Histogram

        self.histogram = Histogram(self)
        self.histogram.hide()
        at = self._layout.count() - (1 if self._stretched else 0)  # before the stretch
        self._layout.insertWidget(at, self.histogram, 3)
        self._layout.insertWidget(at + 1, self.table, 2)
        self.histogram.ensurePolished()
        self.table.ensurePolished()

    def set_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.setToolTip(tooltip(text))

    # ---- while it runs
    def start_live(self) -> None:
        from desktop_app.ui.results.live import LiveState  # core.results: after the first paint

        self.live = LiveState()
        self.set_status(self.live.text())

    def set_progress(self, message: str) -> None:
        """An executor's progress message: the job id, or a state in plain words."""
        job_id = job_id_in(message)
        if job_id is not None:
            self.set_job_id(job_id)
            return
        if self.live is None:
            from desktop_app.ui.results.live import LiveState

            self.live = LiveState()
        self.live.update(message)
        self.set_status(self.live.text())

    def tick(self) -> None:
        if self.live is not None and self.result is None:
            self.set_status(self.live.text())

    def stop_live(self) -> None:
        self.live = None

    def reset(self) -> None:
        """Back to a new panel's look for the next run on its backend, its widgets kept: making a
        run's panes and deleting the last run's was most of a Run's GUI-thread time (issue 16)."""
        self.result = None
        self.live = None
        self._ranking = None
        self.set_status("Waiting")
        self.job_id_label.setProperty("jobId", None)
        self.job_id_label.hide()
        self.copy_id_button.hide()
        if self.histogram is not None:
            self.histogram.hide()  # shown again, redrawn, with the next result
        if self._table is not None:
            self._table.hide()
        self.counts_model.show(None)
        if not self._stretched:
            self._layout.addStretch(1)
            self._stretched = True

    def set_job_id(self, job_id: str) -> None:
        self.job_id_label.setText(f"Job id: {job_id}")
        self.job_id_label.setToolTip(job_id)
        self.job_id_label.setProperty("jobId", job_id)
        self.job_id_label.show()
        self.copy_id_button.show()

    def job_id(self) -> str | None:
        value = self.job_id_label.property("jobId")
        return str(value) if value else None

    @Slot()
    def _on_copyIdButton_clicked(self) -> None:
        job_id = self.job_id()
        if job_id:
            QGuiApplication.clipboard().setText(job_id)

    # ---- the outcome
    def set_result(
        self,
        result: RunResult,
        options: ChartOptions | None = None,
        y_max: float | None = None,
        *,
        ranking: Ranking | None = None,
    ) -> None:
        """Show `result`; `options` and `y_max` are the view's shared ones (alone: defaults). A
        wide result is drawn once it is ranked on a pool thread (then `ranked` is emitted),
        unless its `ranking` is given."""
        self.result = result
        if ranking is not None and ranking.result is result:
            self._ranking = ranking
        self.live = None
        self.set_status(_summary(result))
        if not (result.counts or result.probabilities):
            return
        ranking = self.ranking()
        if ranking is None:
            outcomes = max(len(result.counts), len(result.probabilities))
            self.set_status(f"{_summary(result)} · putting {outcomes:,} outcomes in order…")
            return
        if self._stretched:
            self._layout.takeAt(self._layout.count() - 1)
            self._stretched = False
        self.prepare()
        assert self.histogram is not None
        self.histogram.show()
        options = options or ChartOptions()
        if y_max is None:
            y_max = max((b.value for b in self.bars(options)), default=1.0)
        self.counts_model.show(ranking, options.sort)
        self.redraw(options, y_max)
        self.table.show()

    def ranking(self) -> Ranking | None:
        """The pane's result in order; None without a result, or while a wide one is ranked on
        a pool thread (~0.6 s for 644,000 outcomes of a million shots; 1-2 s for an exact one)."""
        from desktop_app.ui.results.ranking import is_wide, rank

        result = self.result
        if result is None:
            return None
        if self._ranking is None or self._ranking.result is not result:
            self._ranking = None
            if is_wide(result):
                self._rank_later(result)
                return None
            self._ranking = rank(result)
        return self._ranking

    def _rank_later(self, result: RunResult) -> None:
        if self._ranking_for is result:
            return  # already on its way
        from desktop_app.ui.results.ranking import rank
        from desktop_app.ui.tasks import Lane, run_task

        self._ranking_for = result
        run_task(
            functools.partial(rank, result),
            lane=Lane.LONG,
            on_finished=self._on_ranking_finished,
            on_failed=self._on_ranking_failed,
        )

    @Slot(object)
    def _on_ranking_finished(self, ranking: object) -> None:
        from desktop_app.ui.results.ranking import Ranking

        assert isinstance(ranking, Ranking)
        if ranking.result is self._ranking_for:
            self._ranking_for = None
        if ranking.result is not self.result:
            return  # another result came meanwhile
        self._ranking = ranking
        self.set_result(ranking.result)
        self.ranked.emit()

    @Slot(object)
    def _on_ranking_failed(self, exc: object) -> None:  # a bug: logged by ui.tasks
        self._ranking_for = None
        if self.result is not None:
            self.set_status(f"{_summary(self.result)} · the chart could not be drawn (see the log)")

    def bars(self, options: ChartOptions) -> list[chart_data.Bar]:
        """The bars of the pane's result under `options` (none while it is being ranked), made
        once for each: a result landing asks every pane for its bars (the shared value axis)."""
        ranking = self.ranking()
        if ranking is None:
            return []
        made = self._bars
        if made is None or made[0] is not ranking or made[1] != options:
            made = self._bars = (ranking, options, chart_data.bars_from(ranking, options))
        return made[2]

    def redraw(self, options: ChartOptions, y_max: float) -> None:
        if self.result is None or self.histogram is None or self.ranking() is None:
            return
        self.counts_model.set_sort(options.sort)  # the table in the chart's order
        exact = self.result.exact or not self.result.counts
        self.histogram.show_bars(
            self.bars(options),
            chart_data.value_title(options, exact),
            y_max,
            exact=exact,
            options=options,
        )


def _summary(result: RunResult) -> str:
    text = f"{result.status.value}, {result.shots:,} shots"
    total = result.timings.get("total")
    if total is not None:
        text += f", {total:.2f} s"
    if result.method:  # local.simulator: the qiskit-aer method that ran it, wherever it is shown
        text += f" · {result.method} method"
    if result.error_message:
        text += f": {result.error_message}"
    return text


class ResultsView(QScrollArea):
    """objectName `resultsView`; panels keyed by backend name, in the order they were added."""

    def __init__(self, parent: QWidget | None = None, store: QSettings | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultsView")
        self.setWidgetResizable(True)
        self.store = store
        self._container = QWidget(self)
        outer = QVBoxLayout(self._container)
        self.controls = ChartControls(self._container)
        outer.addWidget(self.controls)
        self._panels_widget = QWidget(self._container)
        self._row = QHBoxLayout(self._panels_widget)
        self._row.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self._panels_widget, 1)
        self._outer = outer
        self.overlay: OverlayChart | None = None  # made on first use
        self._placeholder = QLabel("Results appear here: pick a backend and press Run.", self)
        self._placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._row.addWidget(self._placeholder)
        self._panels: dict[str, ResultPanel] = {}
        self.title = "Results"  # the program's name, for exported images
        self.setWidget(self._container)
        if store is not None:
            self.controls.set_options(
                ChartOptions(
                    settings.RESULTS_MODE.read(store),
                    settings.RESULTS_SORT.read(store),
                    settings.RESULTS_TOP.read(store),
                )
            )
            self.controls.set_layout(settings.RESULTS_LAYOUT.read(store))
        self.controls.mode.currentIndexChanged.connect(self._on_controls_changed)
        self.controls.sort.currentIndexChanged.connect(self._on_controls_changed)
        self.controls.top.valueChanged.connect(self._on_controls_changed)
        self.controls.layout_choice.currentIndexChanged.connect(self._on_controls_changed)
        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self._on_clock_timeout)
        self._preparer = QTimer(self)  # a new pane's chart and table, made in a later turn
        self._preparer.setSingleShot(True)
        self._preparer.setInterval(0)
        self._preparer.timeout.connect(self._on_preparer_timeout)

    def options(self) -> ChartOptions:
        return self.controls.options()

    def start_run(self, backends: Sequence[str]) -> None:
        """The panels of a run on `backends`, in that order: a panel of the run before on one of
        them is kept and reset (four local backends run again: the Run's GUI-thread CPU to the
        event loop's sixth turn 24-31 -> 15-18 ms); the others are deleted."""
        wanted = list(dict.fromkeys(backends))  # each once, in the run's order
        kept = {b: self._panels.pop(b) for b in wanted if b in self._panels}
        for gone in self._panels.values():
            self._row.removeWidget(gone)
            gone.hide()  # not painted again while it waits to be deleted
            gone.deleteLater()
        self._panels = {}
        for backend in wanted:
            panel = kept.get(backend)
            if panel is not None:
                panel.reset()
                self._panels[backend] = panel
            else:
                self.panel(backend)
        self._place_panels()
        self._placeholder.setVisible(not self._panels)
        self._show_overlay(self.options())

    def _place_panels(self) -> None:
        """The row's panels in the run's order (a kept one may sit elsewhere)."""
        panels = list(self._panels.values())
        items = (self._row.itemAt(i) for i in range(self._row.count()))
        placed = [item.widget() for item in items if item is not None]
        if [w for w in placed if isinstance(w, ResultPanel)] == panels:
            return
        for panel in panels:
            self._row.removeWidget(panel)
        for panel in panels:
            self._row.addWidget(panel, 1)

    def panel(self, backend: str) -> ResultPanel:
        """The panel of `backend`, created when missing."""
        if backend not in self._panels:
            self._placeholder.hide()
            panel = ResultPanel(backend, self._panels_widget)
            panel.ranked.connect(self._redraw_all)  # a wide result: the shared axis moves
            self._row.addWidget(panel, 1)
            self._panels[backend] = panel
            self._preparer.start()
        return self._panels[backend]

    @Slot()
    def _on_preparer_timeout(self) -> None:
        waiting = [p for p in self._panels.values() if not p.prepared()]
        if waiting:
            waiting[0].prepare()
        if len(waiting) > 1:
            self._preparer.start()

    def panels(self) -> list[ResultPanel]:
        return list(self._panels.values())

    def results(self) -> list[RunResult]:
        return [p.result for p in self._panels.values() if p.result is not None]

    # ---- live state
    def start_live(self, backend: str) -> None:
        self.panel(backend).start_live()
        self._clock.start()

    def stop_live(self) -> None:
        self._clock.stop()
        for panel in self._panels.values():
            panel.stop_live()

    @Slot()
    def _on_clock_timeout(self) -> None:
        for panel in self._panels.values():
            panel.tick()

    # ---- results and the shared options
    def set_result(self, result: RunResult) -> None:
        panel = self.panel(result.backend)
        panel.result = result  # counted in the shared range before it is drawn
        options = self.options()
        top = self._y_max(options)
        panel.set_result(result, options, top)
        for other in self._panels.values():  # the others' bars are as they were
            if other is not panel and other.histogram is not None and other.result is not None:
                other.histogram.set_top(top)
        self._show_overlay(options)

    def _y_max(self, options: ChartOptions) -> float:
        values = [b.value for p in self._panels.values() for b in p.bars(options)]
        return max(values, default=1.0)

    def overlaid(self) -> bool:
        return bool(self.controls.layout_choice.currentData() == OVERLAY)

    @Slot()
    def _redraw_all(self) -> None:
        options = self.options()
        top = self._y_max(options)
        for panel in self._panels.values():
            panel.redraw(options, top)
        self._show_overlay(options)

    def _show_overlay(self, options: ChartOptions) -> None:
        """In overlay view (with a result), one grouped chart replaces the panels."""
        rankings = [
            ranking
            for panel in self._panels.values()
            if panel.result is not None and (ranking := panel.ranking()) is not None
        ]
        overlay = self.overlaid() and bool(rankings)
        if overlay and self.overlay is None:
            from desktop_app.ui.results.overlay import OverlayChart

            self.overlay = OverlayChart(self._container)
            self._outer.addWidget(self.overlay, 1)
        self._panels_widget.setVisible(not overlay)
        if self.overlay is not None:
            self.overlay.setVisible(overlay)
            if overlay:
                self.overlay.show_results(rankings, options)

    @Slot()
    def _on_controls_changed(self) -> None:
        options = self.options()
        if self.store is not None:
            settings.RESULTS_MODE.write(self.store, options.mode)
            settings.RESULTS_SORT.write(self.store, options.sort)
            settings.RESULTS_TOP.write(self.store, options.top)
            settings.RESULTS_LAYOUT.write(
                self.store, str(self.controls.layout_choice.currentData())
            )
        self._redraw_all()

    # ---- images
    def caption(self, title: str = "") -> list[str]:
        from desktop_app.ui.results import export_image  # with the first export

        return export_image.caption(title or self.title, self.results())

    def save_png(self, path: str) -> None:
        """All panels as one PNG, under a caption (title, backends, shots, date)."""
        if not self.results():
            raise OSError("there are no results to draw")
        from desktop_app.ui.results import export_image

        export_image.save_png(self._shown_charts(), self.caption(), path)

    def save_svg(self, path: str) -> None:
        if not self.results():
            raise OSError("there are no results to draw")
        from desktop_app.ui.results import export_image

        export_image.save_svg(self._shown_charts(), self.caption(), path)

    def _shown_charts(self) -> QWidget:
        """The overlay chart in overlay view, else the panels."""
        if self.overlay is not None and self.overlay.isVisibleTo(self):
            return self.overlay
        return self._panels_widget

    def charts_pixmap(self) -> QPixmap | None:
        """All panels (or the overlay chart) as one image; None when there is nothing to show."""
        if not self.results():
            return None
        return self._shown_charts().grab()
