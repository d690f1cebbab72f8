"""The simulation itself (qiskit-aer), and the loop a simulator worker process serves.

`simulate` runs in the worker process (or in-process for the CLI). qiskit, qiskit-aer and the
program parser are imported here, never on the GUI's start-up path.
"""

from __future__ import annotations

import importlib
import logging
import pickle
import time
import traceback
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from desktop_app.core.child_process import exit_with_parent, name_this_process, stand_aside
from desktop_app.core.emulation_table import find_emulation
from desktop_app.core.errors import QuantumDeskError, UserInputError
from desktop_app.core.local import methods
from desktop_app.core.local.aer import pass_manager_for, simulator_for
from desktop_app.core.local.emulation import emulated
from desktop_app.core.local.method_names import AUTOMATIC, STABILIZER, STATEVECTOR
from desktop_app.core.qasm.aer_counts import clbit_counts, measures

if TYPE_CHECKING:
    from desktop_app.core.cancel import ProgressCallback
    from desktop_app.core.request import RunRequest
    from desktop_app.core.results import RunResult

log = logging.getLogger(__name__)


_WARM_UP = (
    'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\ncreg c[2];\nh q[0];\ncx q[0], q[1];\n'
    "measure q -> c;\n",
    'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[2] q;\nbit[2] c;\nh q[0];\ncx q[0], q[1];\n'
    "c = measure q;\n",
)


def warm_up() -> None:
    """Pay the first-run costs (imports, pass manager, aer's start) before a user's Run."""
    from desktop_app.core.cancel import no_progress
    from desktop_app.core.catalog import LOCAL_SIMULATOR
    from desktop_app.core.request import RunRequest

    for source in _WARM_UP:  # both front ends (OpenQASM 2 and 3) load their parsers on first use
        simulate(RunRequest(source, None, LOCAL_SIMULATOR, 10), no_progress)


def simulate(request: RunRequest, progress: ProgressCallback) -> RunResult:
    """Parse, transpile for qiskit-aer and sample `request.shots` times: ideal on local.simulator
    (by the method that fits the program, refused when its memory is not free), on the target's
    native gates with its noise on an offline emulation."""
    from desktop_app.core.catalog import find_backend
    from desktop_app.core.results import RunResult

    started = time.perf_counter()
    program = request.parsed()
    facts = program.facts
    limit = find_backend(request.backend).num_qubits
    if facts.num_qubits > limit:
        raise UserInputError(
            f"the program uses {facts.num_qubits} qubits; {request.backend} simulates"
            f" at most {limit} on this computer: use fewer qubits, or an Azure simulator target"
        )
    if facts.num_clbits == 0:
        raise UserInputError("the program measures nothing: add a `measure` into a classical bit")
    emulation = find_emulation(request.backend)
    method: str | None = None
    try:
        if emulation is None:
            requested = methods.requested_method(request.options)
            circuit, method = _prepared(program.circuit, requested)
            # automatic: aer chooses (and says which it chose); else the method asked for
            simulator = simulator_for(requested)
        else:
            # noisy: aer samples a statevector per shot (at most that much memory)
            methods.plan(program.circuit, STATEVECTOR, alternatives=False)
            progress("Transpiling to the target's native gates", None)
            simulator, circuit = emulated(program.circuit, emulation, request.options)
    except RecursionError:  # program_limits bounds definition depth; this is the last resort
        raise QuantumDeskError(
            "the program's gate definitions are nested too deeply to translate for the simulator"
        ) from None
    except MemoryError:
        raise QuantumDeskError("not enough memory to translate this program") from None
    seed = request.options.get("seed")
    progress("Simulating", None)
    run_started = time.perf_counter()
    try:
        if not measures(circuit):  # aer has no counts then: bits never written read as zeros
            raw_counts = {"0" * facts.num_clbits: request.shots}
        else:
            job = simulator.run(
                circuit, shots=request.shots, seed_simulator=seed if isinstance(seed, int) else None
            )
            result = job.result()
            if method is not None:
                method = str(result.results[0].metadata.get("method") or method)
            raw_counts = clbit_counts(result, facts.num_clbits)
    except Exception as exc:  # aer reports memory limits and unsupported instructions this way
        log.debug("qiskit-aer failed", exc_info=True)
        raise QuantumDeskError("the simulator could not run this program") from exc
    finished = time.perf_counter()
    # keys are bit strings, clbit 0 rightmost
    return RunResult.from_counts(
        request.backend,
        raw_counts,
        shots=request.shots,
        num_clbits=facts.num_clbits,
        timings={"execution": finished - run_started, "total": finished - started},
        method=method,
        warnings=program.warnings,
    )


