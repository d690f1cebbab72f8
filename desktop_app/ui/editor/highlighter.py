"""Syntax highlighting for OpenQASM 2 and 3 in the program editor."""

from __future__ import annotations

import re

from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextDocument

_KEYWORDS = [
    "OPENQASM",
    "include",
    "qreg",
    "creg",
    "qubit",
    "bit",
    "gate",
    "opaque",
    "measure",
    "reset",
    "barrier",
    "if",
    "else",
    "for",
    "while",
    "in",
    "break",
    "continue",
    "return",
    "def",
    "defcal",
    "let",
    "const",
    "input",
    "output",
    "box",
    "delay",
    "extern",
    "pragma",
    "switch",
    "case",
    "default",
    "ctrl",
    "negctrl",
    "inv",
    "pow",
    "gphase",
    "end",
]
_TYPES = ["int", "uint", "float", "angle", "bool", "complex", "duration", "stretch", "array"]
_CONSTANTS = ["pi", "π", "tau", "τ", "euler", "ℇ", "true", "false", "U", "CX"]

_BLOCK_START = re.compile(r"/\*")
_BLOCK_END = re.compile(r"\*/")
_IN_BLOCK_COMMENT = 1


def _format(color: str, bold: bool = False, italic: bool = False) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(QColor(color))
    if bold:
        fmt.setFontWeight(QFont.Weight.Bold)
    fmt.setFontItalic(italic)
    return fmt


def _words(words: list[str]) -> re.Pattern[str]:
    return re.compile(r"(?<![\w.])(?:" + "|".join(map(re.escape, words)) + r")(?!\w)")


class QasmHighlighter(QSyntaxHighlighter):
    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self._comment = _format("#6a737d", italic=True)
        self._rules: list[tuple[re.Pattern[str], QTextCharFormat]] = [
            (_words(_KEYWORDS), _format("#0033b3", bold=True)),
            (_words(_TYPES), _format("#871094")),
            (_words(_CONSTANTS), _format("#1750eb")),
            (
                re.compile(r"(?<![\w.])\d+(?:\.\d*)?(?:[eE][-+]?\d+)?(?:ns|us|µs|ms|s|dt|im)?\b"),
                _format("#1750eb"),
            ),
            (re.compile(r'"[^"]*"'), _format("#067d17")),
            (re.compile(r"//.*$"), self._comment),
        ]

    def highlightBlock(self, text: str) -> None:
        for pattern, fmt in self._rules:
            for match in pattern.finditer(text):
                self.setFormat(match.start(), match.end() - match.start(), fmt)
        self._highlight_block_comments(text)

    def _highlight_block_comments(self, text: str) -> None:
        self.setCurrentBlockState(0)
        start, opener = 0, 0  # a comment carried over from the previous line has no opener here
        if self.previousBlockState() != _IN_BLOCK_COMMENT:
            match = _BLOCK_START.search(text)
            if match is None:
                return
            start, opener = match.start(), 2
        while start >= 0:
            end = _BLOCK_END.search(text, start + opener)
            if end is None:
                self.setCurrentBlockState(_IN_BLOCK_COMMENT)
                self.setFormat(start, len(text) - start, self._comment)
                return
            self.setFormat(start, end.end() - start, self._comment)
            following = _BLOCK_START.search(text, end.end())
            start, opener = (following.start(), 2) if following else (-1, 2)
