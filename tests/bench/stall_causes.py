"""`bench_azure_gui_stall.py --why`: what held the GUI thread in each late heartbeat beat.

Bench-only diagnostics (Linux /proc). Each beat of the heartbeat already reads the GUI thread's
scheduler statistics (time on a CPU, time waiting for one); a late beat's gap then splits into
- on a CPU: the GUI thread itself worked (Qt's event loop, our slots), beyond the beat;
- waiting for a CPU: runnable, but other threads or processes had both cores;
- asleep beyond the 10 ms timer: blocked, in this process most likely on the interpreter lock.
A watchdog thread (2 ms ticks) looks at a beat that is over `LATE_MS` late: the GUI thread's
kernel state and system call (futex: a lock, the GIL; poll: Qt waiting for events), every Python
thread's innermost frame, and the CPU each native thread of the process used (and waited for)
from there to the beat's end, which names who ran while the GUI thread waited.
"""

from __future__ import annotations

import collections
import contextlib
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

LATE_MS = 12.0  # a beat this long after the last one (10 ms timer) is looked at
TICK_S = 0.002
_SYSCALLS = {"7": "poll", "202": "futex", "232": "epoll_wait", "0": "read", "1": "write"}
# innermost frames where a thread of the run only waits (its lock/pipe wait releases the GIL)
_WAITING = {"wait", "_supervise", "_worker", "select", "_recv", "one_run", "_sample", "_tick"}


