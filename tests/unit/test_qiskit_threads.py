"""qiskit 2.5/2.6 segfaulted when a thread used qiskit after the thread that first imported it had
exited (backends run side by side on short-lived threads). Guard the pinned qiskit against it."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    from concurrent.futures import ThreadPoolExecutor

    QASM = 'OPENQASM 2.0; include "qelib1.inc"; qreg q[2]; creg c[2]; h q[0]; cx q[0],q[1];'

    def work():
        from qiskit import qasm2, transpile
        transpile(qasm2.loads(QASM), basis_gates=["rz", "sx", "cx"])

    for _ in range(3):  # each round's threads exit before the next round's start
        with ThreadPoolExecutor(4) as pool:
            for future in [pool.submit(work) for _ in range(4)]:
                future.result()
    print("ok")
    """
)


def test_qiskit_survives_its_first_importing_thread_exiting():
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, check=False
    )
    assert (done.returncode, done.stdout.strip()) == (0, "ok"), done.stderr[-2000:]
