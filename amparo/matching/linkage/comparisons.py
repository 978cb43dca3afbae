"""Comparisons with levels, vectorised over candidate pairs.

Each comparator prepares per-record features once (normalised values factorised into codes,
phonetic keys, nickname readings…) and then assigns every candidate pair (ia, ib) a level:
0 is the best level of the spec's `level_codes`, -1 means a value is missing on either side.
String similarities are computed once per distinct pair of values (rapidfuzz `cpdist`, in C),
which is what makes a million-record deduplication affordable: names repeat a lot.
"""

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler, Levenshtein

from amparo.common.text import fold, fold_compact
from amparo.matching.linkage.normalize import (
    fold_identifier,
    fold_name,
    given_name_alternatives,
    parse_birth_date,
)
from amparo.matching.linkage.phonetic import phonetic_key
from amparo.matching.linkage.specification import ComparisonKind, ComparisonSpec, Scorer

NULL = -1
_EPOCH = datetime.date(1970, 1, 1)
ESTIMATED_CLOSE_DAYS = 730


SMALL = 2000  # below this many values, plain Python beats pandas' per-call overhead (online check)


def factorize(values: Any, *, empty_is_missing: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Codes into the distinct values (-1 for missing: None, NaN, and "" if `empty_is_missing`)."""
    if len(values) < SMALL:
        table: dict[Any, int] = {}
        codes = np.empty(len(values), dtype=np.int64)
        for index, value in enumerate(values):
            if value is None or value != value or (empty_is_missing and value == ""):
                codes[index] = -1
            else:
                codes[index] = table.setdefault(value, len(table))
        distinct = np.empty(len(table), dtype=object)
        distinct[:] = list(table)
        return codes, distinct
    series = pd.Series(values, dtype=object)
    if empty_is_missing:
        series = series.replace("", None)
    codes, distinct = pd.factorize(series)
    return codes.astype(np.int64), np.asarray(distinct, dtype=object)


def column(frame: pd.DataFrame, name: str) -> np.ndarray:
    """A text column as an object array, missing values as "" (absent columns are all missing)."""
    if name not in frame.columns:
        return np.full(len(frame), "", dtype=object)
    if len(frame) < SMALL:
        return np.array(
            ["" if value is None or value != value else str(value) for value in frame[name].tolist()],
            dtype=object,
        )
    return frame[name].fillna("").astype(str).to_numpy(dtype=object)


@dataclass
class Coded:
    """Per-record codes into a table of distinct normalised values (-1 where missing)."""

    codes: np.ndarray
    values: np.ndarray

    def value_of(self, index: np.ndarray) -> np.ndarray:
        return self.values[self.codes[index]]


def encode(values: np.ndarray, normalise: Callable[[str], str]) -> Coded:
    raw_codes, raw_values = factorize(values)
    normalised = [normalise(str(value)) for value in raw_values]
    norm_codes, norm_values = factorize(normalised, empty_is_missing=True)
    mapped = np.where(raw_codes >= 0, norm_codes[np.maximum(raw_codes, 0)] if len(norm_codes) else -1, -1)
    return Coded(codes=mapped.astype(np.int64), values=norm_values)


def unique_combinations(
    codes_a: np.ndarray, codes_b: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (code_a, code_b) combinations and, per pair, its combination's index."""
    width = int(max(codes_a.max(initial=0), codes_b.max(initial=0))) + 1
    combined = codes_a.astype(np.int64) * width + codes_b
    if len(combined) < SMALL:
        distinct, inverse = np.unique(combined, return_inverse=True)
    else:
        inverse, distinct = pd.factorize(combined)
    return distinct // width, distinct % width, inverse


def _similarity(scorer: Scorer) -> Any:
    return {
        Scorer.JARO_WINKLER: JaroWinkler.normalized_similarity,
        Scorer.LEVENSHTEIN: Levenshtein.normalized_similarity,
        Scorer.TOKEN_SET: fuzz.token_set_ratio,
    }[scorer]


def _workers(count: int) -> int:
    """All cores for big batches; one thread for a handful of pairs (thread start-up costs more)."""
    return -1 if count > 20_000 else 1


def similarities(left: np.ndarray, right: np.ndarray, scorer: Scorer = Scorer.JARO_WINKLER) -> np.ndarray:
    if len(left) == 0:
        return np.zeros(0)
    scores = process.cpdist(list(left), list(right), scorer=_similarity(scorer), workers=_workers(len(left)))
    scores = np.asarray(scores, dtype=np.float64)
    return scores / 100.0 if scorer == Scorer.TOKEN_SET else scores


class Comparator:
    """Base: a spec, its level indices, and the pair loop shared by every kind."""

    def __init__(self, spec: ComparisonSpec, nicknames: Mapping[str, tuple[str, ...]]):
        self.spec = spec
        self.nicknames = nicknames
        self.level = {code: index for index, code in enumerate(spec.level_codes)}
        self.worst = len(spec.level_codes) - 1

    def prepare(self, frame: pd.DataFrame) -> Any:
        raise NotImplementedError

    def levels(self, features: Any, ia: np.ndarray, ib: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def term_codes(self, features: Any) -> Coded | None:
        """The values whose frequency adjusts the exact level (term-frequency adjustment)."""
        return None

    def _similar_levels(self, result: np.ndarray, scores: np.ndarray, thresholds: tuple[float, ...]) -> None:
        for threshold in thresholds:
            code = f"similar_{round(threshold * 100)}"
            result[:] = np.where(scores >= threshold, np.minimum(result, self.level[code]), result)


def _coded_levels(
    coded: Coded,
    ia: np.ndarray,
    ib: np.ndarray,
    per_combination: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray],
) -> np.ndarray:
    """Levels for pairs of a coded column: nulls → -1, the rest computed once per distinct combination."""
    codes_a, codes_b = coded.codes[ia], coded.codes[ib]
    result = np.full(len(ia), NULL, dtype=np.int8)
    valid = (codes_a >= 0) & (codes_b >= 0)
    if not valid.any():
        return result
    distinct_a, distinct_b, inverse = unique_combinations(codes_a[valid], codes_b[valid])
    result[valid] = per_combination(distinct_a, distinct_b, valid)[inverse]
    return result


# --- Names ---------------------------------------------------------------------------------------


@dataclass
class NameFeatures:
    coded: Coded
    phonetic: np.ndarray  # per distinct value: code of its phonetic key
    tokens: list[frozenset[str]]  # per distinct value: words over every reading
    readings: list[tuple[str, ...]]  # per distinct value: nickname readings (given names)
    word_count: np.ndarray
    words: np.ndarray  # per distinct value: codes of its first WORDS words (-1 padding)
    has_readings: np.ndarray  # per distinct value: more than one reading (a nickname is involved)


WORDS = 4


def _word_codes(values: np.ndarray) -> np.ndarray:
    """Each value's words as codes into one shared word table, padded with -1."""
    table: dict[str, int] = {}
    codes = np.full((len(values), WORDS), -1, dtype=np.int64)
    for row, value in enumerate(values):
        for column_index, word in enumerate(str(value).split()[:WORDS]):
            codes[row, column_index] = table.setdefault(word, len(table))
    return codes


def contained_words(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Per row: are all words of one side among the words of the other? (padding counts as found)"""
    left_in_right = ((left[:, :, None] == right[:, None, :]).any(axis=2) | (left < 0)).all(axis=1)
    right_in_left = ((right[:, :, None] == left[:, None, :]).any(axis=2) | (right < 0)).all(axis=1)
    return left_in_right | right_in_left


def _name_features(coded: Coded, readings: list[tuple[str, ...]] | None = None) -> NameFeatures:
    keys = [phonetic_key(value) for value in coded.values]
    phonetic_codes, _ = factorize(keys)
    readings = readings or [(value,) for value in coded.values]
    tokens = [frozenset(word for reading in options for word in reading.split()) for options in readings]
    return NameFeatures(
        coded=coded,
        phonetic=np.asarray(phonetic_codes),
        tokens=tokens,
        readings=readings,
        word_count=np.array([len(value.split()) for value in coded.values], dtype=np.int64),
        words=_word_codes(coded.values),
        has_readings=np.array([len(options) > 1 for options in readings], dtype=bool),
    )


class GivenNameComparator(Comparator):
    """exact › equivalent (nickname or abbreviation) › contained (María ⊂ María José) › phonetic › similar."""

    def prepare(self, frame: pd.DataFrame) -> NameFeatures:
        coded = encode(column(frame, self.spec.fields[0]), fold_name)
        readings = [given_name_alternatives(value, self.nicknames) for value in coded.values]
        return _name_features(coded, readings)

    def term_codes(self, features: NameFeatures) -> Coded:
        return features.coded

    def levels(self, features: NameFeatures, ia: np.ndarray, ib: np.ndarray) -> np.ndarray:
        def per_combination(a: np.ndarray, b: np.ndarray, _valid: np.ndarray) -> np.ndarray:
            values = features.coded.values
            result = np.full(len(a), self.worst, dtype=np.int8)
            self._similar_levels(result, similarities(values[a], values[b]), self.spec.thresholds)
            result[features.phonetic[a] == features.phonetic[b]] = np.minimum(
                result[features.phonetic[a] == features.phonetic[b]], self.level["phonetic"]
            )
            multi = features.has_readings
            count = features.word_count
            open_pairs = (a != b) & (result > self.level["equivalent"])
            plain = open_pairs & ~multi[a] & ~multi[b] & (count[a] != count[b])
            if plain.any():
                inside = np.flatnonzero(plain)[
                    contained_words(features.words[a[plain]], features.words[b[plain]])
                ]
                result[inside] = np.minimum(result[inside], self.level["contained"])
            for index in np.flatnonzero(open_pairs & (multi[a] | multi[b])):
                x, y = a[index], b[index]
                if (multi[x] or multi[y]) and set(features.readings[x]) & set(features.readings[y]):
                    result[index] = self.level["equivalent"]
                elif features.word_count[x] != features.word_count[y] and _contained(
                    features.readings[x], features.readings[y]
                ):
                    result[index] = min(result[index], self.level["contained"])
            result[a == b] = self.level["exact"]
            return result

        return _coded_levels(features.coded, ia, ib, per_combination)


def _contained(left: tuple[str, ...], right: tuple[str, ...]) -> bool:
    for reading_left in left:
        words_left = set(reading_left.split())
        for reading_right in right:
            words_right = set(reading_right.split())
            if words_left <= words_right or words_right <= words_left:
                return True
    return False


@dataclass
class SurnameFeatures:
    main: NameFeatures
    main_phonetic: np.ndarray  # per record, shared code space with `cross_phonetic`
    cross_phonetic: np.ndarray


class SurnameComparator(Comparator):
    """exact › phonetic › similar › swapped (first ⇄ second surname) › shares a part › similar › different."""

    def prepare(self, frame: pd.DataFrame) -> SurnameFeatures:
        main = _name_features(encode(column(frame, self.spec.fields[0]), fold_name))
        main_keys = np.array([phonetic_key(value) for value in main.coded.values], dtype=object)
        per_record_main = np.where(
            main.coded.codes >= 0, main_keys[np.maximum(main.coded.codes, 0)] if len(main_keys) else "", ""
        )
        if self.spec.cross_field:
            cross = encode(column(frame, self.spec.cross_field), fold_name)
            cross_keys = np.array([phonetic_key(value) for value in cross.values], dtype=object)
            per_record_cross = np.where(
                cross.codes >= 0, cross_keys[np.maximum(cross.codes, 0)] if len(cross_keys) else "", ""
            )
        else:
            per_record_cross = np.full(len(frame), "", dtype=object)
        both, _ = factorize(np.concatenate([per_record_main, per_record_cross]), empty_is_missing=True)
        return SurnameFeatures(main=main, main_phonetic=both[: len(frame)], cross_phonetic=both[len(frame) :])

    def term_codes(self, features: SurnameFeatures) -> Coded:
        return features.main.coded

    def levels(self, features: SurnameFeatures, ia: np.ndarray, ib: np.ndarray) -> np.ndarray:
        names = features.main
        thresholds = self.spec.thresholds

        def per_combination(a: np.ndarray, b: np.ndarray, _valid: np.ndarray) -> np.ndarray:
            values = names.coded.values
            result = np.full(len(a), self.worst, dtype=np.int8)
            scores = similarities(values[a], values[b])
            self._similar_levels(result, scores, thresholds)
            compound = (names.word_count[a] > 1) | (names.word_count[b] > 1)
            if compound.any():
                left, right = names.words[a[compound]], names.words[b[compound]]
                shared = ((left[:, :, None] == right[:, None, :]) & (left[:, :, None] >= 0)).any(axis=(1, 2))
                rows = np.flatnonzero(compound)[shared]
                result[rows] = np.minimum(result[rows], self.level["shares_part"])
            same_sound = names.phonetic[a] == names.phonetic[b]
            result[same_sound] = np.minimum(result[same_sound], self.level["phonetic"])
            result[a == b] = self.level["exact"]
            return result

        result = _coded_levels(names.coded, ia, ib, per_combination)
        if self.spec.cross_field:
            main_a, main_b = features.main_phonetic[ia], features.main_phonetic[ib]
            cross_a, cross_b = features.cross_phonetic[ia], features.cross_phonetic[ib]
            # A swap is evidence only when both surnames cross (García López ⇄ López García), or one
            # crosses and the other side's surname is missing (López ⇄ García López).
            crossed_ab = (main_a >= 0) & (main_a == cross_b)
            crossed_ba = (cross_a >= 0) & (cross_a == main_b)
            swapped = (crossed_ab & crossed_ba) | (crossed_ab & (cross_a < 0)) | (crossed_ba & (cross_b < 0))
            swapped &= (main_a >= 0) & (main_b >= 0)
            result[swapped] = np.minimum(result[swapped], self.level["swapped"])
        return result


# --- Strings and identifiers ----------------------------------------------------------------------


class StringComparator(Comparator):
    def prepare(self, frame: pd.DataFrame) -> Coded:
        return encode(column(frame, self.spec.fields[0]), fold)

    def term_codes(self, features: Coded) -> Coded:
        return features

    def levels(self, features: Coded, ia: np.ndarray, ib: np.ndarray) -> np.ndarray:
        def per_combination(a: np.ndarray, b: np.ndarray, _valid: np.ndarray) -> np.ndarray:
            result = np.full(len(a), self.worst, dtype=np.int8)
            different = a != b
            scores = np.zeros(len(a))
            scores[different] = similarities(
                features.values[a[different]], features.values[b[different]], self.spec.scorer
            )
            self._similar_levels(result, scores, self.spec.thresholds)
            result[~different] = self.level["exact"]
            return result

        return _coded_levels(features, ia, ib, per_combination)


class IdentifierComparator(Comparator):
    """Document numbers: exact › within N edits (Damerau–Levenshtein: typos and swapped digits)."""

    def prepare(self, frame: pd.DataFrame) -> Coded:
        def normalise(value: str) -> str:
            parts = sorted({fold_identifier(part) for part in value.split("|")} - {""})
            return "|".join(parts)

        return encode(column(frame, self.spec.fields[0]), normalise)

    def term_codes(self, features: Coded) -> Coded:
        return features

    def levels(self, features: Coded, ia: np.ndarray, ib: np.ndarray) -> np.ndarray:
        def per_combination(a: np.ndarray, b: np.ndarray, _valid: np.ndarray) -> np.ndarray:
            left, right = features.values[a], features.values[b]
            distances = np.full(len(a), 99, dtype=np.int64)
            single = np.array(
                ["|" not in x and "|" not in y for x, y in zip(left, right, strict=True)], dtype=bool
            )
            if single.any():
                distances[single] = np.asarray(
                    process.cpdist(
                        list(left[single]),
                        list(right[single]),
                        scorer=DamerauLevenshtein.distance,
                        workers=_workers(int(single.sum())),
                    )
                )
            for index in np.flatnonzero(~single):
                distances[index] = min(
                    DamerauLevenshtein.distance(x, y)
                    for x in left[index].split("|")
                    for y in right[index].split("|")
                )
            result = np.full(len(a), self.worst, dtype=np.int8)
            for threshold in reversed(self.spec.thresholds):
                result[distances <= threshold] = self.level[f"edits_{int(threshold)}"]
            result[distances == 0] = self.level["exact"]
            return result

        return _coded_levels(features, ia, ib, per_combination)


class ExactComparator(Comparator):
    def prepare(self, frame: pd.DataFrame) -> Coded:
        return encode(column(frame, self.spec.fields[0]), _fold_category)

    def term_codes(self, features: Coded) -> Coded:
        return features

    def levels(self, features: Coded, ia: np.ndarray, ib: np.ndarray) -> np.ndarray:
        codes_a, codes_b = features.codes[ia], features.codes[ib]
        result = np.where(codes_a == codes_b, self.level["exact"], self.level["different"]).astype(np.int8)
        result[(codes_a < 0) | (codes_b < 0)] = NULL
        return result


def _fold_category(value: str) -> str:
    folded = fold_compact(value)
    return "" if folded in ("unknown", "desconocido", "nan", "none") else folded


class PlaceComparator(Comparator):
    """fields = (department, municipality): same municipality › same department › different."""

    def prepare(self, frame: pd.DataFrame) -> tuple[Coded, Coded]:
        return (
            encode(column(frame, self.spec.fields[0]), fold_compact),
            encode(column(frame, self.spec.fields[1]), fold_compact),
        )

    def levels(self, features: tuple[Coded, Coded], ia: np.ndarray, ib: np.ndarray) -> np.ndarray:
        department, municipality = features
        dep_a, dep_b = department.codes[ia], department.codes[ib]
        mun_a, mun_b = municipality.codes[ia], municipality.codes[ib]
        result = np.full(len(ia), self.level["different"], dtype=np.int8)
        same_department = dep_a == dep_b
        result[same_department] = self.level["same_department"]
        result[same_department & (mun_a >= 0) & (mun_a == mun_b)] = self.level["same_municipality"]
        result[(dep_a < 0) | (dep_b < 0)] = NULL
        return result


# --- Dates ---------------------------------------------------------------------------------------


@dataclass
class DateFeatures:
    ordinal: np.ndarray  # days since 1970, or a sentinel where missing
    digits: np.ndarray  # "yyyymmdd" for typo distance
    day: np.ndarray
    month: np.ndarray
    estimated: np.ndarray


_MISSING_DAY = np.iinfo(np.int64).min // 4


def _truthy(value: str) -> bool:
    return fold_compact(value) in ("1", "true", "yes", "si", "t", "y", "x", "estimated", "estimada")


class DateComparator(Comparator):
    """exact › typo (one edit or day/month swapped) › estimated and within two years › within N days."""

    def prepare(self, frame: pd.DataFrame) -> DateFeatures:
        raw = column(frame, self.spec.fields[0])
        raw_codes, raw_values = factorize(raw)
        parsed = [parse_birth_date(str(value)) for value in raw_values]
        ordinals = np.array(
            [(date - _EPOCH).days if date else _MISSING_DAY for date, _ in parsed], dtype=np.int64
        )
        digits = np.array([date.strftime("%Y%m%d") if date else "" for date, _ in parsed], dtype=object)
        days = np.array([date.day if date else 0 for date, _ in parsed], dtype=np.int64)
        months = np.array([date.month if date else 0 for date, _ in parsed], dtype=np.int64)
        estimated = np.array([flag for _, flag in parsed], dtype=bool)
        if len(self.spec.fields) > 1:
            flag_codes, flag_values = factorize(column(frame, self.spec.fields[1]))
            truthy = np.array([_truthy(str(value)) for value in flag_values] + [False], dtype=bool)
            flags = truthy[flag_codes]
        else:
            flags = np.zeros(len(frame), dtype=bool)
        safe = np.maximum(raw_codes, 0)
        present = raw_codes >= 0
        take = (
            (lambda values, empty: np.where(present, values[safe], empty))
            if len(raw_values)
            else (lambda values, empty: np.full(len(frame), empty))
        )
        return DateFeatures(
            ordinal=take(ordinals, _MISSING_DAY),
            digits=take(digits, ""),
            day=take(days, 0),
            month=take(months, 0),
            estimated=take(estimated, False) | flags,
        )

    def levels(self, features: DateFeatures, ia: np.ndarray, ib: np.ndarray) -> np.ndarray:
        ord_a, ord_b = features.ordinal[ia], features.ordinal[ib]
        missing = (ord_a == _MISSING_DAY) | (ord_b == _MISSING_DAY)
        gap = np.abs(ord_a - ord_b)
        estimated = features.estimated[ia] | features.estimated[ib]
        result = np.full(len(ia), self.level["different"], dtype=np.int8)
        for threshold in reversed(self.spec.thresholds):
            result[gap <= threshold] = self.level[f"within_{int(threshold)}_days"]
        result[estimated & (gap <= ESTIMATED_CLOSE_DAYS)] = self.level["estimated_close"]
        exact_typed = ~estimated & ~missing
        candidates = np.flatnonzero(exact_typed & (gap > 0))
        if len(candidates):
            distance = np.asarray(
                process.cpdist(
                    list(features.digits[ia[candidates]]),
                    list(features.digits[ib[candidates]]),
                    scorer=DamerauLevenshtein.distance,
                    workers=_workers(len(candidates)),
                )
            )
            swapped = (
                (features.day[ia[candidates]] == features.month[ib[candidates]])
                & (features.month[ia[candidates]] == features.day[ib[candidates]])
                & (np.abs(gap[candidates]) < 366)
            )
            typo = candidates[(distance <= 1) | swapped]
            result[typo] = np.minimum(result[typo], self.level["typo"])
        result[exact_typed & (gap == 0)] = self.level["exact"]
        result[missing] = NULL
        return result


COMPARATORS: dict[ComparisonKind, type[Comparator]] = {
    ComparisonKind.GIVEN_NAME: GivenNameComparator,
    ComparisonKind.SURNAME: SurnameComparator,
    ComparisonKind.STRING: StringComparator,
    ComparisonKind.IDENTIFIER: IdentifierComparator,
    ComparisonKind.DATE: DateComparator,
    ComparisonKind.EXACT: ExactComparator,
    ComparisonKind.PLACE: PlaceComparator,
}


def comparator_for(spec: ComparisonSpec, nicknames: Mapping[str, tuple[str, ...]]) -> Comparator:
    return COMPARATORS[spec.kind](spec, nicknames)
