"""The Azure half of the backend summary: profiles, live status, prices, and run confirmations.

Binds a `ProfileSelector`, a `StatusRefresher` and price estimates (core.pricing: a pool thread
waits while a worker process parses and prices, `core.jobs.program_work`) to the window's
`BackendModel`; IonQ hardware rows get an error-mitigation switch. Before a run it works out
the run's costs off the GUI thread (core.jobs.spending: estimates, the profiles' monthly
budgets, a first paid run's free twin), warns about Degraded/Unavailable
targets, refuses a run past a budget, and asks once before anything that may cost money
(ui.messages.ask_to_spend: Cancel is the default).

Which credentials a row runs with: the selected profile decides the "own" one (a service
principal) and the "lab" one (Azure sign-in); when both exist each Azure row has the switch
"Run with my own credentials" (the credentials column's check box).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QObject, QSettings, QTimer, Signal, Slot
from PySide6.QtWidgets import QWidget

from desktop_app.core.azure.lab import (
    LabFileError,
    LabProfile,
    ProfileEntry,
    load_lab,
    profile_entries,
)
from desktop_app.core.azure.pricing import ERROR_MITIGATION, CostEstimate
from desktop_app.core.azure.profiles import AZURE_SIGN_IN, Profile, ProfileFileError, ProfileStore
from desktop_app.core.azure.secrets import SecretStore, default_secret_store
from desktop_app.core.azure.status import (
    AVAILABLE,
    StatusSnapshot,
    format_queue_time,
)
from desktop_app.core.catalog import builtin_backends
from desktop_app.core.errors import QuantumDeskError
from desktop_app.core.jobs.program_work import (
    ESTIMATE_TIMEOUT_SECONDS,
    estimate_requests,
    estimate_targets,
)
from desktop_app.core.jobs.spending import RunCosts, run_costs
from desktop_app.core.local.calls import call_in_worker
from desktop_app.core.request import RunRequest
from desktop_app.ui import messages
from desktop_app.ui import settings as options
from desktop_app.ui.backends import catalog_rows
from desktop_app.ui.backends.model import PLACEHOLDER, BackendModel
from desktop_app.ui.backends.profile_selector import ProfileSelector
from desktop_app.ui.backends.sign_in_bar import SignInBar
from desktop_app.ui.backends.spend_question import Remembered, free_requests, question_for
from desktop_app.ui.backends.status_refresher import DEFAULT_INTERVAL_MS, StatusRefresher, describe
from desktop_app.ui.tasks import BackgroundCalls

if TYPE_CHECKING:
    from desktop_app.core.ledger.store import Ledger

log = logging.getLogger(__name__)

PRICE_DELAY_MS: Final = 700  # wait for typing to pause before re-estimating prices
NO_PROFILE_REASON: Final = "Add an Azure profile (Credentials…, Ctrl+Shift+P) to run on {name}."
NOT_IN_WORKSPACE: Final = catalog_rows.NOT_OFFERED
ESTIMATING: Final = "estimating…"

# What the prices are estimated for: (source, path, shots, options, per-row switches)
_Key = tuple[str, str | None, int, tuple[tuple[str, str], ...], tuple[tuple[str, bool], ...]]


def _estimate_all(
    source: str, path: str | None, shots: int, options: Mapping[str, Mapping[str, object]]
) -> dict[str, CostEstimate | str]:
    """target -> CostEstimate, or a plain message when it cannot be estimated (pool thread).
    `options`: target -> its provider options. The parse runs in a worker process."""
    return call_in_worker(
        estimate_targets,
        (source, path, shots, options),
        what="estimating the price",
        timeout=ESTIMATE_TIMEOUT_SECONDS,
    )


def _estimate_requests(
    requests: Sequence[RunRequest],
) -> tuple[dict[str, CostEstimate], dict[str, str]]:
    """The costs' estimates before a run (pool thread); the parse runs in a worker process."""
    return call_in_worker(
        estimate_requests,
        (list(requests),),
        what="estimating the run's cost",
        timeout=ESTIMATE_TIMEOUT_SECONDS,
    )


def _budgets_left(ledger: Ledger | None, budgets: Mapping[str, str]) -> str:
    """'Budget of 'mine': $130.52 left of $300.00 this month' for each profile (pool thread)."""
    from desktop_app.core.azure.budget_field import parse_budget
    from desktop_app.core.jobs.budget import spent_this_month

    if ledger is None:
        return ""
    lines = []
    for profile, text in budgets.items():
        budget = parse_budget(text)
        try:
            spent = spent_this_month(ledger, profile, budget.unit)
        except QuantumDeskError as exc:  # the prices still count: say it, go on
            log.warning("budget of %s not read: %s", profile, exc)
            continue
        left = max(0.0, budget.amount - spent)
        lines.append(
            f"Budget of '{profile}': {budget.show(left)} left of {budget.show()} this month"
        )
    return "; ".join(lines)


