"""Runs jobs: Waiting -> Executing -> Succeeded / Failed / Cancelled, simulated with qiskit-aer.

Reads ``inputData`` from Azurite and writes ``rawOutputData`` in the provider's output format.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any
from urllib.parse import urlparse

from tests.azure_emulator import circuits
from tests.azure_emulator.circuits import CircuitError
from tests.azure_emulator.faults import Fault, FaultBook
from tests.azure_emulator.state import Target, World, now_iso

log = logging.getLogger(__name__)
TERMINAL = {"Succeeded", "Failed", "Cancelled"}
DEFAULT_SHOTS = 100
# One simulation at a time: qiskit's transpiler segfaulted (rarely) when several job threads built
# pass managers at once, and the simulations are milliseconds anyway.
SIM_LOCK = threading.Lock()
_IGNORED_OPS = {"measure", "barrier", "reset", "save_probabilities", "delay"}


def _container_and_blob(uri: str) -> tuple[str, str]:
    parts = urlparse(uri).path.strip("/").split("/", 2)  # devstoreaccount1/container/blob
    return parts[1], parts[2] if len(parts) > 2 else ""


class Executor:
    def __init__(self, world: World, faults: FaultBook, connection_string: str) -> None:
        self.world = world
        self.faults = faults
        self.connection_string = connection_string
        self._stop: dict[str, threading.Event] = {}
        self._threads: dict[str, threading.Thread] = {}
        self._job_faults: dict[str, list[Fault]] = {}
        self._blob_service: Any = None

    def blob_service(self) -> Any:
        if self._blob_service is None:
            from azure.storage.blob import BlobServiceClient

            self._blob_service = BlobServiceClient.from_connection_string(self.connection_string)
        return self._blob_service

    # ------------------------------------------------------------ lifecycle
    def start(self, job_id: str, target: str) -> None:
        self._job_faults[job_id] = self.faults.match_job(target)
        stop = self._stop[job_id] = threading.Event()
        thread = threading.Thread(
            target=self._run, args=(job_id, stop), daemon=True, name=f"emulator-job-{job_id[:8]}"
        )
        self._threads[job_id] = thread
        thread.start()

    def cancel(self, job_id: str) -> None:
        event = self._stop.get(job_id)
        if event:
            event.set()

    def stop_all(self, timeout: float = 5.0) -> None:
        for event in self._stop.values():
            event.set()
        for thread in list(self._threads.values()):
            thread.join(timeout)
        self._stop.clear()
        self._threads.clear()
        self._job_faults.clear()

    def _update(self, job_id: str, **fields: Any) -> None:
        with self.world.lock:
            job = self.world.jobs.get(job_id)
            if job is not None and job["status"] not in TERMINAL:
                job.update(fields, lastUpdatedTime=now_iso())

    def _target(self, name: str) -> Target | None:
        with self.world.lock:
            return self.world.targets.get(name)

    def _held(self, job_id: str, target: Target | None) -> bool:
        if target is not None and target.availability == "Unavailable":
            return True
        return any(
            f.kind == "stay_queued" and self.faults.active(f.id)
            for f in self._job_faults.get(job_id, [])
        )

    def _run(self, job_id: str, stop: threading.Event) -> None:
        try:
            self._run_job(job_id, stop)
        except Exception:  # the job thread must never die silently: fail the job instead
            log.exception("emulator job %s crashed", job_id)
            self._update(
                job_id,
                status="Failed",
                endExecutionTime=now_iso(),
                errorData={"code": "InternalError", "message": "The emulator crashed."},
            )

    def _run_job(self, job_id: str, stop: threading.Event) -> None:
        job = self.world.job_snapshot(job_id)
        if job is None:
            return
        target = self._target(job["target"])
        queue = target.queue_seconds if target else 0.05
        if stop.wait(queue):
            return
        while self._held(job_id, self._target(job["target"])):
            if stop.wait(0.02):
                return
        self._update(job_id, status="Executing", beginExecutionTime=now_iso())
        started = time.monotonic()
        faults = self._job_faults.get(job_id, [])
        outcome: dict[str, Any]
        try:
            with SIM_LOCK:
                output, counts = self._simulate(job, target)
            outcome = {"status": "Succeeded", "costEstimate": cost_estimate(target, job, counts)}
        except CircuitError as exc:
            output, outcome = (
                None,
                {"status": "Failed", "errorData": {"code": exc.code, "message": exc.message}},
            )
        failing = next((f for f in faults if f.kind == "job_fail"), None)
        if failing is not None:
            output, outcome = (
                None,
                {
                    "status": "Failed",
                    "errorData": {
                        "code": failing.code or "JobFailed",
                        "message": failing.message
                        or "The job failed on the target (injected fault).",
                    },
                },
            )
        duration = target.execution_seconds if target else 0.2
        if stop.wait(max(0.0, duration - (time.monotonic() - started))):
            return
        container, _blob = _container_and_blob(job["containerUri"])
        output_uri = f"{self._account_url()}/{container}/rawOutputData"
        if output is not None and not any(f.kind == "missing_output" for f in faults):
            self.blob_service().get_blob_client(container, "rawOutputData").upload_blob(
                output, overwrite=True, content_type="application/json"
            )
        self._update(job_id, endExecutionTime=now_iso(), outputDataUri=output_uri, **outcome)

    def _account_url(self) -> str:
        return str(self.blob_service().url).rstrip("/")

    # ------------------------------------------------------------ simulation
    def _simulate(self, job: dict[str, Any], target: Target | None) -> tuple[bytes, dict[str, int]]:
        if target is None:
            raise CircuitError(
                "InvalidTarget", f"Target '{job['target']}' is not available in this workspace."
            )
        container, blob = _container_and_blob(job["inputDataUri"])
        try:
            raw = (
                self.blob_service()
                .get_blob_client(container, blob or "inputData")
                .download_blob()
                .readall()
            )
        except Exception as exc:  # ResourceNotFoundError and friends
            log.info("input data of job %s unreadable: %s", job["id"], exc)
            raise CircuitError(
                "InputDataNotFound",
                f"The job's input data could not be read from '{job['inputDataUri']}'.",
            ) from exc
        params = job.get("inputParams") or {}
        shots = int(params.get("shots") or params.get("count") or DEFAULT_SHOTS)
        fmt = job.get("inputDataFormat", "")
        text = raw.decode("utf-8", errors="replace")
        if fmt == "ionq.circuit.v1":
            try:
                payload = json.loads(text)
            except json.JSONDecodeError as exc:
                raise circuits.invalid(f"IonQ input is not valid JSON: {exc}") from exc
            qc = circuits.from_ionq(payload)
            self._check_size(qc, target)
            return self._ionq(qc, target, shots), _gate_counts(qc)
        if fmt == "honeywell.openqasm.v1":
            qc = circuits.from_qasm2(text)
            self._check_size(qc, target)
            return self._quantinuum(qc, target, shots), _gate_counts(qc)
        if fmt == "rigetti.quil.v1":
            qc = circuits.from_quil(text)
            self._check_size(qc, target)
            bits = _run(qc, shots, target.noisy)
            out = {
                reg.name: [[b[qc.find_bit(c).index] for c in reg] for b in bits] for reg in qc.cregs
            }
            return json.dumps(out).encode(), _gate_counts(qc)
        if fmt == "qir.v1":
            program = circuits.from_qir(text)
            self._check_size(program.circuit, target)
            bits = _run(program.circuit, shots, target.noisy)
            if target.syntax_checker:
                bits = [[0] * len(b) for b in bits]
            return json.dumps(circuits.microsoft_v2(program.records, bits)).encode(), _gate_counts(
                program.circuit
            )
        raise CircuitError(
            "InvalidInputDataFormat",
            f"Input data format '{fmt}' is not supported by target '{target.id}'.",
        )

    @staticmethod
    def _check_size(qc: Any, target: Target) -> None:
        if qc.num_qubits > target.num_qubits:
            raise CircuitError(
                "InvalidInputData",
                f"The circuit uses {qc.num_qubits} qubits but target '{target.id}' "
                f"has {target.num_qubits}.",
            )

    def _ionq(self, qc: Any, target: Target, shots: int) -> bytes:
        n = qc.num_qubits
        if target.noisy:  # a QPU: sampled shots with noise, as frequencies
            measured = qc.copy()
            measured.measure_all()
            bits = _run(measured, shots, True)
            hist: dict[str, float] = {}
            for b in bits:
                key = str(sum(bit << i for i, bit in enumerate(b[:n])))
                hist[key] = hist.get(key, 0.0) + 1.0 / shots
        else:  # ionq.simulator: the exact distribution
            from qiskit_aer import AerSimulator

            exact = qc.copy()
            exact.save_probabilities()
            sim = AerSimulator(method="statevector")
            from qiskit import transpile

            compiled = transpile(exact, sim, optimization_level=0)
            probs = sim.run(compiled, shots=1).result().data()["probabilities"]
            hist = {str(i): float(p) for i, p in enumerate(probs) if p > 1e-12}
        return json.dumps({"histogram": hist}).encode()

    def _quantinuum(self, qc: Any, target: Target, shots: int) -> bytes:
        if target.syntax_checker:
            bits = [[0] * qc.num_clbits for _ in range(shots)]
        else:
            bits = _run(qc, shots, target.noisy)
        # One bitstring a shot per register, most significant bit (highest index) first.
        out = {
            reg.name: [
                "".join(str(b[qc.find_bit(reg[j]).index]) for j in reversed(range(reg.size)))
                for b in bits
            ]
            for reg in qc.cregs
        }
        return json.dumps(out).encode()


def _noise_model() -> Any:
    from qiskit_aer.noise import NoiseModel, ReadoutError, depolarizing_error

    model = NoiseModel(basis_gates=["u", "cx"])
    model.add_all_qubit_quantum_error(depolarizing_error(0.004, 1), ["u"])
    model.add_all_qubit_quantum_error(depolarizing_error(0.02, 2), ["cx"])
    model.add_all_qubit_readout_error(ReadoutError([[0.99, 0.01], [0.02, 0.98]]))
    return model


def _run(qc: Any, shots: int, noisy: bool) -> list[list[int]]:
    """Each shot's classical bits, indexed like qc.clbits (call with SIM_LOCK held)."""
    from qiskit import transpile
    from qiskit_aer import AerSimulator

    if qc.num_clbits == 0:
        return [[] for _ in range(shots)]
    if noisy:
        sim = AerSimulator(noise_model=_noise_model())
        basis = ["u", "cx", "measure", "reset"]
        compiled = transpile(qc, basis_gates=basis, optimization_level=0)
    else:
        sim = AerSimulator()
        compiled = transpile(qc, sim, optimization_level=0)
    memory = sim.run(compiled, shots=shots, memory=True).result().get_memory()
    n = qc.num_clbits
    shots_bits = []
    for word in memory:
        flat = word.replace(" ", "")
        shots_bits.append([int(flat[n - 1 - i]) for i in range(n)])
    return shots_bits


