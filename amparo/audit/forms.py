"""The audit browser's filter form (GET): it parses, the selector filters."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from amparo.accounts import access
from amparo.accounts.choices import Permission
from amparo.accounts.models import OrgUnit
from amparo.audit.choices import AuditAction
from amparo.audit.selectors import EventFilters, target_type_choices

DATE_FORMATS = ["%d/%m/%Y"]


class UnitChoiceField(forms.ModelChoiceField):
    base_depth = 0

    def label_from_instance(self, obj: Any) -> str:
        return f"{'· ' * max(obj.depth - self.base_depth, 0)}{obj.name}"


def _date_input() -> forms.TextInput:
    return forms.TextInput(
        attrs={
            "placeholder": _("dd/mm/yyyy"),
            "inputmode": "numeric",
            "autocomplete": "off",
            "pattern": r"\d{1,2}/\d{1,2}/\d{4}",
        }
    )


class EventFilterForm(forms.Form):
    actor = forms.CharField(label=_("User"), required=False, max_length=150)
    action = forms.ChoiceField(label=_("Action"), required=False)
    target_type = forms.ChoiceField(label=_("Record type"), required=False)
    target_id = forms.CharField(label=_("Record id"), required=False, max_length=64)
    date_from = forms.DateField(
        label=_("From"), required=False, input_formats=DATE_FORMATS, widget=_date_input()
    )
    date_to = forms.DateField(label=_("To"), required=False, input_formats=DATE_FORMATS, widget=_date_input())
    unit = UnitChoiceField(
        label=_("Unit (and below)"),
        required=False,
        queryset=OrgUnit.objects.none(),
        empty_label=_("All my units"),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        any_choice: list[tuple[str, Any]] = [("", _("Any"))]
        action_field: forms.ChoiceField = self.fields["action"]  # type: ignore[assignment]
        action_field.choices = any_choice + sorted(AuditAction.choices, key=lambda choice: str(choice[1]))
        target_type_field: forms.ChoiceField = self.fields["target_type"]  # type: ignore[assignment]
        target_type_field.choices = any_choice + target_type_choices()
        units = access.units_visible_to(user, Permission.AUDIT_VIEW).order_by("path")
        unit_field: UnitChoiceField = self.fields["unit"]  # type: ignore[assignment]
        unit_field.queryset = units
        unit_field.base_depth = min(units.values_list("depth", flat=True), default=0)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned

    def filters(self) -> EventFilters:
        """The valid filters (an invalid field filters nothing and shows its error)."""
        data = self.cleaned_data if self.is_bound else {}
        return EventFilters(**{name: value for name, value in data.items() if value not in (None, "")})

    def applied(self) -> dict[str, str]:
        """The filters in force, as plain strings, for the audit entry of this browse."""
        return {
            name: str(getattr(value, "pk", value))
            for name, value in (self.cleaned_data if self.is_bound else {}).items()
            if value not in (None, "")
        }
