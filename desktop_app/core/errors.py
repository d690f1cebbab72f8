"""Errors that carry a message a student can act on (never a traceback in the UI)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator


class QuantumDeskError(Exception):
    """Base of every error the UI and the CLI show as plain text."""


class UserInputError(QuantumDeskError):
    """Bad input from the user: unknown backend, shots out of range, too many qubits..."""


class NotWritableError(QuantumDeskError, OSError):
    """A file or folder Quantum Desk must write cannot be written (a read-only folder, no
    permission, a full disk). Also an OSError, for code that already handles those."""


def why_not_writable(exc: OSError) -> str:
    """'read-only', 'not writable for this user', 'full', ... for a failed write."""
    import errno

    return {
        errno.EROFS: "on a read-only file system",
        errno.EACCES: "not writable for this user",
        errno.EPERM: "not writable for this user",
        errno.ENOSPC: "on a full disk",
        errno.ENOTDIR: "not a folder (a file is in its place)",
        errno.EEXIST: "not a folder (a file is in its place)",
        errno.ENOENT: "in a folder that does not exist",
    }.get(exc.errno or 0, exc.strerror or "not usable")


def why_not_readable(exc: OSError | UnicodeDecodeError) -> str:
    """'missing', 'not readable for this user', 'not UTF-8 text', ... for a failed read."""
    import errno

    if isinstance(exc, UnicodeDecodeError):
        return f"not UTF-8 text (byte {exc.start + 1})"
    return {
        errno.ENOENT: "missing",
        errno.EISDIR: "a folder, not a file",
        errno.ENOTDIR: "in a path where a file stands in place of a folder",
        errno.EACCES: "not readable for this user",
        errno.EPERM: "not readable for this user",
        errno.ELOOP: "a chain of links that does not end",
        errno.ENAMETOOLONG: "a name too long for this system",
        errno.EIO: "on a disk that could not be read",
    }.get(exc.errno or 0, "not readable")


def error_code(exc: BaseException) -> str:
    """The short code a job or a report records beside its message: the code the error carries
    (a service's, "InvalidJobDefinition", or one of ours), else a plain word by kind; never a
    Python class name (users see codes)."""
    code = getattr(exc, "code", None)
    if isinstance(code, str) and code:
        return code
    if isinstance(exc, UserInputError):
        return "input"
    if isinstance(exc, OSError):
        return "file"
    return "error" if isinstance(exc, QuantumDeskError) else "unexpected"


def exception_chain(exc: BaseException) -> Iterator[BaseException]:
    """`exc`, then its causes and contexts (each once): where an SDK's root error hides."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


Hints = Iterable[tuple[tuple[str, ...], str]]


def first_hint(hints: Hints, code: str, message: str, default: str) -> str:
    """The 'what to do' sentence of the first hint one of whose words the failure's code or
    message contains (case-insensitive), else `default`."""
    text = f"{code} {message}".lower()
    for needles, hint in hints:
        if any(n in text for n in needles):
            return hint
    return default
