"""A workspace client closed before a call was sent: the call is made again on a workspace opened
afresh (one submit in about 80 failed this way with 20 jobs at once in one process)."""

from __future__ import annotations

import pytest
from azure.core.pipeline.transport import RequestsTransport

from desktop_app.core.azure.retry import call_with_retries
from desktop_app.core.azure.session import is_closed_client
from desktop_app.core.errors import QuantumDeskError


def closed_transport_error() -> ValueError:
    """azure-core's own error for a request through a transport that was opened, then closed."""
    transport = RequestsTransport()
    transport.open()
    transport.close()
    with pytest.raises(ValueError) as caught:
        transport.open()
    return caught.value


def test_the_closed_transport_error_is_recognised_alone_and_chained() -> None:
    error = closed_transport_error()
    assert is_closed_client(error)
    try:
        raise RuntimeError("wrapped") from error
    except RuntimeError as wrapped:
        assert is_closed_client(wrapped)
    assert not is_closed_client(ValueError("a bad shots value"))


def _call(action: object, reauthenticate: object) -> object:
    return call_with_retries(
        action,  # type: ignore[arg-type]
        what="Submitting",
        delays=iter([0.0] * 5),
        deadline=1.0,
        progress=lambda _message, _fraction: None,
        wait=lambda _seconds: None,
        reauthenticate=reauthenticate,  # type: ignore[arg-type]
        explain=lambda exc: QuantumDeskError(f"explained: {type(exc).__name__}"),
    )


def test_a_call_on_a_closed_client_is_made_again_on_a_reopened_workspace() -> None:
    calls: list[str] = []
    reopened: list[bool] = []

    def action() -> str:
        calls.append("call")
        if not reopened:
            raise closed_transport_error()
        return "submitted"

    def reopen() -> bool:
        reopened.append(True)
        return True

    assert _call(action, reopen) == "submitted"
    assert calls == ["call", "call"] and reopened == [True]


def test_when_no_workspace_can_be_reopened_the_failure_is_explained() -> None:
    def action() -> str:
        raise closed_transport_error()

    with pytest.raises(QuantumDeskError, match="explained: ValueError"):
        _call(action, lambda: False)
