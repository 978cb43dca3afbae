"""Service: take a person involved off a case (adding one is `services.case_person_add`).

Kept out of `services.py` only because another change to that module was under way when this was
written; it follows the same rules (access checked again, the case must be open, audited in the
same transaction) and can move there as is."""

from django.db import transaction
from django.http import Http404

from amparo.accounts import access
from amparo.accounts.choices import Permission
from amparo.accounts.models import User
from amparo.audit import services as audit
from amparo.audit.choices import AuditAction
from amparo.cases import errors
from amparo.cases.errors import CaseErrorCode
from amparo.cases.models import Case, CasePerson
from amparo.common.errors import ApplicationError


@transaction.atomic
def case_person_remove(*, actor: User, case: Case, involvement_id: int) -> None:
    """Remove one person involved from `case`; the audit entry keeps who it was and in what role."""
    if not access.can(actor, Permission.CASE_EDIT, case):
        raise Http404
    if case.is_closed:
        raise ApplicationError(str(errors.CASE_CLOSED_MESSAGE), code=CaseErrorCode.CASE_CLOSED)
    involvement = CasePerson.objects.filter(case=case, pk=involvement_id).first()
    if involvement is None:
        raise Http404
    involvement.delete()
    audit.record(
        actor=actor,
        action=AuditAction.CASE_PERSON_REMOVED,
        target=case,
        extra={"person": involvement.person_id, "role": involvement.role},
    )
