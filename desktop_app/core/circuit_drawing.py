"""The program drawn as a circuit: qiskit's text drawer, redrawn as an SVG (no Qt here).

Called through core.local.calls.call_in_worker, so reading and drawing a program happen in a
worker process, never in the GUI's. qiskit's text drawer needs no extra package; its matplotlib
drawer would add matplotlib, pillow, fonttools, kiwisolver, contourpy and pylatexenc (about 77 MB
installed, measured for matplotlib 3.11 on Linux) and 2-4 s of imports in each worker, for a
picture that says the same. Programs too large to read as a picture are refused with their size.
Given a target, the circuit drawn is the one that target runs (core.target_circuit).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from html import escape
from typing import Any

from desktop_app.core.errors import QuantumDeskError
from desktop_app.core.programs import load_program

MAX_QUBITS = 32  # wires beyond this do not fit a screen's height
MAX_OPERATIONS = 400  # gates and measurements; beyond this the picture is a grey wall
FONT_SIZE = 14  # px
CHAR_WIDTH = 0.602  # of the font size: DejaVu Sans Mono / Menlo / Consolas advance
LINE_HEIGHT = 1.17  # of the font size: box-drawing characters join from line to line
MARGIN = 8


class CircuitTooLarge(QuantumDeskError):
    """The program reads, but its circuit is too large to draw."""


@dataclass(frozen=True)
class CircuitDrawing:
    svg: str
    art: str  # qiskit's text drawing, the same picture as text (copyable)
    qubits: int
    operations: dict[str, int]  # operation name -> how many (h, cx, measure, ...)
    drawn_by: int  # the process that read and drew the program (never the GUI's)
    target: str | None = None  # drawn as this backend runs it (None: as written)
    note: str = ""  # what the circuit is, for a target (core.target_circuit)


# Box-drawing characters of qiskit's text drawer -> the cell edges they join: (direction, double)
# for directions l(eft), r(ight), u(p), d(own). Drawn as lines, so the wires join whatever font
# the viewer has; every other character is text.
_S, _D = False, True
_BOX: dict[str, tuple[tuple[str, bool], ...]] = {
    "─": (("l", _S), ("r", _S)),
    "│": (("u", _S), ("d", _S)),
    "┌": (("r", _S), ("d", _S)),
    "┐": (("l", _S), ("d", _S)),
    "└": (("r", _S), ("u", _S)),
    "┘": (("l", _S), ("u", _S)),
    "├": (("u", _S), ("d", _S), ("r", _S)),
    "┤": (("u", _S), ("d", _S), ("l", _S)),
    "┬": (("l", _S), ("r", _S), ("d", _S)),
    "┴": (("l", _S), ("r", _S), ("u", _S)),
    "┼": (("l", _S), ("r", _S), ("u", _S), ("d", _S)),
    "═": (("l", _D), ("r", _D)),
    "║": (("u", _D), ("d", _D)),
    "╥": (("l", _S), ("r", _S), ("d", _D)),
    "╨": (("l", _S), ("r", _S), ("u", _D)),
    "╫": (("l", _S), ("r", _S), ("u", _D), ("d", _D)),
    "╦": (("l", _D), ("r", _D), ("d", _D)),
    "╩": (("l", _D), ("r", _D), ("u", _D)),
    "╬": (("l", _D), ("r", _D), ("u", _D), ("d", _D)),
    "╪": (("l", _D), ("r", _D), ("u", _S), ("d", _S)),
    "╤": (("l", _D), ("r", _D), ("d", _S)),
    "╧": (("l", _D), ("r", _D), ("u", _S)),
    "╒": (("r", _D), ("d", _S)),
    "╕": (("l", _D), ("d", _S)),
    "╘": (("r", _D), ("u", _S)),
    "╛": (("l", _D), ("u", _S)),
    "╞": (("u", _S), ("d", _S), ("r", _D)),
    "╡": (("u", _S), ("d", _S), ("l", _D)),
}
_DOT = "■"  # a control
_SHADE = "░"  # a barrier
CELL_W = FONT_SIZE * CHAR_WIDTH
CELL_H = FONT_SIZE * LINE_HEIGHT
_GAP = 1.6  # half the distance between the two lines of a classical (double) wire


def _box_lines(char: str, x: float, y: float) -> list[str]:
    """SVG line elements for box character `char` in the cell whose top left is (x, y)."""
    cx, cy = x + CELL_W / 2, y + CELL_H / 2
    ends = {"l": (x, cy), "r": (x + CELL_W, cy), "u": (cx, y), "d": (cx, y + CELL_H)}
    out = []
    for direction, double in _BOX[char]:
        ex, ey = ends[direction]
        horizontal = direction in "lr"
        offsets = (-_GAP, _GAP) if double else (0.0,)
        for o in offsets:
            x1, y1, x2, y2 = (cx, cy + o, ex, ey + o) if horizontal else (cx + o, cy, ex + o, ey)
            out.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}"/>')
    return out


def text_to_svg(text: str, title: str = "Circuit") -> str:
    """qiskit's text art as an SVG document on a fixed character grid: box characters become
    lines (so wires and boxes join), controls dots, other characters <text> runs."""
    lines = text.rstrip("\n").split("\n")
    columns = max((len(line) for line in lines), default=0)
    width = round(2 * MARGIN + columns * CELL_W)
    height = round(2 * MARGIN + len(lines) * CELL_H)
    strokes: list[str] = []
    marks: list[str] = []
    words: list[str] = []
    for row, line in enumerate(lines):
        y = MARGIN + row * CELL_H
        run_start, run = 0, ""
        for column, char in enumerate(line + " "):
            x = MARGIN + column * CELL_W
            if char in _BOX or char in (_DOT, _SHADE, " "):
                if run:
                    words.append(
                        f'<text x="{MARGIN + run_start * CELL_W:.1f}" '
                        f'y="{y + CELL_H * 0.72:.1f}">{escape(run)}</text>'
                    )
                    run = ""
                if char in _BOX:
                    strokes.extend(_box_lines(char, x, y))
                elif char == _DOT:
                    marks.append(
                        f'<circle cx="{x + CELL_W / 2:.1f}" cy="{y + CELL_H / 2:.1f}" r="3.6"/>'
                    )
                elif char == _SHADE:
                    marks.append(
                        f'<rect x="{x + 1:.1f}" y="{y:.1f}" width="{CELL_W - 2:.1f}" '
                        f'height="{CELL_H:.1f}" opacity="0.3"/>'
                    )
            else:
                if not run:
                    run_start = column
                run += char
    return "\n".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}">',
            f"<title>{escape(title)}</title>",
            '<g stroke="currentColor" stroke-width="1.2" fill="none">',
            *strokes,
            "</g>",
            '<g fill="currentColor" stroke="none">',
            *marks,
            "</g>",
            f'<g font-family="monospace" font-size="{FONT_SIZE}" fill="currentColor">',
            *words,
            "</g>",
            "</svg>",
            "",
        ]
    )


def draw_program(source: str, path: str | None = None, target: str | None = None) -> CircuitDrawing:
    """Read `source` and draw its circuit, as written or (`target`) as that backend runs it; a
    program error raises ProgramError (line, column), a circuit over the size limits
    CircuitTooLarge, a target that cannot run the program UserInputError (why)."""
    circuit = load_program(source, path).circuit
    _check_size(circuit, "")  # nothing too large is transpiled either
    note = ""
    if target is not None:
        from desktop_app.core.target_circuit import circuit_as_run

        as_run = circuit_as_run(circuit, target)
        circuit, note = as_run.circuit, as_run.note
        _check_size(circuit, f" as {target} runs it")
    operations = {str(name): int(count) for name, count in circuit.count_ops().items()}
    art = str(circuit.draw(output="text", fold=-1))
    title = os.path.basename(path) if path else "Circuit"
    if target is not None:
        title += f" as {target} runs it"
    return CircuitDrawing(
        text_to_svg(art, title), art, circuit.num_qubits, operations, os.getpid(), target, note
    )


def _check_size(circuit: Any, which: str) -> None:
    size = sum(count for name, count in circuit.count_ops().items() if name != "barrier")
    if circuit.num_qubits > MAX_QUBITS or size > MAX_OPERATIONS:
        raise CircuitTooLarge(
            f"The circuit{which} is too large to draw ({circuit.num_qubits} qubits, {size} "
            f"operations); the view draws up to {MAX_QUBITS} qubits and {MAX_OPERATIONS} "
            "operations."
        )
