"""Who had the CPUs while the GUI thread waited for one (bench-only diagnostics, Linux, root).

`bench_azure_gui_stall.py --why` tells a stall that is the GUI thread waiting for a CPU from one
it spends blocked or working; this says which processes had both cores meanwhile, from the
kernel's scheduler trace:

    perf record -a -k mono -e sched:sched_switch -e sched:sched_wakeup \\
        -e sched:sched_process_fork -e sched:sched_process_exec -o sched.data &
    .venv/bin/python tests/bench/bench_azure_gui_stall.py --why; kill -INT %1
    .venv/bin/python tests/bench/stall_sched.py sched.data GUI_PID [--at-least MS]

(GUI_PID: the pid `--why` prints.) For each wait of the GUI thread for a CPU of at least
`--at-least` ms (default 8): how long each process ran on a core meanwhile, named by what it
ran (its executable's path, which tells one worktree's Python from another's) and marked `ours`
when it descends from the bench (the emulator, Azurite, the app's worker processes).
"""

from __future__ import annotations

import argparse
import collections
import re
import subprocess
import sys

_EVENT = re.compile(r"^\s*(.+?)\s+(\d+)/(\d+)\s+\[(\d+)\]\s+([\d.]+):\s+sched:(\w+):\s+(.*)$")
_SWITCH = re.compile(r"prev_pid=(\d+) .*prev_state=(\S+) ==> next_comm=(.*) next_pid=(\d+)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data")
    parser.add_argument("gui_pid", type=int)
    parser.add_argument("--at-least", type=float, default=8.0, help="ms")
    options = parser.parse_args()
    gui = options.gui_pid
    script = subprocess.run(
        ["perf", "script", "-i", options.data, "-F", "comm,pid,tid,cpu,time,event,trace"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    tgid: dict[int, int] = {}
    parent: dict[int, int] = {}  # tid -> the tid that forked it
    exe: dict[int, str] = {}  # tgid -> what it exec'd
    names: dict[int, set[str]] = {}  # tgid -> its threads' names (the app's workers: qd-...)
    running: dict[int, tuple[int, float]] = {}  # cpu -> (tid, since)
    ran: list[tuple[int, float, float]] = []  # (tid, from, to) on some cpu
    runnable_since: float | None = None
    waits: list[tuple[float, float]] = []
    for line in script.splitlines():
        found = _EVENT.match(line)
        if found is None:
            continue
        comm, pid, tid, cpu, when, event, trace = found.groups()
        now = float(when)
        tgid[int(tid)] = int(pid)
        names.setdefault(int(pid), set()).add(comm)
        if event == "sched_switch":
            switch = _SWITCH.search(trace)
            if switch is None:
                continue
            prev, state, _, nxt = int(switch[1]), switch[2], switch[3], int(switch[4])
            was = running.get(int(cpu))
            if was is not None:
                ran.append((was[0], was[1], now))
            running[int(cpu)] = (nxt, now)
            if nxt == gui and runnable_since is not None:
                waits.append((runnable_since, now))
                runnable_since = None
            if prev == gui and state.startswith("R"):  # preempted: still runnable
                runnable_since = now
        elif event == "sched_wakeup":
            woken = re.search(r" pid=(\d+)", trace)
            if woken and int(woken[1]) == gui and runnable_since is None:
                runnable_since = now
        elif event == "sched_process_fork":
            child = re.search(r"child_pid=(\d+)", trace)
            if child:
                parent[int(child[1])] = int(tid)
        elif event == "sched_process_exec":
            exe[int(pid)] = trace.split()[0].removeprefix("filename=")

    def ours(tid: int) -> bool:
        seen = set()
        while tid not in seen:
            seen.add(tid)
            if tgid.get(tid, tid) == gui:
                return True
            if tid not in parent:
                return False
            tid = parent[tid]
        return False

    def name(tid: int) -> str:
        group = tgid.get(tid, tid)
        if tid == 0:
            return "idle"
        if group == gui:
            return "the bench (GUI process)" if tid != gui else "GUI thread"
        worker = sorted(n for n in names.get(group, ()) if n.startswith("qd-"))
        named = f" {worker[0]}" if worker else ""
        return f"{'ours ' if ours(tid) else ''}{exe.get(group, '?')} [{group}]{named}"

    ran.sort(key=lambda r: r[1])
    long_waits = [(a, b) for a, b in waits if (b - a) * 1000 >= options.at_least]
    totals: collections.Counter[str] = collections.Counter()
    print(
        f"{len(waits)} waits of the GUI thread for a CPU, {len(long_waits)} of at least "
        f"{options.at_least:.0f} ms"
    )
    for a, b in long_waits:
        who: collections.Counter[str] = collections.Counter()
        for tid, start, end in ran:
            if start >= b:
                break
            overlap = min(b, end) - max(a, start)
            if overlap > 0:
                who[name(tid)] += overlap * 1000
        totals.update(who)
        parts = ", ".join(f"{n} {ms:.0f}" for n, ms in who.most_common(4))
        print(f"  {(b - a) * 1000:5.1f} ms at {a:.3f}: {parts}")
    print("over those waits, ms on a core:")
    for who_name, ms in totals.most_common(12):
        print(f"  {ms:8.0f}  {who_name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
