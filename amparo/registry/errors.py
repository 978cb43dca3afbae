from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class RegistryErrorCode(StrEnum):
    PERSON_ARCHIVED = "person_archived"
    HOUSEHOLD_ARCHIVED = "household_archived"
    PERSON_CHANGED = "person_changed_meanwhile"
    HOUSEHOLD_CHANGED = "household_changed_meanwhile"
    UNIT_NOT_ALLOWED = "unit_not_allowed"
    ALREADY_MEMBER = "already_member"
    HOUSEHOLD_HAS_HEAD = "household_has_head"
    ARCHIVE_REASON_REQUIRED = "archive_reason_required"


PERSON_CHANGED_MESSAGE = _(
    "Someone else saved this person while you were editing (now version %(current)s). "
    "Nothing was overwritten: compare their changes with yours before saving again."
)
HOUSEHOLD_CHANGED_MESSAGE = _(
    "Someone else saved this household while you were editing. "
    "Nothing was overwritten: compare their changes with yours before saving again."
)
UNIT_NOT_ALLOWED_MESSAGE = _("You cannot register records in that unit.")
PERSON_ARCHIVED_MESSAGE = _("This person is archived and cannot be changed.")
HOUSEHOLD_ARCHIVED_MESSAGE = _("This household is archived and cannot be changed.")
ALREADY_MEMBER_MESSAGE = _("This person is already a member of the household.")
HOUSEHOLD_HAS_HEAD_MESSAGE = _("The household already has a head.")
ARCHIVE_REASON_REQUIRED_MESSAGE = _("Say why the record is archived.")
