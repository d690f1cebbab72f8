"""The Azure worker process: azure-identity, azure-quantum and azure-storage-blob live here only.

Importing and running the Azure SDK holds the interpreter lock for tens of milliseconds at a time
(85-120 ms for the first imports of a process, tests/bench/bench_azure_gui_stall.py), which froze
the window when it happened on a thread of the GUI process. This process runs every Azure job of
the window, each on its own thread, and is supervised by `core.azure.process` in the parent.

Everything that must stay in the parent goes back through the pipe and waits for the answer: the
recorder's calls (the parent writes its job ledger, so `job_created` is committed before the
submit, as in-process), and the secret of a profile (a secret typed for this session only lives in
the parent). Messages, tagged with the run's key:
  parent -> worker: ("run", key, request, schedule, secret_from_parent, translation_from_parent),
                    ("cancel", key),
                    ("detach", key), ("invoke", key, name, args) (the live target status, a
                    connection test, start-up reconciliation: see _invoke),
                    ("answer", call, ok, value), ("stop",)
  worker -> parent: ("ready",), ("progress", key, message, fraction), ("call", key, call, name,
                    args) (name "token": a signed-in profile's token, key 0, answered by the
                    parent's reader for any thread), ("result", key, RunResult),
                    ("error", key, exception, detail)
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import pickle
import sys
import threading
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_app.core.cancel import CancelToken
from desktop_app.core.child_process import exit_with_parent, name_this_process, yield_to_window
from desktop_app.core.errors import QuantumDeskError

if TYPE_CHECKING:
    from desktop_app.core.azure.job_recorder import AzureJobInfo
    from desktop_app.core.azure.polling import PollSchedule
    from desktop_app.core.azure.profiles import Profile
    from desktop_app.core.azure.translate import Translation
    from desktop_app.core.request import RunRequest
    from desktop_app.core.results import JobStatus, RunResult

log = logging.getLogger(__name__)


def portable(exc: BaseException) -> BaseException:
    """The exception as the other process will see it: the same class when it survives pickling
    (Cancelled, ProgramError with its line, LedgerError ...), else its plain message."""
    try:
        copy = pickle.loads(pickle.dumps(exc))
    except Exception:  # a class whose __init__ cannot be rebuilt from its args
        log.debug("exception not picklable, sending its text", exc_info=True)
    else:
        if type(copy) is type(exc) and str(copy) == str(exc):
            return copy
    if isinstance(exc, QuantumDeskError):
        return QuantumDeskError(str(exc))
    return QuantumDeskError("the Azure run failed unexpectedly; the log has details")


class _Channel:
    """The worker's end of the pipe, shared by every run thread: sends are serialized, and a
    call to the parent waits for its answer."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._send_lock = threading.Lock()
        self._calls = itertools.count(1)
        self._waiting: dict[int, tuple[threading.Event, list[Any]]] = {}
        self._lock = threading.Lock()
        self.closed = False

    def send(self, message: tuple[Any, ...]) -> None:
        with self._send_lock:
            self.conn.send(message)

    def call(self, key: int, name: str, *args: Any) -> Any:
        """Ask the parent to run `name(*args)` and wait for its answer (raising what it raised)."""
        call = next(self._calls)
        done, answer = threading.Event(), list[tuple[bool, Any]]()
        with self._lock:
            if self.closed:
                raise QuantumDeskError("the app went away during the run")
            self._waiting[call] = (done, answer)
        self.send(("call", key, call, name, args))
        done.wait()
        ok, value = answer[0]
        if not ok:
            raise value
        return value

    def answered(self, call: int, ok: bool, value: Any) -> None:
        with self._lock:
            waiting = self._waiting.pop(call, None)
        if waiting is not None:
            waiting[1].append((ok, value))
            waiting[0].set()

    def close(self) -> None:
        """The pipe broke: every call waiting for the parent fails."""
        with self._lock:
            self.closed = True
            waiting, self._waiting = list(self._waiting.values()), {}
        for done, answer in waiting:
            answer.append((False, QuantumDeskError("the app went away during the run")))
            done.set()


class _RemoteRecorder:
    """A `JobRecorder` whose calls run in the parent (its LedgerRecorder), in order."""

    def __init__(self, channel: _Channel, key: int) -> None:
        self.channel, self.key = channel, key

    def job_created(self, info: AzureJobInfo) -> None:
        self.channel.call(self.key, "job_created", info)

    def job_status(self, job_id: str, status: JobStatus, azure_status: str) -> None:
        self.channel.call(self.key, "job_status", job_id, status, azure_status)

    def job_finished(self, job_id: str, result: RunResult, details: Mapping[str, Any]) -> None:
        self.channel.call(self.key, "job_finished", job_id, result, dict(details))


