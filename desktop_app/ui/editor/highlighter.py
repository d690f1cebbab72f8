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


# Colours per scheme: keyword, type, constant/number, string, comment. Light: close to the
# IntelliJ light theme's; dark: readable on the dark palette's #1e1e1e base (contrast >= 4.5:1).
LIGHT_COLORS = {
    "keyword": "#0033b3",
    "type": "#871094",
    "number": "#1750eb",
    "string": "#067d17",
    "comment": "#6a737d",
}
DARK_COLORS = {
    "keyword": "#7aa8ff",
    "type": "#d69cf0",
    "number": "#f0a875",
    "string": "#9fd68a",
    "comment": "#9a9a9a",
}


class QasmHighlighter(QSyntaxHighlighter):
    def __init__(self, document: QTextDocument, *, dark: bool = False) -> None:
        super().__init__(document)
        self.dark = dark
        self._build(DARK_COLORS if dark else LIGHT_COLORS)

    def set_dark(self, dark: bool) -> None:
        """Switch to the dark (or light) colours and highlight the whole text again."""
        if dark == self.dark:
            return
        self.dark = dark
        self._build(DARK_COLORS if dark else LIGHT_COLORS)
        self.rehighlight()

    def colors(self) -> dict[str, str]:
        return DARK_COLORS if self.dark else LIGHT_COLORS

    def _build(self, colors: dict[str, str]) -> None:
        self._comment = _format(colors["comment"], italic=True)
        self._rules: list[tuple[re.Pattern[str], QTextCharFormat]] = [
            (_words(_KEYWORDS), _format(colors["keyword"], bold=True)),
            (_words(_TYPES), _format(colors["type"])),
            (_words(_CONSTANTS), _format(colors["number"])),
            (
                re.compile(r"(?<![\w.])\d+(?:\.\d*)?(?:[eE][-+]?\d+)?(?:ns|us|µs|ms|s|dt|im)?\b"),
                _format(colors["number"]),
            ),
            (re.compile(r'"[^"]*"'), _format(colors["string"])),
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