def schedstat(tid: int | str = "thread-self") -> tuple[float, float]:
    """(seconds on a CPU, seconds waiting for one) of a thread so far (0, 0 off Linux)."""
    where = "/proc/thread-self" if tid == "thread-self" else f"/proc/self/task/{tid}"
    try:
        with open(f"{where}/schedstat", "rb") as stat:
            fields = stat.read().split()
        return int(fields[0]) / 1e9, int(fields[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0, 0.0


def steal() -> float:
    """Milliseconds the hypervisor has kept this machine's virtual CPUs from running, all CPUs
    together (Linux /proc/stat, 10 ms steps; 0 on bare metal or elsewhere)."""
    try:
        with open("/proc/stat", "rb") as stat:
            return int(stat.readline().split()[8]) * 1000 / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def _all_threads() -> dict[int, tuple[float, float]]:
    found = {}
    with contextlib.suppress(OSError):
        for task in os.listdir("/proc/self/task"):
            found[int(task)] = schedstat(task)
    return found


def _state(tid: int) -> str:
    """'R' or 'S futex' etc.: a thread's kernel state and, asleep, its system call."""
    try:
        stat = Path(f"/proc/self/task/{tid}/stat").read_text()
        state = stat[stat.rindex(")") + 2]
        if state == "R":
            return "R"
        call = Path(f"/proc/self/task/{tid}/syscall").read_text().split()[0]
        return f"{state} {_SYSCALLS.get(call, call)}"
    except (OSError, IndexError, ValueError):
        return "?"


def _where(frame: FrameType | None, depth: int = 3) -> str:
    parts = []
    while frame is not None and len(parts) < depth:
        code = frame.f_code
        parts.append(f"{Path(code.co_filename).name}:{code.co_name}:{frame.f_lineno}")
        frame = frame.f_back
    return " < ".join(parts)


@dataclass
class Look:
    """What the watchdog saw of one late beat."""

    beat: int  # index of the beat the gap ends at
    ticks: int = 0
    gui_states: collections.Counter[str] = field(default_factory=collections.Counter)
    gui_frames: collections.Counter[str] = field(default_factory=collections.Counter)
    busy_frames: collections.Counter[str] = field(default_factory=collections.Counter)
    watchdog_late_ms: float = 0.0  # its own longest tick beyond 2 ms (it needs the GIL too)
    steal0: float = 0.0  # steal() at the watchdog's tick before the gap began
    stolen_ms: float = 0.0  # steal() from then to the beat's end
    cpu0: dict[int, tuple[float, float]] = field(default_factory=dict)
    ran: list[tuple[float, float, str]] = field(default_factory=list)  # on cpu ms, cpu wait ms


class StallWatch:
    """Start with the heartbeat's beat list (each beat's first item its perf_counter time)."""

    def __init__(self, beats: list[tuple[float, ...]]) -> None:
        self._beats = beats
        self._gui = threading.get_native_id()
        self._gui_ident = threading.get_ident()
        self.looks: dict[int, Look] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._tick, name="bench-stall-watch", daemon=True)
        self._thread.start()

    def _tick(self) -> None:
        look: Look | None = None
        expected = time.perf_counter() + TICK_S
        stolen = collections.deque([(expected, steal())], maxlen=64)  # (time, steal) per tick
        while not self._stop.wait(TICK_S):
            now = time.perf_counter()
            late_tick, expected = (now - expected) * 1000, now + TICK_S
            stolen.append((now, steal()))
            count = len(self._beats)
            if look is not None and count > look.beat:  # the beat came: who ran meanwhile
                self._close(look)
                look.stolen_ms = stolen[-1][1] - look.steal0
                look = None
            if (now - self._beats[-1][0]) * 1000 < LATE_MS:
                continue
            if look is None:
                began = self._beats[-1][0]
                before = [v for t, v in stolen if t <= began] or [stolen[0][1]]
                look = self.looks[count] = Look(count, cpu0=_all_threads(), steal0=before[-1])
            look.ticks += 1
            look.watchdog_late_ms = max(look.watchdog_late_ms, late_tick)
            look.gui_states[_state(self._gui)] += 1
            me = threading.get_ident()
            for ident, frame in sys._current_frames().items():
                if ident == self._gui_ident:
                    look.gui_frames[_where(frame)] += 1
                elif ident != me and frame.f_code.co_name not in _WAITING:
                    look.busy_frames[_where(frame, 2)] += 1

    def _close(self, look: Look) -> None:
        names = {t.native_id: t.name for t in threading.enumerate()}
        for tid, (cpu, wait) in _all_threads().items():
            cpu0, wait0 = look.cpu0.get(tid, (cpu, wait))
            if (cpu - cpu0) + (wait - wait0) >= 0.001:
                name = "GUI" if tid == self._gui else names.get(tid, f"native {tid}")
                look.ran.append(((cpu - cpu0) * 1000, (wait - wait0) * 1000, name))
        look.ran.sort(reverse=True)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def split(beats: list[tuple[float, float, float]], index: int) -> tuple[float, float, float]:
    """Beat `index`'s gap (beats[index-1] to beats[index]) as ms (on a CPU, waiting for one,
    asleep) of the GUI thread; each beat is (time, seconds waiting, seconds on a CPU)."""
    (t0, w0, c0), (t1, w1, c1) = beats[index - 1], beats[index]
    cpu, wait = (c1 - c0) * 1000, (w1 - w0) * 1000
    return cpu, wait, (t1 - t0) * 1000 - cpu - wait


def cause(cpu: float, wait: float, asleep: float, period_ms: float, look: Look | None) -> str:
    """The largest part of a late beat: the GUI thread's own work, its wait for a CPU, or sleep
    beyond its timer; that last one is the hypervisor's when it took the machine's CPUs meanwhile
    (steal), or a late timer when the watchdog's own 2 ms sleep overran as much and nothing of
    this process ran (the watchdog's and the GUI thread's timers both: the machine, not a lock)."""
    extra_sleep = max(0.0, asleep - period_ms)
    parts = {"GUI work": cpu, "CPU wait": wait, "asleep": extra_sleep}
    why = max(parts, key=lambda k: parts[k])
    if why != "asleep":
        return why
    if look is None:  # the watchdog, late itself, did not see it
        return "asleep (not looked at)"
    if look is not None and look.stolen_ms >= extra_sleep / 2:
        return "asleep: steal (the VM's CPUs were taken)"
    others = (
        sum(c for c, _, name in look.ran if name not in ("GUI", "bench-stall-watch")) if look else 0
    )
    if look is not None and look.watchdog_late_ms >= extra_sleep / 2 and others < 1.0:
        return "asleep: timers late (no thread of ours ran)"
    return "asleep: blocked (GIL or a lock)"


def report(
    label: str,
    beats: list[tuple[float, float, float]],
    watch: StallWatch,
    period_ms: float,
    at_least_ms: float = 8.0,
) -> None:
    """Each stall of at least `at_least_ms`, split and explained; then counts by cause."""
    t0 = beats[0][0]
    counts: collections.Counter[str] = collections.Counter()
    for index in range(1, len(beats)):
        gap = (beats[index][0] - beats[index - 1][0]) * 1000
        stall = gap - period_ms
        if stall < at_least_ms:
            continue
        cpu, wait, asleep = split(beats, index)
        look = watch.looks.get(index)
        why = cause(cpu, wait, asleep, period_ms, look)
        counts[why] += 1
        print(
            f"[{label}] why: {stall:5.1f} ms at {beats[index - 1][0] - t0:6.2f} s: GUI thread "
            f"on a CPU {cpu:4.1f}, waiting for one {wait:4.1f}, asleep {asleep:4.1f} ms -> {why}"
        )
        if look is None:
            continue
        states = ", ".join(f"{s} x{n}" for s, n in look.gui_states.most_common(3))
        print(
            f"[{label}]        watchdog: {look.ticks} looks, GUI thread {states}; "
            f"watchdog itself late by up to {look.watchdog_late_ms:.1f} ms; "
            f"steal meanwhile {look.stolen_ms:.0f} ms"
        )
        for frame, n in look.gui_frames.most_common(2):
            print(f"[{label}]        GUI thread at {frame} x{n}")
        for frame, n in look.busy_frames.most_common(4):
            print(f"[{label}]        busy thread at {frame} x{n}")
        ran = ", ".join(f"{name} {c:.1f}+{w:.1f}" for c, w, name in look.ran[:6])
        print(f"[{label}]        ran meanwhile (ms on a CPU + waiting for one): {ran or '-'}")
    summary = ", ".join(f"{why} {n}" for why, n in counts.most_common()) or "none"
    print(f"[{label}] (times from CLOCK_MONOTONIC {t0:.6f} s, pid {os.getpid()})")
    print(f"[{label}] stalls of {at_least_ms:.0f} ms or more by cause: {summary}")
