"""How much memory a local statevector simulation needs, against what this computer has free.

A statevector of n qubits holds 2**n complex amplitudes of 16 bytes (two float64). The qubit count
is read from the program's declarations without parsing it (no qiskit in the GUI process); it is
an upper bound (the simulator may drop idle qubits).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

BYTES_PER_AMPLITUDE = 16
CONFIRM_ABOVE_BYTES = 1 << 30  # ask before a simulation needing more than 1 GiB (27+ qubits)
MEMINFO = Path("/proc/meminfo")

# Linear on any text (the GUI thread runs them on the editor's program): an unclosed comment ends
# the text, and possessive quantifiers never backtrack into a run of spaces (the plain `\s*\s+`
# took minutes on a line of 100,000 spaces).
_COMMENTS = re.compile(r"//[^\n]*+|/\*.*?(?:\*/|\Z)", re.DOTALL)
# OpenQASM 2 `qreg q[5];`, OpenQASM 3 `qubit[5] q;`, `qubit q;`, `qreg q;`
_QREG = re.compile(r"\bqreg\s++[A-Za-z_]\w*+\s*+(?:\[\s*+(\d++)\s*+\])?+\s*+;")
_QUBIT = re.compile(r"\bqubit(?:\s*+\[\s*+(\d++)\s*+\])?+\s++[A-Za-z_]\w*+\s*+;")
_MAX_DIGITS = 10
_HUGE = 10**_MAX_DIGITS  # a longer size: past any limit, without making a huge number


def declared_qubits(source: str) -> int:
    """The qubits the program declares (0 when it declares none in a form read here)."""
    text = _COMMENTS.sub(" ", source)
    sizes = _QREG.findall(text) + _QUBIT.findall(text)
    return sum(int(size) if len(size) <= _MAX_DIGITS else _HUGE for size in sizes if size) + sum(
        1 for size in sizes if not size
    )


# Statements a Clifford program is made of (OpenQASM 2 and 3), read by their first word; any other
# statement (a gate definition, a rotation, control flow) makes `looks_clifford` say no.
_CLIFFORD_WORDS = frozenset(
    [
        "openqasm",
        "include",
        "qreg",
        "creg",
        "qubit",
        "bit",
        "h",
        "x",
        "y",
        "z",
        "s",
        "sdg",
        "sx",
        "sxdg",
        "id",
        "cx",
        "cy",
        "cz",
        "swap",
        "measure",
        "reset",
        "barrier",
    ]
)
_ASSIGNED_MEASURE = re.compile(r"^[A-Za-z_]\w*(\s*\[\s*\d+\s*\])?\s*=\s*measure\b")


def looks_clifford(source: str) -> bool:
    """True when every statement is a declaration, a Clifford gate of the standard library or a
    measurement (no parsing: a conservative read of the text). The local simulator then runs it
    on the stabilizer method, whose memory is tiny at any width."""
    text = _COMMENTS.sub(" ", source)
    for statement in (s.strip() for s in text.split(";")):
        if not statement:
            continue
        word = re.split(r"[\s\[(]", statement, maxsplit=1)[0]
        if word.lower() not in _CLIFFORD_WORDS and not _ASSIGNED_MEASURE.match(statement):
            return False
    return True


def statevector_bytes(num_qubits: int) -> int:
    return BYTES_PER_AMPLITUDE << num_qubits if num_qubits > 0 else BYTES_PER_AMPLITUDE


def available_bytes() -> int | None:
    """Memory available to a new process now (Linux: MemAvailable), None when unknown."""
    try:
        for line in MEMINFO.read_text(encoding="ascii").splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024  # reported in KiB
    except (OSError, ValueError, IndexError):
        pass
    try:  # other POSIX systems: free physical pages
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, ValueError, OSError):
        return None


def format_bytes(count: int) -> str:
    """'4.0 GiB'; beyond 1024 EiB (a statevector of 57+ qubits) as a power of two."""
    if count >= 1 << 70:
        return f"2^{count.bit_length() - 1} bytes"
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if value < 1024:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} EiB"


def memory_note(num_qubits: int, available: int | None) -> str:
    """'29 qubits: the simulation needs about 8.0 GiB of memory; 5.2 GiB is available.'"""
    needed = statevector_bytes(num_qubits)
    if needed >= 1 << 60:  # an exbibyte: no figure worth printing (nor a float that holds it)
        text = f"{num_qubits} qubits: the simulation needs more memory than any computer has"
    else:
        text = f"{num_qubits} qubits: the simulation needs about {format_bytes(needed)} of memory"
    if available is not None:
        text += f"; {format_bytes(available)} is available now"
    return text + "."


def needs_confirmation(num_qubits: int, available: int | None) -> bool:
    needed = statevector_bytes(num_qubits)
    return needed > CONFIRM_ABOVE_BYTES or (available is not None and needed > available // 2)
