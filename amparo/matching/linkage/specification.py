"""The typed schema of a matcher: which fields take part, how each is compared (levels and
thresholds), blocking rules, Fellegi–Sunter parameters and decision thresholds.

Administrators edit it as data (JSON in `matching.MatcherConfig`, a form in the UI); `parse_spec`
validates a dict into these frozen dataclasses and reports every problem with its path.
"""

import math
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from typing import Any

from amparo.matching.linkage.calibration import Calibration, CalibrationMap


class ComparisonKind(StrEnum):
    GIVEN_NAME = "given_name"
    SURNAME = "surname"
    STRING = "string"
    IDENTIFIER = "identifier"
    DATE = "date"
    EXACT = "exact"
    PLACE = "place"


class Scorer(StrEnum):
    JARO_WINKLER = "jaro_winkler"
    LEVENSHTEIN = "levenshtein"
    TOKEN_SET = "token_set"  # noqa: S105 - a scorer name, not a secret


DEFAULT_THRESHOLDS: dict[ComparisonKind, tuple[float, ...]] = {
    ComparisonKind.GIVEN_NAME: (0.92, 0.80),
    ComparisonKind.SURNAME: (0.94, 0.84),
    ComparisonKind.STRING: (0.92, 0.80),
    ComparisonKind.IDENTIFIER: (1, 2),
    ComparisonKind.DATE: (365, 1095),
    ComparisonKind.EXACT: (),
    ComparisonKind.PLACE: (),
}
FIELD_COUNT: dict[ComparisonKind, tuple[int, int]] = {
    ComparisonKind.PLACE: (2, 2),
    ComparisonKind.DATE: (1, 2),
}
BLOCKING_FUNCTIONS = {
    "exact": 1,
    "name": 1,
    "phonetic": 1,
    "first_phonetic": 1,
    "tokens_phonetic": None,
    "phonetic_set": None,
    "year": 1,
    "date": 1,
    "prefix": 2,
    "initial": 1,
}
_EXPRESSION = re.compile(r"^(?P<function>[a-z_]+)\((?P<arguments>[^()]*)\)$")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True)
class ComparisonSpec:
    name: str
    kind: ComparisonKind
    fields: tuple[str, ...]
    cross_field: str = ""
    thresholds: tuple[float, ...] = ()
    scorer: Scorer = Scorer.JARO_WINKLER
    term_frequency: bool = False
    m: tuple[float, ...] | None = None
    u: tuple[float, ...] | None = None
    u_family: tuple[float, ...] | None = None

    @property
    def source_fields(self) -> tuple[str, ...]:
        return (*self.fields, self.cross_field) if self.cross_field else self.fields

    @property
    def level_codes(self) -> tuple[str, ...]:
        """The comparison's levels, best first (a missing value is the separate "null" level)."""
        low = self.thresholds
        match self.kind:
            case ComparisonKind.GIVEN_NAME:
                return (
                    "exact",
                    "equivalent",
                    "contained",
                    "phonetic",
                    *(f"similar_{_pct(t)}" for t in low),
                    "different",
                )
            case ComparisonKind.SURNAME:
                swapped = ("swapped",) if self.cross_field else ()
                return (
                    "exact",
                    "phonetic",
                    *(f"similar_{_pct(t)}" for t in low[:1]),
                    *swapped,
                    "shares_part",
                    *(f"similar_{_pct(t)}" for t in low[1:]),
                    "different",
                )
            case ComparisonKind.STRING:
                return ("exact", *(f"similar_{_pct(t)}" for t in low), "different")
            case ComparisonKind.IDENTIFIER:
                return ("exact", *(f"edits_{int(t)}" for t in low), "different")
            case ComparisonKind.DATE:
                return (
                    "exact",
                    "typo",
                    "estimated_close",
                    *(f"within_{int(t)}_days" for t in low),
                    "different",
                )
            case ComparisonKind.PLACE:
                return ("same_municipality", "same_department", "different")
            case _:
                return ("exact", "different")


def _pct(threshold: float) -> int:
    return round(threshold * 100)


