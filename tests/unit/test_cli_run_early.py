"""`quantum-desk run`'s Azure worker started from the command line's words (cli.run_early), and
the secret given on stdin for one run (cli.secret_input)."""

from __future__ import annotations

import dataclasses

import pytest

from desktop_app.cli.run_early import wants_azure_worker
from desktop_app.cli.secret_input import secret_for_this_run
from desktop_app.core.azure.profiles import Profile
from desktop_app.core.azure.secret_binding import SecretIdentityChangedError


@pytest.mark.parametrize(
    "words",
    [
        ["run", "a.qasm", "--backend", "ionq.simulator", "--profile", "lab"],
        ["run", "a.qasm", "--profile=lab", "--backend=rigetti.sim.qvm"],
        ["--verbose", "run", "a.qasm", "--backend", "local.simulator", "--backend",
         "quantinuum.sim.h2-1e", "--profile", "lab"],
    ],
)  # fmt: skip
def test_an_azure_run_with_a_profile_wants_the_worker(words: list[str]) -> None:
    assert wants_azure_worker(words)


@pytest.mark.parametrize(
    "words",
    [
        ["run", "a.qasm"],  # the local simulator
        ["run", "a.qasm", "--backend", "local.simulator", "--profile", "lab"],
        ["run", "a.qasm", "--backend", "LOCAL.emulator.ionq.forte-1", "--profile", "lab"],
        ["run", "a.qasm", "--backend", "ionq.simulator"],  # no profile: refused later
        ["run", "a.qasm", "--backend", "ionq.simulator", "--profile", "lab", "--help"],
        ["estimate", "a.qasm", "--backend", "ionq.simulator", "--profile", "lab"],
        ["run", "a.qasm", "--backend"],  # no value: argparse says so
        [],
    ],
)
def test_anything_else_does_not(words: list[str]) -> None:
    assert not wants_azure_worker(words)


def _profile(**changes: str) -> Profile:
    profile = Profile(
        name="lab",
        resource_id="/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/"
        "providers/Microsoft.Quantum/Workspaces/ws",
        location="westus",
        tenant_id="00000000-0000-0000-0000-000000000002",
        client_id="00000000-0000-0000-0000-000000000003",
    )
    return dataclasses.replace(profile, **changes).validated()


def test_the_secret_of_this_run_goes_to_its_profile_only_while_its_sign_in_is_unchanged() -> None:
    secret_of = secret_for_this_run(_profile(), "s3cret")
    assert secret_of(_profile()) == "s3cret"
    assert secret_of(_profile(location="eastus")) == "s3cret"  # not part of the sign-in
    assert secret_of(_profile(name="other")) is None
    with pytest.raises(SecretIdentityChangedError):
        secret_of(_profile(client_id="00000000-0000-0000-0000-000000000009"))
