"""A second, independent reading of a program that only our unroller could read.

pyqasm confirms most programs our unroller rewrites (programs.py); some it cannot read (a
subroutine returning measured bits, a cast of a bit register, `switch`...). Then the QDK, when
installed (an optional extra), reads the program as written and simulates it shot by shot, and
the exact outcome probabilities of our unrolled circuit must explain its samples. Where they do
not, the two front ends disagree and the program is refused rather than run with a guess.

The check wrongly refuses a right unrolling at most once in a billion programs: the samples'
total variation distance from the exact distribution exceeds its expected value,
sum(sqrt(p(1-p)/N))/2, by more than sqrt(ln(1e9)/(2N)) with at most that probability (McDiarmid's
inequality: one shot moves the distance by at most 1/N). An outcome the exact distribution gives
no chance at all is a disagreement outright. The QDK's seed is fixed: the same program always
gets the same verdict.
"""

from __future__ import annotations

import functools
import logging
import math
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop_app.core.qasm import exact

if TYPE_CHECKING:
    from openqasm3 import ast
    from qiskit import QuantumCircuit

log = logging.getLogger(__name__)

SHOTS = 1000
SEED = 20261201
FALSE_REFUSAL = 1e-9
# The QDK's per-shot simulation of more qubits takes seconds; the exact side stops at 16 anyway.
MAX_QUBITS = exact.MAX_QUBITS


@dataclass(frozen=True)
class Verdict:
    agrees: bool | None  # None: no second reading was possible (`why` says why)
    why: str = ""


def check(source: str, tree: ast.Program, ours: QuantumCircuit) -> Verdict:
    """Whether the QDK's reading of `source` (`tree`: the reference parser's) agrees with our
    unrolled circuit `ours`."""
    if ours.num_qubits > MAX_QUBITS:
        return Verdict(None, f"it has more than {MAX_QUBITS} qubits")
    expected: dict[str, float] | None
    try:
        expected = exact.distribution(ours)
    except exact.TooHard:  # a `while`, or too many branches: our circuit's samples instead
        expected = None
    counts = qdk_counts(source)
    if isinstance(counts, str):
        return Verdict(None, counts)
    if expected is not None:
        same = agrees(expected, counts)
    else:
        try:
            same = samples_agree(_aer_counts(ours), counts)
        except Exception:  # aer's own refusals: the run will say it in its words
            log.debug("qiskit-aer could not sample the unrolled circuit", exc_info=True)
            return Verdict(None, "its outcome probabilities could not be computed")
    if not same and reads_register_as_number(tree):
        # The QDK 1.33 casts bit[n] to an integer big-endian, on purpose (its ResultArrayAsIntBE,
        # github.com/microsoft/qdk pull request 2377); the specification's cast is little-endian
        # (types.rst, "Casting from bit"), as qiskit's and pyqasm's are: not a referee here.
        return Verdict(
            None,
            "the QDK's reading gives other results, but it reads a bit register as a number in "
            "the opposite bit order to the OpenQASM specification, which Quantum Desk follows",
        )
    return Verdict(same)


def reads_register_as_number(tree: ast.Program) -> bool:
    """Whether the program casts bits to a number or compares a bit register with something."""
    from openqasm3 import ast
    from openqasm3.visitor import QASMVisitor

    class Finder(QASMVisitor[None]):
        def __init__(self) -> None:
            self.registers: set[str] = set()  # bit[n] names, declared anywhere
            self.found = False

        def visit_ClassicalDeclaration(self, node: ast.ClassicalDeclaration) -> None:
            if isinstance(node.type, ast.BitType) and node.type.size is not None:
                self.registers.add(node.identifier.name)
            self.generic_visit(node)

        def visit_ClassicalArgument(self, node: ast.ClassicalArgument) -> None:
            if isinstance(node.type, ast.BitType) and node.type.size is not None:
                self.registers.add(node.name.name)

        def visit_Cast(self, node: ast.Cast) -> None:
            if isinstance(node.type, ast.IntType | ast.UintType | ast.AngleType):
                self.found = True
            self.generic_visit(node)

        def visit_BinaryExpression(self, node: ast.BinaryExpression) -> None:
            sides = (node.lhs, node.rhs)
            if any(isinstance(e, ast.Identifier) and e.name in self.registers for e in sides):
                self.found = True
            self.generic_visit(node)

    finder = Finder()
    finder.visit(tree)  # declarations come before their use: one pass sees them first
    return finder.found


