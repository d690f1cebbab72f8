"""`quantum-desk estimate`: prices from the table, offline, as text and as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.core import paths
from desktop_app.core.azure.price_table import builtin_prices_path

ROOT = Path(__file__).resolve().parents[2]
BELL = str(ROOT / "resources" / "examples" / "bell.qasm")
GHZ5 = str(ROOT / "resources" / "examples" / "ghz5.qasm")


def _json(capsys, *args: str) -> list[dict]:
    code = main(["estimate", *args, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def test_json_objects_carry_total_unit_breakdown_source_and_date(capsys):
    documents = _json(
        capsys, GHZ5, "--backend", "ionq.qpu.forte-1", "--backend", "quantinuum.sim.h2-1e",
        "--backend", "ionq.simulator", "--backend", "rigetti.qpu.cepheus-1-108q",
    )  # fmt: skip
    by_backend = {d["backend"]: d for d in documents}
    forte = by_backend["ionq.qpu.forte-1"]
    # GHZ-5 on Forte: 1 h, 4 cx; 168.195 + 0.0001645 x 1 x 1000 + 0.001121 x 4 x 1000
    assert forte["total"] == pytest.approx(172.8435) and forte["unit"] == "USD"
    assert forte["free"] is False and forte["entry"] == "ionq-forte"
    assert forte["breakdown"]["gates_2q"] == 4 and forte["breakdown"]["error_mitigation"] is True
    assert forte["checked"] == "2026-12-01" and forte["source"].startswith("https://learn.")
    h2e = by_backend["quantinuum.sim.h2-1e"]
    assert h2e["total"] == pytest.approx(23.2) and h2e["unit"] == "eHQC"
    assert by_backend["ionq.simulator"]["free"] is True
    assert by_backend["ionq.simulator"]["total"] == 0.0
    rigetti = by_backend["rigetti.qpu.cepheus-1-108q"]
    assert rigetti["total"] is None and rigetti["known"] is False and rigetti["free"] is False


def test_options_and_shots(capsys):
    (off,) = _json(capsys, BELL, "--backend", "ionq.qpu.aria-1", "--option", "error_mitigation=off")
    assert off["total"] == pytest.approx(12.4166 + 0.22 + 0.975)
    (few,) = _json(capsys, BELL, "--backend", "ionq.qpu.forte-1", "--shots", "100")
    assert few["breakdown"]["error_mitigation"] is False
    assert few["total"] == pytest.approx(25.7899 + 0.01645 + 0.1121)


def test_text_output_names_entry_date_and_total(capsys):
    code = main(["estimate", BELL, "--backend", "ionq.qpu.forte-1", "--backend", "ionq.simulator"])
    out, _err = capsys.readouterr()
    assert code == 0
    assert "ionq.qpu.forte-1  ≈ $169.48 (estimate); mitigation off ≈ $27.08" in out
    assert "price table entry ionq-forte, checked 2026-12-01" in out
    assert out.rstrip().endswith("Total (estimate): $169.48")


def test_an_edited_price_file_changes_the_cli_estimate(capsys):
    text = builtin_prices_path().read_text("utf-8")
    (paths.config_dir() / "prices.toml").write_text(
        text.replace("minimum_mitigated = 168.195", "minimum_mitigated = 200.0", 1), "utf-8"
    )
    (forte,) = _json(capsys, BELL, "--backend", "ionq.qpu.forte-1")
    assert forte["total"] == pytest.approx(200.0 + 0.1645 + 1.121)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--backend", "nowhere.qpu.x"], "unknown backend 'nowhere.qpu.x'"),
        (["--backend", "ionq.qpu.forte-1", "--option", "colour=red"], "unknown option"),
        (["--backend", "ionq.qpu.forte-1", "--option", "error_mitigation"], "KEY=VALUE"),
        (["--backend", "ionq.qpu.forte-1", "--shots", "0"], "--shots must be between"),
        (
            ["--backend", "ionq.qpu.forte-1", "--shots", "10", "--option", "error_mitigation=on"],
            "at least 500 shots",
        ),
    ],
)
def test_bad_input_is_one_line(capsys, args: list[str], message: str):
    code = main(["estimate", BELL, *args])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and message in err and err.count("\n") == 1


def test_a_program_error_names_the_line(capsys, tmp_path: Path):
    bad = tmp_path / "bad.qasm"
    bad.write_text('OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[1];\nfoo q[0];\n', "utf-8")
    code = main(["estimate", str(bad), "--backend", "ionq.qpu.forte-1"])
    _out, err = capsys.readouterr()
    assert code == 2 and f"{bad}:4" in err
