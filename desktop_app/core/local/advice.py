"""What to do about a local run that failed: advice about this computer, never about Azure."""

from __future__ import annotations

from desktop_app.core.errors import first_hint

_HINTS = (
    (
        ("qubits",),
        "The local simulator holds the whole state in memory: use fewer qubits, or run the "
        "program on an Azure simulator target.",
    ),
    (
        ("memory", "bad_alloc", "insufficient"),
        "This computer ran out of memory: close other programs, use fewer qubits, or run on an "
        "Azure simulator target.",
    ),
    (
        ("measures nothing", "measure"),
        "Add a `measure` of the qubits into classical bits, then run again.",
    ),
    (("cancel",), "The run was cancelled: run it again if you still need the result."),
    (("closed", "stopped"), "The app closed during the run: run it again."),
)


def local_hint(code: str, message: str) -> str:
    return first_hint(
        _HINTS,
        code,
        message,
        "Check the program at the line the message names and run again; if the simulator itself "
        "failed, the log (Help > About shows where) has the details.",
    )
