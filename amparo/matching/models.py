"""Matching: configuration per record type, the registry's matching keys, duplicate-search jobs,
candidate pairs with their review decisions, merges (undoable) and file-linkage jobs."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from amparo.common.models import TimeStampedModel
from amparo.matching.choices import FileMode, JobStatus, PairStatus, RecordType


class MatcherConfig(TimeStampedModel):
    """The matcher of one record type: fields compared, levels, thresholds, blocking, m/u.

    `definition` is validated by `linkage.specification.parse_spec`; each save bumps `version`
    and keeps the previous definition in `MatcherConfigRevision`.
    """

    record_type = models.CharField(_("record type"), max_length=30, choices=RecordType.choices, unique=True)
    definition = models.JSONField(_("definition"))
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    trained_at = models.DateTimeField(_("parameters learned at"), null=True, blank=True)

    class Meta:
        verbose_name = _("matcher configuration")

    def __str__(self) -> str:
        return f"{self.get_record_type_display()} v{self.version}"


class MatcherConfigRevision(models.Model):
    config = models.ForeignKey(MatcherConfig, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    definition = models.JSONField()
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["config", "version"], name="unique_matcher_config_revision")
        ]

    def __str__(self) -> str:
        return f"{self.config} r{self.version}"


class PersonKey(models.Model):
    """What the matcher reads of one registered person, kept next to the registry.

    Maintained by `services.person_keys_refresh` (called after every registry write) so the
    online duplicate check never joins documents and addresses at a million persons.
    """

    person = models.OneToOneField(
        "registry.Person", primary_key=True, on_delete=models.CASCADE, related_name="matching_key"
    )
    person_version = models.PositiveIntegerField()
    config_version = models.PositiveIntegerField()
    given_names = models.CharField(max_length=150)
    first_surname = models.CharField(max_length=150, blank=True)
    second_surname = models.CharField(max_length=150, blank=True)
    sex = models.CharField(max_length=10, blank=True)
    date_of_birth = models.CharField(max_length=10, blank=True)
    date_of_birth_is_estimated = models.BooleanField(default=False)
    document_number = models.CharField(max_length=300, blank=True)
    nationality = models.CharField(max_length=2, blank=True)
    department = models.CharField(max_length=20, blank=True)
    municipality = models.CharField(max_length=20, blank=True)
    address = models.CharField(max_length=250, blank=True)

    class Meta:
        verbose_name = _("person matching key")

    def __str__(self) -> str:
        return f"keys of person {self.person_id}"


class PersonBlockKey(models.Model):
    """One blocking or search key of a person (a 64-bit hash): the index the online check probes."""

    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+", db_index=False)
    key = models.BigIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["key", "person"], name="matching_blockkey_key_idx"),
            models.Index(fields=["person"], name="matching_blockkey_person_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.key}"


class TermFrequency(models.Model):
    """How many keyed persons hold each normalised value of a comparison (agreeing on a rare
    surname weighs more than on a common one)."""

    comparison = models.CharField(max_length=40)
    value = models.CharField(max_length=300)
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["comparison", "value"], name="unique_term_frequency")]

    def __str__(self) -> str:
        return f"{self.comparison}={self.value}: {self.count}"


class DedupeJob(TimeStampedModel):
    """A batch search for duplicates among the persons its starter may see; progress for the page."""

    ACCESS_UNIT_FIELD = "org_unit"
    ACCESS_OWNER_FIELD = "started_by"

    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.FloatField(default=0.0)
    stage = models.CharField(max_length=40, blank=True)
    org_unit = models.ForeignKey("accounts.OrgUnit", on_delete=models.PROTECT, related_name="+")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    learn_parameters = models.BooleanField(_("learn weights from these persons"), default=False)
    config_version = models.PositiveIntegerField(null=True, blank=True)
    persons_compared = models.PositiveIntegerField(default=0)
    candidate_pairs = models.PositiveBigIntegerField(default=0)
    pairs_proposed = models.PositiveIntegerField(default=0)
    pairs_already_known = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("duplicate search")

    def __str__(self) -> str:
        return f"dedupe #{self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def percent(self) -> int:
        return round(self.progress * 100)


class CandidatePair(TimeStampedModel):
    """Two registered persons that may be one (person_a_id < person_b_id). Once decided, the pair
    is never proposed again: a later search only refreshes the probability of an undecided pair."""

    person_a = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    person_b = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    probability = models.FloatField()
    match_weight = models.FloatField()
    # log2 Bayes factor (the weight without the prior, before calibration): what a calibration
    # refitted from reviewers' decisions is learned on. Null for pairs stored before it existed.
    bayes_factor = models.FloatField(null=True, blank=True)
    levels = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=PairStatus.choices, default=PairStatus.PENDING)
    job = models.ForeignKey(DedupeJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="pairs")
    config_version = models.PositiveIntegerField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-probability", "id"]
        verbose_name = _("possible duplicate")
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="unique_candidate_pair"),
            models.CheckConstraint(
                condition=Q(person_a__lt=models.F("person_b")), name="candidate_pair_ordered"
            ),
        ]
        indexes = [models.Index(fields=["status", "-probability"], name="matching_pair_queue_idx")]

    def __str__(self) -> str:
        return f"{self.person_a_id}~{self.person_b_id} ({self.probability:.2f})"


class PairDecision(models.Model):
    """Every decision on a pair, kept: who, when, what and why (a pair may be postponed, then decided)."""

    pair = models.ForeignKey(CandidatePair, on_delete=models.CASCADE, related_name="decisions")
    status = models.CharField(max_length=10, choices=PairStatus.choices)
    reason = models.TextField(blank=True)
    probability = models.FloatField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"{self.pair_id}: {self.status}"


class PersonMerge(models.Model):
    """One person absorbed into another. `moved` lists, per relation, the ids re-pointed to the
    kept person, so an undo puts exactly those back."""

    kept = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    absorbed = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    pair = models.ForeignKey(
        CandidatePair, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField()
    moved = models.JSONField(default=dict)
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField(auto_now_add=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    undo_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-merged_at", "-id"]
        verbose_name = _("person merge")

    def __str__(self) -> str:
        return f"{self.absorbed_id} → {self.kept_id}"

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None

    @staticmethod
    def moved_key(model: type[models.Model], field_name: str) -> str:
        """The key of `moved` listing the rows of `model` re-pointed through `field_name`."""
        return f"{model._meta.label_lower}.{field_name}"


class FileLinkJob(TimeStampedModel):
    """File linkage from the UI: uploaded CSV(s) → pairs CSV to download; progress for the page."""

    ACCESS_UNIT_FIELD = "org_unit"
    ACCESS_OWNER_FIELD = "started_by"

    mode = models.CharField(max_length=10, choices=FileMode.choices)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.FloatField(default=0.0)
    stage = models.CharField(max_length=40, blank=True)
    threshold = models.FloatField(default=0.5)
    file_a = models.FileField(upload_to="matching/files/%Y/%m/")
    file_b = models.FileField(upload_to="matching/files/%Y/%m/", blank=True)
    file_a_name = models.CharField(max_length=200)
    file_b_name = models.CharField(max_length=200, blank=True)
    result = models.FileField(upload_to="matching/results/%Y/%m/", blank=True)
    rows_a = models.PositiveIntegerField(default=0)
    rows_b = models.PositiveIntegerField(default=0)
    pairs_found = models.PositiveIntegerField(default=0)
    org_unit = models.ForeignKey("accounts.OrgUnit", on_delete=models.PROTECT, related_name="+")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("file linkage")

    def __str__(self) -> str:
        return f"file job #{self.pk} ({self.mode}, {self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def percent(self) -> int:
        return round(self.progress * 100)
