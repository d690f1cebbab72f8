"""The tests' network guard refuses non-loopback connections and name lookups, here and in
Python subprocesses (tests/netguard_site on PYTHONPATH), and lets loopback through."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from tests import netguard

# Reserved by RFC 2606: no such host exists, should a broken guard let the lookup out.
HOSTILE_NAME = "quantum-desk-netguard-test.invalid"


def test_the_guard_is_installed_in_this_process() -> None:
    # checked first: a guard that is not installed must fail here, before any lookup is tried
    assert socket.getaddrinfo is not netguard._real_getaddrinfo
    assert socket.gethostbyname is not netguard._real_gethostbyname


@pytest.mark.parametrize(
    "call",
    [
        lambda: socket.getaddrinfo(HOSTILE_NAME, 443),
        lambda: socket.getaddrinfo(HOSTILE_NAME.encode(), 443),
        lambda: socket.gethostbyname(HOSTILE_NAME),
        lambda: socket.gethostbyname_ex(HOSTILE_NAME),
        lambda: socket.gethostbyaddr("192.0.2.1"),
        lambda: socket.getnameinfo(("192.0.2.1", 443), 0),
        lambda: socket.create_connection((HOSTILE_NAME, 443), timeout=1),
    ],
    ids=[
        "getaddrinfo",
        "getaddrinfo-bytes",
        "gethostbyname",
        "gethostbyname_ex",
        "gethostbyaddr",
        "getnameinfo",
        "create_connection",
    ],
)
def test_non_loopback_lookups_are_refused_in_process(call: object) -> None:
    test_the_guard_is_installed_in_this_process()
    with pytest.raises(netguard.NonLoopbackLookupError, match="test network guard"):
        call()  # type: ignore[operator]


def test_a_lookup_through_urllib_is_refused_in_process() -> None:
    test_the_guard_is_installed_in_this_process()
    with pytest.raises(urllib.error.URLError) as caught:
        urllib.request.urlopen(f"http://{HOSTILE_NAME}/", timeout=2)
    assert isinstance(caught.value.reason, netguard.NonLoopbackLookupError)


def test_non_loopback_connection_is_refused_in_process() -> None:
    with (
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock,
        pytest.raises(netguard.NonLoopbackConnectionError),
    ):
        sock.connect(("192.0.2.1", 443))  # TEST-NET-1: never routed


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "::1", "LOCALHOST", "[::1]"])
def test_loopback_names_still_resolve(host: str) -> None:
    infos = socket.getaddrinfo(host.strip("[]"), 80, proto=socket.IPPROTO_TCP)
    assert infos
    assert all(netguard._is_loopback(str(info[4][0])) for info in infos)
    assert netguard._is_loopback(host)


def test_loopback_connections_and_wildcard_binds_still_work() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        with socket.create_connection(("localhost", port), timeout=5):
            accepted, _ = server.accept()
            accepted.close()
    assert socket.getaddrinfo(None, 0, flags=socket.AI_PASSIVE)
    assert socket.gethostbyname("localhost") == "127.0.0.1"


_CHILD = f"""
import json, socket, urllib.request, urllib.error
name = {HOSTILE_NAME!r}
out = {{}}
def attempt(label, call):
    try:
        call()
    except Exception as exc:
        out[label] = type(exc).__name__ + ": " + str(exc)
    else:
        out[label] = "resolved"
attempt("getaddrinfo", lambda: socket.getaddrinfo(name, 443))
attempt("gethostbyname", lambda: socket.gethostbyname(name))
attempt("gethostbyname_ex", lambda: socket.gethostbyname_ex(name))
attempt("urlopen", lambda: urllib.request.urlopen("http://" + name + "/", timeout=2))
attempt("connect", lambda: socket.socket().connect(("192.0.2.1", 443)))
out["localhost"] = socket.getaddrinfo("localhost", 80)[0][4][0]
out["127.0.0.1"] = socket.gethostbyname("127.0.0.1")
out["::1"] = socket.getaddrinfo("::1", 80)[0][4][0]
print(json.dumps(out))
"""


def test_python_subprocesses_refuse_lookups_and_connections_too() -> None:
    assert "netguard_site" in os.environ["PYTHONPATH"]  # set by tests/conftest.py for children
    done = subprocess.run(
        [sys.executable, "-c", _CHILD], capture_output=True, text=True, timeout=60, check=True
    )
    out = json.loads(done.stdout)
    for label in ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "urlopen"):
        assert "test network guard: refused" in out[label], (label, out[label])
    assert out["connect"].startswith("NonLoopbackConnectionError")
    assert out["localhost"] in ("127.0.0.1", "::1")
    assert out["127.0.0.1"] == "127.0.0.1"
    assert out["::1"] == "::1"
