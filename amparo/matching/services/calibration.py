"""Refit the calibration map from reviewers' decisions, or put the shipped one back.

Confirmed pairs are matches, rejected pairs non-matches (postponed and pending ones are left out);
isotonic regression of that label on each pair's log2 Bayes factor gives the map
(`linkage/calibration.py`). Reviewers only see pairs above the review threshold, so the decisions
calibrate that range: below and above it the current map (at the registry's size) is kept, joined so
the whole map stays strictly increasing. The refit is one map, for the registry's size when it was
made (the shipped calibration has maps for several sizes). The result is a new configuration version
(audited, like every change).
"""

from typing import Any

import numpy as np
from django.utils import timezone

from amparo.accounts.models import User
from amparo.common.errors import ApplicationError
from amparo.matching import errors
from amparo.matching.choices import PairStatus, RecordType
from amparo.matching.linkage.calibration import Calibration, CalibrationMap, fit_isotonic
from amparo.matching.linkage.specification import calibration_to_dict, parse_spec
from amparo.matching.models import CandidatePair, MatcherConfig
from amparo.matching.services.configuration import (
    default_definition,
    matcher_config_get,
    matcher_config_update,
)
from amparo.matching.services.keys import persons_keyed

MIN_DECISIONS = 200
MIN_EACH = 30
PAIRS_PER_BIN = 10


def decided_pairs() -> tuple[list[float], list[bool], float]:
    """(log2 Bayes factor, is a match) of every confirmed or rejected pair that has a Bayes factor,
    and logit2 of the prior they were scored with (their weight minus their Bayes factor; the
    median, should the registry's size have changed between searches)."""
    rows = list(
        CandidatePair.objects.filter(
            status__in=[PairStatus.CONFIRMED, PairStatus.REJECTED], bayes_factor__isnull=False
        ).values_list("bayes_factor", "match_weight", "status")
    )
    prior_weight = float(np.median([weight - value for value, weight, _status in rows])) if rows else 0.0
    return (
        [float(value) for value, _weight, _status in rows],
        [status == PairStatus.CONFIRMED for _value, _weight, status in rows],
        prior_weight,
    )


def joined(inside: CalibrationMap, outside: CalibrationMap | None) -> CalibrationMap:
    """`inside` over its range; `outside`'s knots beyond it where they keep the map increasing."""
    if outside is None:
        return inside
    below = [
        (raw, value)
        for raw, value in zip(outside.raw, outside.calibrated, strict=True)
        if raw < inside.raw[0] and value < inside.calibrated[0]
    ]
    above = [
        (raw, value)
        for raw, value in zip(outside.raw, outside.calibrated, strict=True)
        if raw > inside.raw[-1] and value > inside.calibrated[-1]
    ]
    knots = [*below, *zip(inside.raw, inside.calibrated, strict=True), *above]
    return CalibrationMap(raw=tuple(raw for raw, _ in knots), calibrated=tuple(value for _, value in knots))


def matcher_calibration_refit(
    *,
    actor: User | None,
    record_type: str = RecordType.PERSON,
    min_decisions: int = MIN_DECISIONS,
    min_each: int = MIN_EACH,
) -> MatcherConfig:
    """Learn the calibration from reviewers' decisions and store it as a new configuration version."""
    scores, labels, prior_weight = decided_pairs()
    confirmed = sum(labels)
    rejected = len(labels) - confirmed
    if len(labels) < min_decisions or confirmed < min_each or rejected < min_each:
        counts = {"decided": len(labels), "confirmed": confirmed, "rejected": rejected}
        raise ApplicationError(
            str(errors.NOT_ENOUGH_DECISIONS_MESSAGE) % {**counts, "needed": min_decisions, "each": min_each},
            code=errors.MatchingErrorCode.NOT_ENOUGH_DECISIONS,
            extra=counts,
        )
    config = matcher_config_get(record_type=record_type)
    spec = parse_spec(config.definition)
    # The share of matches among reviewed pairs is a posterior under the registry's prior; the map
    # is of the Bayes factor, so that prior comes off.
    fitted = fit_isotonic(scores, labels, prior_weight=prior_weight, min_pairs_per_bin=PAIRS_PER_BIN)
    current = spec.calibration.at(persons_keyed()) if spec.calibration is not None else None
    calibration = joined(fitted, current)
    definition = _with_calibration(
        config.definition,
        calibration,
        f"{len(labels)} reviewers' decisions ({confirmed} confirmed, {rejected} rejected), "
        f"isotonic regression, {timezone.localdate():%d/%m/%Y}",
    )
    return matcher_config_update(
        actor=actor,
        record_type=record_type,
        definition=definition,
        expected_version=config.version,
        note="calibration refitted from reviewers' decisions",
    )


def matcher_calibration_reset(*, actor: User | None, record_type: str = RecordType.PERSON) -> MatcherConfig:
    """Put back the calibration shipped with Amparo (e.g. in a configuration made before it existed)."""
    config = matcher_config_get(record_type=record_type)
    shipped = default_definition(record_type).get("calibration")
    definition = {key: value for key, value in config.definition.items() if key != "calibration"}
    if shipped:
        definition["calibration"] = shipped
    return matcher_config_update(
        actor=actor,
        record_type=record_type,
        definition=definition,
        expected_version=config.version,
        note="shipped calibration restored",
    )


def _with_calibration(definition: dict[str, Any], calibration: CalibrationMap, source: str) -> dict[str, Any]:
    return {**definition, "calibration": calibration_to_dict(Calibration(maps=(calibration,)), source)}
