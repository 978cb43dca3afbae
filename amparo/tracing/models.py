"""Family tracing: requests of relatives looking for a child, their potential matches with
separated or unaccompanied children's cases, every decision on them, and in-app notifications."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from amparo.common.models import TimeStampedModel
from amparo.registry.choices import Sex
from amparo.tracing.choices import MatchStatus, NotificationKind, Relationship, TracingStatus


class TracingRequest(TimeStampedModel):
    """A relative's search for a child. The access policy reaches it through `org_unit` and, for
    the OWN scope, `owner` (the worker following the request)."""

    ACCESS_UNIT_FIELD = "org_unit"
    ACCESS_OWNER_FIELD = "owner"

    org_unit = models.ForeignKey(
        "accounts.OrgUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=TracingStatus.choices, default=TracingStatus.OPEN
    )
    inquirer = models.ForeignKey(
        "registry.Person",
        verbose_name=_("inquirer (registered person)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    inquirer_name = models.CharField(_("inquirer's name"), max_length=200, blank=True)
    inquirer_contact = models.CharField(_("inquirer's contact"), max_length=200, blank=True)
    relationship = models.CharField(
        _("relationship to the child"), max_length=20, choices=Relationship.choices
    )
    child_given_names = models.CharField(_("child's given names"), max_length=150, blank=True)
    child_first_surname = models.CharField(_("child's first surname"), max_length=150, blank=True)
    child_second_surname = models.CharField(_("child's second surname"), max_length=150, blank=True)
    child_nicknames = models.CharField(
        _("nicknames"), max_length=200, blank=True, help_text=_("Separated by commas.")
    )
    child_sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    child_date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    child_age_years = models.PositiveSmallIntegerField(
        _("approximate age (years)"), null=True, blank=True, help_text=_("When the date of birth is unknown.")
    )
    separation_place = models.CharField(_("place of separation"), max_length=200, blank=True)
    separation_date = models.DateField(_("date of separation"), null=True, blank=True)
    languages = models.CharField(_("languages spoken"), max_length=200, blank=True)
    physical_description = models.TextField(_("physical description"), blank=True)
    # The sought child's names and nicknames folded and space-padded, for accent-blind word-prefix search.
    search_name = models.CharField(max_length=650, editable=False, default="")
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("tracing request")
        verbose_name_plural = _("tracing requests")
        indexes = [models.Index(fields=["org_unit", "status"], name="tracing_request_unit_idx")]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"BUS-{self.pk:06d}" if self.pk else "BUS-?"

    @property
    def child_name(self) -> str:
        return " ".join(
            part
            for part in (self.child_given_names, self.child_first_surname, self.child_second_surname)
            if part
        )

    @property
    def nickname_list(self) -> list[str]:
        return [name.strip() for name in self.child_nicknames.split(",") if name.strip()]

    @property
    def inquirer_display(self) -> str:
        return self.inquirer.full_name if self.inquirer_id and self.inquirer else self.inquirer_name

    @property
    def is_open(self) -> bool:
        return self.status == TracingStatus.OPEN


class PotentialMatch(TimeStampedModel):
    """A tracing request and a child's case that may concern the same child. Once rejected or
    confirmed, the pair is never proposed again; a later save only refreshes an undecided one."""

    tracing_request = models.ForeignKey(TracingRequest, on_delete=models.CASCADE, related_name="matches")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    probability = models.FloatField()
    reasons = models.JSONField(default=list)  # [{comparison, level, verdict, weight}], rendered at read time
    status = models.CharField(max_length=10, choices=MatchStatus.choices, default=MatchStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    follow_up = models.ForeignKey(
        "cases.Intervention", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-probability", "id"]
        verbose_name = _("potential match")
        verbose_name_plural = _("potential matches")
        constraints = [
            models.UniqueConstraint(fields=["tracing_request", "case"], name="unique_tracing_match")
        ]

    def __str__(self) -> str:
        return f"{self.tracing_request_id}~{self.case_id} ({self.probability:.2f})"

    @property
    def is_decided(self) -> bool:
        return self.status in (MatchStatus.CONFIRMED, MatchStatus.REJECTED)


class MatchDecision(models.Model):
    """Every decision on a potential match, kept: who, when, what and why."""

    match = models.ForeignKey(PotentialMatch, on_delete=models.CASCADE, related_name="decisions")
    status = models.CharField(max_length=10, choices=MatchStatus.choices)
    reason = models.TextField()
    probability = models.FloatField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"{self.match_id}: {self.status}"


class Notification(models.Model):
    """An in-app notice to one user about a potential match. It names no one: the match page
    shows what the reader may see."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    match = models.ForeignKey(PotentialMatch, on_delete=models.CASCADE, related_name="notifications")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="tracing_notice_unread_idx")]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.kind} {self.match_id}"
