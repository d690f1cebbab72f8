"""The built-in target table (resources/targets/catalog.toml): qubit counts and formats come from
it, each with a source; a damaged table names the file and field."""

from __future__ import annotations

import pytest

from desktop_app.core.catalog import builtin_backends, workspace_backend
from desktop_app.core.target_table import CatalogDataError, parse_table, target_table


def test_every_figure_has_a_source_and_the_table_a_date():
    table = target_table()
    assert table.checked.year >= 2026 and "azure-quantum" in table.sdk
    for entry in (*table.providers, *table.targets):
        assert entry.source.strip(), entry
    for backend in builtin_backends():
        if not backend.is_local:
            entry = table.target(backend.name)
            assert entry is not None and entry.shown
            assert backend.num_qubits == entry.num_qubits and backend.source == entry.source


def test_qubit_counts_match_the_sdk_where_it_states_them():
    rigetti = pytest.importorskip("azure.quantum.target.rigetti")
    pasqal = pytest.importorskip("azure.quantum.target.pasqal")
    table = target_table()
    for name in ("rigetti.sim.qvm", "rigetti.qpu.cepheus-1-108q"):
        assert table.target(name).num_qubits == rigetti.RigettiTarget.num_qubits(name)
    for name in ("pasqal.sim.emu-tn", "pasqal.qpu.fresnel"):
        assert table.target(name).num_qubits == pasqal.PasqalTarget.num_qubits(name)


def test_targets_the_sdk_names_are_in_the_table():
    quantinuum = pytest.importorskip("azure.quantum.target.quantinuum")
    names = {t.name for t in target_table().targets}
    assert {"quantinuum.qpu.h2-2", "quantinuum.qpu.helios-1"} <= set(
        quantinuum.Quantinuum.target_names
    )
    assert {"quantinuum.qpu.h2-2", "quantinuum.qpu.helios-1", "rigetti.qpu.cepheus-1-108q"} <= names


def test_formats_come_from_the_provider_entries():
    assert workspace_backend("quantinuum.qpu.h2-2", "quantinuum").input_format == (
        "honeywell.openqasm.v1"
    )
    pasqal = workspace_backend("pasqal.qpu.fresnel", "pasqal")
    assert pasqal.input_format == "pasqal.pulser.v1" and "Pulser" in pasqal.untranslatable
    stranger = workspace_backend("acme.qpu.one", "acme")
    assert stranger.num_qubits == 0 and "acme" in stranger.untranslatable
    new_ionq = workspace_backend("ionq.qpu.tempo-9", "IonQ")
    assert new_ionq.untranslatable == "" and new_ionq.kind == "hardware"


GOOD = """
format = "quantum-desk.catalog.v1"
checked = "2026-12-01"
[[provider]]
id = "ionq"
name = "IonQ"
input_format = "ionq.circuit.v1"
translates = true
source = "s"
[[target]]
name = "ionq.simulator"
kind = "simulator"
num_qubits = 29
description = "d"
source = "s"
"""


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (('checked = "2026-12-01"', 'checked = "yesterday"'), "checked"),
        (("num_qubits = 29", "num_qubits = 0"), "num_qubits"),
        (('kind = "simulator"', 'kind = "annealer"'), "kind"),
        (('name = "ionq.simulator"', 'name = "dwave.simulator"'), "provider"),
        (("translates = true", 'translates = "yes"'), "translates"),
        (('source = "s"\n[[target]]', 'source = ""\n[[target]]'), "source"),
    ],
)
def test_a_damaged_table_names_the_field(change, field):
    assert parse_table(GOOD, "t.toml").target("ionq.simulator").num_qubits == 29
    with pytest.raises(CatalogDataError, match=field) as caught:
        parse_table(GOOD.replace(*change), "t.toml")
    assert str(caught.value).startswith("t.toml: ")


def test_not_toml_is_one_line():
    with pytest.raises(CatalogDataError, match="not valid TOML"):
        parse_table("format = ", "t.toml")
