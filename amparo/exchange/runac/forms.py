"""HTML forms of the RUNac pages: they parse input; services check rules and write."""

import datetime
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from amparo.accounts.models import OrgUnit
from amparo.exchange.runac import spec
from amparo.exchange.runac.choices import Breakdown
from amparo.exchange.runac.models import Jurisdiction

DATE_INPUT = {"placeholder": "dd/mm/aaaa", "inputmode": "numeric", "autocomplete": "off"}
MAX_FILES = 12


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        files = data if isinstance(data, list | tuple) else [data]
        files = [item for item in files if item]
        if not files and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        return [single(item, initial) for item in files]


class DeliveryUploadForm(forms.Form):
    delivery_files = MultipleFileField(
        label=_("Delivery files"),
        help_text=_("The .txt files of one delivery: {JUR}_LEGAJOS_ddmmyyyy_RUNac.txt, _MPI_, _MPE_, _MPJ_."),
    )
    equivalence_file = forms.FileField(
        label=_("Equivalence table (optional)"),
        required=False,
        help_text=_(
            "{JUR}_TE.csv when the delivery uses new local categories; it is loaded with the delivery."
        ),
    )

    def clean_delivery_files(self) -> list[Any]:
        files = self.cleaned_data["delivery_files"]
        if len(files) > MAX_FILES:
            raise ValidationError(_("At most %(count)s files per delivery.") % {"count": MAX_FILES})
        return files


class EquivalenceUploadForm(forms.Form):
    file = forms.FileField(label=_("Equivalence table ({JUR}_TE.csv)"))
    replace = forms.BooleanField(
        label=_("Replace the whole table"),
        required=False,
        help_text=_("Unticked, the file's rows are added to the table in force (changed ids are updated)."),
    )


def _category_choices(categories: dict[tuple[str, str], list[str]], unit: str | None = None) -> list[Any]:
    groups = []
    for (category_unit, field_name), codes in sorted(
        categories.items(), key=lambda item: (spec.UNIT_ORDER[spec.Unit(item[0][0])], item[0][1])
    ):
        if unit is not None and category_unit != unit:
            continue
        label = field_name if unit else f"{category_unit}.{field_name}"
        value_prefix = f"{field_name}|" if unit else f"{category_unit}|{field_name}|"
        groups.append((label, [(f"{value_prefix}{code}", code) for code in codes]))
    return [("", "—"), *groups]


class EquivalenceEntryForm(forms.Form):
    """One local id → national category (the field is chosen with the category)."""

    category = forms.ChoiceField(label=_("Field and national category"))
    local_id = forms.CharField(label=_("Local id"), max_length=spec.MAX_ID_LENGTH)
    local_description = forms.CharField(label=_("Local description"), max_length=300, required=False)

    def __init__(self, *args: Any, categories: dict[tuple[str, str], list[str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["category"]).choices = _category_choices(categories)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("category"):
            cleaned["unit"], cleaned["field_name"], cleaned["code"] = cleaned["category"].split("|", 2)
        return cleaned


class CorrectionForm(forms.Form):
    category = forms.ChoiceField(label=_("Field and corrected national category"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(
        self, *args: Any, unit: str, categories: dict[tuple[str, str], list[str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["category"]).choices = _category_choices(categories, unit)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("category"):
            cleaned["field_name"], cleaned["code"] = cleaned["category"].split("|", 1)
        return cleaned


class DeliveryFilterForm(forms.Form):
    jurisdiction = forms.ChoiceField(label=_("Jurisdiction"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(
        self, *args: Any, jurisdictions: list[Jurisdiction], statuses: list[tuple[str, Any]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["jurisdiction"]).choices = [
            ("", _("All")),
            *[(item.code, str(item)) for item in jurisdictions],
        ]
        cast(forms.ChoiceField, self.fields["status"]).choices = [("", _("All")), *statuses]


class IndicatorForm(forms.Form):
    jurisdiction = forms.MultipleChoiceField(
        label=_("Jurisdictions"),
        required=False,
        help_text=_("None selected: every jurisdiction you can see."),
    )
    at = forms.DateField(label=_("At the date"), required=False, widget=forms.DateInput(attrs=DATE_INPUT))
    period_start = forms.DateField(
        label=_("Period from"), required=False, widget=forms.DateInput(attrs=DATE_INPUT)
    )
    period_end = forms.DateField(
        label=_("Period to"), required=False, widget=forms.DateInput(attrs=DATE_INPUT)
    )
    breakdown = forms.ChoiceField(label=_("Break down by"), choices=Breakdown.choices, required=False)

    def __init__(self, *args: Any, jurisdictions: list[Jurisdiction], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["jurisdiction"]).choices = [
            (item.code, str(item)) for item in jurisdictions
        ]
        self.fields["jurisdiction"].widget.attrs["size"] = min(len(jurisdictions), 6) or 1

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and start > end:
            self.add_error("period_end", _("The period ends before it starts."))
        return cleaned

    def dates(self, today: datetime.date) -> tuple[datetime.date, datetime.date | None, datetime.date | None]:
        data = self.cleaned_data if self.is_valid() else {}
        return data.get("at") or today, data.get("period_start"), data.get("period_end")


class JurisdictionUnitForm(forms.Form):
    org_unit = forms.ModelChoiceField(
        label=_("Organisation unit"), queryset=OrgUnit.objects.none(), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["org_unit"]).queryset = OrgUnit.objects.active().order_by(
            "path"
        )
