from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class AccountsErrorCode(StrEnum):
    NOT_ALLOWED = "not_allowed"
    GRANT_BEYOND_OWN = "grant_beyond_own"
    SELF_GRANT = "self_grant"
    INVALID_CREDENTIALS = "invalid_credentials"
    LOCKED_OUT = "locked_out"


GRANT_BEYOND_OWN_MESSAGE = _(
    "You cannot grant this role with this scope in this unit: it would give more than you hold yourself."
)
SELF_GRANT_MESSAGE = _("You cannot change your own roles; ask another administrator.")
NOT_ALLOWED_MESSAGE = _("You are not allowed to administer users in that unit.")
INVALID_CREDENTIALS_MESSAGE = _("Wrong username or password.")
LOCKED_OUT_MESSAGE = _("Too many failed attempts. Try again later or ask your administrator.")
