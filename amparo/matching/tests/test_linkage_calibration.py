"""The calibration map: isotonic regression on the Bayes factor, monotone everywhere, learned at
several registry sizes and interpolated between them, stored in the spec, applied by the matcher to
every probability it gives."""

import json

import numpy as np
import pytest

from amparo.matching.linkage import fellegi_sunter as fs
from amparo.matching.linkage.calibration import (
    Calibration,
    CalibrationMap,
    fit_isotonic,
    pool_adjacent_violators,
)
from amparo.matching.linkage.pipeline import Matcher
from amparo.matching.linkage.specification import SpecError, parse_spec, spec_to_dict
from amparo.matching.services.configuration import DEFAULTS


def test_pool_adjacent_violators_pools_what_breaks_the_order():
    means, starts = pool_adjacent_violators(np.array([1.0, 3.0, 2.0, 4.0, 0.0]), np.ones(5))

    assert means.tolist() == [1.0, 2.25]
    assert starts.tolist() == [0, 1]


def test_pool_adjacent_violators_respects_weights():
    means, starts = pool_adjacent_violators(np.array([0.0, 1.0, 0.5]), np.array([1.0, 1.0, 3.0]))

    assert means.tolist() == [0.0, pytest.approx(0.625)]
    assert starts.tolist() == [0, 1]


def test_an_over_confident_score_is_brought_back_to_what_it_means():
    # True log2 odds are half the score: a model that doubles its evidence, as Fellegi–Sunter
    # does when comparisons are not independent.
    rng = np.random.default_rng(3)
    score = rng.uniform(-12, 12, 60_000)
    is_match = rng.random(len(score)) < fs.probability_from_weight(score / 2)

    fitted = fit_isotonic(score, is_match, prior_weight=0.0)

    for raw in (-6.0, -2.0, 0.0, 2.0, 6.0):
        calibrated = fs.probability_from_weight(fitted.apply(np.array([raw])))[0]
        assert calibrated == pytest.approx(fs.probability_from_weight(raw / 2), abs=0.04)


def test_the_map_is_strictly_increasing_inside_and_beyond_its_knots():
    rng = np.random.default_rng(5)
    score = rng.normal(0, 8, 5_000)
    fitted = fit_isotonic(score, rng.random(5_000) < fs.probability_from_weight(score), prior_weight=-3)

    grid = np.linspace(min(fitted.raw) - 50, max(fitted.raw) + 50, 4_001)
    assert np.all(np.diff(fitted.apply(grid)) > 0)
    # beyond the last knot it follows the raw Bayes factor (slope 1)
    far = fitted.apply(np.array([fitted.raw[-1] + 10.0]))[0]
    assert far == pytest.approx(fitted.calibrated[-1] + 10.0)


def test_the_prior_the_labels_were_scored_with_is_taken_off():
    rng = np.random.default_rng(8)
    score = rng.uniform(-10, 10, 20_000)
    is_match = rng.random(len(score)) < fs.probability_from_weight(score)

    plain = fit_isotonic(score, is_match, prior_weight=0.0)
    shifted = fit_isotonic(score, is_match, prior_weight=-4.0)

    assert np.allclose(np.array(shifted.calibrated) - np.array(plain.calibrated), 4.0, atol=1e-3)


@pytest.mark.parametrize(
    ("scores", "labels"),
    [
        ([1.0] * 200, [True] * 200),  # one kind only
        ([1.0, 2.0], [True, False]),  # too few
        (list(range(100)), [True] * 99),  # mismatched lengths
    ],
)
def test_fitting_refuses_what_cannot_be_learned_from(scores, labels):
    with pytest.raises(ValueError, match=r"."):
        fit_isotonic(scores, labels, prior_weight=0.0)


@pytest.mark.parametrize(
    ("raw", "calibrated"),
    [
        ((1.0,), (1.0,)),
        ((1.0, 2.0), (1.0,)),
        ((2.0, 1.0), (1.0, 2.0)),
        ((1.0, 2.0), (3.0, 3.0)),
        ((1.0, 2.0), (1.0, float("nan"))),
    ],
)
def test_a_map_that_is_not_strictly_increasing_is_refused(raw, calibrated):
    with pytest.raises(ValueError, match=r"."):
        CalibrationMap(raw=raw, calibrated=calibrated)


def _shipped() -> dict:
    return json.loads((DEFAULTS / "person.json").read_text(encoding="utf-8"))


def test_the_shipped_spec_carries_a_calibration_that_round_trips():
    spec = parse_spec(_shipped())

    assert spec.calibration is not None
    assert "seed 13" in spec.calibration_source
    # learned at several sizes, from 10,000 to 1,000,000 persons
    assert spec.calibration.sizes[0] <= 10_000
    assert spec.calibration.sizes[-1] >= 1_000_000
    again = parse_spec(json.loads(json.dumps(spec_to_dict(spec))))
    assert again.calibration == spec.calibration
    assert again.calibration_source == spec.calibration_source


