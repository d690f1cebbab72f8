"""How a circuit's qiskit-aer counts are read, the same for a run and for a check of a reading."""

from __future__ import annotations

from typing import Any


def measures(circuit: Any) -> bool:
    """Whether any measurement writes a classical bit (inside control flow too): aer has no
    counts for a circuit that measures nothing."""
    for instruction in circuit.data:
        if instruction.operation.name == "measure":
            return True
        if any(measures(block) for block in getattr(instruction.operation, "blocks", ())):
            return True
    return False


def clbit_counts(result: Any, width: int) -> dict[str, int]:
    """An aer result's counts as bit strings of every clbit, clbit 0 rightmost. aer's hex counts
    cover every clbit in index order; get_counts() formats them by register and drops bits
    outside any register (`bit a;` beside `bit[2] b;`)."""
    return {
        format(int(key, 16), f"0{width}b"): int(value)
        for key, value in result.data(0)["counts"].items()
    }
