"""Forms of the user and role administration pages. They parse input; services decide."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from amparo.accounts import selectors
from amparo.accounts.choices import OrgUnitKind, Permission, Scope, Sensitivity
from amparo.accounts.models import OrgUnit, Role, User

DOMAIN_LABELS = {
    "person": _("Persons"),
    "case": _("Cases"),
    "household": _("Households"),
    "user": _("Users"),
    "role": _("Roles"),
    "org_unit": _("Organisation units"),
    "audit": _("Audit"),
    "matching": _("Duplicates and matching"),
    "form": _("Forms"),
    "runac": "RUNac",
    "report": _("Reports"),
    "survey": _("Surveys"),
}

CLEARANCE_HELP = {
    Sensitivity.BASIC: _("names, sex, date of birth, nationality"),
    Sensitivity.RESTRICTED: _("also identity documents, contacts and addresses"),
    Sensitivity.SENSITIVE: _("also gender identity, photo and GPS position"),
}


class UnitChoiceField(forms.ModelChoiceField):
    """Units shown as an indented tree, indented from the shallowest unit offered."""

    base_depth = 0

    def label_from_instance(self, obj: Any) -> str:
        return f"{'· ' * max(obj.depth - self.base_depth, 0)}{obj.name}"

    def offer(self, units: list[OrgUnit]) -> None:
        """Offer exactly `units` (already in tree order), whatever the queryset validates."""
        self.base_depth = min((unit.depth for unit in units), default=0)
        self.widget.choices = [(unit.pk, self.label_from_instance(unit)) for unit in units]


class PlainLabelsMixin:
    """Labels without Django's trailing colon: Pico puts them above the field."""

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def _language_choices() -> list[tuple[str, Any]]:
    return [(code, name) for code, name in settings.LANGUAGES]


class UserCreateForm(PlainLabelsMixin, forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("Letters, digits and @ . + - _ only."),
        validators=[User.username_validator],
    )
    first_name = forms.CharField(label=_("Given names"), max_length=150)
    last_name = forms.CharField(label=_("Surnames"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), required=False)
    home_unit = UnitChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none(), empty_label=None)
    preferred_language = forms.ChoiceField(label=_("Language"), choices=_language_choices)
    password1 = forms.CharField(
        label=_("Initial password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Repeat the password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, admin: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        units = selectors.grant_units(admin=admin)
        home_unit_field: UnitChoiceField = self.fields["home_unit"]  # type: ignore[assignment]
        home_unit_field.queryset = units
        home_unit_field.offer(list(units))
        if admin.home_unit_id and not self.is_bound:
            self.initial.setdefault("home_unit", admin.home_unit_id)
        self.fields["username"].widget.attrs.update({"autocapitalize": "none", "autocomplete": "off"})

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("That username is already taken."), code="unique")
        return username

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords do not match."))
        elif password1:
            candidate = User(
                username=cleaned.get("username", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
                email=cleaned.get("email", ""),
            )
            try:
                password_validation.validate_password(password1, candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class UserEditForm(PlainLabelsMixin, forms.Form):
    first_name = forms.CharField(label=_("Given names"), max_length=150)
    last_name = forms.CharField(label=_("Surnames"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), required=False)
    preferred_language = forms.ChoiceField(label=_("Language"), choices=_language_choices)
    is_active = forms.BooleanField(label=_("Active (may log in)"), required=False)

    @classmethod
    def for_user(cls, user: User, data: Any = None) -> "UserEditForm":
        initial = {name: getattr(user, name) for name in cls.base_fields}
        return cls(data=data, initial=initial)


class PasswordResetForm(PlainLabelsMixin, SetPasswordForm):
    """Django's set-password form (validators included), used only to parse: the service saves."""

    def save(self, commit: bool = True) -> Any:  # pragma: no cover - never called, the service saves
        raise NotImplementedError("use accounts.services.user_password_reset")


class GrantForm(PlainLabelsMixin, forms.Form):
    """Grant a role at a unit with a scope.

    The choices shown are what `access.can_grant` allows at the chosen unit; any existing role,
    unit and scope still validates here, so a forged request reaches the service, which refuses
    it and writes the refusal to the audit log.
    """

    org_unit = UnitChoiceField(label=_("At unit"), queryset=OrgUnit.objects.active(), empty_label=None)
    role = forms.ModelChoiceField(label=_("Role"), queryset=Role.objects.all(), empty_label=None)
    scope = forms.ChoiceField(label=_("Scope"), choices=Scope.choices)

    def __init__(self, *args: Any, admin: User, unit: OrgUnit | None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        units = list(selectors.grant_units(admin=admin))
        org_unit_field: UnitChoiceField = self.fields["org_unit"]  # type: ignore[assignment]
        org_unit_field.offer(units)
        self.unit = unit if unit is not None else (units[0] if units else None)
        roles = selectors.grantable_roles(admin=admin, unit=self.unit) if self.unit else []
        scopes = selectors.grantable_scopes(admin=admin, unit=self.unit) if self.unit else []
        self.fields["role"].widget.choices = [(role.pk, role.name) for role in roles]
        self.fields["scope"].widget.choices = [(scope.value, scope.label) for scope in scopes]
        if self.unit is not None:
            self.initial.setdefault("org_unit", self.unit.pk)
        if scopes:
            self.initial.setdefault("scope", Scope.UNIT if Scope.UNIT in scopes else scopes[0])
        self.has_choices = bool(roles and scopes)


class RoleForm(PlainLabelsMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    permissions = forms.MultipleChoiceField(
        label=_("Permissions"), choices=Permission.choices, widget=forms.CheckboxSelectMultiple
    )
    sensitivity_clearance = forms.TypedChoiceField(
        label=_("Sensitive data clearance"),
        coerce=int,
        choices=Sensitivity.choices,
        widget=forms.RadioSelect,
        initial=Sensitivity.BASIC,
    )

    @classmethod
    def for_role(cls, role: Role, data: Any = None) -> "RoleForm":
        initial = {
            "name": role.name,
            "description": role.description,
            "permissions": role.permissions,
            "sensitivity_clearance": role.sensitivity_clearance,
        }
        return cls(data=data, initial=initial)

    def permission_groups(self) -> list[tuple[Any, list[Any]]]:
        """The permission checkboxes grouped by domain, for the template."""
        by_value = {str(checkbox.data["value"]): checkbox for checkbox in self["permissions"]}
        return [
            (
                DOMAIN_LABELS.get(group.domain, group.domain.replace("_", " ").capitalize()),
                [by_value[code] for code in group.codes if code in by_value],
            )
            for group in selectors.permission_groups()
        ]

    def clearance_options(self) -> list[tuple[Any, Any]]:
        return [
            (radio, CLEARANCE_HELP.get(Sensitivity(int(radio.data["value"])), ""))
            for radio in self["sensitivity_clearance"]
        ]


class OrgUnitForm(PlainLabelsMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    code = forms.SlugField(
        label=_("Code"),
        max_length=60,
        help_text=_("Short and unique, letters, digits and hyphens: e.g. consulado-houston."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=OrgUnitKind.choices)
    country_code = forms.CharField(
        label=_("Country (ISO code)"),
        max_length=2,
        required=False,
        help_text=_("Two letters, e.g. MX. Empty: the parent unit's country."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["code"]
        else:
            del self.fields["is_active"]

    def clean_country_code(self) -> str:
        value = self.cleaned_data["country_code"].strip().upper()
        if value and not value.isalpha():
            raise ValidationError(_("Use the two-letter country code."))
        return value