def agrees(expected: dict[str, float], counts: dict[str, int]) -> bool:
    """Whether samples `counts` can come from `expected` (see the module's docstring)."""
    shots = sum(counts.values())
    if shots == 0:
        return False
    if any(n and expected.get(k, 0.0) <= 0.0 for k, n in counts.items()):
        return False  # an outcome our reading says cannot happen
    distance = 0.5 * sum(
        abs(counts.get(k, 0) / shots - expected.get(k, 0.0)) for k in set(expected) | set(counts)
    )
    spread = 0.5 * sum(math.sqrt(p * (1.0 - p) / shots) for p in expected.values())
    margin = math.sqrt(math.log(1.0 / FALSE_REFUSAL) / (2.0 * shots))
    return distance <= spread + margin


def samples_agree(a: dict[str, int], b: dict[str, int]) -> bool:
    """Whether two samples of N shots each can come from one distribution: their distance
    against the expected distance of two samples of the pooled estimate, plus McDiarmid's margin
    over 2N shots (each moves the distance by at most 1/N)."""
    n = sum(a.values())
    if n == 0 or sum(b.values()) != n:
        return False
    keys = set(a) | set(b)
    distance = 0.5 * sum(abs(a.get(k, 0) - b.get(k, 0)) for k in keys) / n
    pooled = {k: (a.get(k, 0) + b.get(k, 0)) / (2 * n) for k in keys}
    spread = 0.5 * sum(math.sqrt(2.0 * p * (1.0 - p) / n) for p in pooled.values())
    margin = math.sqrt(math.log(1.0 / FALSE_REFUSAL) / n)
    return distance <= spread + margin


def _aer_counts(circuit: QuantumCircuit) -> dict[str, int]:
    """qiskit-aer's counts of `circuit` keyed like ours: every clbit, clbit 0 rightmost."""
    from qiskit import transpile
    from qiskit_aer import AerSimulator

    from desktop_app.core.qasm.aer_counts import clbit_counts, measures

    if not measures(circuit):
        return {"0" * circuit.num_clbits: SHOTS}
    simulator = AerSimulator()
    job = simulator.run(transpile(circuit, simulator), shots=SHOTS, seed_simulator=SEED)
    return clbit_counts(job.result(), circuit.num_clbits)


@functools.lru_cache(maxsize=16)  # the worker reads the same editor text for price, run, view
def qdk_counts(source: str) -> dict[str, int] | str:
    """The QDK's counts of `source`, keyed like ours; or why there are none, in plain words."""
    from desktop_app import privacy

    privacy.apply()  # the QDK decides at import whether to report: never
    try:
        from qdk.openqasm import run
    except ImportError:
        return "the QDK, which can check it, is not installed"
    from desktop_app.core.qasm.qdk_readout import declared_bits, qdk_key

    try:
        shots = run(source, shots=SHOTS, as_bitstring=True, seed=SEED)
    except BaseException as exc:  # QasmError, QSharpError; a Rust panic is a BaseException
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        log.debug("the QDK could not read the program: %s", exc)
        return "the QDK cannot read it either"
    flags = declared_bits(source)
    counts: Counter[str] = Counter()
    if isinstance(shots, str):  # one bit per shot: as_bitstring made the whole list one string
        shots = list(shots)
    for shot in shots:
        parts = [shot] if isinstance(shot, str | int) else list(shot or ())
        counts[qdk_key(flags, parts)] += 1
    return dict(counts)
