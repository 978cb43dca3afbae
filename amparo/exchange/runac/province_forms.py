"""HTML forms of the province side of RUNac (they parse input; province_services checks and writes)."""

import datetime
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from amparo.exchange.runac import spec
from amparo.exchange.runac.forms import DATE_INPUT
from amparo.exchange.runac.models import Jurisdiction

FIRST_DELIVERY = (datetime.date(2022, 1, 1), datetime.date(2022, 12, 31))


def semester_period(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The latest semester whose cut-off (30/06 or 27/12) is on or before `today`."""
    cut_offs = sorted(
        datetime.date(year, month, day)
        for year in (today.year - 1, today.year)
        for day, month in spec.CUT_OFF_DAYS
    )
    past = [day for day in cut_offs if day <= today]
    end = past[-1]
    previous = (
        cut_offs[cut_offs.index(end) - 1] if cut_offs.index(end) else datetime.date(end.year - 1, 12, 27)
    )
    return previous + datetime.timedelta(days=1), end


class ProvinceDeliveryForm(forms.Form):
    jurisdiction = forms.ChoiceField(label=_("Jurisdiction"))
    period_from = forms.DateField(label=_("Period from"), widget=forms.DateInput(attrs=DATE_INPUT))
    period_to = forms.DateField(
        label=_("Period to (cut-off date)"),
        widget=forms.DateInput(attrs=DATE_INPUT),
        help_text=_(
            "Semester cut-offs are 30/06 and 27/12; the first delivery covers 01/01/2022–31/12/2022."
        ),
    )

    def __init__(self, *args: Any, jurisdictions: list[Jurisdiction], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["jurisdiction"]).choices = [
            (item.code, str(item)) for item in jurisdictions
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("period_from"), cleaned.get("period_to")
        if start and end and start > end:
            self.add_error("period_to", _("The period ends before it starts."))
        return cleaned


class ProvinceTableUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Equivalence table ({JUR}_TE.csv)"),
        help_text=_("Its rows are added to the table in force; local ids already in it are updated."),
    )