@dataclass(frozen=True)
class MatcherSpec:
    record_type: str
    comparisons: tuple[ComparisonSpec, ...]
    blocking_rules: tuple[tuple[str, ...], ...]
    training_blocking_rules: tuple[tuple[str, ...], ...] = ()
    review_threshold: float = 0.5
    display_threshold: float = 0.2
    matches_per_record: float = 0.05
    max_block_size: int = 2000
    learn_with_em: bool = True
    nicknames: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Non-matches that agree on these comparisons (both surnames: relatives) agree on other
    # fields far more often than random pairs; their u is learned separately (`u_family`).
    family_comparisons: tuple[str, ...] = ()
    family_rule: tuple[str, ...] = ()
    # Monotone maps of the Bayes factor learned on labelled pairs, one or one per registry size
    # (linkage/calibration.py), and what they were learned on; None: Fellegi–Sunter's own.
    calibration: Calibration | None = None
    calibration_source: str = ""

    def comparison(self, name: str) -> ComparisonSpec:
        return next(item for item in self.comparisons if item.name == name)

    @property
    def fields(self) -> tuple[str, ...]:
        names: dict[str, None] = {}
        for comparison in self.comparisons:
            names.update(dict.fromkeys(comparison.source_fields))
        for rule in (*self.blocking_rules, *self.training_blocking_rules):
            for expression in rule:
                names.update(dict.fromkeys(parse_expression(expression)[1]))
        return tuple(name for name in names if not name.isdigit())

    def with_parameters(
        self,
        parameters: Mapping[str, Mapping[str, tuple[float, ...] | None]],
        matches_per_record: float | None = None,
    ) -> "MatcherSpec":
        """A copy with learned m / u / u_family per comparison (and prior)."""
        comparisons = tuple(
            replace(item, **_learned(parameters[item.name])) if item.name in parameters else item
            for item in self.comparisons
        )
        return replace(
            self,
            comparisons=comparisons,
            matches_per_record=self.matches_per_record if matches_per_record is None else matches_per_record,
        )


def _learned(values: Mapping[str, tuple[float, ...] | None]) -> dict[str, Any]:
    return {key: None if value is None else tuple(value) for key, value in values.items()}


