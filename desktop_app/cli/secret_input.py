"""A profile's client secret typed or piped in (`profile add/secret`, `run --secret-stdin`).

Kept apart from `profile_cmd`: `run --secret-stdin` reads its secret through here without
importing the profile commands or keyring (~0.1 s before the Azure worker can sign in, issue 16).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from desktop_app.core.errors import UserInputError

if TYPE_CHECKING:
    from desktop_app.core.azure.profiles import Profile
    from desktop_app.core.azure.session import SecretProvider


def read_secret(from_stdin: bool, name: str) -> str:
    """The secret of profile `name`: the first line of stdin, or typed at a terminal unseen."""
    if from_stdin:
        secret = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        import getpass

        secret = getpass.getpass(f"Client secret for profile '{name}' (not shown): ")
    else:
        raise UserInputError("The client secret is needed: pass --secret-stdin and pipe it in.")
    if not secret:
        raise UserInputError("The client secret read from standard input is empty.")
    return secret


def secret_for_this_run(profile: Profile, secret: str) -> SecretProvider:
    """`secret` for `profile`, for this process only: never in the keyring or a file. It is bound
    to the profile's sign-in as a stored secret is (`secret_binding`): handed out for that
    profile while its authority host, tenant and client are those it was given for; a profile
    whose sign-in changed gets SecretIdentityChangedError, any other profile nothing."""
    from desktop_app.core.azure.secret_binding import SecretIdentity, SecretIdentityChangedError

    identity = SecretIdentity.of(profile)

    def secret_of(asked: Profile) -> str | None:
        if asked.name != profile.name:
            return None
        if SecretIdentity.of(asked) != identity:
            raise SecretIdentityChangedError(asked)
        return secret

    return secret_of
