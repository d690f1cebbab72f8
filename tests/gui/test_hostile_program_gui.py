"""A hostile program in the editor never freezes the window (issue 14): the price estimate, the
run's cost and an Azure run's translation parse in a simulator worker process, never in the GUI
process; what the GUI thread itself reads of the program (the memory check) is a linear scan.

The event loop's heartbeat is observed as behaviour: a QTimer keeps firing while a worker
process (another pid) is busy estimating a program that takes it seconds."""

from __future__ import annotations

import html
import os
import sys

import pytest
from PySide6.QtCore import Qt, QTimer
from pytestqt.qtbot import QtBot

from desktop_app.core import programs
from desktop_app.core.azure.profiles import ProfileStore
from desktop_app.core.local import executor, memory
from desktop_app.ui.backends import summary as summary_module
from desktop_app.ui.backends.model import PLACEHOLDER
from desktop_app.ui.backends.summary import ESTIMATING
from desktop_app.ui.main_window import MainWindow
from tests.gui.offline_profiles import sp_profile
from tests.unit.hostile_harness import run_limited

FORTE = "ionq.qpu.forte-1"


def doubling(levels: int) -> str:
    """`levels` gate definitions, each calling the one below twice: 2**levels gates."""
    lines = ["OPENQASM 2.0;", 'include "qelib1.inc";', "qreg q[2];", "creg c[2];"]
    lines.append("gate g0 a, b { cx a, b; }")
    lines += [f"gate g{i} a, b {{ g{i - 1} a, b; g{i - 1} b, a; }}" for i in range(1, levels + 1)]
    lines += [f"g{levels} q[0], q[1];", "measure q -> c;"]
    return "\n".join(lines) + "\n"


def chain(depth: int) -> str:
    """A gate defined through `depth` other gates."""
    lines = ["OPENQASM 2.0;", 'include "qelib1.inc";', "qreg q[1];", "gate c0 a { x a; }"]
    lines += [f"gate c{i} a {{ c{i - 1} a; }}" for i in range(1, depth + 1)]
    return "\n".join([*lines, f"c{depth} q[0];"]) + "\n"


