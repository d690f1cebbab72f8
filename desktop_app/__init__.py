"""Quantum Desk: run quantum programs on Azure Quantum and a local simulator."""

__version__ = "0.1.0"
