"""Human words for comparisons and their levels (the engine speaks in codes)."""

import re

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

COMPARISON_LABELS: dict[str, Promise] = {
    "given_names": _("Given names"),
    "first_surname": _("First surname"),
    "second_surname": _("Second surname"),
    "date_of_birth": _("Date of birth"),
    "sex": _("Sex"),
    "document_number": _("Document number"),
    "place": _("Place"),
    "nationality": _("Nationality"),
    "address": _("Address"),
}
LEVEL_LABELS: dict[str, Promise] = {
    "exact": _("identical"),
    "equivalent": _("same name (nickname or abbreviation)"),
    "contained": _("one includes the other"),
    "phonetic": _("sounds the same"),
    "swapped": _("first and second surname swapped"),
    "shares_part": _("shares part of a compound surname"),
    "typo": _("one digit differs, or day and month swapped"),
    "estimated_close": _("close to an estimated date"),
    "same_municipality": _("same municipality"),
    "same_department": _("same department, another municipality"),
    "different": _("different"),
    "missing": _("missing on one side"),
}
_SIMILAR = re.compile(r"^similar_(\d+)$")
_EDITS = re.compile(r"^edits_(\d+)$")
_WITHIN = re.compile(r"^within_(\d+)_days$")


def comparison_label(name: str) -> str:
    return str(COMPARISON_LABELS.get(name, name.replace("_", " ").capitalize()))


def level_label(code: str) -> str:
    if code in LEVEL_LABELS:
        return str(LEVEL_LABELS[code])
    if match := _SIMILAR.match(code):
        return str(_("similar spelling (%(percent)s%%)") % {"percent": match.group(1)})
    if match := _EDITS.match(code):
        count = int(match.group(1))
        if count == 1:
            return str(_("one character differs"))
        return str(_("%(count)s characters differ") % {"count": count})
    if match := _WITHIN.match(code):
        days = int(match.group(1))
        if days % 365 == 0 or days % 365 < 5:
            years = round(days / 365)
            return str(_("within a year") if years == 1 else _("within %(years)s years") % {"years": years})
        return str(_("within %(days)s days") % {"days": days})
    return code
