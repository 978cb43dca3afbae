from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from amparo.common.errors import ApplicationError, ConflictError
from amparo.forms.definition import Problem


class FormErrorCode(StrEnum):
    DEFINITION_INVALID = "form_definition_invalid"
    DRAFT_CHANGED = "form_draft_changed_meanwhile"
    NO_CHANGES = "form_no_changes"
    EMPTY_FORM = "form_empty"
    IDENTIFIER_TAKEN = "form_identifier_taken"
    IDENTIFIER_INVALID = "form_identifier_invalid"
    UNIT_NOT_ALLOWED = "form_unit_not_allowed"
    XLSFORM_INVALID = "xlsform_invalid"
    FILE_REFUSED = "form_file_refused"


DRAFT_CHANGED_MESSAGE = _(
    "Someone else changed this draft while you were editing. Reload to see their changes."
)
NO_CHANGES_MESSAGE = _("The draft is the same as the published version: there is nothing new to publish.")
EMPTY_FORM_MESSAGE = _("Add at least one field before publishing.")
IDENTIFIER_TAKEN_MESSAGE = _("Another form already uses the identifier %(identifier)s.")
IDENTIFIER_INVALID_MESSAGE = _("An identifier starts with a letter and holds only letters, digits, _ and -.")
UNIT_NOT_ALLOWED_MESSAGE = _("You cannot manage forms of that unit.")
DEFINITION_INVALID_MESSAGE = _("The form has problems; nothing was saved.")


class DefinitionInvalidError(ApplicationError):
    """The definition failed validation; `problems` lists every one (path + message)."""

    def __init__(self, problems: list[Problem]):
        super().__init__(
            str(DEFINITION_INVALID_MESSAGE),
            code=FormErrorCode.DEFINITION_INVALID,
            extra={"problems": [{"path": problem.path, "message": problem.message} for problem in problems]},
        )
        self.problems = problems


__all__ = ["ApplicationError", "ConflictError", "DefinitionInvalidError", "FormErrorCode"]
