from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from amparo.common.models import TimeStampedModel


class VersionSource(models.TextChoices):
    BUILDER = "builder", _("Form builder")
    XLSFORM = "xlsform", _("XLSForm import")


class Form(TimeStampedModel):
    """A configurable form. Its working `draft` is edited in the builder; publishing freezes a
    copy as the next FormVersion. Records point at the version they were filled with."""

    ACCESS_UNIT_FIELD = "org_unit"
    ACCESS_OWNER_FIELD = "created_by"

    identifier = models.CharField(
        _("identifier"),
        max_length=64,
        unique=True,
        help_text=_("Letters, digits, _ and -. The XLSForm settings' form_id when imported."),
    )
    title_es = models.CharField(_("title (Spanish)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    org_unit = models.ForeignKey(
        "accounts.OrgUnit", verbose_name=_("owning unit"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    draft = models.JSONField(_("draft definition"), default=dict)
    draft_revision = models.PositiveIntegerField(default=1)
    draft_checksum = models.CharField(max_length=64, blank=True)
    is_archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        ordering = ["title_es", "id"]
        verbose_name = _("form")
        verbose_name_plural = _("forms")

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        if (get_language() or "es").startswith("en") and self.title_en:
            return self.title_en
        return self.title_es


class FormVersion(models.Model):
    """One published, immutable definition of a form (no service ever updates a row)."""

    form = models.ForeignKey(Form, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    definition = models.JSONField(_("definition"))
    checksum = models.CharField(max_length=64)
    source = models.CharField(max_length=10, choices=VersionSource.choices, default=VersionSource.BUILDER)
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["form", "-number"]
        verbose_name = _("form version")
        constraints = [models.UniqueConstraint(fields=["form", "number"], name="unique_form_version_number")]

    def __str__(self) -> str:
        return f"{self.form} v{self.number}"
