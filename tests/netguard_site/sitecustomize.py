"""Loaded by Python subprocesses of the tests (PYTHONPATH): the same loopback-only guard."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
from tests import netguard

netguard.install()
