"""Two jobs side by side: how far apart their outcome distributions are (total variation distance
and Hellinger fidelity, `core.compare`) and their histograms and counts in the results view's own
panels (one shared value range and Counts / Percent switch).

Both records are read on the ledger lane; the dialog says "Reading the jobs…" until they are in.
"""

from __future__ import annotations

import dataclasses
import logging

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from desktop_app.core.compare import Distance, distance
from desktop_app.core.errors import QuantumDeskError
from desktop_app.core.ledger.models import JobRecord
from desktop_app.core.ledger.store import Ledger
from desktop_app.core.results import RunResult
from desktop_app.ui.plain_text import plain
from desktop_app.ui.results.view import ResultsView
from desktop_app.ui.tasks import Lane, run_task

log = logging.getLogger(__name__)


def panel_labels(first: JobRecord, second: JobRecord) -> tuple[str, str]:
    """Distinct panel titles: name and backend, then the start of the id when those are equal."""
    labels = [f"{r.name or 'untitled'} · {r.backend}" for r in (first, second)]
    if labels[0] == labels[1]:
        labels = [f"{label} · {r.id[:8]}" for label, r in zip(labels, (first, second), strict=True)]
    return labels[0], labels[1]


def comparable(record: JobRecord) -> RunResult | None:
    result = record.run_result()
    return result if result is not None and result.probabilities else None


class CompareDialog(QDialog):
    """objectName `jobsCompare`; children `compareDistance` (the figures) and `compareResults`
    (a ResultsView with one panel per job). `distance` is set once both jobs are read."""

    def __init__(self, ledger: Ledger, job_ids: tuple[str, str], parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName("jobsCompare")
        self.setWindowTitle("Compare jobs")
        self.distance: Distance | None = None
        self.records: tuple[JobRecord, JobRecord] | None = None
        self.summary = plain(QLabel("Reading the jobs…", self))
        self.summary.setObjectName("compareDistance")
        self.summary.setWordWrap(True)
        self.results = ResultsView(self)
        self.results.setObjectName("compareResults")
        self.results.setAccessibleName("The two jobs' results")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.results, 1)
        layout.addWidget(buttons)
        self.resize(900, 560)
        first, second = job_ids

        def read() -> tuple[JobRecord, JobRecord] | str:
            try:
                return (ledger.get(first), ledger.get(second))
            except QuantumDeskError as exc:
                return str(exc)

        run_task(read, lane=Lane.LEDGER, on_finished=self._on_read_finished)

    @Slot(object)
    def _on_read_finished(self, answer: tuple[JobRecord, JobRecord] | str) -> None:
        if isinstance(answer, str):
            self.summary.setText(f"Cannot compare: {answer}")
            return
        self.records = answer
        first, second = answer
        results = [comparable(first), comparable(second)]
        missing = [r.name or r.id for r, res in zip(answer, results, strict=True) if res is None]
        if missing:
            self.summary.setText("Cannot compare: no result yet for " + " and ".join(missing) + ".")
            return
        labels = panel_labels(first, second)
        shown = [
            dataclasses.replace(res, backend=label)
            for res, label in zip(results, labels, strict=True)
            if res is not None
        ]
        self.distance = distance(shown[0], shown[1])
        self.summary.setText(
            f"{self.distance.text()}.\nTotal variation distance: 0 for the same distribution, 1 "
            "for disjoint ones; Hellinger fidelity: 1 for the same, 0 for disjoint ones."
        )
        self.results.title = " vs ".join(labels)
        for result in shown:
            self.results.set_result(result)
