"""The Spanish and English catalogues are complete, compiled, and cover the strings in the code."""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "amparo" / "locale"
SOURCE = Path(settings.BASE_DIR) / "amparo"
TEMPLATE_STRING = re.compile(r"""{%\s*(?:translate|trans)\s+(?P<q>["'])(?P<msgid>.+?)(?P=q)""")
PYTHON_STRING = re.compile(r"""\b_\(\s*(?P<q>["'])(?P<msgid>(?:(?!(?P=q)).)+)(?P=q)\s*[,)]""")


def _catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("language", ["es", "en"])
def test_every_message_is_translated(language):
    catalogue = _catalogue(language)

    missing = [entry.msgid for entry in catalogue if not entry.obsolete and not entry.translated()]
    fuzzy = [entry.msgid for entry in catalogue if "fuzzy" in entry.flags]

    assert missing == []
    assert fuzzy == []


@pytest.mark.parametrize("language", ["es", "en"])
def test_compiled_catalogue_matches_source(language):
    source = {
        (entry.msgctxt, entry.msgid): entry.msgstr
        for entry in _catalogue(language)
        if not entry.msgid_plural and not entry.obsolete
    }
    compiled = {
        (entry.msgctxt, entry.msgid): entry.msgstr
        for entry in polib.mofile(str(LOCALE / language / "LC_MESSAGES" / "django.mo"))
        if not entry.msgid_plural
    }

    assert {key: compiled.get(key) for key in source} == source


def test_strings_in_code_are_in_the_catalogue():
    known = {entry.msgid for entry in _catalogue("es")}
    found: set[str] = set()
    for path in SOURCE.rglob("*.html"):
        found |= {match["msgid"] for match in TEMPLATE_STRING.finditer(path.read_text())}
    for path in SOURCE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        found |= {match["msgid"] for match in PYTHON_STRING.finditer(path.read_text())}

    assert sorted(found - known) == []
