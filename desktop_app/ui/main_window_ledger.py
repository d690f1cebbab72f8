"""The main window's job ledger: the "Jobs" tab, recording, reconciliation, damage found later.

A part of `MainWindow` (a mixin: the window module stays short). Nothing here is imported before
the first paint: app.main opens the ledger after it, and the ledger modules come with it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from datetime import datetime

    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QLabel, QTabWidget, QWidget

    from desktop_app.core.ledger.models import JobRow
    from desktop_app.core.ledger.store import Ledger
    from desktop_app.ui.backends.summary import AzureSummary
    from desktop_app.ui.jobs.app_ledger import LedgerDamage
    from desktop_app.ui.jobs.reconciler import Reconciler
    from desktop_app.ui.jobs.view import JobsView
    from desktop_app.ui.jobs_bridge import JobsWindow
    from desktop_app.ui.runs import RunExecutor
    from desktop_app.ui.window_layout import WindowLayout


class WindowLedger:
    """attach_ledger / detach_ledger / attach_jobs_view of the main window."""

    # set by MainWindow.__init__
    @property
    def executor(self) -> RunExecutor:
        raise NotImplementedError  # MainWindow's (made when first used)

    tabs: QTabWidget
    status_label: QLabel
    show_jobs_action: QAction
    layout_state: WindowLayout
    jobs_view: JobsView | None
    ledger: Ledger | None
    reconciler: Reconciler | None
    _ledger_damage: LedgerDamage | None
    _ledger_attached_at: datetime

    def build_azure(self) -> AzureSummary:
        raise NotImplementedError  # MainWindow's

    @property
    def ledger_damage(self) -> LedgerDamage:
        """Asks what to do when a run or the jobs view finds the ledger damaged (made with the
        first ledger: its modules are not needed to lay out the window)."""
        if self._ledger_damage is None:
            from desktop_app.ui.jobs.app_ledger import LedgerDamage

            window = self._window()
            self._ledger_damage = LedgerDamage(
                window, lambda: self.ledger, self.detach_ledger, self.attach_ledger
            )
        return self._ledger_damage

    def _on_executor_ledgerDamaged(self, error: object) -> None:
        self.ledger_damage.found(error)

    def _window(self) -> QWidget:
        return cast("QWidget", self)  # a MainWindow: this class is one of its bases

    def attach_jobs_view(
        self, ledger: Ledger, delete_remote: Callable[[JobRow], None] | None = None
    ) -> JobsView:
        """Add the "Jobs" tab (the job history over `ledger`); View > Jobs (Ctrl+J) shows it."""
        from desktop_app.ui.jobs.view import JobsView
        from desktop_app.ui.jobs_bridge import JobsBridge

        window = self._window()
        self.jobs_view = JobsView(ledger, window, delete_remote=delete_remote)
        # open a job's program, run it again
        JobsBridge(cast("JobsWindow", self), self.jobs_view, ledger)
        self.jobs_view.model.ledgerDamaged.connect(self.ledger_damage.found)
        self.tabs.addTab(self.jobs_view, "Jobs")
        self.layout_state.attach_jobs_header(self.jobs_view.table.horizontalHeader())
        self.show_jobs_action.setEnabled(True)
        return self.jobs_view

    def attach_ledger(self, ledger: Ledger) -> None:
        """Record every run in the app's ledger, show it in the "Jobs" tab, and pick up jobs an
        earlier session left unfinished (from start_background_work). Called once, by app.main."""
        from desktop_app.core.ledger.models import utc_now
        from desktop_app.ui.jobs.reconciler import Reconciler

        self.ledger = ledger
        self._ledger_attached_at = utc_now()  # older open jobs are an earlier session's
        self.executor.set_ledger(ledger)
        self.build_azure().set_ledger(ledger)  # monthly budgets are tracked in it
        if self.jobs_view is None:
            self.attach_jobs_view(ledger)
        self.reconciler = Reconciler(ledger, self._window())
        self.reconciler.finished.connect(self._on_reconciler_finished)
        self.reconciler.failed.connect(self._on_reconciler_failed)
        if ledger.recovered_from is not None:
            self.status_label.setText(
                f"The job ledger was damaged: it was kept as {ledger.recovered_from} "
                "and a new, empty one was started."
            )
        if not ledger.structure_checked:  # too large to check on the GUI thread
            self._check_structure(ledger)

    def _check_structure(self, ledger: Ledger) -> None:
        """Check a large ledger's structure off the GUI thread (0.8 s at 1,000,000 jobs, see
        core.ledger.recovery); damage found is offered the way out as damage a run finds."""
        from desktop_app.core.ledger.recovery import structure_damage
        from desktop_app.ui.tasks import Lane, run_task

        run_task(  # reads the whole file: on the lane that holds no short calls up
            lambda: (ledger, structure_damage(ledger)),
            lane=Lane.LONG,
            on_finished=self._on_structure_checked,
            on_failed=self._on_structure_check_failed,
        )

    def _on_structure_checked(self, answer: object) -> None:
        ledger, damage = cast("tuple[Ledger, object]", answer)
        if damage is not None and ledger is self.ledger:
            self.ledger_damage.found(damage)

    def _on_structure_check_failed(self, error: object) -> None:
        self.ledger_damage.found(error)  # SQLite may raise on a damaged page: LedgerCorruptError

    def detach_ledger(self) -> None:
        """Stop everything that reads the ledger (it is about to be replaced: damaged)."""
        if self.reconciler is not None:
            self.reconciler.shutdown()
            self.reconciler.deleteLater()
        if self.jobs_view is not None:
            self.jobs_view.shutdown()
            self.tabs.removeTab(self.tabs.indexOf(self.jobs_view))
            self.jobs_view.deleteLater()
            self.jobs_view = None
        self.executor.set_ledger(None)
        self.build_azure().set_ledger(None)

    def _on_reconciler_finished(self, report: object) -> None:
        from desktop_app.core.jobs.reconcile import ReconcileReport

        if isinstance(report, ReconcileReport) and report.summary():
            self.status_label.setText(report.summary())

    def _on_reconciler_failed(self, message: str) -> None:
        self.status_label.setText(message)