def test_an_invalid_calibration_is_reported_under_its_path():
    definition = {**_shipped(), "calibration": {"raw": [3, 2], "calibrated": [1, 2]}}

    with pytest.raises(SpecError) as error:
        parse_spec(definition)

    assert list(error.value.errors) == ["calibration"]


def test_the_matcher_gives_calibrated_probabilities_and_keeps_the_ranking():
    calibrated = Matcher(parse_spec(_shipped()))
    plain_definition = _shipped()
    plain_definition.pop("calibration")
    plain = Matcher(parse_spec(plain_definition))
    bayes_factor = np.linspace(-10, 60, 200)
    prior = 0.05 / 100_000

    with_map = calibrated.probability(bayes_factor, prior, 100_000)
    without = plain.probability(bayes_factor, prior, 100_000)

    assert np.all(np.diff(with_map) >= 0)
    assert np.argsort(with_map, kind="stable").tolist() == np.argsort(without, kind="stable").tolist()
    # Fellegi–Sunter's middle is over-confident: the map lowers it.
    middle = (without > 0.3) & (without < 0.95)
    assert middle.any()
    assert np.all(with_map[middle] < without[middle])
    assert np.allclose(
        with_map,
        fs.probability_from_weight(calibrated.calibration.apply(bayes_factor, 100_000) + fs.logit2(prior)),
    )


SMALL = CalibrationMap(raw=(0.0, 10.0, 20.0), calibrated=(-4.0, 2.0, 18.0))
LARGE = CalibrationMap(raw=(5.0, 15.0), calibrated=(5.0, 17.0))


def test_maps_learned_at_two_sizes_are_blended_in_log_size():
    calibration = Calibration(maps=(SMALL, LARGE), sizes=(10_000, 1_000_000))
    grid = np.linspace(-40, 60, 3_001)

    # at (and beyond) the sizes they were learned at, the maps themselves
    assert np.allclose(calibration.apply(grid, 10_000), SMALL.apply(grid))
    assert np.allclose(calibration.apply(grid, 2_000), SMALL.apply(grid))
    assert np.allclose(calibration.apply(grid, 1_000_000), LARGE.apply(grid))
    assert np.allclose(calibration.apply(grid, 50_000_000), LARGE.apply(grid))
    # halfway in log(size): halfway between them, still strictly increasing
    middle = calibration.apply(grid, 100_000)
    assert np.allclose(middle, (SMALL.apply(grid) + LARGE.apply(grid)) / 2)
    assert np.all(np.diff(middle) > 0)
    quarter = calibration.apply(grid, 10_000 * 10**0.5)
    assert np.allclose(quarter, 0.75 * SMALL.apply(grid) + 0.25 * LARGE.apply(grid))


def test_one_map_serves_every_size_but_several_need_the_size():
    assert np.allclose(Calibration(maps=(SMALL,)).apply(np.array([3.0])), SMALL.apply(np.array([3.0])))
    with pytest.raises(ValueError, match="size"):
        Calibration(maps=(SMALL, LARGE), sizes=(10_000, 1_000_000)).apply(np.array([3.0]))


@pytest.mark.parametrize(
    "by_size",
    [
        [
            {"records": 1_000_000, "raw": [0, 1], "calibrated": [0, 1]},
            {"records": 10, "raw": [0, 1], "calibrated": [0, 1]},
        ],
        [{"records": 0, "raw": [0, 1], "calibrated": [0, 1]}],
        [{"records": 100, "raw": [1, 0], "calibrated": [0, 1]}],
        "not a list",
    ],
)
def test_an_invalid_calibration_by_size_is_reported(by_size):
    definition = {**_shipped(), "calibration": {"by_size": by_size}}

    with pytest.raises(SpecError) as error:
        parse_spec(definition)

    assert list(error.value.errors) == ["calibration"]


def test_a_calibration_by_size_round_trips_and_a_single_map_still_reads():
    single = {**_shipped(), "calibration": {"raw": [0, 10], "calibrated": [-2, 7], "source": "old"}}
    spec = parse_spec(single)

    assert spec.calibration == Calibration(maps=(CalibrationMap(raw=(0.0, 10.0), calibrated=(-2.0, 7.0)),))
    assert spec_to_dict(spec)["calibration"] == {
        "method": "isotonic",
        "source": "old",
        **single["calibration"],
    }
    sized = parse_spec(_shipped())
    assert spec_to_dict(sized)["calibration"]["by_size"][0]["records"] == sized.calibration.sizes[0]
