"""Client secrets of profiles: only in the OS keyring, or for this session only in memory.

Service name SERVICE_NAME, user name = profile name; the value is the secret bound to the
identity it was typed for (core.secret_binding): it is handed out only for a profile with that
same authority host, tenant and client. A plaintext file backend (keyrings.alt) is refused as
"no usable keyring". No secret is ever logged, written to a file, or put in an exception's text
(exceptions raised here are built from fixed words, `from None`).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Final

from desktop_app.core.azure import secret_binding
from desktop_app.core.azure.secret_binding import (
    SecretIdentity,
    SecretIdentityChangedError,
    SecretState,
)
from desktop_app.core.errors import QuantumDeskError

if TYPE_CHECKING:  # keyring is imported lazily: `import keyring` costs ~0.45 s at start-up
    import keyring.backend

    from desktop_app.core.azure.profiles import Profile

log = logging.getLogger(__name__)

SERVICE_NAME: Final = "quantum-desk"
NO_KEYRING_MESSAGE: Final = "No system keyring found: the secret is kept for this session only."
LOCKED_KEYRING_MESSAGE: Final = (
    "The system keyring could not be opened (locked, or its service is not answering): "
    "the secret is kept for this session only."
)
PLAINTEXT_KEYRING_MESSAGE: Final = (
    "The only keyring available stores secrets in a plain file, which Quantum Desk refuses: "
    "the secret is kept for this session only."
)


class SecretStoreError(QuantumDeskError):
    """The keyring failed in a way that falling back to memory cannot hide (e.g. delete)."""


class StoredIn(StrEnum):
    KEYRING = "keyring"
    SESSION = "session"


@dataclass(frozen=True)
class KeyringStatus:
    """What the UI shows next to the secret field."""

    usable: bool
    backend: str  # class path of the keyring backend, for the log and the About box
    message: str  # "" when usable, else a plain sentence (NO_KEYRING_MESSAGE, ...)


def _backend_name(backend: keyring.backend.KeyringBackend) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def _is_plaintext(backend: keyring.backend.KeyringBackend) -> bool:
    cls = type(backend)
    module = cls.__module__
    return module.startswith("keyrings.alt") or "plaintext" in cls.__qualname__.lower()


def _usable_backends(
    backend: keyring.backend.KeyringBackend,
) -> tuple[list[keyring.backend.KeyringBackend], str]:
    """The backends we may use, and the reason when there are none."""
    from keyring.backends import chainer, fail

    if isinstance(backend, fail.Keyring):
        return [], NO_KEYRING_MESSAGE
    if isinstance(backend, chainer.ChainerBackend):
        members = list(backend.backends)
        kept = [b for b in members if not _is_plaintext(b) and not isinstance(b, fail.Keyring)]
        if kept:
            return kept, ""
        if any(_is_plaintext(b) for b in members):
            return [], PLAINTEXT_KEYRING_MESSAGE
        return [], NO_KEYRING_MESSAGE
    if _is_plaintext(backend):
        return [], PLAINTEXT_KEYRING_MESSAGE
    return [backend], ""


def _error_kind(exc: BaseException) -> str:
    """Describe a keyring failure by its type only: backend messages may echo what was stored."""
    return f"{type(exc).__module__}.{type(exc).__qualname__}"


class SecretStore:
    """Profile secrets. Thread-safe; one per process is enough (`default_secret_store()`).

    `backend` defaults to keyring's choice (`keyring.get_keyring()`); tests pass their own.
    """

    def __init__(
        self, backend: keyring.backend.KeyringBackend | None = None, service: str = SERVICE_NAME
    ) -> None:
        self.service = service
        import keyring

        self._lock = threading.RLock()
        self._session: dict[str, str] = {}
        chosen = backend if backend is not None else keyring.get_keyring()
        self._backend_name = _backend_name(chosen)
        usable, reason = _usable_backends(chosen)
        self._backend: keyring.backend.KeyringBackend | None = usable[0] if usable else None
        self._reason = reason
        self._probed = False
        if self._backend is None:
            log.info(
                "no usable keyring (%s): secrets kept for this session only", self._backend_name
            )

    # status
    def _fall_back(self, reason: str, exc: BaseException | None) -> None:
        if self._backend is not None:
            log.warning(
                "keyring %s failed (%s): secrets kept for this session only",
                self._backend_name,
                _error_kind(exc) if exc else "unusable",
            )
        self._backend = None
        self._reason = reason

    def _probe(self) -> None:
        """One harmless read to find a locked keyring or a dead D-Bus before the user types."""
        if self._probed or self._backend is None:
            return
        self._probed = True
        from keyring.errors import NoKeyringError

        try:
            self._backend.get_password(self.service, "quantum-desk-probe")
        except NoKeyringError as exc:
            self._fall_back(NO_KEYRING_MESSAGE, exc)
        except Exception as exc:  # D-Bus, jeepney, locked collection, ...: all mean "unusable"
            self._fall_back(LOCKED_KEYRING_MESSAGE, exc)

    @property
    def status(self) -> KeyringStatus:
        with self._lock:
            self._probe()
            return KeyringStatus(self._backend is not None, self._backend_name, self._reason)

    @property
    def persistent(self) -> bool:
        """True when secrets survive the session (a usable OS keyring)."""
        return self.status.usable

    # operations
    def set(self, profile: Profile, secret: str) -> StoredIn:
        """Keep `secret` for `profile`, bound to its identity; where it went (keyring, or
        session memory)."""
        if not secret:
            raise SecretStoreError("The client secret is empty.")
        where = self._write(profile.name, secret_binding.encode(secret, SecretIdentity.of(profile)))
        if where is StoredIn.KEYRING:
            log.info("secret of profile %r stored in the keyring", profile.name)
        else:
            log.info("secret of profile %r kept for this session only", profile.name)
        return where

    def _read(self, name: str) -> str | None:
        """The stored value (secret and identity) of profile `name`."""
        with self._lock:
            if name in self._session:
                return self._session[name]
            self._probe()
            if self._backend is None:
                return None
            try:
                return self._backend.get_password(self.service, name)
            except Exception as exc:
                self._fall_back(LOCKED_KEYRING_MESSAGE, exc)
                return None

    def lookup(self, profile: Profile) -> tuple[SecretState, str | None]:
        """The state of `profile`'s secret, and the secret only when it was typed for the
        profile's current identity."""
        value = self._read(profile.name)
        if value is None:
            return SecretState.MISSING, None
        identity, secret = secret_binding.decode(value)
        if identity != SecretIdentity.of(profile):
            return SecretState.OTHER_IDENTITY, None
        return SecretState.STORED, secret

    def state(self, profile: Profile) -> SecretState:
        return self.lookup(profile)[0]

    def get(self, profile: Profile) -> str | None:
        """The secret for `profile` (None when none is stored). Raises
        SecretIdentityChangedError when the stored one was typed for another identity."""
        state, secret = self.lookup(profile)
        if state is SecretState.OTHER_IDENTITY:
            log.info("secret of profile %r not used: typed for another identity", profile.name)
            raise SecretIdentityChangedError(profile)
        return secret

    def has(self, profile: Profile) -> bool:
        """True when a secret typed for the profile's current identity is stored."""
        return self.state(profile) is SecretState.STORED

    def delete(self, name: str) -> bool:
        """Forget the secret of `name` (True if there was one). Raises SecretStoreError when the
        keyring holds it but refuses to delete it."""
        from keyring.errors import PasswordDeleteError

        with self._lock:
            found = self._session.pop(name, None) is not None
            self._probe()
            if self._backend is None:
                return found
            try:
                if self._backend.get_password(self.service, name) is None:
                    return found
                self._backend.delete_password(self.service, name)
            except PasswordDeleteError:
                return found
            except Exception as exc:
                log.warning("keyring delete failed for profile %r (%s)", name, _error_kind(exc))
                refused = True
            else:
                refused = False
        if refused:
            # raised outside the except block: no __context__ that could carry backend text
            raise SecretStoreError(
                f"The keyring refused to delete the secret of profile '{name}'; remove the "
                f"entry '{self.service}' / '{name}' with your keyring tool."
            )
        log.info("secret of profile %r deleted from the keyring", name)
        return True

    def move(self, old: str, new: str) -> bool:
        """Re-file the secret of `old` under `new` (a rename), with the identity it was typed
        for (a rename that also changes the identity leaves it unused). True if there was one."""
        if old == new:
            return self._read(old) is not None
        with self._lock:
            value = self._read(old)
            if value is None:
                return False
            self._write(new, value)
            self.delete(old)
            return True

    def _write(self, name: str, value: str) -> StoredIn:
        with self._lock:
            self._probe()
            if self._backend is not None:
                try:
                    self._backend.set_password(self.service, name, value)
                except Exception as exc:  # any backend failure -> session memory, said plainly
                    self._fall_back(LOCKED_KEYRING_MESSAGE, exc)
                else:
                    self._session.pop(name, None)
                    return StoredIn.KEYRING
            self._session[name] = value
            return StoredIn.SESSION


_default: SecretStore | None = None
_default_lock = threading.Lock()


def default_secret_store() -> SecretStore:
    """The process-wide store (session-only secrets must be shared by the dialog and the runs)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = SecretStore()
        return _default


def set_default_secret_store(store: SecretStore | None) -> None:
    """Replace the process-wide store (tests; None makes the next call choose afresh)."""
    global _default
    with _default_lock:
        _default = store