class SpecError(ValueError):
    """The definition is invalid; `errors` maps a path ("comparisons.2.thresholds") to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{path}: {', '.join(messages)}" for path, messages in errors.items()))
        self.errors = errors


def parse_expression(expression: str) -> tuple[str, tuple[str, ...]]:
    match = _EXPRESSION.match(expression.replace(" ", ""))
    if not match:
        raise ValueError(f"not a blocking expression: {expression!r}")
    arguments = tuple(part for part in match.group("arguments").split(",") if part)
    return match.group("function"), arguments


class _Errors:
    def __init__(self) -> None:
        self.found: dict[str, list[str]] = {}

    def add(self, path: str, message: str) -> None:
        self.found.setdefault(path, []).append(message)


def _probabilities(value: Any, count: int, path: str, errors: _Errors) -> tuple[float, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list | tuple) or len(value) != count:
        errors.add(path, f"must be a list of {count} probabilities, one per level")
        return None
    try:
        numbers = tuple(float(item) for item in value)
    except (TypeError, ValueError):
        errors.add(path, "must be numbers")
        return None
    if any(not 0 < number <= 1 or math.isnan(number) for number in numbers):
        errors.add(path, "each probability must be above 0 and at most 1")
        return None
    return numbers


def _comparison(raw: Any, path: str, errors: _Errors) -> ComparisonSpec | None:
    if not isinstance(raw, dict):
        errors.add(path, "must be an object")
        return None
    name = str(raw.get("name", ""))
    if not _NAME.match(name):
        errors.add(f"{path}.name", "lower-case letters, digits and _ only")
    try:
        kind = ComparisonKind(str(raw.get("kind")))
    except ValueError:
        errors.add(f"{path}.kind", f"one of {', '.join(ComparisonKind)}")
        return None
    fields = raw.get("fields") or ([raw["field"]] if raw.get("field") else [])
    low, high = FIELD_COUNT.get(kind, (1, 1))
    if (
        not isinstance(fields, list | tuple)
        or not low <= len(fields) <= high
        or not all(isinstance(item, str) and _NAME.match(item) for item in fields)
    ):
        errors.add(f"{path}.fields", f"{low}–{high} field names" if low != high else f"{low} field name(s)")
        return None
    cross_field = str(raw.get("cross_field") or "")
    if cross_field and (kind != ComparisonKind.SURNAME or not _NAME.match(cross_field)):
        errors.add(f"{path}.cross_field", "only surname comparisons take a cross field")
    thresholds_raw = raw.get("thresholds")
    thresholds = DEFAULT_THRESHOLDS[kind] if thresholds_raw is None else thresholds_raw
    try:
        thresholds = tuple(float(item) for item in thresholds)
    except (TypeError, ValueError):
        errors.add(f"{path}.thresholds", "must be a list of numbers")
        return None
    if kind in (ComparisonKind.GIVEN_NAME, ComparisonKind.SURNAME, ComparisonKind.STRING):
        if any(not 0 < item < 1 for item in thresholds) or list(thresholds) != sorted(
            thresholds, reverse=True
        ):
            errors.add(f"{path}.thresholds", "similarities between 0 and 1, highest first")
        if kind == ComparisonKind.SURNAME and not thresholds:
            errors.add(f"{path}.thresholds", "at least one similarity")
    elif kind in (ComparisonKind.IDENTIFIER, ComparisonKind.DATE):
        if any(item < 1 or item != int(item) for item in thresholds) or list(thresholds) != sorted(
            thresholds
        ):
            errors.add(f"{path}.thresholds", "whole numbers of at least 1, smallest first")
    elif thresholds:
        errors.add(f"{path}.thresholds", "this kind takes no thresholds")
    try:
        scorer = Scorer(raw.get("scorer") or Scorer.JARO_WINKLER)
    except ValueError:
        errors.add(f"{path}.scorer", f"one of {', '.join(Scorer)}")
        return None
    spec = ComparisonSpec(
        name=name,
        kind=kind,
        fields=tuple(fields),
        cross_field=cross_field,
        thresholds=thresholds,
        scorer=scorer,
        term_frequency=bool(raw.get("term_frequency")),
    )
    levels = len(spec.level_codes)
    m = _probabilities(raw.get("m"), levels, f"{path}.m", errors)
    u = _probabilities(raw.get("u"), levels, f"{path}.u", errors)
    u_family = _probabilities(raw.get("u_family"), levels, f"{path}.u_family", errors)
    return replace(spec, m=m, u=u, u_family=u_family)


def _rules(raw: Any, path: str, errors: _Errors) -> tuple[tuple[str, ...], ...]:
    if not isinstance(raw, list | tuple):
        errors.add(path, "must be a list of rules")
        return ()
    rules = []
    for index, rule in enumerate(raw):
        expressions = rule if isinstance(rule, list | tuple) else [rule]
        for expression in expressions:
            try:
                function, arguments = parse_expression(str(expression))
            except ValueError:
                errors.add(f"{path}.{index}", f"cannot read {expression!r}")
                continue
            arity = BLOCKING_FUNCTIONS.get(function, -1)
            if arity == -1:
                errors.add(
                    f"{path}.{index}", f"unknown function {function}; use {', '.join(BLOCKING_FUNCTIONS)}"
                )
            elif (arity is not None and len(arguments) != arity) or not arguments:
                errors.add(f"{path}.{index}", f"{function} takes {arity or 'one or more'} argument(s)")
        rules.append(tuple(str(expression).replace(" ", "") for expression in expressions))
    return tuple(rules)


def _number(
    raw: Mapping[str, Any], key: str, default: float, low: float, high: float, errors: _Errors
) -> float:
    try:
        value = float(raw.get(key, default))
    except (TypeError, ValueError):
        errors.add(key, "must be a number")
        return default
    if not low <= value <= high:
        errors.add(key, f"between {low} and {high}")
    return value


def _calibration_map(raw: Mapping[str, Any]) -> CalibrationMap:
    return CalibrationMap(
        raw=tuple(float(value) for value in raw.get("raw") or ()),
        calibrated=tuple(float(value) for value in raw.get("calibrated") or ()),
    )


def _calibration(raw: Any, errors: _Errors) -> Calibration | None:
    """`{"raw": [...], "calibrated": [...]}` (one map for every size) or
    `{"by_size": [{"records": n, "raw": [...], "calibrated": [...]}, ...]}` (sizes increasing)."""
    if raw in (None, {}):
        return None
    if not isinstance(raw, dict):
        errors.add("calibration", "an object with the lists raw and calibrated, or by_size")
        return None
    try:
        if "by_size" in raw:
            entries = raw["by_size"]
            if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
                raise ValueError("by_size: a list of objects with records, raw and calibrated")
            return Calibration(
                maps=tuple(_calibration_map(entry) for entry in entries),
                sizes=tuple(int(entry.get("records") or 0) for entry in entries),
            )
        return Calibration(maps=(_calibration_map(raw),))
    except (TypeError, ValueError) as error:
        errors.add("calibration", str(error))
        return None


def calibration_to_dict(calibration: Calibration, source: str) -> dict[str, Any]:
    """The JSON form of a calibration (round-trips through `parse_spec`)."""
    data: dict[str, Any] = {"method": "isotonic", "source": source}
    if not calibration.sizes:
        data["raw"] = list(calibration.maps[0].raw)
        data["calibrated"] = list(calibration.maps[0].calibrated)
        return data
    data["by_size"] = [
        {"records": size, "raw": list(item.raw), "calibrated": list(item.calibrated)}
        for size, item in zip(calibration.sizes, calibration.maps, strict=True)
    ]
    return data


def parse_spec(raw: Mapping[str, Any]) -> MatcherSpec:
    """Validate a matcher definition (a dict from JSON) into a `MatcherSpec`, or raise SpecError."""
    errors = _Errors()
    comparisons_raw = raw.get("comparisons")
    if not isinstance(comparisons_raw, list) or not comparisons_raw:
        errors.add("comparisons", "at least one comparison")
        comparisons_raw = []
    comparisons = tuple(
        parsed
        for index, item in enumerate(comparisons_raw)
        if (parsed := _comparison(item, f"comparisons.{index}", errors)) is not None
    )
    names = [item.name for item in comparisons]
    for name in {name for name in names if names.count(name) > 1}:
        errors.add("comparisons", f"duplicate comparison name {name}")
    blocking_rules = _rules(raw.get("blocking_rules"), "blocking_rules", errors)
    if not blocking_rules:
        errors.add("blocking_rules", "at least one blocking rule")
    training = _rules(raw.get("training_blocking_rules") or [], "training_blocking_rules", errors)
    review = _number(raw, "review_threshold", 0.5, 0.01, 0.999, errors)
    display = _number(raw, "display_threshold", 0.2, 0.001, 0.999, errors)
    if display > review:
        errors.add("display_threshold", "cannot be above the review threshold")
    nicknames_raw = raw.get("nicknames") or {}
    nicknames: dict[str, tuple[str, ...]] = {}
    if not isinstance(nicknames_raw, dict):
        errors.add("nicknames", "an object: nickname → list of names")
    else:
        for nickname, names_for in nicknames_raw.items():
            values = names_for if isinstance(names_for, list | tuple) else [names_for]
            nicknames[str(nickname)] = tuple(str(value) for value in values if str(value).strip())
    family = tuple(str(name) for name in raw.get("family_comparisons") or ())
    for name in family:
        if name not in names:
            errors.add("family_comparisons", f"no comparison named {name}")
    family_rule = _rules([raw.get("family_rule") or []], "family_rule", errors)[0] if family else ()
    if family and not family_rule:
        errors.add("family_rule", "a blocking rule that gathers relatives, e.g. both surnames")
    calibration = _calibration(raw.get("calibration"), errors)
    spec = MatcherSpec(
        record_type=str(raw.get("record_type") or "person"),
        comparisons=comparisons,
        blocking_rules=blocking_rules,
        training_blocking_rules=training,
        review_threshold=review,
        display_threshold=display,
        matches_per_record=_number(raw, "matches_per_record", 0.05, 1e-6, 10, errors),
        max_block_size=int(_number(raw, "max_block_size", 2000, 10, 100_000, errors)),
        learn_with_em=bool(raw.get("learn_with_em", True)),
        nicknames=nicknames,
        family_comparisons=family,
        family_rule=family_rule,
        calibration=calibration,
        calibration_source=str((raw.get("calibration") or {}).get("source", ""))[:300]
        if isinstance(raw.get("calibration"), dict)
        else "",
    )
    if errors.found:
        raise SpecError(errors.found)
    return spec


def spec_to_dict(spec: MatcherSpec) -> dict[str, Any]:
    """The JSON form of a spec (round-trips through `parse_spec`)."""
    data = asdict(spec)
    data["comparisons"] = [
        {key: value for key, value in item.items() if value not in (None, "", False) or key == "thresholds"}
        for item in data["comparisons"]
    ]
    for item in data["comparisons"]:
        for key, value in list(item.items()):
            if isinstance(value, tuple):
                item[key] = list(value)
        item["kind"] = str(item["kind"])
        if item.get("scorer") == Scorer.JARO_WINKLER:
            item.pop("scorer")
        else:
            item["scorer"] = str(item.get("scorer", ""))
    data["blocking_rules"] = [list(rule) for rule in spec.blocking_rules]
    data["training_blocking_rules"] = [list(rule) for rule in spec.training_blocking_rules]
    data["nicknames"] = {key: list(value) for key, value in spec.nicknames.items()}
    data["family_comparisons"] = list(spec.family_comparisons)
    data["family_rule"] = list(spec.family_rule)
    data.pop("calibration_source")
    data.pop("calibration")
    if spec.calibration is not None:
        data["calibration"] = calibration_to_dict(spec.calibration, spec.calibration_source)
    return data
