"""The Fellegi–Sunter model: per comparison level, m = P(level | match) and u = P(level | non-match);
a pair's match weight is log2 of the prior odds plus the sum of log2(m/u) over its comparisons.

Training follows the field's standard recipe (as in Splink): u from randomly sampled pairs
(almost all non-matches), m by expectation–maximisation over blocked pairs with u held fixed —
one session per training blocking rule, leaving out the comparisons that rule fixes — and the
prior so that the expected number of matches among all pairs equals the sum of the blocked
pairs' match probabilities.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

PROBABILITY_FLOOR = 1e-7


@dataclass
class LevelParameters:
    m: np.ndarray
    u: np.ndarray
    u_family: np.ndarray | None = None

    def log2_factors(self, *, family: bool = False) -> np.ndarray:
        u = self.u_family if family and self.u_family is not None else self.u
        return np.log2(np.maximum(self.m, PROBABILITY_FLOOR) / np.maximum(u, PROBABILITY_FLOOR))


def default_m(levels: int) -> np.ndarray:
    """A starting m: most matches at the best level, geometrically fewer below."""
    values = 0.3 ** np.arange(levels, dtype=np.float64)
    return values / values.sum()


def default_u(levels: int) -> np.ndarray:
    values = 3.0 ** np.arange(levels, dtype=np.float64)
    return values / values.sum()


def logit2(probability: float) -> float:
    probability = min(max(probability, 1e-300), 1 - 1e-12)
    return float(np.log2(probability / (1 - probability)))


def probability_from_weight(weight: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp2(-np.clip(weight, -200, 200)))


def factor_matrix(
    gamma: np.ndarray, parameters: Sequence[LevelParameters], family: np.ndarray | None = None
) -> np.ndarray:
    """Per pair and comparison, log2(m/u) of the pair's level (0 where a value is missing);
    rows flagged in `family` use the comparison's `u_family` where it has one."""
    factors = np.zeros(gamma.shape, dtype=np.float64)
    for index, level_parameters in enumerate(parameters):
        levels = gamma[:, index]
        present = levels >= 0
        factors[present, index] = level_parameters.log2_factors()[levels[present]]
        if family is not None and level_parameters.u_family is not None:
            rows = present & family
            factors[rows, index] = level_parameters.log2_factors(family=True)[levels[rows]]
    return factors


def weighted_level_shares(levels: np.ndarray, weights: np.ndarray, count: int) -> np.ndarray:
    present = levels >= 0
    totals = np.bincount(levels[present], weights=weights[present], minlength=count) + 0.5
    return totals / totals.sum()


def estimate_u(gamma_random: np.ndarray, level_counts: Sequence[int]) -> list[np.ndarray]:
    """u per level from comparisons of random pairs, smoothed so no level has u = 0."""
    result = []
    for index, levels in enumerate(level_counts):
        column = gamma_random[:, index]
        counts = np.bincount(column[column >= 0], minlength=levels).astype(np.float64)
        result.append((counts + 0.5) / (counts.sum() + 0.5 * levels))
    return result


def _compress(gamma: np.ndarray, level_counts: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Distinct comparison patterns and their counts (EM then runs over a few thousand rows)."""
    code = np.zeros(len(gamma), dtype=np.int64)
    for index, levels in enumerate(level_counts):
        code = code * (levels + 1) + (gamma[:, index].astype(np.int64) + 1)
    distinct, counts = np.unique(code, return_counts=True)
    patterns = np.zeros((len(distinct), len(level_counts)), dtype=np.int64)
    remainder = distinct.copy()
    for index in range(len(level_counts) - 1, -1, -1):
        base = level_counts[index] + 1
        patterns[:, index] = remainder % base - 1
        remainder //= base
    return patterns, counts.astype(np.float64)


def expectation_maximisation(
    gamma: np.ndarray,
    level_counts: Sequence[int],
    m_start: Sequence[np.ndarray],
    u: Sequence[np.ndarray],
    active: Sequence[bool],
    *,
    prior_start: float = 0.1,
    iterations: int = 60,
    tolerance: float = 1e-5,
) -> tuple[list[np.ndarray], float]:
    """m for the active comparisons and the share of matches among these pairs, u held fixed."""
    patterns, counts = _compress(gamma, level_counts)
    m = [np.array(values, dtype=np.float64) for values in m_start]
    prior = prior_start
    for _iteration in range(iterations):
        log_ratio = np.full(len(patterns), np.log(prior / (1 - prior)))
        for index in range(len(level_counts)):
            if not active[index]:
                continue
            column = patterns[:, index]
            present = column >= 0
            log_ratio[present] += np.log(np.maximum(m[index][column[present]], PROBABILITY_FLOOR)) - np.log(
                np.maximum(u[index][column[present]], PROBABILITY_FLOOR)
            )
        posterior = 1.0 / (1.0 + np.exp(-np.clip(log_ratio, -700, 700)))
        weighted = posterior * counts
        new_prior = float(np.clip(weighted.sum() / counts.sum(), 1e-9, 1 - 1e-9))
        change = abs(new_prior - prior)
        for index, levels in enumerate(level_counts):
            if not active[index]:
                continue
            column = patterns[:, index]
            present = column >= 0
            totals = np.bincount(column[present], weights=weighted[present], minlength=levels)
            if totals.sum() > 0:
                new_m = np.maximum(totals / totals.sum(), PROBABILITY_FLOOR)
                change = max(change, float(np.abs(new_m - m[index]).max()))
                m[index] = new_m / new_m.sum()
        prior = new_prior
        if change < tolerance:
            break
    return m, prior


def estimate_prior(
    weights_without_prior: np.ndarray,
    total_pairs: float,
    *,
    start: float | None = None,
    iterations: int = 100,
) -> float:
    """The prior λ that makes Σ P(match) over blocked pairs equal λ × all pairs.

    Pairs outside the blocks count as non-matches; this is EM for λ alone with m and u fixed.
    """
    if total_pairs <= 0 or len(weights_without_prior) == 0:
        return 1e-9
    prior = start if start is not None else max(float((weights_without_prior > 0).sum()) / total_pairs, 1e-9)
    for _iteration in range(iterations):
        probabilities = probability_from_weight(weights_without_prior + logit2(prior))
        new_prior = min(max(float(probabilities.sum()) / total_pairs, 1e-12), 0.5)
        if abs(new_prior - prior) <= 1e-4 * prior:
            return new_prior
        prior = new_prior
    return prior
