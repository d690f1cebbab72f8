"""Azure runs in a worker process: the window's process never imports or runs the Azure SDK.

`AzureProcessExecutor` is the window's executor for Azure targets (the CLI keeps the in-process
`AzureExecutor`). One worker process (`core.azure.process_worker`, spawn) serves every Azure run of
the app side by side; the calling thread supervises its run there:
- progress comes back as it happens;
- the recorder's calls (`job_created` before the submit, `job_status`, `job_finished`) come back
  and run HERE, on the calling thread, so the job ledger of this process stays the single source
  of truth and its change notices reach the window as for any other write;
- the profile's secret is looked up here (`secret_of`, or the OS keyring's store, which also holds
  the secrets typed for this session only) when the worker signs in;
- a profile signed in with the user's own account (a lab's browser or device-code sign-in) gets
  its tokens from here, where the sign-in and its cache live (`sign_in.relay_tokens`): where the
  OS has no encrypted store, that cache is in this process's memory only;
- Cancel and Detach are passed on to the run's token in the worker: Cancel still cancels the job
  at Azure, Detach leaves it open for the next start.
A worker that dies fails its runs with a plain message; their ledger rows stay open for start-up
reconciliation, and the next run starts a new worker.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import itertools
import logging
import multiprocessing
import os
import queue
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from desktop_app.core.errors import QuantumDeskError

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

    from desktop_app.core.azure.job_recorder import JobRecorder
    from desktop_app.core.azure.polling import PollSchedule
    from desktop_app.core.azure.session import SecretProvider
    from desktop_app.core.azure.translate import Translation
    from desktop_app.core.cancel import CancelToken, ProgressCallback
    from desktop_app.core.request import RunRequest
    from desktop_app.core.results import RunResult

log = logging.getLogger(__name__)

_POLL_SECONDS = 0.05  # how often a supervising thread looks at its cancel token
_SPAWN = multiprocessing.get_context("spawn")  # fork is unsafe in a process with Qt threads
_FORK = multiprocessing.get_context("fork") if sys.platform.startswith("linux") else None
# The worker is started from this one thread, which lives as long as the process: on Linux the
# worker gets SIGKILL when the thread that started it ends (child_process.exit_with_parent), and
# a pool thread or a reconciliation's thread that happened to start it ends long before the app.
_STARTER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="azure-worker-starter")
_DIED = ("died",)
_RECORDER_CALLS = frozenset({"job_created", "job_status", "job_finished"})
# What a call in the worker may do to the parent's job ledger (reconciliation and its
# LedgerRecorder: core.jobs.reconcile); anything else is refused.
LEDGER_CALLS = frozenset(
    {
        "unfinished_jobs",
        "get",
        "find_by_azure_id",
        "create_job",
        "set_error",
        "set_status",
        "mark_submitted",
        "mark_never_submitted",
        "record_result",
    }
)


class _Worker:
    """The worker process, its pipe, and the reader thread handing each run its messages."""

    def __init__(self) -> None:
        from desktop_app.core.azure import process_worker

        forkable = _serves_command_line() and _only_thread()
        context = _FORK if _FORK is not None and forkable else _SPAWN
        parent_end, child_end = context.Pipe()
        self.conn: Connection = parent_end
        self.process: BaseProcess = context.Process(
            target=process_worker.serve,
            args=(child_end,),
            kwargs=dict(_SETUP),
            name="quantum-desk-azure",
            daemon=True,
        )
        if context is _FORK:  # from the main thread, which lives as long as the process
            self.process.start()
        else:
            _STARTER.submit(self.process.start).result()
        child_end.close()
        self.environ = dict(os.environ)  # what the worker started with (either way a copy)
        self.ready = threading.Event()  # the SDK is imported there
        self._send_lock = threading.Lock()
        self._lock = threading.Lock()
        self._inboxes: dict[int, queue.SimpleQueue[tuple[Any, ...]]] = {}
        self._keys = itertools.count(1)
        self.dead = False
        threading.Thread(target=self._read, name="azure-worker-reader", daemon=True).start()

    def alive(self) -> bool:
        return not self.dead and self.process.is_alive()

    def send(self, message: tuple[Any, ...]) -> None:
        with self._send_lock:
            self.conn.send(message)

    def begin(self, *message: Any) -> tuple[int, queue.SimpleQueue[tuple[Any, ...]]]:
        """Send (kind, key, *rest) with a new key; the run's messages arrive in the inbox."""
        inbox: queue.SimpleQueue[tuple[Any, ...]] = queue.SimpleQueue()
        with self._lock:
            if self.dead:
                inbox.put(_DIED)
                return 0, inbox
            key = next(self._keys)
            self._inboxes[key] = inbox
        try:
            self.send((message[0], key, *message[1:]))
        except (OSError, ValueError):
            inbox.put(_DIED)
        return key, inbox

    def busy(self) -> bool:
        with self._lock:
            return bool(self._inboxes)

    def end(self, key: int) -> None:
        with self._lock:
            self._inboxes.pop(key, None)

    def _read(self) -> None:
        try:
            while True:
                message = self.conn.recv()
                if message[0] == "ready":
                    self.ready.set()
                    continue
                if message[0] == "call" and message[3] == "token":  # for any thread of the worker
                    threading.Thread(
                        target=self._answer_token,
                        args=message[2:],
                        name="azure-worker-token",
                        daemon=True,
                    ).start()
                    continue
                with self._lock:
                    inbox = self._inboxes.get(message[1])
                if inbox is not None:
                    inbox.put(message)
        except (EOFError, OSError):
            pass
        except Exception:  # an answer that does not unpickle here: a bug, the worker is dropped
            log.exception("unreadable message from the Azure worker process")
        with self._lock:
            self.dead = True
            inboxes, self._inboxes = list(self._inboxes.values()), {}
        for inbox in inboxes:
            inbox.put(_DIED)
        self.ready.set()

    def _answer_token(self, call: int, _name: str, args: tuple[Any, ...]) -> None:
        """A signed-in profile's token, which the worker's credential asked for: the sign-in
        and its cache live in this process (`sign_in.relayed_token`)."""
        from desktop_app.core.azure.sign_in import relayed_token

        def failed(exc: Exception) -> None:  # azure-identity's: the worker's run explains them
            log.info("no sign-in token for the Azure worker: %s", type(exc).__name__)

        self.answer(call, lambda: relayed_token(*args), failed)

    def answer(
        self, call: int, work: Callable[[], Any], failed: Callable[[Exception], None]
    ) -> None:
        """Send the worker `work()`'s value for its call `call`, or what it raised (raised in
        the worker in turn) once `failed` has seen it."""
        from desktop_app.core.azure.process_worker import portable

        try:
            answer: tuple[Any, ...] = ("answer", call, True, work())
        except Exception as exc:
            failed(exc)
            answer = ("answer", call, False, portable(exc))
        with contextlib.suppress(OSError, ValueError):
            self.send(answer)

    def stop(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.send(("stop",))
        self.process.join(0.5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(2.0)
        self.conn.close()


_LOCK = threading.Lock()
_CURRENT: list[_Worker] = []  # the live worker, if any
_SETUP: dict[str, Any] = {}  # how workers started from now on run (serve_command_line)
_RETIRED: list[_Worker] = []  # started for an older environment, still running a job


def _worker() -> _Worker:
    """The live worker, started when there is none. A changed environment (a profile folder, a CA
    bundle: tests) gets a new one; the old one ends once its runs have."""
    with _LOCK:
        current = _CURRENT[0] if _CURRENT else None
        if current is not None and current.alive() and current.environ == dict(os.environ):
            return current
        old = _RETIRED + _CURRENT
        _CURRENT[:] = [_Worker()]
        _RETIRED[:] = [w for w in old if w.alive() and w.busy()]
        ending = [w for w in old if w not in _RETIRED]
        current = _CURRENT[0]
    for worker in ending:
        worker.stop()
    return current


def serve_command_line(log_level: int, log_format: str | None) -> None:
    """Workers started from now on serve a command line: they log at `log_level` on stderr in
    `log_format`, or (None) nothing at all (its `--verbose`), and run at normal priority (no
    window waits for the CPU: the run does). While the command's process has no other thread,
    a worker is forked instead of spawned: it starts without a second Python start-up and
    multiprocessing's spawn bootstrap, ~0.1 s of the command's first job (issue 16; the README's
    Benchmarks). With any other thread running (a window's Qt threads, native ones of a loaded
    library) it is spawned: a fork copies the calling thread alone, and any lock another thread
    held would stay held in the child."""
    _SETUP.update(logging_setup=(log_level, log_format), nice=False)


def _serves_command_line() -> bool:
    """Whether `serve_command_line` was called (its workers keep the command's priority)."""
    return _SETUP.get("nice") is False


def _only_thread() -> bool:
    """Whether the calling thread is this process's only one, native threads included (Linux's
    /proc/self/task; false where that cannot be read)."""
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


def prewarm() -> None:
    """Start the worker process now (it imports the SDK there): the first Azure run does not wait.
    Returns at once."""
    _worker()


def wait_ready(timeout: float) -> bool:
    """Whether the worker has imported the SDK within `timeout` s (benchmarks, tests)."""
    return _worker().ready.wait(timeout)


def worker_pid() -> int | None:
    """The worker process's id, or None when none runs (tests, diagnostics)."""
    with _LOCK:
        return _CURRENT[0].process.pid if _CURRENT and _CURRENT[0].alive() else None


def shutdown_worker() -> None:
    """End the worker process (at application exit, after the runs were detached)."""
    with _LOCK:
        workers = _CURRENT + _RETIRED
        _CURRENT[:], _RETIRED[:] = [], []
    for worker in workers:
        worker.stop()


def call_in_azure_worker(
    call: str | Callable[..., Any],
    *args: Any,
    cancel: CancelToken | None = None,
    progress: ProgressCallback | None = None,
    secret_of: SecretProvider | None = None,
    ledger: object | None = None,
) -> Any:
    """`call(*args)` run in the worker process: a name `process_worker._invoke` knows, or a
    module-level function (pickled by name) called there as `call(WorkerContext, *args)`.
    Supervised from the calling thread (a pool thread: this blocks): progress comes back to
    `progress`, Cancel and Detach of `cancel` reach it, the profile's secret comes from
    `secret_of` (None: the OS keyring's store), and the calls it makes on the job ledger run
    here on `ledger`. Returns its value or raises what it raised."""
    worker = _worker()
    key, inbox = worker.begin("invoke", call, args)
    asker = AzureProcessExecutor(secret_of=secret_of)
    asker.ledger = ledger
    return _supervise(
        worker,
        key,
        inbox,
        asker,
        cancel,
        progress,
        "the Azure connection process stopped unexpectedly",
    )


def _supervise(
    worker: _Worker,
    key: int,
    inbox: queue.SimpleQueue[tuple[Any, ...]],
    asker: AzureProcessExecutor,
    cancel: CancelToken | None,
    progress: ProgressCallback | None,
    died: str,
) -> Any:
    """Wait for the worker's answer to `key` on this thread: Cancel and Detach of `cancel` go to
    the worker, its progress to `progress`, its calls back (secret, ledger) to `asker`; its value
    is returned, its error raised, and its death said as `died`."""
    told = ""  # what the worker was told of the token: "", "cancel", "detach"
    try:
        while True:
            if cancel is not None:
                wanted = "detach" if cancel.detached else "cancel" if cancel.cancelled else ""
                if wanted and wanted != told and told != "detach":
                    told = wanted
                    with contextlib.suppress(OSError, ValueError):
                        worker.send((wanted, key))
            try:
                message = inbox.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                continue
            kind = message[0]
            if kind == "call" and message[3] == "translation":  # seconds, maybe: the run's
                # sign-in asks for the secret meanwhile, and is answered here
                threading.Thread(
                    target=asker._answer,
                    args=(worker, message[2], message[3], message[4], cancel),
                    name="azure-run-translation",
                    daemon=True,
                ).start()
            elif kind == "call":
                asker._answer(worker, message[2], message[3], message[4])
            elif kind == "progress":
                if progress is not None:
                    progress(message[2], message[3])
            elif kind == "result":
                return message[2]
            elif kind == "error":
                if message[3]:  # a traceback: for --verbose / debug logs only
                    log.debug("Azure worker error:\n%s", message[3])
                error: BaseException = message[2]
                raise error
            else:  # died
                raise QuantumDeskError(died)
    finally:
        worker.end(key)


def connect_ahead(profile: str, targets: list[str], secret_of: SecretProvider | None) -> None:
    """Have the worker sign in and open `profile`'s workspace now (and read `targets`), for the
    run that follows to take (`ahead`): the command line reads its program meanwhile. Returns at
    once; a failure is left for the run to meet and say."""
    from desktop_app.core.azure.ahead import open_ahead

    def connect() -> None:
        try:
            call_in_azure_worker(open_ahead, profile, tuple(targets), secret_of=secret_of)
        except Exception:  # the worker went away: the run says so
            log.debug("connecting ahead failed", exc_info=True)

    threading.Thread(target=connect, name="azure-connect-ahead", daemon=True).start()


def refresh_status_in_worker(profile: str) -> Any:
    """`core.azure.status.refresh_status(profile)` run in the worker process (the backend
    summary's live target status): a StatusSnapshot, or what it raised."""
    return call_in_azure_worker("refresh_status", profile)


class AzureProcessExecutor:
    """An `Executor` (and `RecordsRemoteJobs`) for Azure targets whose SDK work runs in the worker
    process; see the module docstring. `schedule` (None: PollSchedule's defaults) sets polling and
    the retry deadline; `secret_of` hands a run its profile's secret (None: the OS keyring)."""

    def __init__(
        self,
        *,
        schedule: PollSchedule | None = None,
        secret_of: SecretProvider | None = None,
        recorder: JobRecorder | None = None,
    ) -> None:
        self.schedule = schedule
        self.secret_of = secret_of
        self.recorder = recorder
        self.ledger: object | None = None  # the job ledger a call in the worker uses
        # request, cancel -> its Translation, made outside the worker (the window: in a warm
        # simulator worker, so that the Azure worker never imports qiskit); None: made there
        self.translator: Callable[[RunRequest, CancelToken | None], Translation] | None = None

    def with_recorder(self, recorder: JobRecorder) -> AzureProcessExecutor:
        runner = copy.copy(self)
        runner.recorder = recorder
        return runner

    def run(
        self, request: RunRequest, cancel: CancelToken, progress: ProgressCallback
    ) -> RunResult:
        worker = _worker()  # started first: the translation below holds the interpreter lock
        supervisor = self
        if self.translator is not None:  # begun now, while the worker starts and signs in
            supervisor = copy.copy(self)
            supervisor.translator = _EarlyTranslation(self.translator, request, cancel).get
        # A plain dict pickles whatever Mapping the caller passed; the parsed program stays here.
        plain = dataclasses.replace(request, options=dict(request.options), program=None)
        key, inbox = worker.begin("run", plain, self.schedule, True, self.translator is not None)
        result: RunResult = _supervise(
            worker,
            key,
            inbox,
            supervisor,
            cancel,
            progress,
            "the Azure connection process stopped unexpectedly; the job stays in the job list"
            " and is looked up again at the next start",
        )
        return result

    def _answer(
        self,
        worker: _Worker,
        call: int,
        name: str,
        args: tuple[Any, ...],
        cancel: CancelToken | None = None,
    ) -> None:
        """Run a call the worker made (the recorder, the secret, the run's translation) and send
        its outcome back."""

        def work() -> Any:
            if name == "secret":
                return self._secret(*args)
            if name == "translation" and self.translator is not None:
                return self.translator(args[0], cancel)  # ProgramError, UserInputError
            if name in _RECORDER_CALLS:
                if self.recorder is not None:
                    getattr(self.recorder, name)(*args)
                return None
            if name == "ledger" and self.ledger is not None and args[0] in LEDGER_CALLS:
                method, positional, keywords = args
                return getattr(self.ledger, method)(*positional, **keywords)
            raise QuantumDeskError(f"unknown request from the Azure worker: {name}")

        def failed(exc: Exception) -> None:  # raised in the worker, where the executor handles it
            if not isinstance(exc, QuantumDeskError):
                log.exception("%s for the Azure worker failed", name)

        worker.answer(call, work, failed)

    def _secret(self, profile: Any) -> str | None:
        if self.secret_of is not None:
            return self.secret_of(profile)
        from desktop_app.core.azure.secrets import default_secret_store

        return default_secret_store().get(profile)


class _EarlyTranslation:
    """A run's translation begun on a thread of its own as the run starts, not once the worker
    asks for it (after its start and imports): the program is translated on one core while the
    worker starts on the other. `get` (the worker's ask) waits for it and raises what it raised;
    the request the worker sends back is its copy without the parsed program: this one has it."""

    def __init__(
        self,
        translator: Callable[[RunRequest, CancelToken | None], Translation],
        request: RunRequest,
        cancel: CancelToken,
    ) -> None:
        self._translator, self._request, self._cancel = translator, request, cancel
        self._done = threading.Event()
        self._outcome: tuple[Translation | None, BaseException | None] = (None, None)
        threading.Thread(target=self._translate, name="azure-run-translate", daemon=True).start()

    def _translate(self) -> None:
        try:
            self._outcome = (self._translator(self._request, self._cancel), None)
        except BaseException as exc:  # raised in the worker's run, which reports it
            self._outcome = (None, exc)
        self._done.set()

    def get(self, _request: RunRequest, _cancel: CancelToken | None) -> Translation:
        self._done.wait()
        value, error = self._outcome
        if error is not None or value is None:
            raise error or QuantumDeskError("the program was not translated")
        return value
