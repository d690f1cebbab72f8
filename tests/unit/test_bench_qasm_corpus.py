"""The corpus benchmark's classification (tests/bench/bench_qasm_corpus.py) on programs of our own:
a right reading, a located plain refusal, and internal text in a refusal being reported."""

from __future__ import annotations

import importlib.util
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "bench_qasm_corpus.py"


@pytest.fixture
def bench() -> Iterator[ModuleType]:
    spec = importlib.util.spec_from_file_location("bench_qasm_corpus", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    had_limit, limit = hasattr(sys, "tracebacklimit"), getattr(sys, "tracebacklimit", None)
    yield module
    # the script silences logging and resets sys.tracebacklimit for its whole process
    logging.disable(logging.NOTSET)
    sys.modules.pop(spec.name, None)
    if had_limit:
        sys.tracebacklimit = limit
    elif hasattr(sys, "tracebacklimit"):
        del sys.tracebacklimit


def _folder(tmp_path: Path) -> Path:
    (tmp_path / "bell.qasm").write_text(
        'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\ncreg c[2];\nh q[0];\ncx q[0], q[1];\n'
        "measure q -> c;\n"
    )
    (tmp_path / "broken.qasm").write_text(
        'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit q;\nh q\nbit c;\nc = measure q;\n'
    )
    return tmp_path


def test_a_right_reading_and_a_located_refusal(bench: ModuleType, tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    bell = bench.classify(folder / "bell.qasm", 400)
    assert bell["Quantum Desk"].verdict == "right"
    assert bell["Quantum Desk"].exact == pytest.approx({"00": 0.5, "11": 0.5})
    broken = bench.classify(folder / "broken.qasm", 400)
    assert broken["Quantum Desk"].verdict == "refused, plain, at line:column"


def test_internal_text_in_a_refusal_is_reported(
    bench: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    folder = _folder(tmp_path)
    monkeypatch.setattr(bench, "TOOLS", ("Quantum Desk", "qiskit"))
    monkeypatch.setattr(
        bench, "quantum_desk", lambda path, shots: bench.refused("No module named 'x'", True)
    )
    assert bench.main([str(folder), "--shots", "200"]) == 0
    out = capsys.readouterr().out
    assert "| refused, other | 2 |" in out  # internal text is never "plain"
    assert "Quantum Desk refusals with internal text: 2" in out
    assert "bell.qasm: No module named 'x'" in out
