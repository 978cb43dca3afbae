"""HTML forms of the registry pages. They parse and validate input; services do the writing."""

import datetime
import functools
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from amparo.accounts.models import OrgUnit
from amparo.common.widgets import FastSelect, ListedModelChoiceField
from amparo.registry.choices import (
    AdminAreaLevel,
    ContactKind,
    DocumentType,
    GenderIdentity,
    Relationship,
    Sex,
)
from amparo.registry.models import AdminArea
from amparo.registry.selectors import PersonFilters

DATE_FORMAT = "%d/%m/%Y"
MAX_AGE_YEARS = 130
MAX_PHOTO_BYTES = 5 * 1024 * 1024
BLANK = ("", "—")


def country_choices() -> list[tuple[str, str]]:
    """Countries by name in the current language (a callable, so the language is the request's)."""
    return list(_country_choices(get_language()))


@functools.cache
def _country_choices(language: str | None) -> tuple[tuple[str, str], ...]:
    # Sorting ~250 translated names costs milliseconds; they only change with the language.
    return (BLANK, *((code, str(name)) for code, name in countries))


def _model_choice(form: forms.Form, name: str) -> forms.ModelChoiceField:  # type: ignore[type-arg]
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    return field


def _choice(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


def _with_blank(choices: list[tuple[str, Any]], label: Any = "—") -> list[tuple[str, Any]]:
    return [("", label), *choices]


class DayMonthYearField(forms.CharField):
    """A date typed as dd/mm/yyyy; impossible dates (31/02/2020) get a field message."""

    default_error_messages = {"invalid": _("Enter a real date as dd/mm/yyyy, e.g. 25/12/2015.")}

    def __init__(self, *, allow_future: bool = True, **kwargs: Any) -> None:
        self.allow_future = allow_future
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {"placeholder": _("dd/mm/yyyy"), "inputmode": "numeric", "autocomplete": "off", "maxlength": "10"}
        )

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, datetime.date):
            return value.strftime(DATE_FORMAT)
        return value

    def to_python(self, value: Any) -> datetime.date | None:  # type: ignore[override]
        if isinstance(value, datetime.date):
            return value
        text = (super().to_python(value) or "").strip().replace("-", "/").replace(".", "/")
        if not text:
            return None
        try:
            day = datetime.datetime.strptime(text, DATE_FORMAT).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if day.year < 1900:
            raise ValidationError(_("Enter a year from 1900 on."), code="too_old")
        if not self.allow_future and day > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."), code="future")
        return day


# --- Person search ---------------------------------------------------------------------------------


class PersonSearchForm(forms.Form):
    STATUS_CHOICES = [("active", _("Active")), ("archived", _("Archived")), ("all", _("All"))]

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    sex = forms.ChoiceField(
        label=_("Sex"), required=False, choices=_with_blank(Sex.choices, _("Any")), widget=FastSelect
    )
    nationality = forms.ChoiceField(
        label=_("Nationality"), required=False, choices=country_choices, widget=FastSelect
    )
    unit = ListedModelChoiceField(
        label=_("Unit"), required=False, queryset=OrgUnit.objects.none(), empty_label=_("All my units")
    )
    age_min = forms.IntegerField(label=_("Age from"), required=False, min_value=0, max_value=MAX_AGE_YEARS)
    age_max = forms.IntegerField(label=_("Age to"), required=False, min_value=0, max_value=MAX_AGE_YEARS)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_CHOICES, widget=FastSelect)

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _model_choice(self, "unit").queryset = units
        self.fields["q"].widget.attrs.update(
            {
                "type": "search",
                "autocomplete": "off",
                "autofocus": True,
                "placeholder": _("Name, document number or Amparo ID"),
            }
        )
        _choice(self, "nationality").choices = [("", _("Any")), *country_choices()[1:]]  # sorted once
        for name in ("age_min", "age_max"):
            self.fields[name].widget.attrs["inputmode"] = "numeric"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        age_min, age_max = cleaned.get("age_min"), cleaned.get("age_max")
        if age_min is not None and age_max is not None and age_min > age_max:
            self.add_error("age_max", _("The upper age must not be below the lower one."))
        return cleaned

    def filters(self) -> PersonFilters:
        """Filters from the valid fields (an invalid one is ignored and shows its message)."""
        data = getattr(self, "cleaned_data", {})
        unit = data.get("unit")
        return PersonFilters(
            query=data.get("q") or "",
            sex=data.get("sex") or "",
            nationality=data.get("nationality") or "",
            org_unit_id=unit.pk if unit else None,
            age_min=data.get("age_min"),
            age_max=data.get("age_max") if "age_max" not in self.errors else None,
            archived=data.get("status") or "active",
        )

    @staticmethod
    def used_filters(filters: PersonFilters) -> list[str]:
        """Names of the filters in use (for the audit row: which, never the values typed)."""
        used = [
            name
            for name in ("query", "sex", "nationality", "org_unit_id", "age_min", "age_max")
            if getattr(filters, name) not in ("", None)
        ]
        if filters.archived != "active":
            used.append("archived")
        return used


