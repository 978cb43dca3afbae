"""Case types (configuration), cases and interventions.

A case belongs to one person and to one org unit; the access policy reaches it through
`org_unit` and, for the OWN scope, `owner`. Form answers live in `CaseFormRecord.data` /
`Intervention.data` (JSON; JSONB with GIN and expression indexes on PostgreSQL), each
remembering the published form version it was validated against.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from amparo.cases.choices import CaseStatus, FormPurpose, InvolvementRole, RiskLevel
from amparo.common.models import TimeStampedModel


class _Named(models.Model):
    name_es = models.CharField(_("name (Spanish)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if (get_language() or "es").startswith("en") and self.name_en:
            return self.name_en
        return self.name_es


class CaseType(_Named, TimeStampedModel):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    number_prefix = models.CharField(
        _("number prefix"),
        max_length=12,
        help_text=_('Case numbers read PREFIX-UNIT-YEAR-SEQUENCE, e.g. "PROT-UNIT-A-2026-000123".'),
    )
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["name_es", "id"]
        verbose_name = _("case type")
        verbose_name_plural = _("case types")


class CaseTypeForm(models.Model):
    case_type = models.ForeignKey(CaseType, on_delete=models.CASCADE, related_name="type_forms")
    form = models.ForeignKey("forms.Form", on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(_("purpose"), max_length=20, choices=FormPurpose.choices)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["case_type", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case_type", "form"], name="unique_case_type_form"),
            models.UniqueConstraint(
                fields=["case_type"],
                condition=models.Q(purpose=FormPurpose.REGISTRATION),
                name="one_registration_form_per_case_type",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_type_id}:{self.form_id}"


class Classification(_Named):
    case_type = models.ForeignKey(CaseType, on_delete=models.CASCADE, related_name="classifications")
    code = models.SlugField(_("code"), max_length=40)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["case_type", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case_type", "code"], name="unique_classification_code")
        ]


class InterventionType(_Named):
    case_type = models.ForeignKey(CaseType, on_delete=models.CASCADE, related_name="intervention_types")
    code = models.SlugField(_("code"), max_length=40)
    form = models.ForeignKey("forms.Form", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["case_type", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case_type", "code"], name="unique_intervention_type_code")
        ]


class CaseNumberCounter(models.Model):
    """The last sequence number given per (case type, unit, year); locked with SELECT … FOR UPDATE."""

    case_type = models.ForeignKey(CaseType, on_delete=models.CASCADE, related_name="+")
    org_unit = models.ForeignKey("accounts.OrgUnit", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case_type", "org_unit", "year"], name="unique_case_number_counter"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_type_id}/{self.org_unit_id}/{self.year}: {self.last_number}"


class CaseQuerySet(models.QuerySet["Case"]):
    def open(self) -> "CaseQuerySet":
        return self.exclude(status=CaseStatus.CLOSED)


class Case(TimeStampedModel):
    ACCESS_UNIT_FIELD = "org_unit"
    ACCESS_OWNER_FIELD = "owner"

    number = models.CharField(_("number"), max_length=100, unique=True, editable=False)
    case_type = models.ForeignKey(
        CaseType, verbose_name=_("case type"), on_delete=models.PROTECT, related_name="+"
    )
    classification = models.ForeignKey(
        Classification,
        verbose_name=_("classification"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    person = models.ForeignKey(
        "registry.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="cases"
    )
    org_unit = models.ForeignKey(
        "accounts.OrgUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    risk_level = models.CharField(
        _("risk level"), max_length=10, choices=RiskLevel.choices, default=RiskLevel.LOW
    )
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    status_reason = models.TextField(_("reason of the last closing or reopening"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["org_unit", "-opened_on", "-id"], name="case_unit_opened_idx"),
            models.Index(fields=["case_type", "-opened_on", "-id"], name="case_type_opened_idx"),
            models.Index(fields=["owner"], name="case_owner_idx"),
            models.Index(fields=["-opened_on", "-id"], name="case_opened_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_closed(self) -> bool:
        return self.status == CaseStatus.CLOSED


class CasePerson(models.Model):
    """Another person involved in a case (sibling, caregiver…); the case's own person is `Case.person`."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="involved")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="case_involvements")
    role = models.CharField(_("role"), max_length=20, choices=InvolvementRole.choices)
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["case", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "person"], name="unique_case_person")]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.person_id} ({self.role})"