def _call(module: str, name: str, args: tuple[object, ...]) -> object:
    """A module-level function, by name (see core/local/calls.py)."""
    function = getattr(importlib.import_module(module), name)
    return function(*args)


def _prepared(circuit: Any, requested: str) -> tuple[Any, str]:
    """`circuit` translated for the method, and the method that will simulate it; refused in
    plain words (memory needed against memory free, width, a non-Clifford gate) before it runs."""
    from qiskit.transpiler.exceptions import TranspilerError

    target = requested
    if requested == AUTOMATIC and circuit.num_qubits > methods.max_qubits(requested):
        target = STABILIZER  # wider than a statevector fits: only a Clifford one runs
    try:
        translated = pass_manager_for(target).run(circuit)
    except TranspilerError:
        log.debug("no translation for the %s method", target, exc_info=True)
        methods.plan(circuit, requested)  # says why in plain words (memory, width, gates)
        raise QuantumDeskError(
            f"the simulator could not translate this program for the {target} method"
        ) from None
    return translated, methods.plan(translated, requested, written=circuit).method


def _portable(exc: BaseException) -> QuantumDeskError:
    """The error as the parent process will see it: the same class when it survives pickling."""
    if isinstance(exc, QuantumDeskError):
        try:
            copy = pickle.loads(pickle.dumps(exc))
        except Exception:  # a subclass whose __init__ cannot be rebuilt from args
            log.debug("error not picklable, sending its text", exc_info=True)
        else:
            if isinstance(copy, QuantumDeskError) and str(copy) == str(exc):
                return copy
        return QuantumDeskError(str(exc))
    # Python's own text (a type name, a module) is no message for a user: the traceback goes to
    # the log (the caller logs the detail it is sent), the user gets plain words.
    return QuantumDeskError("the simulator failed unexpectedly; the log has the details")


def serve(conn: Connection) -> None:
    """Worker process main loop: ("run", RunRequest) or ("call", module, function, args) in;
    progress, then a result or an error out."""
    name_this_process("qd-simulator")
    stand_aside()  # the GUI process stays responsive while we use every core
    exit_with_parent()  # and Ctrl+C belongs to the app, which kills us
    try:
        _serve(conn)
    except (EOFError, OSError):
        return  # the pipe broke: the app went away


def _warm_up() -> None:
    try:
        warm_up()
    except Exception:  # the real run will report the problem properly
        log.warning("simulator warm-up failed", exc_info=True)


def _serve(conn: Connection) -> None:
    # Pre-import and pre-run everything a run needs, so a warm worker answers the first Run at once;
    # unless a request came with the worker's start (a Run pressed before any worker was warm, an
    # Azure run's translation): it is answered first, and the warm-up follows it.
    warm = not conn.poll()
    if warm:
        _warm_up()
    conn.send(("ready",))

    def progress(message: str, fraction: float | None) -> None:
        conn.send(("progress", message, fraction))

    result: object
    while True:
        message = conn.recv()
        if message[0] not in ("run", "call"):
            return
        try:
            result = simulate(message[1], progress) if message[0] == "run" else _call(*message[1:])
        except Exception as exc:
            detail = "" if isinstance(exc, QuantumDeskError) else traceback.format_exc()
            conn.send(("error", _portable(exc), detail))
        else:
            conn.send(("result", result))
        if not warm:
            _warm_up()
            warm = True
