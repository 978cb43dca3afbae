from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from amparo.accounts.choices import OrgUnitKind, Permission, Scope, Sensitivity
from amparo.common.models import TimeStampedModel


class OrgUnitQuerySet(models.QuerySet["OrgUnit"]):
    def subtree_of(self, unit: "OrgUnit") -> "OrgUnitQuerySet":
        return self.filter(path__startswith=unit.path)

    def active(self) -> "OrgUnitQuerySet":
        return self.filter(is_active=True)


class OrgUnit(TimeStampedModel):
    """A node of the organisation tree: country → institution → office/consulate → team.

    `path` is a materialised path of zero-padded ids ("00000001.00000004.") so that
    "this unit and everything below it" is one indexed prefix filter.
    """

    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(_("code"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=OrgUnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    country_code = models.CharField(_("country"), max_length=2, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        indexes = [models.Index(fields=["path"], name="orgunit_path_idx", opclasses=["varchar_pattern_ops"])]

    def __str__(self) -> str:
        return self.name

    def is_within(self, other: "OrgUnit") -> bool:
        return self.path.startswith(other.path)


class User(AbstractUser):
    home_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    preferred_language = models.CharField(_("language"), max_length=8, default="es")

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Role(TimeStampedModel):
    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    permissions = models.JSONField(_("permissions"), default=list)
    sensitivity_clearance = models.PositiveSmallIntegerField(
        _("sensitive data clearance"), choices=Sensitivity.choices, default=Sensitivity.BASIC
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        unknown = sorted(set(self.permissions) - set(Permission.values))
        if unknown:
            raise ValidationError(
                {"permissions": _("Unknown permissions: %(codes)s") % {"codes": ", ".join(unknown)}}
            )
        self.permissions = sorted(set(self.permissions))


class RoleAssignmentQuerySet(models.QuerySet["RoleAssignment"]):
    def active(self) -> "RoleAssignmentQuerySet":
        return self.filter(revoked_at__isnull=True)


class RoleAssignment(TimeStampedModel):
    """A role granted to a user at an org unit with a scope. Revoked, never deleted."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.ForeignKey(
        Role, verbose_name=_("role"), on_delete=models.PROTECT, related_name="assignments"
    )
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("role assignment")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "org_unit"],
                condition=Q(revoked_at__isnull=True),
                name="unique_active_role_assignment",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.role} @ {self.org_unit} ({self.scope})"


class UserSession(models.Model):
    """One login session, so administrators can see who is connected now and from where."""

    session_key = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_sessions")
    org_unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(db_index=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return f"{self.user} · {self.started_at:%d/%m/%Y %H:%M}"


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; it expires."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