class CaseFormRecord(models.Model):
    """A case's answers to one form of its type, validated against `form_version`."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="form_records")
    form = models.ForeignKey("forms.Form", on_delete=models.PROTECT, related_name="+")
    form_version = models.ForeignKey("forms.FormVersion", on_delete=models.PROTECT, related_name="+")
    data = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "form"], name="unique_case_form_record")]
        indexes = [models.Index(fields=["form", "case"], name="case_form_record_form_idx")]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.form_id}"


class CaseAnswerValue(models.Model):
    """A typed answer of a `CaseFormRecord` (date, number, option, or short text in a repeat group),
    so filters can use an index.

    Written by the services with every record (see `amparo.cases.answers`): `field` is the field's
    name, or `group/name` inside a repeat group (one row per instance; one row per chosen value of a
    select multiple). `org_unit` and `case_type` copy the case's, kept in step by the services
    (`services.sync_answer_scope`), so a filter within the viewer's units is read from this table
    alone; the case list still applies the access policy to the cases themselves. They carry no
    foreign-key constraint (copies of the case's own, already constrained columns; a constraint
    would cost two lookups per row written). Never edited by hand.
    """

    record = models.ForeignKey(CaseFormRecord, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+", db_index=False)
    form = models.ForeignKey("forms.Form", on_delete=models.PROTECT, related_name="+", db_index=False)
    org_unit = models.ForeignKey(
        "accounts.OrgUnit", on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False
    )
    case_type = models.ForeignKey(
        CaseType, on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False
    )
    field = models.CharField(max_length=300)
    date_value = models.DateField(null=True)
    number_value = models.FloatField(null=True)
    option_value = models.CharField(max_length=255, null=True)
    text_value = models.TextField(null=True)

    class Meta:
        indexes = [
            # Key columns after the value let the scans check the unit and type, and give the case,
            # from the index alone (index-only scans once the table is vacuumed).
            models.Index(
                fields=["form", "field", "date_value", "org_unit", "case_type", "case"],
                name="case_answer_date_idx",
                condition=models.Q(date_value__isnull=False),
            ),
            models.Index(
                fields=["form", "field", "number_value", "org_unit", "case_type", "case"],
                name="case_answer_number_idx",
                condition=models.Q(number_value__isnull=False),
            ),
            models.Index(
                fields=["form", "field", "option_value", "org_unit", "case_type", "case"],
                name="case_answer_option_idx",
                condition=models.Q(option_value__isnull=False),
            ),
            models.Index(fields=["case", "form", "field"], name="case_answer_case_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.form_id}:{self.field}"


class ClassificationChange(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="classification_changes")
    from_classification = models.ForeignKey(
        Classification, null=True, on_delete=models.PROTECT, related_name="+"
    )
    to_classification = models.ForeignKey(Classification, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["case", "changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_classification_id} → {self.to_classification_id}"


class StatusChange(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=10, choices=CaseStatus.choices)
    to_status = models.CharField(max_length=10, choices=CaseStatus.choices)
    reason = models.TextField()
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["case", "changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_status} → {self.to_status}"


class Intervention(TimeStampedModel):
    """A typed, dated measure or action under a case, with its own form's answers."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="interventions")
    intervention_type = models.ForeignKey(InterventionType, on_delete=models.PROTECT, related_name="+")
    occurred_on = models.DateField(_("date"))
    form_version = models.ForeignKey(
        "forms.FormVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    data = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["case", "-occurred_on", "-id"]
        indexes = [models.Index(fields=["case", "-occurred_on"], name="intervention_case_date_idx")]


class InterventionAnswerValue(models.Model):
    """A typed answer of an `Intervention`'s form, as `CaseAnswerValue` is for case form records
    (same kinds of rows, same `field` paths; see `amparo.cases.answers`).

    Written with every intervention; no list filters over intervention answers yet, the table and
    its indexes are there so one can be added without a backfill. Never edited by hand.
    """

    intervention = models.ForeignKey(Intervention, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+", db_index=False)
    intervention_type = models.ForeignKey(
        InterventionType, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    org_unit = models.ForeignKey(
        "accounts.OrgUnit", on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False
    )
    case_type = models.ForeignKey(
        CaseType, on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False
    )
    field = models.CharField(max_length=300)
    date_value = models.DateField(null=True)
    number_value = models.FloatField(null=True)
    option_value = models.CharField(max_length=255, null=True)
    text_value = models.TextField(null=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["intervention_type", "field", "date_value", "org_unit", "case"],
                name="intervention_answer_date_idx",
                condition=models.Q(date_value__isnull=False),
            ),
            models.Index(
                fields=["intervention_type", "field", "number_value", "org_unit", "case"],
                name="intervention_answer_number_idx",
                condition=models.Q(number_value__isnull=False),
            ),
            models.Index(
                fields=["intervention_type", "field", "option_value", "org_unit", "case"],
                name="intervention_answer_option_idx",
                condition=models.Q(option_value__isnull=False),
            ),
            models.Index(fields=["case"], name="intervention_answer_case_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.intervention_id}:{self.field}"


class SavedFilter(models.Model):
    """A user's named case-list filter (the list's query string)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    query = models.CharField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="unique_saved_filter_name")]

    def __str__(self) -> str:
        return self.name
