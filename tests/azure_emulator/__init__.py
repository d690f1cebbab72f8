"""A loopback stand-in for Entra ID, ARM and the Azure Quantum data plane (Azurite as blob store).

The unmodified azure-quantum SDK talks to it over real TLS (a trustme CA).
See docs/azure-emulator.md.
"""

from tests.azure_emulator.faults import Fault
from tests.azure_emulator.server import Emulator, EmulatorInfo

__all__ = ["Emulator", "EmulatorInfo", "Fault"]
