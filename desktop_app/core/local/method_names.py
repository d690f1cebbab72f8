"""The local simulator's qiskit-aer methods by name, and the words the window shows for them.

Apart from `core.local.methods` (which plans a run) so that the window's Method box, built before
its first paint, imports nothing else.
"""

from __future__ import annotations

AUTOMATIC = "automatic"
STATEVECTOR = "statevector"
STABILIZER = "stabilizer"
MPS = "matrix_product_state"
METHODS = (AUTOMATIC, STATEVECTOR, STABILIZER, MPS)
OPTION = "method"  # the key in RunRequest.options

LABELS = {
    AUTOMATIC: "Automatic",
    STATEVECTOR: "Statevector",
    STABILIZER: "Stabilizer",
    MPS: "Matrix product state",
}
