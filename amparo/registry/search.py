"""Person search: names folded (accents, ñ, case), word-prefix tokens in any order.

`search_name` holds " given names first surname second surname " folded and padded with
spaces, and each token typed must start one of its words (a word-prefix match). On
PostgreSQL that is `amparo_name_prefixes(search_name) @> '{token, …}'`, answered by a GIN
index on the prefixes of every name word (migration 0004); elsewhere each token becomes
`LIKE '% token%'`. Every token must match, in any order, so "lopez garcia maria" finds
"María José García López" and compound or hyphenated surnames ("García-Márquez", "de la
Cruz") match their parts. Queries with digits are document numbers or Amparo IDs.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.lookups import DataContains
from django.db import connection
from django.db.models import F, Func, Q, TextField, Value

from amparo.common.text import fold, fold_compact
from amparo.registry.identifiers import parse_amparo_id

MAX_TOKENS = 6


class QueryKind(StrEnum):
    NAME = "name"
    DOCUMENT = "document"
    AMPARO_ID = "amparo_id"


@dataclass(frozen=True)
class ParsedQuery:
    kind: QueryKind
    tokens: tuple[str, ...] = ()
    document_number: str = ""
    amparo_id: str | None = None


def search_name_for(given_names: str, first_surname: str, second_surname: str) -> str:
    folded = fold(" ".join((given_names, first_surname, second_surname)))
    return f" {folded} " if folded else ""


def parse_query(text: str) -> ParsedQuery | None:
    text = (text or "").strip()
    if not text:
        return None
    if any(char.isdigit() for char in text):
        return ParsedQuery(
            kind=QueryKind.AMPARO_ID if parse_amparo_id(text) else QueryKind.DOCUMENT,
            document_number=fold_compact(text),
            amparo_id=parse_amparo_id(text),
        )
    tokens = tuple(dict.fromkeys(fold(text).split()))[:MAX_TOKENS]
    if not tokens:
        return None
    # An Amparo ID can be all letters ("QQHM-WJKR-X"; about 1 in 15): such a query is searched as a
    # name and as an ID, since a word could also pass the check character by chance.
    return ParsedQuery(kind=QueryKind.NAME, tokens=tokens, amparo_id=parse_amparo_id(text))


def name_condition(tokens: tuple[str, ...]) -> Q:
    # "rodr rodriguez": a name with a word starting "rodriguez" has one starting "rodr" too;
    # dropping the redundant token keeps the planner's row estimate (and its plan) right.
    tokens = tuple(
        token for token in tokens if not any(other != token and other.startswith(token) for other in tokens)
    )
    if connection.vendor == "postgresql":
        words = ArrayField(TextField())
        prefixes = Func(F("search_name"), function="amparo_name_prefixes", output_field=words)
        return Q(DataContains(prefixes, Value(list(tokens), output_field=words)))
    condition = Q()
    for token in tokens:
        condition &= Q(search_name__contains=f" {token}")
    return condition