# --- Areas (country → department → municipality) ------------------------------------------------


class AreaFieldsMixin(forms.Form):
    """Country, department and municipality selects; each level lists only the areas of the one above.

    The wrapper in `registry/_area_fields.html` reloads itself through htmx on every change.
    """

    country = forms.ChoiceField(label=_("Country"), choices=country_choices, widget=FastSelect)
    department = ListedModelChoiceField(
        label=_("Department / state"), required=False, queryset=AdminArea.objects.none(), empty_label=BLANK[1]
    )
    municipality = ListedModelChoiceField(
        label=_("Municipality"), required=False, queryset=AdminArea.objects.none(), empty_label=BLANK[1]
    )
    area_url = reverse_lazy("registry:area_fields")

    def setup_areas(self) -> None:
        country = self._raw("country") or ""
        departments = (
            AdminArea.objects.filter(country=country, level=AdminAreaLevel.DEPARTMENT)
            if country
            else AdminArea.objects.none()
        )
        _model_choice(self, "department").queryset = departments
        department_id = self._raw("department")
        department_valid = (
            bool(department_id)
            and str(department_id).isdigit()
            and departments.filter(pk=department_id).exists()
        )
        _model_choice(self, "municipality").queryset = (
            AdminArea.objects.filter(parent_id=department_id, level=AdminAreaLevel.MUNICIPALITY)
            if department_valid
            else AdminArea.objects.none()
        )
        self.has_departments = departments.exists()

    def _raw(self, name: str) -> Any:
        if self.is_bound:
            return self.data.get(self.add_prefix(name))
        value = self.initial.get(name, self.fields[name].initial)
        return getattr(value, "pk", value)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        department, municipality = cleaned.get("department"), cleaned.get("municipality")
        if municipality is not None and (department is None or municipality.parent_id != department.pk):
            self.add_error("municipality", _("Choose a municipality of the chosen department."))
        return cleaned


