"""Calibration: a monotone map that makes a probability mean what it says.

Fellegi–Sunter assumes the comparisons are independent given match status; they are not (a
misspelt given name often comes with a misspelt surname, relatives agree on many fields at
once), so its probabilities are over-confident in the middle. The field's remedy is a monotone
map learned on labelled pairs: isotonic regression (pool-adjacent-violators) of "is a match" on
the score. Ranking never changes; only the numbers shown do.

The map is learned on the **log2 Bayes factor** — the match weight without the prior — and gives
a calibrated Bayes factor. The prior is added afterwards, so one map serves a registry of any
size and a prior learned on other data (a change of prior is a label shift, which the Bayes
factor does not depend on):

    calibrated weight = map(match weight − logit2(prior)) + logit2(prior)

Between knots the map is linear; beyond the first and last knot it follows the raw Bayes factor
with the offset of that knot (slope 1), so it is strictly increasing everywhere.

How far Fellegi–Sunter's Bayes factors are from the truth depends on the number of records each
record is compared with, beyond the prior: a map learned on 100,000 persons over-corrects on
1,000,000 (the weights learned by EM, the term frequencies and the mix of namesakes, relatives
and duplicates among the candidate pairs all change with the size). So a `Calibration` holds maps
learned at several sizes and, for a registry of n records, interpolates between the two nearest
in log(n) (beyond the smallest or largest, that map). A convex combination of strictly increasing
maps is strictly increasing: the ranking of pairs never changes.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

MIN_PAIRS_PER_BIN = 40


@dataclass(frozen=True)
class CalibrationMap:
    """Knots (raw log2 Bayes factor → calibrated log2 Bayes factor), both strictly increasing."""

    raw: tuple[float, ...]
    calibrated: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.raw) != len(self.calibrated) or len(self.raw) < 2:
            raise ValueError("a calibration needs at least two knots, as many raw as calibrated values")
        if not np.all(np.isfinite([*self.raw, *self.calibrated])):
            raise ValueError("calibration knots must be finite numbers")
        if any(b <= a for a, b in zip(self.raw, self.raw[1:], strict=False)) or any(
            b <= a for a, b in zip(self.calibrated, self.calibrated[1:], strict=False)
        ):
            raise ValueError("calibration knots must be strictly increasing")

    def apply(self, bayes_factor: np.ndarray) -> np.ndarray:
        x = np.asarray(bayes_factor, dtype=np.float64)
        raw, calibrated = np.array(self.raw), np.array(self.calibrated)
        result = np.interp(x, raw, calibrated)
        low, high = x < raw[0], x > raw[-1]
        result[low] = x[low] + (calibrated[0] - raw[0])
        result[high] = x[high] + (calibrated[-1] - raw[-1])
        return result


@dataclass(frozen=True)
class Calibration:
    """One map for every size (`sizes` empty), or maps learned at `sizes` (records, increasing)."""

    maps: tuple[CalibrationMap, ...]
    sizes: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if not self.maps:
            raise ValueError("a calibration needs at least one map")
        if self.sizes:
            if len(self.sizes) != len(self.maps):
                raise ValueError("one size per map")
            if any(size < 2 for size in self.sizes) or any(
                b <= a for a, b in zip(self.sizes, self.sizes[1:], strict=False)
            ):
                raise ValueError("sizes must be increasing numbers of records (2 or more)")
        elif len(self.maps) > 1:
            raise ValueError("several maps need the size each was learned at")

    def at(self, size: float | None) -> CalibrationMap:
        """The map for a registry of `size` records (records each record is compared with)."""
        if len(self.maps) == 1:
            return self.maps[0]
        if size is None:
            raise ValueError("this calibration depends on the registry's size: give it")
        position = float(np.log(max(size, 2.0)))
        logs = np.log(np.array(self.sizes, dtype=np.float64))
        if position <= logs[0]:
            return self.maps[0]
        if position >= logs[-1]:
            return self.maps[-1]
        upper = int(np.searchsorted(logs, position, side="right"))
        lower = upper - 1
        share = (position - logs[lower]) / (logs[upper] - logs[lower])
        first, second = self.maps[lower], self.maps[upper]
        # Both maps are piecewise linear with slope 1 beyond their knots: their blend is piecewise
        # linear with knots at the union, slope 1 beyond it.
        raw = np.union1d(first.raw, second.raw)
        values = (1 - share) * first.apply(raw) + share * second.apply(raw)
        return CalibrationMap(raw=tuple(float(x) for x in raw), calibrated=tuple(float(y) for y in values))

    def apply(self, bayes_factor: np.ndarray, size: float | None = None) -> np.ndarray:
        return self.at(size).apply(bayes_factor)


def pool_adjacent_violators(values: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted isotonic (non-decreasing) fit of `values` in their order: per block, its mean and
    the slice of input positions it pools (as block start indices)."""
    means: list[float] = []
    totals: list[float] = []
    starts: list[int] = []
    for index, (value, weight) in enumerate(zip(values, weights, strict=True)):
        means.append(float(value))
        totals.append(float(weight))
        starts.append(index)
        while len(means) > 1 and means[-2] >= means[-1]:
            weight_sum = totals[-2] + totals[-1]
            merged = (means[-2] * totals[-2] + means[-1] * totals[-1]) / weight_sum
            means[-2:] = [merged]
            totals[-2:] = [weight_sum]
            starts.pop()
    return np.array(means), np.array(starts, dtype=np.int64)


