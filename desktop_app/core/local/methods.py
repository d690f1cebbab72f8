"""Which qiskit-aer method simulates a program, and how much memory that method needs.

`automatic` (the default) is qiskit-aer's own choice: the stabilizer method for Clifford
circuits (any width: GHZ-100 needs kilobytes), the statevector otherwise (16 bytes per amplitude,
2**n of them). `matrix_product_state` is offered for wide circuits of low entanglement. Before a
run, the memory the method will need is compared with the memory available now; a run that
cannot fit is refused with both figures, instead of the OS killing the simulator.

Names and per-method qubit limits are qiskit-aer's (`AerSimulator(method=...)`,
`configuration().n_qubits` and `basis_gates`); imported only in the process that simulates.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from desktop_app.core.errors import UserInputError
from desktop_app.core.local import memory
from desktop_app.core.local.memory import format_bytes, statevector_bytes
from desktop_app.core.local.method_names import (
    AUTOMATIC,
    METHODS,
    MPS,
    OPTION,
    STABILIZER,
    STATEVECTOR,
)

BYTES_PER_COMPLEX = 16  # complex128, aer's default (double) precision
# Two-qubit gates whose operator Schmidt rank is 2 (one control, one target): across a cut of
# the qubit line they at most double the bond dimension; any other gate spanning a left and b
# right qubits multiplies it by at most 4**min(a, b).
_RANK_TWO = frozenset({"cx", "cy", "cz", "ch", "cp", "crx", "cry", "crz", "cu1", "cs", "csdg"})
_NOT_GATES = frozenset({"measure", "reset", "barrier", "delay"})
_CONTROL_FLOW = frozenset({"if_else", "while_loop", "for_loop", "switch_case", "box"})


class MemoryNeededError(UserInputError):
    """The chosen method needs more memory than this computer has available now."""


@dataclass(frozen=True)
class Plan:
    method: str  # the method that will simulate (never "automatic")
    num_qubits: int
    needed_bytes: int


def check_method(value: object, where: str = "method") -> str:
    """A method name from the user (`--method`, the options mapping), or UserInputError."""
    text = str(value).strip().lower().replace("-", "_") if value is not None else AUTOMATIC
    if text == "mps":
        text = MPS
    if text not in METHODS:
        raise UserInputError(f"{where} must be one of {', '.join(METHODS)}, not {value!r}")
    return text


def requested_method(options: Mapping[str, object]) -> str:
    return check_method(options.get(OPTION, AUTOMATIC), f"option '{OPTION}'")


def stabilizer_gates() -> frozenset[str]:
    """The instructions qiskit-aer's stabilizer method runs (its own list)."""
    from desktop_app.core.local.aer import simulator_for

    return frozenset(simulator_for(STABILIZER).configuration().basis_gates)


def non_clifford(circuit: Any) -> list[str]:
    """The operations the stabilizer method cannot run: names outside aer's list, and rotations
    in it (rz) by an angle that is not a multiple of pi/2 (aer's automatic choice then is the
    statevector, as it checks the angles too)."""
    allowed = stabilizer_gates() | _NOT_GATES
    found: list[str] = []
    for operation in _operations(circuit):
        if operation.name not in allowed:
            found.append(operation.name)
        elif operation.name not in _CONTROL_FLOW and not all(map(_quarter_turn, operation.params)):
            found.append(f"{operation.name} by a non-Clifford angle")
    return list(dict.fromkeys(found))


def _quarter_turn(param: Any) -> bool:
    try:
        turns = float(param) / (math.pi / 2)
    except (TypeError, ValueError):
        return False  # an unbound parameter
    return abs(turns - round(turns)) < 1e-9


def _operations(circuit: Any) -> Iterable[Any]:
    for instruction in circuit.data:
        yield instruction.operation
        for block in getattr(instruction.operation, "blocks", ()):
            yield from _operations(block)


def is_clifford(circuit: Any) -> bool:
    """True when the stabilizer method runs every operation: aer's automatic choice then."""
    return not non_clifford(circuit)


def max_qubits(method: str) -> int:
    from desktop_app.core.local.aer import simulator_for

    return int(simulator_for(method).configuration().n_qubits)


