from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CaseStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("case status", "Open")
    CLOSED = "closed", pgettext_lazy("case status", "Closed")
    REOPENED = "reopened", pgettext_lazy("case status", "Reopened")


OPEN_STATUSES = (CaseStatus.OPEN, CaseStatus.REOPENED)


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class FormPurpose(models.TextChoices):
    """What a form is for within a case type (a type has one registration form)."""

    REGISTRATION = "registration", _("Registration")
    ASSESSMENT = "assessment", _("Assessment")
    CASE_PLAN = "case_plan", _("Case plan")
    FOLLOW_UP = "follow_up", _("Follow-up")
    CLOSURE = "closure", _("Closure")
    OTHER = "other", _("Other")


class InvolvementRole(models.TextChoices):
    SIBLING = "sibling", _("Sibling")
    CAREGIVER = "caregiver", _("Caregiver")
    PARENT = "parent", _("Mother or father")
    RELATIVE = "relative", _("Other relative")
    ALLEGED_PERPETRATOR = "alleged_perpetrator", _("Alleged perpetrator")
    WITNESS = "witness", _("Witness")
    OTHER = "other", _("Other")


class CountBy(models.TextChoices):
    CASES = "cases", _("Cases")
    PERSONS = "persons", _("Persons")
