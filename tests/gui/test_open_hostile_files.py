"""Opening a hostile file in the window (issue 14): File > Open, a drop and the command line all
end in `MainWindow.open_file`, which reads through core's `read_program_bytes` (regular files of
at most 5 MB, a non-blocking open): a FIFO, a device, a link to /dev/zero, a folder or a file past
the limit gets one located line in the error banner at once, and the editor keeps its text.
(A read that blocked or grew without bound would end the run at pytest-timeout's limit.)"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from desktop_app.core.program_limits import MAX_FILE_BYTES
from desktop_app.ui.main_window import MainWindow

KEEP = 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[1];\n'


def fifo(tmp: Path) -> Path:
    path = tmp / "pipe.qasm"
    os.mkfifo(path)  # no writer: a blocking open would wait forever
    return path


def link_to_zero(tmp: Path) -> Path:
    path = tmp / "zero.qasm"
    path.symlink_to("/dev/zero")  # endless bytes: a plain read would eat all memory
    return path


def device(_tmp: Path) -> Path:
    return Path("/dev/null")


def folder(tmp: Path) -> Path:
    path = tmp / "folder.qasm"
    path.mkdir()
    return path


def oversized(tmp: Path) -> Path:
    path = tmp / "big.qasm"
    with path.open("wb") as f:
        f.write(b"// " + b"x" * (MAX_FILE_BYTES + 16) + b"\n")
    return path


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (fifo, "named pipe"),
        (link_to_zero, "device"),
        (device, "device"),
        (folder, "folder"),
        (oversized, "5 MB"),
    ],
    ids=["fifo", "symlink-to-dev-zero", "device", "folder", "over-5-MB"],
)
def test_a_file_that_is_not_a_program_file_is_refused_in_one_line(
    window: MainWindow, tmp_path: Path, make: Callable[[Path], Path], words: str
) -> None:
    window.load_program_text(KEEP, None)
    path = make(tmp_path)
    assert not window.open_file(str(path))
    text = window.error_banner.text()
    assert window.error_banner.isVisible()
    assert text.startswith(f"{path}: ") and words in text, text
    assert "\n" not in text and "Error" not in text and "Errno" not in text
    assert window.editor.toPlainText() == KEEP  # nothing was loaded


def test_a_regular_program_file_opens_with_or_without_a_bom(
    window: MainWindow, tmp_path: Path
) -> None:
    path = tmp_path / "bom.qasm"
    path.write_bytes(b"\xef\xbb\xbf" + KEEP.encode("utf-8"))  # as Notepad saves it
    assert window.open_file(str(path))
    assert window.editor.toPlainText() == KEEP