class AreaForm(AreaFieldsMixin):
    """Only the three area selects: rendered by the cascade endpoint."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].required = False
        self.setup_areas()


# --- Person ----------------------------------------------------------------------------------------


class PersonForm(forms.Form):
    """Register or edit a person. Sensitive fields exist only for viewers cleared to see them."""

    given_names = forms.CharField(label=_("Given names"), max_length=150)
    first_surname = forms.CharField(label=_("First surname"), max_length=150, required=False)
    second_surname = forms.CharField(label=_("Second surname"), max_length=150, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN, widget=FastSelect)
    gender_identity = forms.ChoiceField(
        label=_("Gender identity"), required=False, choices=_with_blank(GenderIdentity.choices)
    )
    date_of_birth = DayMonthYearField(
        label=_("Date of birth"),
        required=False,
        allow_future=False,
        help_text=_("dd/mm/yyyy. If unknown, give the age instead."),
    )
    age_years = forms.IntegerField(
        label=_("Or age in years"),
        required=False,
        min_value=0,
        max_value=MAX_AGE_YEARS,
        help_text=_("The date of birth is then estimated."),
    )
    nationality = forms.ChoiceField(
        label=_("Nationality"), required=False, choices=country_choices, widget=FastSelect
    )
    org_unit = ListedModelChoiceField(
        label=_("Unit"),
        queryset=OrgUnit.objects.none(),
        empty_label=None,
        help_text=_("The unit responsible for the record."),
    )
    photo = forms.ImageField(
        label=_("Photo"),
        required=False,
        help_text=_("JPEG or PNG, up to 5 MB. Only staff cleared for sensitive data see it."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        units: QuerySet[OrgUnit] | None = None,
        sensitive: bool,
        person: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.person = person
        if person is None:
            assert units is not None
            _model_choice(self, "org_unit").queryset = units
            del self.fields["version"]
        else:
            del self.fields["org_unit"]
            self.fields["version"].required = True
        if not sensitive:
            del self.fields["gender_identity"]
            del self.fields["photo"]
        self.fields["given_names"].widget.attrs["autocomplete"] = "off"
        self.fields["age_years"].widget.attrs["inputmode"] = "numeric"
        if "photo" in self.fields:
            self.fields["photo"].widget.attrs["accept"] = "image/jpeg,image/png,image/webp"

    def clean_photo(self) -> Any:
        photo = self.cleaned_data.get("photo")
        if photo and getattr(photo, "size", 0) > MAX_PHOTO_BYTES:
            raise ValidationError(_("The photo is larger than 5 MB."), code="too_large")
        return photo

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("date_of_birth") and cleaned.get("age_years") is not None:
            self.add_error("age_years", _("Give either a date of birth or an age, not both."))
        return cleaned

    def person_changes(self) -> dict[str, Any]:
        """The edited values as `person_update` takes them; an unchanged estimated date stays estimated."""
        data = self.cleaned_data
        changes: dict[str, Any] = {
            name: data[name] or ""
            for name in ("given_names", "first_surname", "second_surname", "sex", "nationality")
        }
        if "gender_identity" in self.fields:
            changes["gender_identity"] = data["gender_identity"]
        date_of_birth, age_years = data.get("date_of_birth"), data.get("age_years")
        if age_years is not None:
            changes["age_years"] = age_years
        else:
            changes["date_of_birth"] = date_of_birth
            kept = self.person is not None and date_of_birth == self.person.date_of_birth
            changes["date_of_birth_is_estimated"] = bool(kept and self.person.date_of_birth_is_estimated)
        return changes


class DocumentForm(forms.Form):
    document_type = forms.ChoiceField(
        label=_("Document type"), choices=_with_blank(DocumentType.choices), widget=FastSelect
    )
    number = forms.CharField(label=_("Number"), max_length=60)
    issuing_country = forms.ChoiceField(
        label=_("Issuing country"), required=False, choices=country_choices, widget=FastSelect
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["number"].widget.attrs["autocomplete"] = "off"


class ContactForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=_with_blank(ContactKind.choices), widget=FastSelect)
    value = forms.CharField(label=_("Phone, e-mail…"), max_length=200)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("kind") == ContactKind.EMAIL and cleaned.get("value"):
            try:
                forms.EmailField().clean(cleaned["value"])
            except ValidationError:
                self.add_error("value", _("Enter a valid e-mail address."))
        return cleaned


class AddressForm(AreaFieldsMixin):
    line = forms.CharField(label=_("Street, number, neighbourhood"), max_length=250, required=False)
    latitude = forms.DecimalField(
        label=_("Latitude"), required=False, max_digits=9, decimal_places=6, min_value=-90, max_value=90
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), required=False, max_digits=9, decimal_places=6, min_value=-180, max_value=180
    )
    is_current = forms.BooleanField(label=_("Current address"), required=False, initial=True)

    def __init__(self, *args: Any, sensitive: bool, with_current: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not sensitive:
            del self.fields["latitude"]
            del self.fields["longitude"]
        if not with_current:
            del self.fields["is_current"]
        self.setup_areas()

    def has_changed(self) -> bool:
        """Filled in at all? A country alone (it has a default) does not make an address."""
        names = ("department", "municipality", "line", "latitude", "longitude")
        return any(self[name].data not in (None, "") for name in names if name in self.fields)


# --- Archive -----------------------------------------------------------------------------------------


class ArchiveForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the record archived?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: duplicate of another record, registered by mistake."),
    )

    def clean_reason(self) -> str:
        reason: str = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Say why the record is archived."), code="required")
        return reason


# --- Households ------------------------------------------------------------------------------------


class HouseholdSearchForm(forms.Form):
    STATUS_CHOICES = [("active", _("Active")), ("all", _("All"))]

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_CHOICES, widget=FastSelect)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(
            {"type": "search", "autocomplete": "off", "placeholder": _("Household code or name")}
        )


class HouseholdForm(AreaFieldsMixin):
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        required=False,
        help_text=_("How the team refers to the household, e.g. 'Familia Pérez Gómez'."),
    )
    address_line = forms.CharField(label=_("Street, number, neighbourhood"), max_length=250, required=False)
    latitude = forms.DecimalField(
        label=_("Latitude"), required=False, max_digits=9, decimal_places=6, min_value=-90, max_value=90
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), required=False, max_digits=9, decimal_places=6, min_value=-180, max_value=180
    )
    org_unit = ListedModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none(), empty_label=None)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    field_order = [
        "name",
        "country",
        "department",
        "municipality",
        "address_line",
        "latitude",
        "longitude",
        "org_unit",
    ]

    def __init__(
        self,
        *args: Any,
        units: QuerySet[OrgUnit] | None = None,
        restricted: bool = True,
        sensitive: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if units is None:
            del self.fields["org_unit"]
            self.fields["version"].required = True
        else:
            _model_choice(self, "org_unit").queryset = units
            del self.fields["version"]
        if not restricted:
            del self.fields["address_line"]
        if not sensitive:
            del self.fields["latitude"]
            del self.fields["longitude"]
        self.setup_areas()

    def household_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        values: dict[str, Any] = {
            "name": data["name"],
            "country": data["country"],
            "department_id": data["department"].pk if data.get("department") else None,
            "municipality_id": data["municipality"].pk if data.get("municipality") else None,
        }
        for name in ("address_line", "latitude", "longitude"):
            if name in self.fields:
                values[name] = data[name]
        return values


class MemberAddForm(forms.Form):
    person = forms.IntegerField(
        label=_("Person"),
        widget=forms.HiddenInput,
        error_messages={"required": _("Search and choose a person first.")},
    )
    relationship = forms.ChoiceField(
        label=_("Relationship to the head"), choices=_with_blank(Relationship.choices)
    )
    joined_on = DayMonthYearField(label=_("Member since"), required=False, allow_future=False)


class MemberLeaveForm(forms.Form):
    left_on = DayMonthYearField(
        label=_("Left on"), required=False, allow_future=False, help_text=_("Empty means today.")
    )
