"""The OpenQASM 3 program pipeline's parts: feature refusals, our own unroller, the routes through
qiskit and pyqasm, the exact-distribution check between them, and the wording of refusals.
programs.py is the entry point; nothing here imports qiskit or pyqasm at import time."""