class _OneCall:
    """What a run or an invoked call of key `key` sends the parent: progress, asks for the
    profile's secret, and at the end its value or what it raised."""

    def __init__(self, channel: _Channel, key: int, tokens: dict[int, CancelToken]) -> None:
        self.channel, self.key, self.tokens = channel, key, tokens

    def progress(self, message: str, fraction: float | None) -> None:
        self.channel.send(("progress", self.key, message, fraction))

    def secret_of(self, profile: Profile) -> str | None:
        answer: str | None = self.channel.call(self.key, "secret", profile)
        return answer

    def answer(self, work: Callable[[], Any]) -> None:
        """Send `work()`'s value, or what it raised (everything goes back to the parent, which
        re-raises it); the call's cancel token is dropped either way."""
        try:
            value = work()
        except BaseException as exc:
            detail = "" if isinstance(exc, QuantumDeskError) else traceback.format_exc()
            with contextlib.suppress(OSError, ValueError):
                self.channel.send(("error", self.key, portable(exc), detail))
        else:
            with contextlib.suppress(OSError, ValueError):
                self.channel.send(("result", self.key, value))
        finally:
            self.tokens.pop(self.key, None)


def warm_up() -> None:
    """Pay the SDK's imports of a first Azure run before a user's Run. Not qiskit's: the window
    translates its runs in a simulator worker, where qiskit is warm (`AzureProcessExecutor.
    translator`), so this process's CPU and memory go to the SDK alone."""
    import azure.identity
    import azure.quantum
    import azure.storage.blob  # noqa: F401

    from desktop_app.core.azure import executor  # noqa: F401


def _warm_up_then_ready(channel: _Channel) -> None:
    try:
        warm_up()
    except Exception:  # the real run reports the problem properly
        log.warning("Azure worker warm-up failed", exc_info=True)
    with contextlib.suppress(OSError, ValueError):
        channel.send(("ready", os.getpid()))


def _run(
    channel: _Channel,
    key: int,
    request: RunRequest,
    schedule: PollSchedule | None,
    secret_from_parent: bool,
    translation_from_parent: bool,
    token: CancelToken,
    tokens: dict[int, CancelToken],
) -> None:
    from desktop_app.core.azure.executor import AzureExecutor
    from desktop_app.core.azure.polling import PollSchedule

    ends = _OneCall(channel, key, tokens)
    executor = AzureExecutor(
        schedule=schedule or PollSchedule(),
        secret_of=ends.secret_of if secret_from_parent else None,
        recorder=_RemoteRecorder(channel, key),
    )
    if translation_from_parent:  # translated where qiskit is warm; this process never imports it

        def translation(run_request: RunRequest, _cancel: CancelToken) -> Translation:
            made: Translation = channel.call(key, "translation", run_request)
            return made

        executor.translator = translation
    if secret_from_parent and request.profile:  # its tokens asked while the SDK is imported
        from desktop_app.core.azure.ahead import fetch_tokens

        fetch_tokens(request.profile, ends.secret_of)
    ends.answer(lambda: executor.run(request, token, ends.progress))


class _RemoteLedger:
    """The parent's job ledger as a call in the worker sees it: each method runs there (the
    window's ledger, whose change notices reach the jobs view); `path` is for the live-run locks."""

    def __init__(self, channel: _Channel, key: int, path: Path) -> None:
        self.channel, self.key, self.path = channel, key, path

    def __getattr__(self, method: str) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            return self.channel.call(self.key, "ledger", method, args, kwargs)

        return call


@dataclass(frozen=True)
class WorkerContext:
    """What a function run by `process.call_in_azure_worker` gets, first: its cancel token,
    progress (shown in the parent), the profile's secret and workspace (the secret asked from
    the parent), and the parent's job ledger at a path (`remote_ledger`: each call runs there)."""

    token: CancelToken
    progress: Callable[[str, float | None], None]
    secret_of: Callable[[Profile], str | None]
    open_workspace: Callable[[str], tuple[Any, Profile]]
    remote_ledger: Callable[[Path], Any]


