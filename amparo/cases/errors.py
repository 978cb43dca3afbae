from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class CaseErrorCode(StrEnum):
    CASE_CHANGED = "case_changed"
    CASE_CLOSED = "case_closed"
    CASE_NOT_CLOSED = "case_not_closed"
    REASON_REQUIRED = "reason_required"
    FORM_INVALID = "form_invalid"
    FORM_NOT_OF_TYPE = "form_not_of_type"
    FORM_NOT_PUBLISHED = "form_not_published"
    UNIT_NOT_ALLOWED = "unit_not_allowed"
    OWNER_NOT_ALLOWED = "owner_not_allowed"
    CLASSIFICATION_NOT_OF_TYPE = "classification_not_of_type"
    SAME_CLASSIFICATION = "same_classification"
    INTERVENTION_TYPE_NOT_OF_TYPE = "intervention_type_not_of_type"
    CASE_TYPE_INACTIVE = "case_type_inactive"
    CODE_TAKEN = "code_taken"
    PERSON_ALREADY_INVOLVED = "person_already_involved"


CASE_CHANGED_MESSAGE = _(
    "Someone saved this case after you opened it (now version %(current)s). Reload and try again."
)
CASE_CLOSED_MESSAGE = _("The case is closed: reopen it first.")
CASE_NOT_CLOSED_MESSAGE = _("Only a closed case can be reopened.")
REASON_REQUIRED_MESSAGE = _("Give a reason.")
FORM_INVALID_MESSAGE = _("Some answers need attention.")
FORM_NOT_OF_TYPE_MESSAGE = _("That form is not used by this case type.")
FORM_NOT_PUBLISHED_MESSAGE = _("That form has no published version yet.")
UNIT_NOT_ALLOWED_MESSAGE = _("You cannot open cases in that unit.")
OWNER_NOT_ALLOWED_MESSAGE = _("The owner must be an active user who may work cases in the case's unit.")
CLASSIFICATION_NOT_OF_TYPE_MESSAGE = _("That classification does not belong to this case type.")
SAME_CLASSIFICATION_MESSAGE = _("The case already has that classification.")
INTERVENTION_TYPE_NOT_OF_TYPE_MESSAGE = _("That intervention type is not allowed under this case type.")
CASE_TYPE_INACTIVE_MESSAGE = _("That case type is no longer in use.")
CODE_TAKEN_MESSAGE = _("The code %(code)s is already used.")
PERSON_ALREADY_INVOLVED_MESSAGE = _("That person is already listed on the case.")
