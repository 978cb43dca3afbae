from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class TracingErrorCode(StrEnum):
    UNIT_NOT_ALLOWED = "tracing_unit_not_allowed"
    NAME_REQUIRED = "tracing_name_required"
    INQUIRER_REQUIRED = "tracing_inquirer_required"
    REQUEST_CLOSED = "tracing_request_closed"
    REQUEST_CHANGED = "tracing_request_changed"
    ALREADY_DECIDED = "tracing_match_already_decided"
    REASON_REQUIRED = "tracing_reason_required"
    NO_REUNIFICATION_TYPE = "tracing_no_reunification_type"
    CASE_CLOSED = "tracing_case_closed"


UNIT_NOT_ALLOWED_MESSAGE = _("You may not record tracing requests in this unit.")
NAME_REQUIRED_MESSAGE = _("Give at least a name or a nickname of the sought child.")
INQUIRER_REQUIRED_MESSAGE = _("Say who is looking for the child: a registered person or a name.")
REQUEST_CLOSED_MESSAGE = _("This tracing request is closed.")
REQUEST_CHANGED_MESSAGE = _(
    "Someone else saved this tracing request meanwhile (now version %(current)s). Reload and try again."
)
ALREADY_DECIDED_MESSAGE = _("This potential match was already decided.")
REASON_REQUIRED_MESSAGE = _("Say why: the decision is kept with its reason.")
NO_REUNIFICATION_TYPE_MESSAGE = _(
    "The case's type has no family reunification intervention; ask an administrator to add one "
    '(code "reunificacion").'
)
CASE_CLOSED_MESSAGE = _("The child's case is closed; reopen it before confirming the match.")
