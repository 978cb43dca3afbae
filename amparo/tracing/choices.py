from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Relationship(models.TextChoices):
    """How the inquirer is related to the sought child."""

    MOTHER = "mother", _("Mother")
    FATHER = "father", _("Father")
    GRANDPARENT = "grandparent", _("Grandmother or grandfather")
    SIBLING = "sibling", _("Sister or brother")
    AUNT_UNCLE = "aunt_uncle", _("Aunt or uncle")
    OTHER_RELATIVE = "other_relative", _("Other relative")
    CAREGIVER = "caregiver", _("Former caregiver")


class TracingStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("tracing request status", "Open")
    CLOSED = "closed", pgettext_lazy("tracing request status", "Closed")


class MatchStatus(models.TextChoices):
    PENDING = "pending", _("To review")
    POSTPONED = "postponed", _("Postponed")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class Decision(models.TextChoices):
    CONFIRM = "confirm", _("It is the sought child: start the reunification follow-up")
    REJECT = "reject", _("It is not the sought child")
    POSTPONE = "postpone", _("Decide later")


DECISION_STATUS = {
    Decision.CONFIRM: MatchStatus.CONFIRMED,
    Decision.REJECT: MatchStatus.REJECTED,
    Decision.POSTPONE: MatchStatus.POSTPONED,
}


class NotificationKind(models.TextChoices):
    MATCH_FOUND = "match_found", _("Potential match found")
    MATCH_DECIDED = "match_decided", _("Potential match decided")
