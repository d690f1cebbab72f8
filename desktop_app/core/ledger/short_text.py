"""Programs holding a text of two characters, found mostly from the trigram index.

FTS5's trigram tokenizer indexes no string shorter than three characters, so a two-character text
has no term of its own; but each place it occurs but the last two characters of a program starts
a trigram: the text and the character after it. The phrases of the text followed by each ASCII
character are looked up in `program_fts` (a b-tree seek for each, most of them absent), and the
programs they find hold the text. The other programs are still tested with the LIKE on their
text, so the answer is the LIKE's: the index only spares reading the programs it already found
(all of them when the text is common, as "c;" is in every OpenQASM program's last line).
A rare text still has every program read, as before.

As for longer ASCII texts (see search.py), the tokenizer's case folding is taken for LIKE's; a
text with a non-ASCII character, or of one character (too many followers), is the LIKE's alone.
"""

from __future__ import annotations

from typing import Any

# what can follow the text in a folded trigram: ASCII without NUL and the upper-case letters
# (the tokenizer folds them), i.e. the ASCII a program holds
_FOLLOWERS = [chr(c) for c in range(1, 128) if not chr(c).isupper()]


def _phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def follower_query(text: str) -> str:
    """An FTS5 query for the trigrams starting with `text` (two ASCII characters)."""
    return " OR ".join(_phrase(text + c) for c in _FOLLOWERS)


def short_programs_clause(text: str, pattern: str) -> tuple[str, list[Any]]:
    """SQL for the ids of the programs whose text LIKE `pattern` ('%text%') matches, for a
    `text` of one or two characters; with its parameters."""
    unpacked_like = "qd_unpack_text(programs.body) LIKE ? ESCAPE '\\'"
    if len(text) != 2 or not text.isascii():
        return f"SELECT programs.id FROM programs WHERE {unpacked_like}", [pattern]
    found = "SELECT rowid FROM program_fts WHERE program_fts MATCH ?"
    # the programs not found are read only when there are some: an uncorrelated condition is
    # tested once, before the scan
    sql = (
        f"{found} UNION ALL SELECT programs.id FROM programs "
        f"WHERE (SELECT COUNT(*) FROM ({found})) < (SELECT COUNT(*) FROM programs) "
        f"AND programs.id NOT IN ({found}) AND {unpacked_like}"
    )
    query = follower_query(text)
    return sql, [query, query, query, pattern]
