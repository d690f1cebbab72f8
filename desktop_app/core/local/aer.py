"""qiskit-aer simulators and their pass managers, one of each per method, built once per process
(a pass manager costs 0.25 s to build). Imported only where the simulation runs."""

from __future__ import annotations

import functools
from typing import Any


@functools.cache
def simulator_for(method: str) -> Any:
    from qiskit_aer import AerSimulator

    return AerSimulator(method=method)


@functools.cache
def pass_manager_for(method: str) -> Any:
    """Level 0: only translates into the method's instruction set (aer fuses gates itself); the
    target also bounds the width (automatic/statevector: what the memory holds, as aer computes
    it; stabilizer 10,000; matrix product state 63)."""
    from qiskit.transpiler import generate_preset_pass_manager

    return generate_preset_pass_manager(backend=simulator_for(method), optimization_level=0)
