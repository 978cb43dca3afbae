"""Django forms of the form builder (they only parse input; services validate and save)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from amparo.accounts.choices import Sensitivity
from amparo.accounts.models import OrgUnit
from amparo.forms import builder
from amparo.forms.choices import FieldType, LocationMode

NAME_HELP = _("Letters, digits and _ (no spaces). Expressions refer to it as ${name}.")
SECTION_NAME_HELP = _("Letters, digits and _ (no spaces). Used in exports and XLSForm (the group name).")
LIST_NAME_HELP = _("Letters, digits and _ (no spaces). Select fields choose the list by this name.")
EXPRESSION_HELP = _("An expression, e.g. ${age} < 18 and selected(${risks}, 'street').")


class FormCreateForm(forms.Form):
    identifier = forms.RegexField(
        label=_("Identifier"),
        max_length=64,
        regex=r"^[A-Za-z][A-Za-z0-9_\-]*$",
        help_text=_("Letters, digits, _ and -, starting with a letter (the XLSForm form_id)."),
    )
    title_es = forms.CharField(label=_("Title (Spanish)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    org_unit = forms.ModelChoiceField(label=_("Owning unit"), queryset=OrgUnit.objects.none())

    def __init__(self, *args: Any, units: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = units  # type: ignore[attr-defined]


class FormSettingsForm(forms.Form):
    title_es = forms.CharField(label=_("Title (Spanish)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)


class SectionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=64, help_text=SECTION_NAME_HELP)
    label_es = forms.CharField(label=_("Title (Spanish)"), max_length=300, required=False)
    label_en = forms.CharField(label=_("Title (English)"), max_length=300, required=False)
    relevant = forms.CharField(
        label=_("Show only when"),
        required=False,
        help_text=EXPRESSION_HELP,
        widget=forms.TextInput(attrs={"class": "code"}),
    )

    def to_definition(self) -> dict[str, Any]:
        data = self.cleaned_data
        label = {
            code: data[f"label_{code}"].strip() for code in ("es", "en") if data[f"label_{code}"].strip()
        }
        return {"name": data["name"].strip(), "label": label, "relevant": data["relevant"].strip()}

    @staticmethod
    def initial_from(section: dict[str, Any]) -> dict[str, Any]:
        label = section.get("label") or {}
        return {
            "name": section.get("name", ""),
            "label_es": label.get("es", ""),
            "label_en": label.get("en", ""),
            "relevant": section.get("relevant", ""),
        }


def _texts(data: dict[str, Any], base: str) -> dict[str, str]:
    return {
        code: data[f"{base}_{code}"].strip()
        for code in ("es", "en")
        if data.get(f"{base}_{code}", "").strip()
    }


class FieldForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=64, help_text=NAME_HELP)
    type = forms.ChoiceField(label=_("Type"), choices=FieldType.choices)
    label_es = forms.CharField(label=_("Question (Spanish)"), max_length=1000, required=False)
    label_en = forms.CharField(label=_("Question (English)"), max_length=1000, required=False)
    hint_es = forms.CharField(label=_("Help (Spanish)"), max_length=1000, required=False)
    hint_en = forms.CharField(label=_("Help (English)"), max_length=1000, required=False)
    required = forms.BooleanField(label=_("Required (when shown)"), required=False)
    options = forms.ChoiceField(label=_("Option list"), required=False, choices=())
    relevant = forms.CharField(
        label=_("Show only when"),
        required=False,
        help_text=EXPRESSION_HELP,
        widget=forms.TextInput(attrs={"class": "code"}),
    )
    minimum = forms.DecimalField(label=_("Minimum"), required=False)
    maximum = forms.DecimalField(label=_("Maximum"), required=False)
    pattern = forms.CharField(
        label=_("Pattern (regular expression)"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"class": "code"}),
    )
    constraint = forms.CharField(
        label=_("Other condition the answer must meet"),
        required=False,
        help_text=_("Use . for the answer, e.g. . <= today()"),
        widget=forms.TextInput(attrs={"class": "code"}),
    )
    constraint_message_es = forms.CharField(
        label=_("Message when not met (Spanish)"), max_length=500, required=False
    )
    constraint_message_en = forms.CharField(
        label=_("Message when not met (English)"), max_length=500, required=False
    )
    calculation = forms.CharField(
        label=_("Calculation"),
        required=False,
        help_text=_("For calculated values, e.g. age(${date_of_birth})."),
        widget=forms.TextInput(attrs={"class": "code"}),
    )
    default = forms.CharField(
        label=_("Default answer"),
        required=False,
        max_length=300,
        help_text=_("Dates as yyyy-mm-dd or today(); yes/no as yes or no."),
    )
    location_mode = forms.ChoiceField(
        label=_("Location"), required=False, choices=[("", "—"), *LocationMode.choices]
    )
    sensitivity = forms.TypedChoiceField(
        label=_("Sensitivity"),
        choices=Sensitivity.choices,
        coerce=int,
        initial=Sensitivity.BASIC,
        help_text=_("Roles see a field only when their clearance reaches it."),
    )

    def __init__(self, *args: Any, option_lists: list[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["options"].choices = [("", "—"), *((name, name) for name in option_lists)]  # type: ignore[attr-defined]

    def to_definition(self) -> dict[str, Any]:
        data = self.cleaned_data
        result: dict[str, Any] = {
            "name": data["name"].strip(),
            "type": data["type"],
            "label": _texts(data, "label"),
            "hint": _texts(data, "hint"),
            "required": bool(data["required"]),
            "relevant": data["relevant"].strip(),
            "constraint": data["constraint"].strip(),
            "constraint_message": _texts(data, "constraint_message"),
            "pattern": data["pattern"].strip(),
            "default": data["default"].strip(),
            "calculation": data["calculation"].strip(),
            "options": data["options"],
            "location_mode": data["location_mode"],
            "sensitivity": data["sensitivity"],
            "minimum": float(data["minimum"]) if data["minimum"] is not None else None,
            "maximum": float(data["maximum"]) if data["maximum"] is not None else None,
        }
        if result["type"] == FieldType.LOCATION and not result["location_mode"]:
            result["location_mode"] = LocationMode.BOTH
        return {key: value for key, value in result.items() if value not in (None, "", {}) or key == "label"}

    @staticmethod
    def initial_from(item: dict[str, Any]) -> dict[str, Any]:
        initial: dict[str, Any] = {
            key: item.get(key, "")
            for key in (
                "name",
                "type",
                "relevant",
                "constraint",
                "pattern",
                "default",
                "calculation",
                "options",
                "location_mode",
            )
        }
        initial["required"] = bool(item.get("required"))
        initial["sensitivity"] = item.get("sensitivity", Sensitivity.BASIC)
        for bound in ("minimum", "maximum"):
            value = item.get(bound)
            initial[bound] = int(value) if isinstance(value, float) and value.is_integer() else value
        for base in ("label", "hint", "constraint_message"):
            texts = item.get(base) or {}
            for code in ("es", "en"):
                initial[f"{base}_{code}"] = texts.get(code, "")
        return initial


class OptionListForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=64, help_text=LIST_NAME_HELP)
    options = forms.CharField(
        label=_("Options"),
        widget=forms.Textarea(attrs={"rows": 8, "class": "code"}),
        help_text=_("One option per line: value | Spanish label | English label"),
    )

    def to_options(self) -> list[dict[str, Any]]:
        return builder.parse_option_lines(self.cleaned_data["options"])


class XLSFormUploadForm(forms.Form):
    workbook = forms.FileField(label=_("XLSForm workbook (.xlsx)"))
    org_unit = forms.ModelChoiceField(
        label=_("Owning unit (for a new form)"), queryset=OrgUnit.objects.none()
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = units  # type: ignore[attr-defined]
