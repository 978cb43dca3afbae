"""RUNac province side: pseudonyms and the cleaning of values before they go into a file."""

import datetime
import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from django.conf import settings

from amparo.exchange.runac import spec
from amparo.exchange.runac.province_types import InterventionInput

# --- Pseudonyms ------------------------------------------------------------------------------------


def pseudonym_key() -> bytes:
    """The deployment's key for ID_LEGAJO: RUNAC_PSEUDONYM_KEY, else one derived from SECRET_KEY.

    Keep it fixed for the life of the deployment: a new key gives every legajo a new id.
    """
    configured = getattr(settings, "RUNAC_PSEUDONYM_KEY", "")
    if configured:
        return configured.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"amparo.runac.pseudonym", hashlib.sha256).digest()


def legajo_pseudonym(person_id: int, *, key: bytes) -> str:
    """A stable ID_LEGAJO for the child: keyed HMAC-SHA256 of the person id (80 bits, hex).

    One person, one legajo, whatever number of RUNac cases they have; not reversible without the key.
    """
    digest = hmac.new(key, f"person:{person_id}".encode(), hashlib.sha256).hexdigest()
    return f"L{digest[:20].upper()}"


# --- Values ---------------------------------------------------------------------------------------


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def personal_tokens(names: Iterable[str], documents: Iterable[str]) -> frozenset[str]:
    """Name words (3+ letters) and document numbers (digits only) to keep out of free text."""
    tokens = {word for name in names for word in re.findall(r"\w+", fold(name)) if len(word) >= 3}
    tokens |= {re.sub(r"\D", "", number) for number in documents if len(re.sub(r"\D", "", number)) >= 5}
    return frozenset(tokens)


def mentions(text: str, tokens: frozenset[str]) -> bool:
    if not tokens:
        return False
    folded = fold(text)
    words = set(re.findall(r"\w+", folded))
    digits = set(re.findall(r"\d{5,}", re.sub(r"[.\-\s]", "", folded)))
    return bool(tokens & words) or bool(tokens & digits)


def clean_text(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, bool):
        return "SI" if value else "NO"
    text = re.sub(r"[\t\r\n\x00-\x1f\x7f]+", " ", str(value)).strip()
    return text[: spec.MAX_TEXT_LENGTH]


def display_date(value: Any) -> str | None:
    """dd/mm/yyyy of an ISO date answer; None when it is not a date."""
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    try:
        return datetime.date.fromisoformat(str(value)[:10]).strftime("%d/%m/%Y")
    except ValueError:
        return None


def age(born: datetime.date, on: datetime.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def end_date(value: Any, fallback: datetime.date) -> datetime.date:
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return fallback


def intervention_id(intervention: InterventionInput) -> str:
    """ID_INTERVENCION: the id recorded in the form, else a stable one from Amparo's row id."""
    recorded = clean_text(intervention.data.get("id_intervencion"))
    return recorded[: spec.MAX_ID_LENGTH] if recorded else f"AMP-{intervention.pk}"