class AzureSummary(QObject):
    budgetChanged = Signal(str)  # what the profiles in use have left of their monthly budgets

    def __init__(
        self,
        model: BackendModel,
        selector: ProfileSelector,
        parent: QObject | None = None,
        *,
        store: ProfileStore | None = None,
        secrets: SecretStore | None = None,
        interval_ms: int = DEFAULT_INTERVAL_MS,
        settings: QSettings | None = None,
    ) -> None:
        super().__init__(parent)
        self.model = model
        self.selector = selector
        self._secrets = secrets
        self.store = store if store is not None else ProfileStore()
        self.refresher = StatusRefresher(self, interval_ms=interval_ms)
        self._settings = settings
        # backend -> run with my own credentials (True) or the lab's sign-in: kept across starts
        self._choice = options.read_credential_choices(settings)
        self._lab: LabProfile | None = None
        self.sign_in_bar = SignInBar(selector)
        selector_layout = selector.layout()
        if selector_layout is not None:
            selector_layout.addWidget(self.sign_in_bar)
        self.sign_in_bar.signedIn.connect(self._on_signInBar_signedIn)
        self._builtin = {b.name for b in builtin_backends()}  # rows kept when not offered
        self._estimates: dict[str, object] = {}
        self._estimate_key: _Key | None = None
        self._wanted_key: _Key | None = None
        self._options: dict[str, object] = {}
        self._price_ticket: int | None = None
        self._pending: tuple[list[RunRequest], QWidget | None, Callable[..., None]] | None = None
        self._mitigation: dict[str, bool] = {}  # backend -> error mitigation, as switched
        self._ledger: Ledger | None = None
        self._remembered = Remembered(settings)
        self._costs_ticket: int | None = None
        self._costs = BackgroundCalls(self)
        self._prices = BackgroundCalls(self)
        self._keyring = BackgroundCalls(self)
        self._price_timer = QTimer(self)
        self._price_timer.setSingleShot(True)
        self._price_timer.setInterval(PRICE_DELAY_MS)
        self._price_timer.timeout.connect(self._on_priceTimer_timeout)
        selector.profileChanged.connect(self._on_selector_profileChanged)
        selector.refreshRequested.connect(self.refresher.refresh)
        self.refresher.snapshotChanged.connect(self._on_refresher_snapshotChanged)
        self.refresher.refreshFailed.connect(self._on_refresher_refreshFailed)
        self.refresher.busyChanged.connect(selector.set_busy)
        self._prices.finished.connect(self._on_prices_finished)
        self._prices.failed.connect(self._on_prices_failed)
        self._keyring.finished.connect(self._on_keyring_finished)
        self._costs.finished.connect(self._on_costs_finished)
        self._costs.failed.connect(self._on_costs_failed)
        model.credentialsToggled.connect(self._on_model_credentialsToggled)
        model.mitigationToggled.connect(self._on_model_mitigationToggled)

    def set_ledger(self, ledger: Ledger | None) -> None:
        """The job ledger budgets are tracked in (and a program's earlier runs are found in)."""
        self._ledger = ledger

    # ---------------------------------------------------------------- profiles
    def check_keyring(self) -> None:
        """Probe the keyring off the GUI thread; say in plain words when there is none usable."""
        secrets = self._secrets
        self._keyring.submit(lambda: (secrets or default_secret_store()).status)

    def reload_profiles(self, select: str | None = None) -> None:
        try:
            self._lab = load_lab()
        except LabFileError as exc:  # one located line; the app runs without the lab's profile
            messages.show_error(self._window(), "Lab profile", str(exc))
            self._lab = None
        try:
            entries = profile_entries(self.store, self._lab)
        except ProfileFileError as exc:
            messages.show_error(self._window(), "Profiles file", str(exc))
            entries = [ProfileEntry(self._lab.profile, self._lab)] if self._lab else []
        lab_entry = next((e for e in entries if e.is_lab), None)
        self._lab = lab_entry.lab if lab_entry is not None else None
        self.selector.lab_name = self._lab.name if self._lab is not None else None
        self.selector.set_profiles([e.profile for e in entries], select)
        self.refresher.set_profile(self.selector.current())
        self._apply_profiles()
        self._schedule_prices()

    def _window(self) -> QWidget | None:
        return self.selector.window()

    def _selected(self) -> Profile | None:
        name = self.selector.current()
        return next((p for p in self.selector.profiles() if p.name == name), None)

    def own_profile(self) -> str | None:
        """The service-principal profile ("my own credentials"): the selected one, or the first."""
        selected = self._selected()
        if selected is not None and selected.auth_kind != AZURE_SIGN_IN:
            return selected.name
        own = [p for p in self.selector.profiles() if p.auth_kind != AZURE_SIGN_IN]
        return own[0].name if own and selected is not None else None

    def lab_profile(self) -> str | None:
        """The lab's Azure sign-in profile: the selected one, or the first."""
        selected = self._selected()
        if selected is not None and selected.auth_kind == AZURE_SIGN_IN:
            return selected.name
        lab = [p for p in self.selector.profiles() if p.auth_kind == AZURE_SIGN_IN]
        return lab[0].name if lab and selected is not None else None

    def profile_for(self, backend: str) -> str | None:
        """The profile a run on `backend` uses (None for local backends / no profile)."""
        row = next((r for r in self.model.rows() if r.backend.name == backend), None)
        if row is None or row.backend.is_local:
            return None
        own, lab = self.own_profile(), self.lab_profile()
        if own and lab:
            return own if self._choice.get(backend, True) else lab
        return own or lab

    def _update_sign_in_bar(self) -> None:
        name = self.lab_profile()
        profile = next((p for p in self.selector.profiles() if p.name == name), None)
        lab = self._lab if self._lab is not None and self._lab.name == name else None
        if profile != self.sign_in_bar.profile:
            self.sign_in_bar.set_profile(profile, lab)

    @Slot(str)
    def _on_signInBar_signedIn(self, _name: str) -> None:
        self.refresher.refresh()

    def _apply_profiles(self) -> None:
        self._update_sign_in_bar()
        own, lab = self.own_profile(), self.lab_profile()
        snapshot = self.refresher.snapshot
        for row in self.model.rows():
            name = row.backend.name
            if row.backend.is_local:
                continue
            if row.backend.untranslatable:  # greyed out whatever the credentials
                reason = catalog_rows.untranslatable_reason(row.backend)
                self.model.set_runnable(name, False, reason)
                continue
            if not (own or lab):
                self.model.set_credentials(name, "Needs an Azure profile", None)
                self.model.set_runnable(name, False, NO_PROFILE_REASON.format(name=name))
                continue
            if own and lab:
                use_own = self._choice.get(name, True)
                text = f"Own: {own}" if use_own else f"Lab sign-in: {lab}"
                self.model.set_credentials(name, text, use_own)
            else:
                text = f"Own: {own}" if own else f"Lab sign-in: {lab}"
                self.model.set_credentials(name, text, None)
            lab_row = self._lab is not None and self.profile_for(name) == self._lab.name
            if lab_row and self._lab is not None and not self._lab.allows(name):
                contact = f" {self._lab.contact}" if self._lab.contact else ""
                self.model.set_runnable(
                    name, False, f"The lab's profile does not allow {name}.{contact}"
                )
            elif snapshot is not None and snapshot.targets and snapshot.find(name) is None:
                self.model.set_runnable(
                    name, False, f"{name} is not offered by this profile's workspace."
                )
            else:
                self.model.set_runnable(name, True)

    @Slot(object)
    def _on_selector_profileChanged(self, name: object) -> None:
        self.refresher.set_profile(name if isinstance(name, str) else None)
        self._apply_profiles()
        self._schedule_prices()

    @Slot(str, bool)
    def _on_model_credentialsToggled(self, backend: str, own: bool) -> None:
        self._choice[backend] = own
        options.write_credential_choices(self._settings, self._choice)
        self._apply_profiles()

    @Slot(int, object)
    def _on_keyring_finished(self, _ticket: int, status: object) -> None:
        usable = getattr(status, "usable", True)
        message = str(getattr(status, "message", "") or "")
        if not usable:
            self.selector.set_note(
                f"{message} Azure runs with your own credentials need the secret typed again "
                "in Credentials… after each start; local runs are not affected."
            )

    # ---------------------------------------------------------------- live status
    @Slot(object)
    def _on_refresher_snapshotChanged(self, snapshot: object) -> None:
        if not isinstance(snapshot, StatusSnapshot):
            self.selector.set_status(
                "Local only: add an Azure profile (Credentials…) to see and use Azure targets."
                if self.selector.current() is None
                else f"{describe(None)} {catalog_rows.fallback_note(None)}"
            )
            remote = [r.backend.name for r in self.model.rows() if not r.backend.is_local]
            for key in ("availability", "queue"):
                self.model.set_infos(key, {name: (PLACEHOLDER, None) for name in remote})
            self._apply_profiles()
            return
        self.selector.set_status(
            " ".join(filter(None, (describe(snapshot), catalog_rows.fallback_note(snapshot))))
        )
        catalog_rows.follow_workspace(self.model, snapshot, self._builtin)
        self.model.set_infos(  # each column in one signal: a row at a time cost ~3 ms a row
            "availability", {t.name: (t.availability or "Unknown", None) for t in snapshot.targets}
        )
        self.model.set_infos(
            "queue",
            {t.name: (format_queue_time(t.average_queue_time), None) for t in snapshot.targets},
        )
        self._apply_profiles()
        self._schedule_prices()

    @Slot(str)
    def _on_refresher_refreshFailed(self, message: str) -> None:
        self.selector.set_status(
            f"Target status unavailable: {message} {catalog_rows.fallback_note(None)}"
        )

    # ---------------------------------------------------------------- prices
    def set_program(
        self,
        source: str,
        path: str | None,
        shots: int,
        options: Mapping[str, object] | None = None,
    ) -> None:
        """The program or shots changed: re-estimate the prices once typing pauses."""
        opts = tuple(sorted((str(k), str(v)) for k, v in (options or {}).items()))
        self._wanted_key = (source, path, shots, opts, tuple(sorted(self._mitigation.items())))
        self._options = dict(options or {})
        self._schedule_prices()

    def _row_options(self, target: str) -> dict[str, object]:
        """The options a run on `target` is sent with: the window's, plus the row's switches
        (only "off" is sent: IonQ turns mitigation on by itself where it is available)."""
        options = dict(self._options)
        if self._mitigation.get(target) is False:
            options[ERROR_MITIGATION] = False
        return options

    @Slot(str, bool)
    def _on_model_mitigationToggled(self, backend: str, on: bool) -> None:
        self._mitigation[backend] = on
        key = self._wanted_key
        if key is not None:
            self.set_program(key[0], key[1], key[2], self._options)

    def _azure_targets(self) -> list[str]:
        return [r.backend.name for r in self.model.rows() if not r.backend.is_local]

    def _schedule_prices(self) -> None:
        # Without a profile no Azure row can run: no price to show, and no worker process kept
        # busy transpiling the program for it.
        if not (self.own_profile() or self.lab_profile()):
            return
        if self._wanted_key is not None and self._wanted_key != self._estimate_key:
            self._price_timer.start()

    @Slot()
    def _on_priceTimer_timeout(self) -> None:
        self._start_estimates()

    def _start_estimates(self) -> None:
        key = self._wanted_key
        if key is None or not key[0].strip():
            return
        source, path, shots = key[0], key[1], key[2]
        options = {target: self._row_options(target) for target in self._azure_targets()}
        self.model.set_infos("price", {target: (ESTIMATING, None) for target in options})
        in_use = {self.own_profile(), self.lab_profile()}
        budgets = {
            p.name: p.budget for p in self.selector.profiles() if p.name in in_use and p.budget
        }
        ledger = self._ledger
        self._price_ticket = self._prices.submit(
            lambda: (
                key,
                _estimate_all(source, path, shots, options),
                _budgets_left(ledger, budgets),
            )
        )

    @Slot(int, object)
    def _on_prices_finished(self, ticket: int, answer: object) -> None:
        if ticket != self._price_ticket or not isinstance(answer, tuple):
            return
        self._price_ticket = None
        key, estimates, budgets_left = answer
        self.budgetChanged.emit(budgets_left)
        self._estimate_key, self._estimates = key, dict(estimates)
        prices: dict[str, tuple[str, str | None]] = {}
        mitigations: dict[str, tuple[bool | None, bool]] = {}
        shown = self.model.backend_names()
        for target, estimate in self._estimates.items():
            if target not in shown:
                continue
            if isinstance(estimate, CostEstimate):
                tip = (
                    f"{estimate.formula}.\nPrice table entry {estimate.entry}, checked "
                    f"{estimate.checked}: {estimate.source}"
                    if estimate.entry
                    else estimate.formula
                )
                prices[target] = (estimate.display(), tip)
                if ERROR_MITIGATION in estimate.breakdown:  # IonQ hardware: offer the switch
                    on = bool(estimate.breakdown[ERROR_MITIGATION])
                    mitigations[target] = (on, estimate.alternative is not None)
            else:
                prices[target] = (PLACEHOLDER, str(estimate))
        self.model.set_infos("price", prices)  # one signal each: the views repaint once
        self.model.set_mitigations(mitigations)

    @Slot(int, object)
    def _on_prices_failed(self, ticket: int, error: object) -> None:
        if ticket != self._price_ticket:
            return
        self._price_ticket = None
        self._estimate_key, self._estimates = self._wanted_key, {}
        log.info("no price estimate: %s", error)
        # the program's own error (located) or a limit says why; anything else is in the log
        tip = f"No estimate: {error}" if isinstance(error, QuantumDeskError) else ""
        self.model.set_infos("price", {t: (PLACEHOLDER, tip) for t in self._azure_targets()})

    def estimate(self, backend: str) -> object:
        """The current CostEstimate of `backend` (or a message, or None when not estimated)."""
        return self._estimates.get(backend)

    # ---------------------------------------------------------------- before a run
    def prepare_run(
        self,
        requests: Sequence[RunRequest],
        parent: QWidget | None,
        proceed: Callable[[list[RunRequest]], None],
    ) -> None:
        """Fill each request's profile and options, work out its costs, warn and confirm, then
        call `proceed(requests)`.

        Local-only runs proceed at once. Azure runs wait for their costs (a pool thread: the
        window keeps responding), then ask; `proceed` is not called when the user says no or a
        budget would be exceeded. A Run pressed while the costs are being worked out is ignored.
        """
        requests = [
            dataclasses.replace(
                r,
                profile=(profile := self.profile_for(r.backend)),
                options=r.options
                if profile is None
                else {**r.options, **self._row_options(r.backend)},
            )
            for r in requests
        ]
        if all(r.profile is None for r in requests):
            proceed(requests)
            return
        if self._costs_ticket is not None:
            return
        budgets = {p.name: p.budget for p in self.selector.profiles()}
        ledger = self._ledger
        self._pending = (requests, parent, proceed)
        self._costs_ticket = self._costs.submit(
            lambda: run_costs(requests, ledger, budgets, estimate=_estimate_requests)
        )

    @Slot(int, object)
    def _on_costs_finished(self, ticket: int, costs: object) -> None:
        if ticket != self._costs_ticket or self._pending is None:
            return
        self._costs_ticket = None
        (requests, parent, proceed), self._pending = self._pending, None
        if isinstance(costs, RunCosts):
            self._estimates.update(costs.estimates)
            chosen = self.confirm(requests, parent, costs)
            if chosen:
                proceed(chosen)

    @Slot(int, object)
    def _on_costs_failed(self, ticket: int, error: object) -> None:
        from desktop_app.core.programs import ProgramError

        if ticket != self._costs_ticket or self._pending is None:
            return
        self._costs_ticket = None
        (requests, parent, proceed), self._pending = self._pending, None
        if isinstance(error, ProgramError):
            proceed(requests)  # the run shows the program's error where it is; nothing is sent
            return
        message = str(error) if isinstance(error, QuantumDeskError) else "see the log"
        messages.show_error(
            parent, "Not run", f"The cost of this run could not be checked: {message}"
        )

    def confirm(
        self, requests: Sequence[RunRequest], parent: QWidget | None, costs: RunCosts
    ) -> list[RunRequest] | None:
        """Warn about Degraded/Unavailable targets, refuse a run past a budget, ask before
        paying; the requests to run (perhaps the free twins instead), or None."""
        azure = [r.backend for r in requests if r.profile is not None]
        snapshot = self.refresher.snapshot
        warnings = []
        for name in azure:
            status = snapshot.find(name) if snapshot is not None else None
            if status is not None and status.availability not in (AVAILABLE, ""):
                warnings.append(status.warning or f"{name} is {status.availability}.")
        if warnings and not messages.ask(
            parent, "Target not available", "\n".join(warnings) + "\n\nRun anyway?"
        ):
            return None
        over = costs.exceeded()
        if over:
            messages.show_error(
                parent,
                "Monthly budget",
                "\n".join(f"Not run: {check.message()}." for check in over)
                + "\n\nRaise the budget in Credentials… or wait for next month.",
            )
            return None
        if not costs.paid() and not costs.problems:
            return list(requests)
        if self._remembered.covers(requests, costs):
            return list(requests)
        question, threshold = question_for(requests, costs)
        answer = messages.ask_to_spend(parent, question)
        if answer.choice == "free_first":
            return free_requests(requests, costs)
        if answer.choice != "run":
            return None
        if answer.remember and threshold is not None:
            self._remembered.set(threshold)
        return list(requests)

    def shutdown(self) -> None:
        self._price_timer.stop()
        self.refresher.stop()
        self._pending = None
        self._costs_ticket = None
