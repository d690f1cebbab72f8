"""Runs jobs: Waiting -> Executing -> Finishing -> Succeeded / Failed, or Cancelled (through
CancellationRequested / Cancelling), simulated with qiskit-aer.

Reads ``inputData`` from Azurite and writes the result blob the service writes: ``rawOutputData``
for provider formats, ``outputData`` for QIR jobs (see jobview.py).
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
from tests.azure_emulator.jobview import output_blob
from tests.azure_emulator.state import Target, World, stamp

log = logging.getLogger(__name__)
TERMINAL = {"Succeeded", "Failed", "Cancelled"}
DEFAULT_SHOTS = 100
# One simulation at a time: qiskit's transpiler segfaulted (rarely) when several job threads built
# pass managers at once, and the simulations are milliseconds anyway.
SIM_LOCK = threading.Lock()
_IGNORED_OPS = {"measure", "barrier", "reset", "save_probabilities", "delay"}
# Content type of the result blob as the service stores it (blob GETs in azure-quantum-python's
# recordings at 36e339b6e8d8): application/json for IonQ and Rigetti results
# (test_job_submit_ionq.yaml, test_job_submit_rigetti_with_count.yaml), octet-stream for
# Quantinuum results (test_job_submit_quantinuum_h2_1e.yaml) and every QIR result
# (test_qiskit_qir_submit_quantinuum.yaml, test_qsharp_qir_file_rigetti.yaml).
RESULT_CONTENT_TYPES = {
    "ionq.quantum-results.v1": "application/json",
    "rigetti.quil-results.v1": "application/json",
    "honeywell.quantum-results.v1": "application/octet-stream",
    "microsoft.quantum-results.v2": "application/octet-stream",
}
# Noise of the emulated targets, per target: (1-qubit depolarizing, 2-qubit depolarizing,
# readout bit flip) with where each figure comes from.
NOISE = {
    # Azure's Quantinuum provider page (learn.microsoft.com/azure/quantum/provider-quantinuum,
    # the emulator noise-parameter example for "quantinuum.sim.h2-1e"; MicrosoftDocs/quantum-docs
    # articles/provider-quantinuum.md at a693611, 2026-03-31, read 2026-12-01): p1 = 4e-5,
    # p2 = 3e-3, p_meas = 3e-3. They are the page's example values, not a statement of the
    # emulator's defaults, which the page leaves to Quantinuum's own documentation.
    "quantinuum.sim.h2-1e": (4e-5, 3e-3, 3e-3),
}
# QPUs without a cited figure: a generic trapped-ion-like model (illustrative, not any data sheet).
GENERIC_NOISE = (0.004, 0.02, 0.015)


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
        with self.world.lock:
            job = self.world.jobs.get(job_id)
            if job is not None:  # what every read after the create answer shows
                job["quantumComputingData"] = {"count": 1}
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

    def request_cancel(self, job_id: str) -> None:
        """A cancel request (world lock held): Cancelled now, or with a slow_cancel fault
        CancellationRequested; the read after the first one that showed it sees Cancelling
        (see ``observed``); Cancelled once the fault is removed."""
        job = self.world.jobs[job_id]
        slow = next((f for f in self._job_faults.get(job_id, []) if f.kind == "slow_cancel"), None)
        self.cancel(job_id)
        now = stamp()
        if slow is None:
            job.update(status="Cancelled", cancellationTime=now, lastModifiedTime=now)
            return
        job.update(status="CancellationRequested", isCancelling=True, lastModifiedTime=now)
        job["cancelRequestSeen"] = False
        thread = threading.Thread(
            target=self._cancel_slowly,
            args=(job_id, slow),
            daemon=True,
            name=f"emulator-cancel-{job_id[:8]}",
        )
        self._threads[f"cancel-{job_id}"] = thread
        thread.start()

    def observed(self, job: dict[str, Any]) -> None:
        """A client is reading the job (world lock held): a cancel request already seen once
        moves on to Cancelling, so each stage is visible to a poller, whatever its pace."""
        if job["status"] != "CancellationRequested":
            return
        if job.get("cancelRequestSeen"):
            job.update(status="Cancelling", lastModifiedTime=stamp())
        else:
            job["cancelRequestSeen"] = True

    def _cancel_slowly(self, job_id: str, fault: Fault) -> None:
        while self.faults.active(fault.id):
            time.sleep(0.02)
        now = stamp()
        self._set(job_id, status="Cancelled", isCancelling=False, cancellationTime=now)

    def _set(self, job_id: str, **fields: Any) -> None:
        with self.world.lock:
            job = self.world.jobs.get(job_id)
            if job is not None:
                job.update(fields, lastModifiedTime=stamp())

    def stop_all(self, timeout: float = 5.0) -> None:
        for event in self._stop.values():
            event.set()
        for thread in list(self._threads.values()):
            thread.join(timeout)
        self._stop.clear()
        self._threads.clear()
        self._job_faults.clear()

    def _update(self, job_id: str, **fields: Any) -> None:
        """Change a running job; a finished or cancelling job is left alone."""
        with self.world.lock:
            job = self.world.jobs.get(job_id)
            if job is not None and job["status"] not in TERMINAL and not job["isCancelling"]:
                job.update(fields, lastModifiedTime=stamp())

    def _target(self, name: str) -> Target | None:
        with self.world.lock:
            return self.world.targets.get(name)

    def _held(self, job_id: str, kind: str) -> bool:
        return any(
            f.kind == kind and self.faults.active(f.id) for f in self._job_faults.get(job_id, [])
        )

    def _run(self, job_id: str, stop: threading.Event) -> None:
        try:
            self._run_job(job_id, stop)
        except Exception:  # the job thread must never die silently: fail the job instead
            log.exception("emulator job %s crashed", job_id)
            self._update(
                job_id,
                status="Failed",
                endExecutionTime=stamp(),
                errorData={"code": "InternalError", "message": "The emulator crashed."},
            )

    def _run_job(self, job_id: str, stop: threading.Event) -> None:
        job = self.world.job_snapshot(job_id)
        if job is None:
            return
        target = self._target(job["target"])
        style = job["providerId"]  # how this provider writes its execution times
        queue = target.queue_seconds if target else 0.05
        if stop.wait(queue):
            return
        while self._held(job_id, "stay_queued"):
            if stop.wait(0.02):
                return
        self._update(job_id, status="Executing", beginExecutionTime=stamp(style))
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
        container = job["containerUri"].split("?", 1)[0].rstrip("/")
        blob = output_blob(job, finished=True)
        final = {"endExecutionTime": stamp(style), "outputDataUri": f"{container}/{blob}"}
        if outcome["status"] == "Succeeded":
            # Finishing: ended, result link final, no cost yet (recorded in
            # test_job_submit_ionq_with_conflicting_shots_from_input_params.yaml @ 36e339b6e8d8).
            self._update(job_id, status="Finishing", **final)
        if output is not None and not any(f.kind == "missing_output" for f in faults):
            content_type = RESULT_CONTENT_TYPES.get(job.get("outputDataFormat") or "")
            client = self.blob_service().get_blob_client(_container_and_blob(container)[0], blob)
            client.upload_blob(
                output, overwrite=True, content_type=content_type or "application/json"
            )
        while self._held(job_id, "stay_finishing"):
            if stop.wait(0.02):
                return
        self._update(job_id, **final, **outcome)

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
            bits = _run(qc, shots, target if target.noisy else False)
            out = {
                reg.name: [[b[qc.find_bit(c).index] for c in reg] for b in bits] for reg in qc.cregs
            }
            return json.dumps(out).encode(), _gate_counts(qc)
        if fmt == "qir.v1":
            program = circuits.from_qir(text)
            self._check_size(program.circuit, target)
            bits = _run(program.circuit, shots, target if target.noisy else False)
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
            bits = _run(measured, shots, target)
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
            bits = _run(qc, shots, target if target.noisy else False)
        # One bitstring a shot per register, most significant bit (highest index) first.
        out = {
            reg.name: [
                "".join(str(b[qc.find_bit(reg[j]).index]) for j in reversed(range(reg.size)))
                for b in bits
            ]
            for reg in qc.cregs
        }
        return json.dumps(out).encode()


def _noise_model(target_id: str | None) -> Any:
    from qiskit_aer.noise import NoiseModel, ReadoutError, depolarizing_error

    p1, p2, p_meas = NOISE.get(target_id or "", GENERIC_NOISE)
    model = NoiseModel(basis_gates=["u", "cx"])
    model.add_all_qubit_quantum_error(depolarizing_error(p1, 1), ["u"])
    model.add_all_qubit_quantum_error(depolarizing_error(p2, 2), ["cx"])
    model.add_all_qubit_readout_error(ReadoutError([[1 - p_meas, p_meas], [p_meas, 1 - p_meas]]))
    return model


def _run(qc: Any, shots: int, noisy: bool | Target) -> list[list[int]]:
    """Each shot's classical bits, indexed like qc.clbits (call with SIM_LOCK held)."""
    from qiskit import transpile
    from qiskit_aer import AerSimulator

    if qc.num_clbits == 0:
        return [[] for _ in range(shots)]
    if noisy:
        target_id = noisy.id if isinstance(noisy, Target) else None
        sim = AerSimulator(noise_model=_noise_model(target_id))
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
    """The service's costEstimate (models.CostEstimate). Free targets get the provider's
    dimensions with zero prices, as recorded at 36e339b6e8d8: ionq.simulator gs1q/gs2q all zero
    (test_job_submit_ionq.yaml), rigetti.sim.qvm qpu_time_centiseconds zero
    (test_job_submit_rigetti_with_count.yaml), quantinuum.sim.h2-1sc hqc zero
    (test_plugins_submit_qiskit_to_quantinuum_h2_1sc_passthrough.yaml), quantinuum.sim.h2-1e the
    HQCs it used as ehqc with unit price 0 (test_job_submit_quantinuum_h2_1e.yaml). Prices of
    the paid IonQ QPUs are illustrative (no recording)."""
    if target is None:
        return None
    params = job.get("inputParams") or {}
    shots = int(params.get("shots") or params.get("count") or DEFAULT_SHOTS)
    provider = target.provider_id.lower()
    if provider == "quantinuum":
        if target.syntax_checker:
            events = [_event("hqc", "HQC", "hqc", 0.0, 0.0)]
        else:  # Quantinuum's HQC formula: 5 + C (N1q + 10 N2q + 5 Nm) / 5000
            hqc = 5 + shots * (counts["1q"] + 10 * counts["2q"] + 5 * counts["measure"]) / 5000
            events = [_event("ehqc", "EHQC", "hqc", round(hqc, 2), 0.0)]
    elif provider == "rigetti":
        unit = "10ms (rounded up)"
        events = [_event("qpu_time_centiseconds", "QPU Execution Time", unit, 0.0, 0.0)]
    else:
        paid = 1.0 if target.paid else 0.0
        one, two = counts["1q"] * shots * paid, counts["2q"] * shots * paid
        events = [
            _event("gs1q", "1Q Gate Shot", "1q gate shot", one, 0.000220 * paid),
            _event("gs2q", "2Q Gate Shot", "2q gate shot", two, 0.000975 * paid),
        ]
    total = round(sum(e["amountBilled"] * e["unitPrice"] for e in events), 6)
    return {"currencyCode": "USD", "events": events, "estimatedTotal": total}


def _event(dim: str, name: str, unit: str, amount: float, price: float) -> dict[str, Any]:
    return {
        "dimensionId": dim,
        "dimensionName": name,
        "measureUnit": unit,
        "amountBilled": float(amount),
        "amountConsumed": float(amount),
        "unitPrice": float(price),
    }
