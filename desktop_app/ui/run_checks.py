"""What the window checks before a run starts, beyond prices (ui.backends.summary):

- a large local simulation: the memory its statevector needs, against what is available, is
  said in the status bar, and above a threshold the user confirms first (one that cannot fit
  is refused by the simulator's process, which alone knows the other methods' needs);
- a service-principal profile without a stored secret: no run starts (it would only leave a
  failed job); `secretMissing(profile)` asks the window to get the secret typed first.

And before the window closes, `confirm_leaving_jobs`: open Azure jobs keep running there.

The keyring is asked off the GUI thread (ui.tasks).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QWidget

from desktop_app.core import program_limits
from desktop_app.core.azure.profiles import Profile
from desktop_app.core.azure.secrets import SecretStore, default_secret_store
from desktop_app.core.catalog import LOCAL_SIMULATOR, target_name
from desktop_app.core.local import memory
from desktop_app.core.local.method_names import AUTOMATIC, MPS, OPTION, STABILIZER
from desktop_app.core.request import RunRequest
from desktop_app.ui import messages
from desktop_app.ui.tasks import BackgroundCalls

Proceed = Callable[[list[RunRequest]], None]
NOTE_FROM_QUBITS = 20  # from 16 MiB on, the status bar says how much memory a run takes


class RunChecks(QObject):
    secretMissing = Signal(str)  # the profile whose secret must be typed first
    note = Signal(str)  # plain words for the status bar

    def __init__(
        self,
        profile_for: Callable[[str], str | None],
        profiles: Callable[[], list[Profile]],
        parent: QObject | None = None,
        *,
        secrets: SecretStore | None = None,
        available: Callable[[], int | None] = memory.available_bytes,
    ) -> None:
        super().__init__(parent)
        self._profile_for = profile_for
        self._profiles = profiles
        self._secrets = secrets
        self.available = available  # tests give a fixed figure
        self._calls = BackgroundCalls(self)
        self._calls.finished.connect(self._on_calls_finished)
        self._calls.failed.connect(self._on_calls_failed)
        self._pending: dict[int, tuple[list[RunRequest], Proceed]] = {}

    def check(
        self, requests: Sequence[RunRequest], parent: QWidget | None, proceed: Proceed
    ) -> None:
        """Call `proceed(requests)` once every check passed (maybe later); not at all when the
        user declines or a secret is missing."""
        requests = list(requests)
        if not self._memory_ok(requests, parent):
            return
        needing = self._profiles_needing_a_secret(requests)
        if not needing:
            proceed(requests)
            return
        store = self._secrets
        ticket = self._calls.submit(
            lambda: [p.name for p in needing if not (store or default_secret_store()).has(p)]
        )
        self._pending[ticket] = (requests, proceed)

    def _profiles_needing_a_secret(self, requests: list[RunRequest]) -> list[Profile]:
        by_name = {p.name: p for p in self._profiles()}
        names = {self._profile_for(r.backend) for r in requests}
        return [
            by_name[n]
            for n in sorted(n for n in names if n is not None)
            if n in by_name and by_name[n].needs_secret
        ]

    def _memory_ok(self, requests: list[RunRequest], parent: QWidget | None) -> bool:
        """False when the user declines a large statevector simulation. One that cannot fit
        starts: the simulator's process refuses it before simulating, with the memory needed
        and available and the methods that would fit (core.local.methods.plan), which only it
        can work out (it parses the program)."""
        local = [r for r in requests if target_name(r.backend).is_local]  # emulations too
        if not local:
            return True
        source = local[0].source
        # A scan of the text, not a parse, linear (about 0.1 s a MB); past the size limit, or
        # past the qubit limit, the run itself ends in the limit's located message.
        if len(source) > program_limits.MAX_FILE_BYTES:
            return True
        simulator_only = all(r.backend == LOCAL_SIMULATOR for r in local)
        method = str(local[0].options.get(OPTION, AUTOMATIC))
        clifford = method == AUTOMATIC and memory.looks_clifford(source)  # stabilizer, then
        if simulator_only and (method in (STABILIZER, MPS) or clifford):
            return True  # no statevector: its method's memory is planned by the simulator
        qubits = memory.declared_qubits(source)
        if not NOTE_FROM_QUBITS <= qubits <= program_limits.MAX_DECLARED_QUBITS:
            return True
        available = self.available()
        note = memory.memory_note(qubits, available)
        self.note.emit(f"Local simulator: {note}")
        needed = memory.statevector_bytes(qubits)
        if available is not None and needed > available:
            return True  # refused by the simulator, before it starts
        if not memory.needs_confirmation(qubits, available):
            return True
        hint = (
            "\n\nA wide circuit with little entanglement needs far less memory on the Matrix "
            "product state method (Method, next to Shots)."
            if any(r.backend == LOCAL_SIMULATOR for r in local)
            else ""
        )
        return messages.ask(
            parent,
            "A large simulation",
            f"{note}\n\nThe statevector holds 2^{qubits} amplitudes of 16 bytes each.{hint}\n\n"
            "Run it on the local simulator?",
        )

    @Slot(int, object)
    def _on_calls_finished(self, ticket: int, missing: object) -> None:
        pending = self._pending.pop(ticket, None)
        if pending is None:
            return
        requests, proceed = pending
        if isinstance(missing, list) and missing:
            self.secretMissing.emit(str(missing[0]))
            return
        proceed(requests)

    @Slot(int, object)
    def _on_calls_failed(self, ticket: int, error: object) -> None:
        if self._pending.pop(ticket, None) is not None:  # no run on an unknown secret either
            self.note.emit("The keyring could not be read, so the run was not started.")


def confirm_leaving_jobs(parent: QWidget | None, remote: Sequence[str]) -> bool:
    """Azure jobs still open at close: say they keep running and come back next time."""
    if not remote:
        return True
    return messages.ask(
        parent,
        "Jobs still running at Azure",
        f"{len(remote)} job(s) are still queued or running at Azure Quantum "
        f"({', '.join(remote)}). They keep running there after you close Quantum Desk, "
        "and their results are picked up the next time it starts (see the Jobs tab).\n\n"
        "Close now?",
    )