def _logit2(probability: np.ndarray) -> np.ndarray:
    return np.log2(probability / (1.0 - probability))


def fit_isotonic(
    bayes_factor: Sequence[float] | np.ndarray,
    is_match: Sequence[bool] | np.ndarray,
    *,
    prior_weight: float,
    min_pairs_per_bin: int = MIN_PAIRS_PER_BIN,
) -> CalibrationMap:
    """Fit the map on labelled pairs: their raw log2 Bayes factors, whether each is a true match,
    and `prior_weight` = logit2 of the prior their scores were computed with.

    Pairs are sorted by score and grouped in bins of at least `min_pairs_per_bin` (ties kept
    together), PAV pools the bins into increasing blocks, each block's match rate is smoothed
    ((k + ½) / (n + 1): never 0 or 1) and becomes one knot at the block's mean score.
    """
    x = np.asarray(bayes_factor, dtype=np.float64)
    y = np.asarray(is_match, dtype=np.float64)
    if len(x) != len(y):
        raise ValueError("as many labels as scores are needed")
    if len(x) < 2 * min_pairs_per_bin or y.sum() < 1 or y.sum() > len(y) - 1:
        raise ValueError("too few labelled pairs, or only one kind (matches and non-matches are both needed)")
    order = np.argsort(x, kind="stable")
    x, y = x[order], y[order]
    # Bins of roughly equal count, never splitting identical scores.
    edges = [0]
    while edges[-1] < len(x):
        stop = min(edges[-1] + min_pairs_per_bin, len(x))
        while stop < len(x) and x[stop] == x[stop - 1]:
            stop += 1
        if len(x) - stop < min_pairs_per_bin:
            stop = len(x)
        edges.append(stop)
    bounds = np.array(edges)
    counts = np.diff(bounds).astype(np.float64)
    positives = np.add.reduceat(y, bounds[:-1])
    score_sums = np.add.reduceat(x, bounds[:-1])
    _means, starts = pool_adjacent_violators(positives / counts, counts)
    block_n = np.add.reduceat(counts, starts)
    block_k = np.add.reduceat(positives, starts)
    block_x = np.add.reduceat(score_sums, starts) / block_n
    rate = (block_k + 0.5) / (block_n + 1.0)
    calibrated = _logit2(rate) - prior_weight
    # Smoothing can undo strict order between neighbouring blocks by a hair: keep it strict.
    calibrated = np.maximum.accumulate(calibrated)
    if len(block_x) < 2:
        raise ValueError("the labels do not depend on the score: no calibration can be learned")
    return CalibrationMap(
        raw=tuple(round(float(value), 6) for value in block_x),
        calibrated=tuple(round(float(value) + 1e-5 * index, 6) for index, value in enumerate(calibrated)),
    )