def _gate_counts(qc: Any) -> dict[str, int]:
    counts = {"1q": 0, "2q": 0, "measure": 0}
    for instruction in qc.data:
        name = instruction.operation.name
        if name == "measure":
            counts["measure"] += 1
        elif name not in _IGNORED_OPS:
            counts["1q" if instruction.operation.num_qubits == 1 else "2q"] += 1
    return counts


def cost_estimate(target: Target | None, job: dict[str, Any], counts: dict[str, int]) -> Any:
    """The service's costEstimate shape (models.CostEstimate); prices are illustrative."""
    if target is None or not target.paid:
        return None
    params = job.get("inputParams") or {}
    shots = int(params.get("shots") or params.get("count") or DEFAULT_SHOTS)
    if target.provider_id == "quantinuum":
        hqc = 5 + shots * (counts["1q"] + 10 * counts["2q"] + 5 * counts["measure"]) / 5000
        events = [_event("ehqc", "EHQC", "hqc", hqc, 1.0)]
    else:
        events = [
            _event("gs1q", "1Q Gate Shot", "1q gate shot", counts["1q"] * shots, 0.000220),
            _event("gs2q", "2Q Gate Shot", "2q gate shot", counts["2q"] * shots, 0.000975),
        ]
    total = round(sum(e["amountBilled"] * e["unitPrice"] for e in events), 6)
    return {"currencyCode": "USD", "events": events, "estimatedTotal": total}


def _event(dim: str, name: str, unit: str, amount: float, price: float) -> dict[str, Any]:
    return {
        "dimensionId": dim,
        "dimensionName": name,
        "measureUnit": unit,
        "amountBilled": amount,
        "amountConsumed": amount,
        "unitPrice": price,
    }
