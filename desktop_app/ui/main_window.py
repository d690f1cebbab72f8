"""The main window: program pane, backend summary, Run/Cancel, results, status bar."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QProgressBar,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.cancel import job_id_in
from desktop_app.core.catalog import LOCAL_SIMULATOR
from desktop_app.core.errors import QuantumDeskError
from desktop_app.core.program_limits import LimitError, read_program_bytes
from desktop_app.ui.actions import make_action
from desktop_app.ui.appearance import Appearance, appearance_menu
from desktop_app.ui.backends.pane import BackendPane
from desktop_app.ui.editor.document import ProgramDocument
from desktop_app.ui.editor.editor import ProgramEditor, dropped_program_paths
from desktop_app.ui.examples import examples_dir
from desktop_app.ui.file_menu import FileMenu
from desktop_app.ui.help import HelpMenu
from desktop_app.ui.main_window_ledger import WindowLedger
from desktop_app.ui.plain_text import plain
from desktop_app.ui.results.view import ResultsView, preload_result_parts
from desktop_app.ui.window_layout import WindowLayout, set_tab_order

if TYPE_CHECKING:
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent

    from desktop_app.core.ledger.store import Ledger
    from desktop_app.core.request import RunRequest
    from desktop_app.ui.backends.success_estimates import SuccessEstimates
    from desktop_app.ui.backends.summary import AzureSummary
    from desktop_app.ui.backends.translation_view import TranslationLauncher
    from desktop_app.ui.credentials.dialog import CredentialsDialog
    from desktop_app.ui.editor.circuit_view import CircuitView
    from desktop_app.ui.jobs.reconciler import Reconciler
    from desktop_app.ui.jobs.view import JobsView
    from desktop_app.ui.runs import RunExecutor

    BeforeRun = Callable[[list[RunRequest], QWidget, Callable[[list[RunRequest]], None]], None]

log = logging.getLogger(__name__)

_ERROR_STYLE = "background:#fdecea; color:#611a15; border:1px solid #f5c2c0; padding:6px;"
_WARNING_STYLE = "background:#fff4e5; color:#663c00; border:1px solid #ffd699; padding:6px;"


class MainWindow(WindowLedger, QMainWindow):
    """`settings`: QSettings() by default; `azure_later`: build_azure() is called later;
    `hidden_later`: what the first paint does not show (the Circuit tab's view, the View menu's
    translation window) is built by build_hidden(), called later."""

    def __init__(
        self,
        settings: QSettings | None = None,
        parent: QWidget | None = None,
        *,
        azure_later: bool = False,
        hidden_later: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.settings = settings if settings is not None else QSettings()
        app = QApplication.instance()  # light or dark as the OS says (or View > Appearance)
        self.appearance = Appearance.install(app) if isinstance(app, QApplication) else None
        # Before a run: fill profiles, warn, confirm costs, then call proceed(requests) (or not).
        self.before_run: BeforeRun | None = None
        self.credentials_dialog: CredentialsDialog | None = None
        self._azure_built = False
        self._hidden_built = False
        self._program_error_shown = False
        self.jobs_view: JobsView | None = None  # the "Jobs" tab, once attach_jobs_view is called
        self.ledger: Ledger | None = None  # the app's job ledger, once attach_ledger is called
        self.reconciler: Reconciler | None = None
        self._executor: RunExecutor | None = None  # made when first used: see `executor`
        self._ledger_damage = None  # made with the first ledger (main_window_ledger)
        self._build_widgets()
        self.document = ProgramDocument(self.editor, self.settings, parent=self)
        self.document.template_dir = examples_dir()
        self.document.changed.connect(self._update_title)
        self._build_menus()
        if not hidden_later:
            self.build_hidden()
        if not azure_later:
            self.build_azure()
        self._connect()
        self._set_tab_order()
        self.backend_model.set_checked(LOCAL_SIMULATOR, True)
        self._set_running(False)
        self._update_title()
        self.setAcceptDrops(True)
        self.layout_state = WindowLayout(
            self,
            self.settings,
            self.main_splitter,
            self.top_splitter,
            self.backend_view.horizontalHeader(),
        )
        self.fit_to_screen()
        self.layout_state.restore()

    @property
    def executor(self) -> RunExecutor:
        """What runs the requests: made when first used (the start's after_first_paint prewarms
        it, or a Run), so its modules (runs, results, jobs dispatch) are not imported before the
        first paint."""
        if self._executor is None:
            from desktop_app.ui.runs import RunExecutor

            executor = self._executor = RunExecutor(self)
            executor.ledgerDamaged.connect(self._on_executor_ledgerDamaged)
            executor.jobStarted.connect(self._on_executor_jobStarted)
            executor.jobProgress.connect(self._on_executor_jobProgress)
            executor.jobFinished.connect(self._on_executor_jobFinished)
            executor.jobFailed.connect(self._on_executor_jobFailed)
            executor.programError.connect(self._on_executor_programError)
            executor.runFinished.connect(self._on_executor_runFinished)
            executor.set_ledger(self.ledger)
        return self._executor

    @property
    def _path(self) -> str | None:
        return self.document.path

    # ---- construction
    def _build_widgets(self) -> None:
        self.editor = ProgramEditor(self)
        self.error_banner = plain(QLabel(self))  # file names and error text
        self.error_banner.setObjectName("errorBanner")
        self.error_banner.setWordWrap(True)
        self.error_banner.setStyleSheet(_ERROR_STYLE)
        self.error_banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_banner.hide()
        # what a run's reading of the program left out or could not check, in full (a result
        # card's status line is cut to its width)
        self.warning_banner = plain(QLabel(self))
        self.warning_banner.setObjectName("warningBanner")
        self.warning_banner.setWordWrap(True)
        self.warning_banner.setStyleSheet(_WARNING_STYLE)
        self.warning_banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.warning_banner.hide()
        program_pane = QWidget(self)
        program_layout = QVBoxLayout(program_pane)
        program_layout.setContentsMargins(0, 0, 0, 0)
        program_layout.addWidget(QLabel("<b>Program</b> (OpenQASM 2 or 3)", program_pane))
        program_layout.addWidget(self.error_banner)
        program_layout.addWidget(self.warning_banner)
        program_layout.addWidget(self.editor, 1)

        self.backend_pane = backend_pane = BackendPane(self, self.settings)
        self.backend_model = backend_pane.model
        self.backend_view = backend_pane.view
        self.profile_selector = backend_pane.profile_selector
        self.shots_input = backend_pane.shots_input
        self.run_button = backend_pane.run_button
        self.cancel_button = backend_pane.cancel_button
        self.budget_label = backend_pane.budget_label

        self.results_view = ResultsView(self, self.settings)
        # Results now; the job ledger adds a "Jobs" tab here.
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("resultTabs")
        self.tabs.addTab(self.results_view, "Results")
        # the circuit is wide: it gets the window's width, next to the results; its view comes
        # with build_hidden (the tab is not shown at the start)
        self._circuit_tab = QWidget(self)
        self.tabs.addTab(self._circuit_tab, "Circuit")

        self.top_splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.top_splitter.setObjectName("topSplitter")
        self.top_splitter.addWidget(program_pane)
        self.top_splitter.addWidget(backend_pane)
        self.top_splitter.setStretchFactor(0, 2)
        self.top_splitter.setStretchFactor(1, 3)
        self.main_splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.main_splitter.setObjectName("mainSplitter")
        self.main_splitter.addWidget(self.top_splitter)
        self.main_splitter.addWidget(self.tabs)
        self.main_splitter.setStretchFactor(0, 2)
        self.main_splitter.setStretchFactor(1, 3)
        self.main_splitter.setSizes([330, 470])
        for splitter in (self.top_splitter, self.main_splitter):
            splitter.setChildrenCollapsible(True)  # a small screen collapses a pane, not clips
        self.setCentralWidget(self.main_splitter)

        self.status_label = plain(QLabel(self))
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setRange(0, 0)  # busy indicator: a simulation has no progress fraction
        self.progress_bar.setMaximumWidth(160)
        self.statusBar().addWidget(self.status_label, 1)
        self.statusBar().addPermanentWidget(self.progress_bar)

    def build_hidden(self) -> None:
        """The parts the first paint does not show: the Circuit tab's view (~15 ms of imports
        and widgets) and the View menu's "Translation" window."""
        if self._hidden_built:
            return
        self._hidden_built = True
        from desktop_app.ui.backends.translation_view import TranslationLauncher
        from desktop_app.ui.editor.circuit_view import CircuitView

        self.circuit_view: CircuitView = CircuitView(self)
        self.circuit_view.follow_targets(self.backend_model)  # "As <ticked target> runs it"
        index = self.tabs.indexOf(self._circuit_tab)
        current = self.tabs.currentIndex()
        self.tabs.removeTab(index)
        self.tabs.insertTab(index, self.circuit_view, "Circuit")
        self.tabs.setCurrentIndex(current)
        self._circuit_tab.deleteLater()
        self.translation: TranslationLauncher = TranslationLauncher(
            self,
            lambda: (self.editor.toPlainText(), self._path, self.shots_input.value()),
            self.backend_model,
        )
        self.view_menu.insertAction(self.show_results_action, self.translation.action)

    def build_azure(self) -> AzureSummary:
        """Profiles, live status, prices, run checks: ~100 ms of imports, after the first paint."""
        if self._azure_built:
            return self.azure
        self._azure_built = True
        from desktop_app.ui.backends.success_estimates import SuccessEstimates
        from desktop_app.ui.backends.summary import AzureSummary
        from desktop_app.ui.run_checks import RunChecks

        self.azure: AzureSummary = AzureSummary(
            self.backend_model, self.profile_selector, self, settings=self.settings
        )
        self.before_run = self.azure.prepare_run
        self.azure.budgetChanged.connect(self.budget_label.setText)
        self.checks = RunChecks(self.azure.profile_for, self.profile_selector.profiles, self)
        self.checks.note.connect(self.status_label.setText)
        self.checks.secretMissing.connect(self._on_checks_secretMissing)
        self.profile_selector.credentialsRequested.connect(self.open_credentials)
        self.success: SuccessEstimates = SuccessEstimates(self.backend_model, self)
        self.build_hidden()  # the Circuit tab follows the program from now on
        self.editor.textChanged.connect(self._on_program_changed)
        self.shots_input.valueChanged.connect(self._on_program_changed)
        self.azure.reload_profiles()
        if self.editor.toPlainText():  # built after the program was loaded
            self._on_program_changed()
        return self.azure

    def _build_menus(self) -> None:
        new_action = functools.partial(make_action, self)
        self.files = FileMenu(self, self, examples_dir())
        self.open_action = self.files.open_action
        self.export_csv_action = self.files.export_csv_action
        self.export_json_action = self.files.export_json_action
        self.export_png_action = self.files.export_png_action
        azure_menu = self.menuBar().addMenu("&Azure")
        self.credentials_action = new_action("&Credentials…", lambda: self.open_credentials())
        self.credentials_action.setShortcut(QKeySequence("Ctrl+Shift+P"))
        self.credentials_action.setToolTip("Azure Quantum profiles (Ctrl+Shift+P)")
        self.refresh_status_action = new_action(
            "&Refresh backend status", lambda: self.build_azure().refresher.refresh()
        )
        self.refresh_status_action.setShortcut(QKeySequence(Qt.Key.Key_F5))
        azure_menu.addAction(self.credentials_action)
        azure_menu.addAction(self.refresh_status_action)
        view_menu = self.view_menu = self.menuBar().addMenu("&View")
        self.show_results_action = new_action(
            "&Results", lambda: self.tabs.setCurrentWidget(self.results_view)
        )
        self.show_results_action.setShortcut(QKeySequence("Ctrl+Shift+R"))
        # enabled by attach_jobs_view (the app starts without a job history if the ledger fails)
        self.show_jobs_action = new_action("&Jobs", self._on_showJobsAction_triggered)
        self.show_jobs_action.setShortcut(QKeySequence("Ctrl+J"))
        self.show_jobs_action.setToolTip("Every job run from this computer (Ctrl+J)")
        self.show_jobs_action.setEnabled(False)
        for action in (self.show_results_action, self.show_jobs_action):
            view_menu.addAction(action)
            self.addAction(action)  # the shortcut works wherever the focus is in the window
        if self.appearance is not None:
            appearance_menu(view_menu, self.appearance, self.settings)
        self.examples_menu = self.menuBar().addMenu("&Examples")
        for path in sorted(examples_dir().glob("*.qasm")):
            action = self.examples_menu.addAction(path.stem)
            action.setData(str(path))
        self.examples_menu.triggered.connect(self._on_examplesMenu_triggered)
        self.help = HelpMenu(self, self.settings)

    @Slot()
    def _on_showJobsAction_triggered(self) -> None:
        if self.jobs_view is not None:
            self.tabs.setCurrentWidget(self.jobs_view)
            self.jobs_view.text_filter.setFocus()

    def _connect(self) -> None:
        self.run_button.clicked.connect(self._on_runButton_clicked)
        self.cancel_button.clicked.connect(self._on_cancelButton_clicked)
        self.editor.fileDropped.connect(self._on_editor_fileDropped)

    # ---- programs
    def load_program_text(self, source: str, path: str | None) -> None:
        """Replace the editor's text (no question asked: callers ask `confirm_discard` first)."""
        self.document.load(source, path)
        self.clear_error()
        self._update_title()

    def confirm_discard(self) -> bool:
        """Before the text is replaced: True when it has no unsaved edits, or the user saved or
        discarded them."""
        return self.document.confirm_discard(self)

    def save_program(self) -> bool:
        return self.files.save()

    def restore_autosave(self) -> bool:
        """Bring back the text an earlier session left unsaved (at start-up); True if any."""
        snapshot = self.document.restore_autosave()
        if snapshot is None:
            return False
        self.clear_error()
        self._update_title()
        when = snapshot.saved_at.replace("T", " ").replace("+00:00", " UTC")
        self.status_label.setText(
            f"Restored the unsaved edits of {self.document.display_name()} from {when}: "
            "save them (Ctrl+S) to keep them."
        )
        return True

    def open_file(self, path: str) -> bool:
        """Load a program file into the editor (after asking about unsaved edits); a problem is
        shown in the error banner."""
        if not self.confirm_discard():
            return False
        try:  # a regular file of at most 5 MB: a FIFO or /dev/zero must not hang the window
            source = read_program_bytes(path).decode("utf-8-sig")
        except UnicodeDecodeError:
            self.show_error(f"{path}: not a text file (it is not UTF-8)")
            return False
        except LimitError as exc:  # not a regular file, too large, or unreadable: plain words
            self.show_error(f"{path}: {exc.message}")
            return False
        self.load_program_text(source, path)
        self.status_label.setText(f"Opened {path}")
        return True

    def load_example(self, name: str) -> bool:
        return self.open_file(str(examples_dir() / name))

    @Slot()
    def _update_title(self) -> None:
        # [*] shows as "*" while the text has unsaved edits (Qt's windowModified convention)
        self.setWindowTitle(f"{self.document.display_name()}[*] — Quantum Desk")
        self.setWindowModified(self.document.modified)

    # ---- errors
    def show_error(self, text: str, line: int | None = None, column: int | None = None) -> None:
        self.error_banner.setText(text)
        self.error_banner.show()
        if line is not None:
            self.editor.mark_error(line, column)
            self.editor.setFocus()

    def show_warnings(self, warnings: Sequence[str]) -> None:
        """A run's warnings about the program, each once, until the next run or file."""
        shown = self.warning_banner.text().split("\n") if self.warning_banner.text() else []
        shown += [w for w in warnings if w not in shown]
        self.warning_banner.setText("\n".join(shown))
        self.warning_banner.setVisible(bool(shown))

    def clear_error(self) -> None:
        self.error_banner.hide()
        self.error_banner.clear()
        self.warning_banner.hide()
        self.warning_banner.clear()
        self.editor.clear_error()

    # ---- running
    def start_background_work(self) -> None:
        """After the first paint: start a simulator process so the first Run is quick."""
        self.executor.prewarm()
        preload_result_parts()  # on a pool thread, not with the first result
        self.build_azure().check_keyring()
        if self.reconciler is not None:  # pick up jobs an earlier session left unfinished
            self.reconciler.start(started_before=self._ledger_attached_at)

    # ---- Azure credentials and prices
    @Slot()
    def open_credentials(self, select: str | None = None) -> None:
        """The credentials dialog (window-modal, not blocking: Test connection runs meanwhile)."""
        if self.credentials_dialog is not None and self.credentials_dialog.isVisible():
            self.credentials_dialog.raise_()
            self.credentials_dialog.activateWindow()
            return
        if self.credentials_dialog is not None:
            self.credentials_dialog.deleteLater()
        from desktop_app.ui.credentials.dialog import CredentialsDialog  # not before first paint

        dialog = CredentialsDialog(parent=self, select=select or self.profile_selector.current())
        dialog.profilesChanged.connect(self._on_credentialsDialog_profilesChanged)
        self.credentials_dialog = dialog
        dialog.open()

    @Slot()
    def _on_credentialsDialog_profilesChanged(self) -> None:
        dialog = self.credentials_dialog
        self.build_azure().reload_profiles(select=dialog.editing if dialog is not None else None)
        if self.profile_selector.current() is not None:
            self.azure.refresher.refresh()  # a secret typed now: the status line follows at once

    @Slot()
    def _on_program_changed(self) -> None:
        self.azure.set_program(self.editor.toPlainText(), self._path, self.shots_input.value())
        self.circuit_view.set_program(self.editor.toPlainText(), self._path)
        self.success.set_program(self.editor.toPlainText(), self._path)

    def run(self) -> None:
        if self.executor.running:
            return
        from desktop_app.core.request import RunRequest

        backends = self.backend_model.checked_backends()
        if not backends:
            self.show_error("Pick at least one backend in the backend summary, then press Run.")
            return
        source, shots = self.editor.toPlainText(), self.shots_input.value()
        try:
            requests = [
                RunRequest(source, self._path, name, shots, self.backend_pane.options_for(name))
                for name in backends
            ]
        except QuantumDeskError as exc:
            self.show_error(str(exc))
            return
        self.clear_error()
        self.build_azure()
        self.checks.check(requests, self, self._after_checks)  # memory, secrets

    def _after_checks(self, requests: list[RunRequest]) -> None:
        if self.before_run is not None:  # prices and confirmations
            self.before_run(requests, self, self.start_requests)
        else:
            self.start_requests(requests)

    @Slot(str)
    def _on_checks_secretMissing(self, profile: str) -> None:
        self.status_label.setText(
            f"The run was not started: the profile {profile} has no client secret on this "
            "computer. Type it in Credentials…, save, then press Run again."
        )
        self.open_credentials(select=profile)
        dialog = self.credentials_dialog
        if dialog is not None:
            dialog.form.secret_input.setFocus()

    def start_requests(self, requests: list[RunRequest]) -> None:
        """Run checked, confirmed requests (the `before_run` hook calls this to go ahead)."""
        if self.executor.running or not requests:
            return
        backends = [r.backend for r in requests]
        self._program_error_shown = False
        self.results_view.start_run(backends)  # a backend's pane of the last run is reused
        self.results_view.title = self.document.display_name()
        for name in backends:
            self.results_view.start_live(name)  # "Starting · 0:00", then Queued, Running...
        self._set_running(True)
        self.status_label.setText(f"Running on {', '.join(backends)}…")
        self.executor.start(requests)

    def _set_running(self, running: bool) -> None:
        self.run_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.progress_bar.setVisible(running)

    @Slot()
    def _on_runButton_clicked(self) -> None:
        self.run()

    @Slot()
    def _on_cancelButton_clicked(self) -> None:
        if self.executor.running:
            self.executor.cancel()
            self.status_label.setText("Cancelling…")

    @Slot(str)
    def _on_executor_jobStarted(self, backend: str) -> None:
        self.results_view.panel(backend).set_progress("Starting")

    @Slot(str, str)
    def _on_executor_jobProgress(self, backend: str, message: str) -> None:
        panel = self.results_view.panel(backend)
        panel.set_progress(message)
        if panel.live is not None and job_id_in(message) is None:
            from desktop_app.ui.jobs_bridge import queue_note  # not before the first paint

            note = queue_note(self.backend_model, backend, panel.live.state)
            self.status_label.setText(f"{backend}: {panel.live.state}{note}")

    @Slot(object)
    def _on_executor_jobFinished(self, result: object) -> None:
        from desktop_app.core.results import RunResult

        if isinstance(result, RunResult):
            self.results_view.set_result(result)
            panel = self.results_view.panel(result.backend)
            if result.warnings:  # what the reading left out or could not check: said in full
                panel.set_status(f"{panel.status.text()} · warning: {result.warnings[0]}")
                panel.status.setToolTip("\n".join(result.warnings))
                self.show_warnings(result.warnings)

    @Slot(str, str)
    def _on_executor_jobFailed(self, backend: str, message: str) -> None:
        panel = self.results_view.panel(backend)
        panel.stop_live()
        panel.set_status(f"Failed: {message}")
        if not self._program_error_shown:
            self.show_error(f"{backend}: {message}")

    @Slot(object)
    def _on_executor_programError(self, error: object) -> None:
        self._program_error_shown = True
        self.show_error(str(error), getattr(error, "line", None), getattr(error, "column", None))

    @Slot()
    def _on_executor_runFinished(self) -> None:
        self._set_running(False)
        self.results_view.stop_live()
        self.status_label.setText(self.executor.outcome_summary())

    # ---- files: open, drop, examples, export
    @Slot(str)
    def _on_editor_fileDropped(self, path: str) -> None:
        self.open_file(path)  # asks first when there are unsaved edits

    @Slot(QAction)
    def _on_examplesMenu_triggered(self, action: QAction) -> None:
        self.open_file(str(action.data()))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and dropped_program_paths(
            [u.toLocalFile() for u in event.mimeData().urls()]
        ):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = dropped_program_paths([u.toLocalFile() for u in event.mimeData().urls()])
        if paths:
            event.acceptProposedAction()
            self.open_file(paths[0])

    # ---- window state
    def fit_to_screen(self, available: QRect | None = None) -> None:
        """Size and centre the window for the free area of its screen (or `available`)."""
        self.layout_state.fit_to_screen(available)

    def _set_tab_order(self) -> None:
        """Tab visits the controls in reading order: program, profile strip, backends, Shots,
        Method, Run, Cancel, then the results."""
        bar = self.profile_selector
        set_tab_order(
            [
                self.editor,
                *(bar.combo, bar.refresh_button, bar.credentials_button),
                *(self.backend_view, self.shots_input, self.backend_pane.method_input),
                *(self.run_button, self.cancel_button, self.tabs, self.results_view),
            ]
        )

    def save_state(self) -> None:
        self.layout_state.save()

    def closeEvent(self, event: QCloseEvent) -> None:
        from desktop_app.ui.run_checks import confirm_leaving_jobs

        leaving = self._executor.open_remote_jobs() if self._executor is not None else []
        if not self.confirm_discard() or not confirm_leaving_jobs(self, leaving):
            event.ignore()
            return
        self.document.discard_autosave()  # saved or deliberately discarded
        self.save_state()
        if self._azure_built:
            self.azure.shutdown()
            self.success.shutdown()
        if self._executor is not None:
            self.executor.shutdown()
        if self.reconciler is not None:
            self.reconciler.shutdown()  # stops following; the jobs stay open for next time
        if self.jobs_view is not None:
            self.jobs_view.shutdown()  # before the ledger is closed
        super().closeEvent(event)
