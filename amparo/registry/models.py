from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from amparo.common.models import TimeStampedModel
from amparo.registry.choices import (
    AdminAreaLevel,
    ContactKind,
    DocumentType,
    GenderIdentity,
    Relationship,
    Sex,
)


class AdminArea(models.Model):
    """A country's administrative division: department (state, province) → municipality."""

    country = CountryField(_("country"))
    level = models.PositiveSmallIntegerField(_("level"), choices=AdminAreaLevel.choices)
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=120)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["country", "level", "name"]
        verbose_name = _("administrative area")
        constraints = [models.UniqueConstraint(fields=["country", "code"], name="unique_admin_area_code")]

    def __str__(self) -> str:
        return self.name


class PersonQuerySet(models.QuerySet["Person"]):
    def active(self) -> "PersonQuerySet":
        return self.filter(is_archived=False)


class Person(TimeStampedModel):
    """A person exists once; everything else (cases, measures, referrals…) hangs off them."""

    ACCESS_UNIT_FIELD = "org_unit"
    ACCESS_OWNER_FIELD = "created_by"

    amparo_id = models.CharField(_("Amparo ID"), max_length=11, unique=True, editable=False)
    given_names = models.CharField(_("given names"), max_length=150)
    first_surname = models.CharField(_("first surname"), max_length=150, blank=True)
    second_surname = models.CharField(_("second surname"), max_length=150, blank=True)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    gender_identity = models.CharField(
        _("gender identity"), max_length=20, choices=GenderIdentity.choices, blank=True
    )
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    date_of_birth_is_estimated = models.BooleanField(_("date of birth estimated from age"), default=False)
    nationality = CountryField(_("nationality"), blank=True)
    photo = models.ImageField(_("photo"), upload_to="persons/photos/%Y/%m/", blank=True)
    org_unit = models.ForeignKey(
        "accounts.OrgUnit", verbose_name=_("owning unit"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Folded "given names first surname second surname", padded with spaces for word-prefix search.
    search_name = models.CharField(max_length=500, editable=False, default="")
    is_archived = models.BooleanField(_("archived"), default=False)
    archived_at = models.DateTimeField(null=True, blank=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    archive_reason = models.TextField(_("archive reason"), blank=True)
    # Set when this record was merged into another (matching.person_merge); cleared by an undo.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["first_surname", "second_surname", "given_names", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        indexes = [
            models.Index(
                fields=["first_surname", "second_surname", "given_names", "id"], name="person_name_idx"
            ),
            models.Index(
                fields=["org_unit", "first_surname", "second_surname", "given_names"],
                name="person_unit_name_idx",
            ),
            models.Index(fields=["created_by"], name="person_created_by_idx"),
            models.Index(fields=["date_of_birth"], name="person_dob_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def surnames(self) -> str:
        return " ".join(part for part in (self.first_surname, self.second_surname) if part)

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.given_names, self.first_surname, self.second_surname) if part)


class IdentityDocument(TimeStampedModel):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="documents")
    document_type = models.CharField(_("document type"), max_length=30, choices=DocumentType.choices)
    number = models.CharField(_("number"), max_length=60)
    number_folded = models.CharField(max_length=60, db_index=True, editable=False)
    issuing_country = CountryField(_("issuing country"), blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("identity document")

    def __str__(self) -> str:
        return f"{self.get_document_type_display()} {self.number}"


class Contact(TimeStampedModel):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(_("kind"), max_length=20, choices=ContactKind.choices)
    value = models.CharField(_("value"), max_length=200)

    class Meta:
        ordering = ["id"]
        verbose_name = _("contact")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class Address(TimeStampedModel):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="addresses")
    country = CountryField(_("country"))
    department = models.ForeignKey(
        AdminArea,
        verbose_name=_("department / state"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    municipality = models.ForeignKey(
        AdminArea,
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    line = models.CharField(_("address"), max_length=250, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    is_current = models.BooleanField(_("current address"), default=True)

    class Meta:
        ordering = ["-is_current", "id"]
        verbose_name = _("address")

    def __str__(self) -> str:
        parts = [self.line, str(self.municipality or ""), str(self.department or ""), self.country.name]
        return ", ".join(part for part in parts if part)


class Household(TimeStampedModel):
    ACCESS_UNIT_FIELD = "org_unit"
    ACCESS_OWNER_FIELD = "created_by"

    code = models.CharField(_("code"), max_length=20, unique=True, editable=False)
    name = models.CharField(
        _("name"),
        max_length=200,
        blank=True,
        help_text=_("How the team refers to the household, e.g. 'Familia Pérez Gómez'."),
    )
    country = CountryField(_("country"))
    department = models.ForeignKey(
        AdminArea,
        verbose_name=_("department / state"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    municipality = models.ForeignKey(
        AdminArea,
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    address_line = models.CharField(_("address"), max_length=250, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    org_unit = models.ForeignKey(
        "accounts.OrgUnit", verbose_name=_("owning unit"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Folded name padded with spaces, so "perez gomez" finds "Familia Pérez Gómez" (see search.py).
    search_name = models.CharField(max_length=250, editable=False, default="")
    is_archived = models.BooleanField(_("archived"), default=False)
    archived_at = models.DateTimeField(null=True, blank=True)
    archive_reason = models.TextField(_("archive reason"), blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return self.name or self.code


class HouseholdMembership(TimeStampedModel):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="household_memberships")
    relationship = models.CharField(
        _("relationship to the head"), max_length=20, choices=Relationship.choices
    )
    is_head = models.BooleanField(_("head of household"), default=False)
    joined_on = models.DateField(_("member since"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        ordering = ["-is_head", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "person"],
                condition=Q(left_on__isnull=True),
                name="unique_current_household_member",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_relationship_display()}"
