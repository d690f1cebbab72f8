"""Qt models checked with QAbstractItemModelTester, and their API."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop_app.core.catalog import LOCAL_SIMULATOR, builtin_backends
from desktop_app.ui.backends.model import COLUMNS, NEEDS_PROFILE, BackendModel
from desktop_app.ui.results.chart_data import BY_COUNT
from desktop_app.ui.results.counts_model import CountsModel
from desktop_app.ui.results.histogram import top_outcomes


def test_backend_model_passes_the_model_tester(qtmodeltester) -> None:
    model = BackendModel(builtin_backends())
    qtmodeltester.check(model)
    assert model.rowCount() == len(builtin_backends())
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())] == [
        "Backend",
        "Provider",
        "Type",
        "Qubits",
        "Availability",
        "Queue",
        "Price",
        "Est. success",
        "Mitigation",
        "Credentials",
    ]


def test_backend_model_checks_several_runnable_rows_only(qtbot) -> None:
    model = BackendModel(builtin_backends())
    assert model.checked_backends() == []
    with qtbot.waitSignal(model.checkedChanged):
        assert model.setData(
            model.index(0, 0), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole
        )
    assert model.checked_backends() == [LOCAL_SIMULATOR]
    azure_row = next(i for i, b in enumerate(builtin_backends()) if not b.is_local)
    index = model.index(azure_row, 0)
    assert not model.setData(index, Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)
    assert not model.flags(index) & Qt.ItemFlag.ItemIsUserCheckable
    credentials = next(i for i, c in enumerate(COLUMNS) if c.key == "credentials")
    assert model.index(azure_row, credentials).data() == NEEDS_PROFILE
    # later work makes Azure rows runnable and fills live columns
    name = builtin_backends()[azure_row].name
    model.set_runnable(name, True)
    model.set_info(name, "availability", "Available")
    model.set_checked(name, True)
    assert model.checked_backends() == [LOCAL_SIMULATOR, name]
    availability = next(i for i, c in enumerate(COLUMNS) if c.key == "availability")
    assert model.index(azure_row, availability).data() == "Available"


def test_counts_model_passes_the_model_tester(qtmodeltester) -> None:
    from desktop_app.core.results import RunResult
    from desktop_app.ui.results.ranking import rank

    model = CountsModel()
    model.show(rank(RunResult.from_counts("local.simulator", {"00": 480, "11": 520})))
    qtmodeltester.check(model)
    assert model.outcomes() == ["00", "11"]  # by bitstring unless told otherwise
    model.set_sort(BY_COUNT)
    qtmodeltester.check(model)
    assert model.outcomes() == ["11", "00"]
    assert model.index(0, 2).data() == "0.5200"


def test_histogram_keeps_the_most_frequent_outcomes_in_bit_order() -> None:
    values = {format(i, "06b"): float(i) for i in range(64)}
    top = top_outcomes(values, limit=4)
    assert top == [("111100", 60.0), ("111101", 61.0), ("111110", 62.0), ("111111", 63.0)]


def test_a_job_histogram_of_many_outcomes_says_how_many_it_leaves_out(qtbot) -> None:
    from desktop_app.ui.results.histogram import MAX_BARS, Histogram

    histogram = Histogram()
    qtbot.addWidget(histogram)
    histogram.set_values({format(i, "011b"): 1 + i % 7 for i in range(2048)}, "Count")
    assert len(histogram.bars()) == MAX_BARS
    assert histogram.title_lines == [f"{MAX_BARS} most frequent of 2,048 outcomes"]


def test_backend_model_credentials_box_and_extra_rows(qtmodeltester, qtbot) -> None:
    from dataclasses import replace

    model = BackendModel(builtin_backends())
    azure = next(b for b in builtin_backends() if not b.is_local)
    credentials = next(i for i, c in enumerate(COLUMNS) if c.key == "credentials")
    row = next(i for i, b in enumerate(builtin_backends()) if b.name == azure.name)
    model.set_runnable(azure.name, True)
    index = model.index(row, credentials)
    assert model.data(index, Qt.ItemDataRole.CheckStateRole) is None  # no choice yet: no box
    model.set_credentials(azure.name, "Own: lab-sp", True)
    assert index.data() == "Own: lab-sp"
    assert model.flags(index) & Qt.ItemFlag.ItemIsUserCheckable
    with qtbot.waitSignal(model.credentialsToggled) as blocker:
        assert model.setData(index, Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole)
    assert blocker.args == [azure.name, False]

    extra = replace(azure, name="ionq.qpu.aria-9", num_qubits=0)
    assert not model.has_backend(extra.name)
    model.add_backend(extra)
    assert model.has_backend(extra.name)
    assert model.index(model.rowCount() - 1, 0).data() == "ionq.qpu.aria-9"
    qtmodeltester.check(model)


def test_a_column_for_many_backends_is_one_change_over_their_rows(qtmodeltester) -> None:
    model = BackendModel(builtin_backends())
    qtmodeltester.check(model)
    names = [r.backend.name for r in model.rows() if not r.backend.is_local]
    changes: list[tuple[int, int, int, int]] = []
    model.dataChanged.connect(
        lambda first, last, *_: changes.append(
            (first.row(), last.row(), first.column(), last.column())
        )
    )
    model.set_infos("price", {name: (f"${i}.00", f"tip {i}") for i, name in enumerate(names)})
    price = model.column_of("price")
    rows = sorted(model.rows().index(r) for r in model.rows() if r.backend.name in names)
    assert changes == [(rows[0], rows[-1], price, price)]  # one signal: the views repaint once
    last = model.index(rows[-1], price)
    assert last.data() == f"${len(names) - 1}.00"
    assert f"tip {len(names) - 1}" in last.data(Qt.ItemDataRole.ToolTipRole)
    model.set_mitigations({names[0]: (False, False)})
    assert model.index(rows[0], model.column_of("mitigation")).data() == "Off (too few shots)"
    assert len(changes) == 2


def test_setting_what_a_row_already_shows_tells_no_view(qtmodeltester) -> None:
    model = BackendModel(builtin_backends())
    qtmodeltester.check(model)
    name = next(r.backend.name for r in model.rows() if not r.backend.is_local)
    model.set_runnable(name, False, "no access")
    model.set_credentials(name, "Own: lab", None)
    model.set_infos("price", {name: ("$1.00", "tip")})
    changes: list[int] = []
    model.dataChanged.connect(lambda first, *_: changes.append(first.row()))
    model.checkedChanged.connect(lambda: changes.append(-1))
    for _ in range(3):  # what a periodic refresh of an unchanged workspace sets
        model.set_runnable(name, False, "no access")
        model.set_credentials(name, "Own: lab", None)
        model.set_infos("price", {name: ("$1.00", "tip")})
    assert changes == []  # nothing repainted
    model.set_infos("price", {name: ("$2.00", "tip")})
    model.set_runnable(name, True)
    assert len(changes) == 3  # a real change still is: the cell, the row, the checked set
