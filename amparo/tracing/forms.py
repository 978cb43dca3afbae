from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from amparo.accounts.models import OrgUnit
from amparo.registry.choices import Sex
from amparo.tracing.choices import Decision, Relationship
from amparo.tracing.services import TracingRequestInput


class TracingRequestForm(forms.Form):
    org_unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none(), required=True)
    inquirer_amparo_id = forms.CharField(
        label=_("Inquirer's Amparo ID (if registered)"), max_length=11, required=False
    )
    inquirer_name = forms.CharField(label=_("Inquirer's name"), max_length=200, required=False)
    inquirer_contact = forms.CharField(label=_("Inquirer's contact"), max_length=200, required=False)
    relationship = forms.ChoiceField(label=_("Relationship to the child"), choices=Relationship.choices)
    child_given_names = forms.CharField(label=_("Given names"), max_length=150, required=False)
    child_first_surname = forms.CharField(label=_("First surname"), max_length=150, required=False)
    child_second_surname = forms.CharField(label=_("Second surname"), max_length=150, required=False)
    child_nicknames = forms.CharField(
        label=_("Nicknames"), max_length=200, required=False, help_text=_("Separated by commas.")
    )
    child_sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    child_date_of_birth = forms.DateField(
        label=_("Date of birth"), required=False, widget=forms.DateInput(attrs={"placeholder": "dd/mm/aaaa"})
    )
    child_age_years = forms.IntegerField(
        label=_("Approximate age (years)"), required=False, min_value=0, max_value=25
    )
    separation_place = forms.CharField(label=_("Place of separation"), max_length=200, required=False)
    separation_date = forms.DateField(
        label=_("Date of separation"),
        required=False,
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/aaaa"}),
    )
    languages = forms.CharField(label=_("Languages spoken"), max_length=200, required=False)
    physical_description = forms.CharField(
        label=_("Physical description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    expected_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["org_unit"]
        assert isinstance(unit_field, forms.ModelChoiceField)
        unit_field.queryset = units

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (
            data.get("child_given_names") or data.get("child_nicknames") or data.get("child_first_surname")
        ):
            self.add_error("child_given_names", _("Give at least a name or a nickname of the sought child."))
        if not data.get("inquirer_amparo_id") and not data.get("inquirer_name"):
            self.add_error(
                "inquirer_name", _("Say who is looking for the child: a registered person or a name.")
            )
        return data

    def to_input(self, inquirer: Any) -> TracingRequestInput:
        data = self.cleaned_data
        return TracingRequestInput(
            relationship=data["relationship"],
            inquirer=inquirer,
            inquirer_name=data["inquirer_name"],
            inquirer_contact=data["inquirer_contact"],
            child_given_names=data["child_given_names"],
            child_first_surname=data["child_first_surname"],
            child_second_surname=data["child_second_surname"],
            child_nicknames=data["child_nicknames"],
            child_sex=data["child_sex"],
            child_date_of_birth=data["child_date_of_birth"],
            child_age_years=data["child_age_years"],
            separation_place=data["separation_place"],
            separation_date=data["separation_date"],
            languages=data["languages"],
            physical_description=data["physical_description"],
        )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Why"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=True
    )


class CloseForm(forms.Form):
    reason = forms.CharField(label=_("Why is the request closed?"), max_length=500)