class ParsedHere:
    """Every parse in THIS process (the GUI's), and every call handed to a worker."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.parses: list[int] = []
        self.worker_calls: list[str] = []
        real_load, real_call = programs.load_program, summary_module.call_in_worker

        def load(source: str, path: str | None = None) -> programs.Program:
            self.parses.append(os.getpid())
            return real_load(source, path)

        def call(function, args=(), **kw):  # type: ignore[no-untyped-def]
            self.worker_calls.append(function.__qualname__)
            return real_call(function, args, **kw)

        monkeypatch.setattr(programs, "load_program", load)
        monkeypatch.setattr(summary_module, "call_in_worker", call)


@pytest.fixture
def priced_window(make_window, qtbot: QtBot) -> MainWindow:  # type: ignore[no-untyped-def]
    ProfileStore().create(
        sp_profile(),
        allow_custom_endpoints=True,
    )
    window: MainWindow = make_window()
    window.show()
    qtbot.waitExposed(window)
    window.start_background_work()
    return window


def price_of(window: MainWindow) -> tuple[str, str]:
    row = next(r for r in window.azure.model.rows() if r.backend.name == FORTE)
    model = window.azure.model
    index = model.index(model.rows().index(row), model.column_of("price"))
    return row.info.get("price", ""), str(model.data(index, Qt.ItemDataRole.ToolTipRole) or "")


def test_a_slow_estimate_runs_in_another_process_while_the_window_keeps_ticking(
    qtbot: QtBot, priced_window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = ParsedHere(monkeypatch)
    window = priced_window
    ticks: list[set[int]] = []  # per heartbeat: the worker processes busy at that moment
    heartbeat = QTimer(window)
    heartbeat.setInterval(20)
    heartbeat.timeout.connect(lambda: ticks.append(executor.busy_worker_pids()))
    heartbeat.start()
    started: list[int] = []  # the heartbeat's count when the estimate began

    def on_change(*_args: object) -> None:
        if not started and price_of(window)[0] == ESTIMATING:
            started.append(len(ticks))

    window.azure.model.dataChanged.connect(on_change)
    window.editor.setPlainText(doubling(10))  # 1,024 two-qubit gates: seconds to transpile
    qtbot.waitUntil(lambda: price_of(window)[0].startswith("≈"), timeout=120_000)
    heartbeat.stop()
    assert started
    during = ticks[started[0] :]
    busy = set().union(*during)
    assert busy and os.getpid() not in busy  # a worker process did the estimate
    assert sum(1 for pids in during if pids) >= 3  # and the event loop ran meanwhile
    assert spy.parses == []  # never parsed in the GUI process
    assert "estimate_targets" in spy.worker_calls


@pytest.mark.parametrize(
    ("program", "reason"),
    [
        (doubling(40), "after unrolling gate definitions"),
        (chain(5000), "definitions 65 levels deep"),
    ],
    ids=["40-nested-doubling-definitions", "5000-deep-gate-chain"],
)
def test_a_hostile_program_gets_its_limit_as_the_price_reason_and_no_parse_here(
    qtbot: QtBot,
    priced_window: MainWindow,
    monkeypatch: pytest.MonkeyPatch,
    program: str,
    reason: str,
) -> None:
    spy = ParsedHere(monkeypatch)
    window = priced_window
    ticks: list[int] = []
    heartbeat = QTimer(window)
    heartbeat.setInterval(20)
    heartbeat.timeout.connect(lambda: ticks.append(1))
    heartbeat.start()
    seen: list[str] = []  # the price cell's values as they change
    window.azure.model.dataChanged.connect(lambda *_a: seen.append(price_of(window)[0]))
    window.editor.setPlainText(program)
    qtbot.waitUntil(lambda: "No estimate" in price_of(window)[1], timeout=60_000)
    assert ESTIMATING in seen
    heartbeat.stop()
    assert ticks  # the window kept answering
    assert spy.parses == []
    assert spy.worker_calls and set(spy.worker_calls) == {"estimate_targets"}, spy.worker_calls
    price, tip = price_of(window)
    assert price == PLACEHOLDER, (price, tip)
    assert window.azure.estimate(FORTE) is None  # no figure for a program that cannot load
    text = html.unescape(tip)  # the model shows every tooltip as plain text (escaped)
    assert "No estimate: <editor>:" in text and reason in text, text  # located, plain words


@pytest.mark.parametrize(
    "source",
    [
        "qubit" + " " * 100_000 + "x",  # took minutes: backtracking into a run of spaces
        "/*" * 1_000_000,  # unclosed comments
        "qubit[" + "9" * 5_000 + "] q;",  # a number Python will not read
        "OPENQASM 3; qubit[1000000000] q;",
    ],
    ids=["spaces", "unclosed-comments", "5000-digits", "a-billion-qubits"],
)
def test_the_memory_check_reads_any_text_and_never_raises(source: str) -> None:
    qubits = memory.declared_qubits(source)  # the GUI thread runs this scan at Run
    assert qubits >= 0
    assert memory.memory_note(min(qubits, 1000), None).startswith(f"{min(qubits, 1000)} qubits")


def test_the_memory_check_on_5_mb_of_hostile_text_ends_within_the_harness_bounds() -> None:
    """A hang detector, not a timing target: the backtracking regexes took minutes on 2 MB."""
    script = (
        "from desktop_app.core.local import memory\n"
        "for text in ['qubit' + ' ' * 5_000_000 + 'x', ('qreg q' + ' ' * 100_000 + 'x') * 50,"
        " '/*' * 2_500_000, 'qubit[' + ' ' * 5_000_000]:\n"
        "    assert memory.declared_qubits(text) == 0\n"
        "print('scanned')\n"
    )
    outcome = run_limited([sys.executable, "-c", script], wall_seconds=60)
    assert outcome.returncode == 0 and outcome.stdout == "scanned\n", outcome.stderr


def test_an_azure_run_from_the_window_translates_in_a_worker_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The run's own parse and translation happen in a simulator worker process, which the
    Azure worker asks through this one: a hostile program ends in its located error, and this
    process never parsed it."""
    from desktop_app.core.cancel import CancelToken
    from desktop_app.core.local import calls
    from desktop_app.core.request import RunRequest
    from desktop_app.ui import runs

    spy = ParsedHere(monkeypatch)
    handed: list[str] = []
    real_call = calls.call_in_worker

    def call(function, args=(), **kw):  # type: ignore[no-untyped-def]
        handed.append(function.__qualname__)
        return real_call(function, args, **kw)

    monkeypatch.setattr(calls, "call_in_worker", call)
    request = RunRequest(doubling(40), "hostile.qasm", "ionq.simulator", 100, profile="mine")
    outcome = runs._run_one(request, CancelToken(), None, lambda _m, _f: None)
    assert handed == ["translate_request"] and spy.parses == []
    assert outcome.program_error is not None and outcome.program_error.line == 46
    assert outcome.message.startswith("hostile.qasm:46:1: ")
