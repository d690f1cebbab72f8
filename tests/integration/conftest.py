"""Integration tests: the loopback Azure Quantum emulator's fixtures (tests/azure_emulator)."""

pytest_plugins = ["tests.azure_emulator.fixtures"]
