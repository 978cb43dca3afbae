"""Forms of the matching pages. The duplicate check reads the registration form's own field names."""

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from amparo.matching.choices import Decision, FileMode
from amparo.matching.selectors import CandidatePerson, SimilarityQuery
from amparo.registry.choices import Sex

SEX_CHOICES = [("", _("Any")), *Sex.choices]
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def _date(text: str) -> datetime.date | None:
    text = (text or "").strip().replace("-", "/").replace(".", "/")
    for pattern in ("%d/%m/%Y", "%Y/%m/%d"):
        try:
            return datetime.datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    return None


def _integer(text: str) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() and int(text) <= 130 else None


def candidate_from_query(data: Any) -> CandidatePerson:
    """What the registration form holds so far (its field names, prefixed or not); never invalid:
    half-typed values are simply left out of the check."""

    def value(*names: str) -> str:
        for name in names:
            if data.get(name):
                return str(data.get(name))[:200]
        return ""

    return CandidatePerson(
        given_names=value("given_names"),
        first_surname=value("first_surname"),
        second_surname=value("second_surname"),
        sex=value("sex") if value("sex") in Sex.values else "",
        date_of_birth=_date(value("date_of_birth")),
        age_years=_integer(value("age_years")),
        document_number=value("document_number", "document-number"),
        nationality=value("nationality")[:2],
        department=value("department", "address-department"),
        municipality=value("municipality", "address-municipality"),
        address=value("address", "address-line"),
    )


class SimilaritySearchForm(forms.Form):
    name = forms.CharField(
        label=_("Name or part of it"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. lupe gonzales"), "autocomplete": "off"}),
    )
    age_years = forms.IntegerField(label=_("Approximate age"), required=False, min_value=0, max_value=120)
    sex = forms.ChoiceField(label=_("Sex"), required=False, choices=SEX_CHOICES)
    document_number = forms.CharField(label=_("Document number"), required=False, max_length=60)
    department = forms.CharField(required=False, widget=forms.HiddenInput)
    municipality = forms.CharField(required=False, widget=forms.HiddenInput)

    def query(self) -> SimilarityQuery:
        data = self.cleaned_data if self.is_valid() else {}
        return SimilarityQuery(
            name=data.get("name") or "",
            age_years=data.get("age_years"),
            sex=data.get("sex") or "",
            department=data.get("department") or "",
            municipality=data.get("municipality") or "",
            document_number=data.get("document_number") or "",
        )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect)
    keep = forms.ChoiceField(label=_("Keep which record"), required=False, choices=[])
    reason = forms.CharField(
        label=_("Why"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": _("e.g. same document number, checked by phone")}
        ),
    )

    def __init__(self, *args: Any, keep_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        keep = self.fields["keep"]
        assert isinstance(keep, forms.ChoiceField)
        keep.choices = keep_choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        decision = data.get("decision")
        if decision == Decision.CONFIRM and not data.get("keep"):
            self.add_error("keep", _("Choose the record that stays."))
        if decision in (Decision.CONFIRM, Decision.REJECT) and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why: the reason is kept with the decision."))
        return data


class UndoForm(forms.Form):
    reason = forms.CharField(
        label=_("Why undo the merge"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class FileLinkForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("What to do"), choices=FileMode.choices, widget=forms.RadioSelect, initial=FileMode.DEDUPE
    )
    file_a = forms.FileField(
        label=_("CSV file"), help_text=_("UTF-8, a header, an id column; names, sex, dates, documents…")
    )
    file_b = forms.FileField(label=_("Second CSV file (to link two files)"), required=False)
    threshold = forms.FloatField(
        label=_("Lowest probability to keep"),
        min_value=0.0,
        max_value=1.0,
        initial=0.5,
        widget=forms.NumberInput(attrs={"step": "0.05"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("file_a", "file_b"):
            upload = data.get(name)
            if upload is not None and upload.size > MAX_UPLOAD_BYTES:
                self.add_error(name, _("The file is larger than 50 MB."))
        if data.get("mode") == FileMode.LINK and not data.get("file_b"):
            self.add_error("file_b", _("Linking needs a second file."))
        return data


class ComparisonRowForm(forms.Form):
    """One comparison of the matcher: whether it takes part and its thresholds."""

    name = forms.CharField(widget=forms.HiddenInput)
    enabled = forms.BooleanField(label=_("Use"), required=False)
    thresholds = forms.CharField(label=_("Thresholds"), required=False, max_length=100)
    term_frequency = forms.BooleanField(label=_("Rare values weigh more"), required=False)

    def clean_thresholds(self) -> list[float]:
        text = self.cleaned_data.get("thresholds") or ""
        try:
            return [float(part) for part in text.replace(";", ",").split(",") if part.strip()]
        except ValueError:
            raise ValidationError(_("Numbers separated by commas, e.g. 0.92, 0.80.")) from None


ComparisonFormSet = forms.formset_factory(ComparisonRowForm, extra=0)


class MatcherSettingsForm(forms.Form):
    review_threshold = forms.FloatField(
        label=_("Propose for review from"),
        min_value=0.01,
        max_value=0.999,
        help_text=_("Duplicate searches propose pairs at or above this probability."),
    )
    display_threshold = forms.FloatField(
        label=_("Warn while registering from"),
        min_value=0.001,
        max_value=0.999,
        help_text=_("The duplicate check shows persons at or above this probability."),
    )
    matches_per_record = forms.FloatField(
        label=_("Expected duplicates per person"),
        min_value=0.000001,
        max_value=10,
        help_text=_("The prior: how many other records of the same person a record has, on average."),
    )
    blocking_rules = forms.CharField(
        label=_("Blocking rules"),
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text=_(
            "One rule per line; a pair is compared when all parts of one rule agree (parts joined by +)."
        ),
    )
    nicknames = forms.CharField(
        label=_("Extra nicknames"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text=_("One per line: nickname = name | other name (e.g. Pili = Pilar)."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("What changed and why"), required=False, max_length=200)

    def clean_blocking_rules(self) -> list[list[str]]:
        lines = [line.strip() for line in self.cleaned_data["blocking_rules"].splitlines() if line.strip()]
        return [[part.strip() for part in line.split("+") if part.strip()] for line in lines]

    def clean_nicknames(self) -> dict[str, list[str]]:
        table: dict[str, list[str]] = {}
        for number, line in enumerate((self.cleaned_data.get("nicknames") or "").splitlines(), start=1):
            if not line.strip():
                continue
            nickname, separator, names = line.partition("=")
            if not separator or not nickname.strip() or not names.strip():
                raise ValidationError(_("Line %(number)s: write nickname = name.") % {"number": number})
            table[nickname.strip()] = [name.strip() for name in names.split("|") if name.strip()]
        return table
