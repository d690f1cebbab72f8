"""The credentials form's fixed wording: placeholders, hints and confirmations, in one place."""

from __future__ import annotations

from typing import Final

from desktop_app.core.azure.profiles import AZURE_SIGN_IN, SERVICE_PRINCIPAL

# Where a saved profile's secret is: the placeholder of the (empty) secret field.
SECRET_IN_KEYRING: Final = "stored in the keyring (leave empty to keep it)"
SECRET_IN_SESSION: Final = "kept for this session only (leave empty to keep it)"
SECRET_MISSING: Final = "the client secret's Value, from 'Certificates & secrets'"

SECRET_REQUIRED: Final = (
    "Enter the client secret (the Value shown once under the app registration's "
    "'Certificates & secrets')."
)
SECRET_NOT_STORED: Final = "No secret is stored for this profile yet: type it to use the profile."
SECRET_OTHER_IDENTITY: Final = (
    "The stored secret was typed for another sign-in (authority host, tenant or client ID "
    "changed, e.g. by an import): it is not used. Type the secret again for this profile."
)
SECRET_IDENTITY_EDITED: Final = (
    "The authority host, tenant or client ID changed: type the secret again (the stored one "
    "is never sent anywhere else than where it was typed for)."
)
CUSTOM_CONFIRM_TEXT: Final = (
    "I trust these endpoints outside the known Azure clouds (the sign-in host receives the "
    "client secret, the ARM endpoint the access tokens)"
)
CUSTOM_NOT_CONFIRMED: Final = "Tick the confirmation below to use a host outside the Azure clouds."
SECRET_NO_KEYRING: Final = (
    "The secret cannot be stored without a keyring: tick 'Keep the secret for this session "
    "only' to use this profile now."
)

AUTH_LABELS: Final = {
    SERVICE_PRINCIPAL: "Service principal (my own credentials)",
    AZURE_SIGN_IN: "Azure sign-in (the lab's account: az login, environment, browser)",
}
