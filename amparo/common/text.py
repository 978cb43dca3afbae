"""Text folding shared by search and matching: accents, ñ, case and spacing."""

import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str | None) -> str:
    """Lower-case, strip accents (ñ becomes n), keep letters and digits, single spaces.

    Folding ñ to n is deliberate for search: people type "Nunez" for "Núñez" on phones
    without a Spanish keyboard; matching keeps its own, finer comparators.
    """
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    without_marks = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", without_marks).strip()


def fold_compact(text: str | None) -> str:
    """Fold and drop every separator: for document numbers and identifiers ("AB-12 3" → "ab123")."""
    return fold(text).replace(" ", "")