def _invoke(
    channel: _Channel,
    key: int,
    name: str | Callable[..., Any],
    args: tuple[Any, ...],
    token: CancelToken,
    tokens: dict[int, CancelToken],
) -> None:
    """A call other than a run, with the profile's secret asked from the parent: the live target
    status, a connection test, or a function of a higher layer (start-up reconciliation)."""
    from desktop_app.core.azure.session import open_profile_workspace

    ends = _OneCall(channel, key, tokens)

    def opener(profile: str) -> tuple[Any, Profile]:
        return open_profile_workspace(profile, ends.secret_of)

    def work() -> Any:
        if callable(name):
            context = WorkerContext(
                token,
                ends.progress,
                ends.secret_of,
                opener,
                lambda path: _RemoteLedger(channel, key, path),
            )
            return name(context, *args)
        if name == "refresh_status":
            from desktop_app.core.azure import ahead
            from desktop_app.core.azure.status import refresh_status

            return refresh_status(args[0], opener=opener, keep=ahead.keep)
        if name == "test_connection":
            from desktop_app.core.azure.credentials import test_connection

            return test_connection(args[0], ends.secret_of, token, interactive=False)
        raise QuantumDeskError(f"unknown request for the Azure process: {name}")

    ends.answer(work)


def _relay_sign_in_tokens(channel: _Channel) -> None:
    """A profile signed in with the user's own account gets its tokens from the parent, which
    holds the sign-in (key 0: the parent answers these for any thread, a run's or the SDK's)."""
    from desktop_app.core.azure import sign_in

    def relay(profile: str, scopes: tuple[str, ...], kwargs: dict[str, Any]) -> Any:
        return channel.call(0, "token", profile, scopes, kwargs)

    sign_in.relay_tokens(relay)


def _set_up_logging(setup: tuple[int, str | None] | None) -> None:
    """Log as the parent asked (`process.serve_command_line`): (level, format) on stderr, or with
    a None format nothing at all (the command line without --verbose: not even the SDK's
    warnings)."""
    if setup is None:
        return
    level, form = setup
    # force: a forked worker (process.serve_command_line) starts with the parent's handlers
    if form is None:
        logging.basicConfig(level=level, handlers=[logging.NullHandler()], force=True)
    else:
        logging.basicConfig(level=level, format=form, force=True)


def serve(
    conn: Connection, logging_setup: tuple[int, str | None] | None = None, nice: bool = True
) -> None:
    """The worker's main loop: one thread per run; cancel/detach reach its token."""
    from desktop_app.core.azure import busy_steps

    name_this_process("qd-azure")
    exit_with_parent()
    _set_up_logging(logging_setup)
    if nice:  # the window's process comes first
        yield_to_window()
    busy_steps.allow(64)  # no window in this process waits for the interpreter lock
    channel = _Channel(conn)
    _relay_sign_in_tokens(channel)
    # The warm-up runs beside the loop: a run sent at once (Run pressed as the window opened)
    # starts now, its sign-in and workspace overlapping the imports, instead of after them.
    threading.Thread(
        target=_warm_up_then_ready, args=(channel,), name="azure-warm-up", daemon=True
    ).start()
    tokens: dict[int, CancelToken] = {}
    try:
        while True:
            message = conn.recv()
            kind = message[0]
            if kind == "run":
                _, key, request, schedule, secret_from_parent, translated = message
                token = tokens[key] = CancelToken()
                threading.Thread(
                    target=_run,
                    args=(
                        *(channel, key, request, schedule, secret_from_parent, translated),
                        *(token, tokens),
                    ),
                    name=f"azure-run-{key}",
                    daemon=True,
                ).start()
            elif kind == "invoke":
                _, key, name, args = message
                token = tokens[key] = CancelToken()
                threading.Thread(
                    target=_invoke,
                    args=(channel, key, name, args, token, tokens),
                    name=f"azure-call-{key}",
                    daemon=True,
                ).start()
            elif kind in ("cancel", "detach"):
                found = tokens.get(message[1])
                if found is not None and kind == "cancel":
                    found.cancel()
                elif found is not None:
                    found.detach()
            elif kind == "answer":
                channel.answered(message[1], message[2], message[3])
            else:  # "stop"
                return
    except (EOFError, OSError):
        return  # the pipe broke: the app went away
    finally:
        channel.close()
        for token in list(tokens.values()):
            token.detach()  # leave the jobs open at Azure: the next start picks them up
        _end_now()


def _end_now() -> None:
    """End the process without tearing down its interpreter: unloading the SDK's modules took
    ~0.18 s that the parent waited for at every command line's exit, and what is left to do
    here is nothing (the parent holds the ledger and the sign-in; a run still going is detached
    and stays open at Azure, as when the parent kills a worker that does not stop)."""
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(0)