def stabilizer_bytes(num_qubits: int) -> int:
    """aer's Clifford tableau: 2n Pauli rows, each an X and a Z bit vector of n bits packed in
    64-bit words, plus a phase byte per row."""
    words = max(1, -(-num_qubits // 64))
    return 2 * num_qubits * (2 * 8 * words + 1)


def mps_bytes(circuit: Any) -> int:
    """An upper estimate of a matrix product state's memory for `circuit`: at each cut of the
    qubit line the bond dimension is at most 2**(qubits on the smaller side) and at most the
    product of what the gates spanning the cut can add (2 for a controlled gate, 4**k for a gate
    with k qubits on the smaller side of the cut); each site holds two chi_left x chi_right
    complex matrices. (aer moves qubits next to each other to apply a gate, so this is a bound
    on the program's own entanglement, not on aer's intermediate states.)"""
    n = circuit.num_qubits
    if n <= 1:
        return 2 * BYTES_PER_COMPLEX
    index = {qubit: i for i, qubit in enumerate(circuit.qubits)}
    log_chi = [min(k, n - k) for k in range(1, n)]  # log2 bound from the cut sizes alone
    growth = [0] * (n - 1)  # log2 of what the gates spanning each cut can add
    for name, positions in _gates(circuit.data, index):
        if len(positions) < 2:
            continue
        low, high = min(positions), max(positions)
        for cut in range(low, high):  # the cut between qubit `cut` and `cut + 1`
            left = sum(1 for p in positions if p <= cut)
            smaller = min(left, len(positions) - left)
            growth[cut] += 1 if name in _RANK_TWO and len(positions) == 2 else 2 * smaller
    chis = [1] + [1 << min(bound, grown) for bound, grown in zip(log_chi, growth, strict=True)]
    chis.append(1)
    return sum(2 * chis[i] * chis[i + 1] * BYTES_PER_COMPLEX for i in range(n))


def _gates(data: Iterable[Any], index: Mapping[Any, int]) -> Iterable[tuple[str, list[int]]]:
    for instruction in data:
        operation = instruction.operation
        blocks = getattr(operation, "blocks", ())
        if blocks:
            for block in blocks:  # a block's qubits are the instruction's, in order
                inner = {
                    q: index[outer]
                    for q, outer in zip(block.qubits, instruction.qubits, strict=True)
                }
                yield from _gates(block.data, inner)
        elif operation.name not in _NOT_GATES:
            yield operation.name, [index[q] for q in instruction.qubits]


def needed_bytes(circuit: Any, method: str) -> int:
    if method == STABILIZER:
        return stabilizer_bytes(circuit.num_qubits)
    if method == MPS:
        return mps_bytes(circuit)
    return statevector_bytes(circuit.num_qubits)


def plan(
    circuit: Any,
    requested: str,
    available: int | None = None,
    *,
    written: Any = None,
    alternatives: bool = True,
) -> Plan:
    """The method that simulates `circuit` (aer's automatic choice unless one was asked for)
    and its memory, or a plain refusal (MemoryNeededError, UserInputError) before anything
    runs. `available`: bytes free now (None: read from the system; unknown: no refusal);
    `written`: the circuit as the program wrote it, whose gate names a refusal quotes;
    `alternatives`: a refusal names the other methods that would fit (local.simulator)."""
    clifford = is_clifford(circuit)
    if requested == AUTOMATIC:
        method = STABILIZER if clifford else STATEVECTOR
    elif requested == STABILIZER and not clifford:
        raise UserInputError(
            "the stabilizer method runs only Clifford circuits (h, s, cx, ...); this program "
            f"also uses {', '.join(_quoted(circuit, written)[:5])}: use the automatic method"
        )
    else:
        method = requested
    n = circuit.num_qubits
    limit = max_qubits(method) if method != STATEVECTOR else None
    if limit is not None and n > limit:
        raise UserInputError(
            f"the program uses {n} qubits; qiskit-aer's {method} method simulates at most {limit}"
        )
    needed = needed_bytes(circuit, method)
    free = memory.available_bytes() if available is None else available
    if free is not None and needed > free:
        raise MemoryNeededError(_refusal(circuit, method, needed, free, clifford, alternatives))
    return Plan(method, n, needed)


def _quoted(circuit: Any, written: Any) -> list[str]:
    said = non_clifford(written) if written is not None else []
    return said or non_clifford(circuit)


def _refusal(
    circuit: Any, method: str, needed: int, free: int, clifford: bool, alternatives: bool
) -> str:
    n = circuit.num_qubits
    text = (
        f"not run: {n} qubits on the {method} method need about {format_bytes(needed)} of "
        f"memory; {format_bytes(free)} is available now."
    )
    if not alternatives:
        return f"{text} Use fewer qubits, or run on an Azure simulator target."
    if method == STATEVECTOR and not clifford and n <= max_qubits(MPS):
        mps = mps_bytes(circuit)
        if mps <= free:
            return (
                f"{text} With little entanglement the matrix_product_state method needs about "
                f"{format_bytes(mps)}: choose it (in the window: Method, next to Shots; on the "
                "command line: --method matrix_product_state), use fewer qubits, or run on an "
                "Azure simulator target."
            )
    if method != STABILIZER and clifford:
        return (
            f"{text} It is a Clifford circuit: the automatic method runs it with the stabilizer "
            f"method in about {format_bytes(stabilizer_bytes(n))}."
        )
    return f"{text} Use fewer qubits, or run on an Azure simulator target."
