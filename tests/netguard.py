"""Refuse every network connection, and every name resolution, that is not loopback.

Installed by tests/conftest.py in the test process, and (through
tests/netguard_site/sitecustomize.py on PYTHONPATH) in every Python subprocess a test starts,
so no test can reach the internet or Azure, nor ask a DNS server about a name (a lookup alone
already tells the network where the tests would have gone).
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo
_real_gethostbyname = socket.gethostbyname
_real_gethostbyname_ex = socket.gethostbyname_ex
_real_gethostbyaddr = socket.gethostbyaddr
_real_getnameinfo = socket.getnameinfo

_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
# Wildcard addresses: binding to them resolves nothing.
_WILDCARDS = frozenset({"", "0.0.0.0", "::"})


class NonLoopbackConnectionError(ConnectionRefusedError):
    """A test tried to reach an address outside 127.0.0.0/8 and ::1."""


class NonLoopbackLookupError(socket.gaierror):
    """A test tried to resolve a name that is not loopback (a DNS query would leave the host).

    A gaierror, so code that handles a failed lookup handles this one the same way.
    """


def _is_loopback(host: str) -> bool:
    name = host.strip("[]").rstrip(".").lower()
    if name in _LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name.split("%")[0]).is_loopback
    except ValueError:
        return False


def _host_text(host: object) -> str:
    if isinstance(host, bytes | bytearray):
        return bytes(host).decode("ascii", "replace")
    return str(host)


def _check_name(host: object, call: str) -> None:
    if host is None:
        return  # getaddrinfo(None, port): the local wildcard or loopback, no lookup
    text = _host_text(host)
    if text in _WILDCARDS or _is_loopback(text):
        return
    raise NonLoopbackLookupError(
        socket.EAI_NONAME, f"test network guard: refused {call}({text!r}) (not loopback)"
    )


def _check(sock: socket.socket, address: Any) -> None:
    if sock.family not in (socket.AF_INET, socket.AF_INET6):
        return  # AF_UNIX (D-Bus, the keyring) and friends stay local by nature
    host = address[0] if isinstance(address, tuple) else str(address)
    if not _is_loopback(str(host)):
        raise NonLoopbackConnectionError(f"test network guard: refused connection to {address!r}")


def _guarded_connect(self: socket.socket, address: Any) -> None:
    _check(self, address)
    _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    _check(self, address)
    return _real_connect_ex(self, address)


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    _check_name(host, "getaddrinfo")
    return _real_getaddrinfo(host, *args, **kwargs)


def _guarded_gethostbyname(host: str) -> str:
    _check_name(host, "gethostbyname")
    return _real_gethostbyname(host)


def _guarded_gethostbyname_ex(host: str) -> tuple[str, list[str], list[str]]:
    _check_name(host, "gethostbyname_ex")
    return _real_gethostbyname_ex(host)


def _guarded_gethostbyaddr(host: str) -> tuple[str, list[str], list[str]]:
    _check_name(host, "gethostbyaddr")  # a reverse lookup asks the DNS about the address too
    return _real_gethostbyaddr(host)


def _guarded_getnameinfo(sockaddr: tuple[Any, ...], flags: int) -> tuple[str, str]:
    _check_name(sockaddr[0], "getnameinfo")
    return _real_getnameinfo(sockaddr, flags)


def install() -> None:
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = _guarded_getaddrinfo
    socket.gethostbyname = _guarded_gethostbyname
    socket.gethostbyname_ex = _guarded_gethostbyname_ex
    socket.gethostbyaddr = _guarded_gethostbyaddr
    socket.getnameinfo = _guarded_getnameinfo
