"""The matcher: a spec turned into comparators + Fellegi–Sunter parameters, with the three
ways Amparo uses it — deduplicate one frame, link two frames, score a few given pairs (the
online duplicate check and the similarity search)."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from amparo.matching.linkage import fellegi_sunter as fs
from amparo.matching.linkage.blocking import candidate_pairs
from amparo.matching.linkage.comparisons import Coded, Comparator, comparator_for
from amparo.matching.linkage.normalize import merged_nicknames
from amparo.matching.linkage.specification import MatcherSpec, parse_expression

Progress = Callable[[float, str], None]
CHUNK = 2_000_000
RANDOM_PAIRS = 1_000_000
TRAINING_PAIRS = 3_000_000
FAMILY_BLOCK_SIZE = 60  # relatives are found in small surname blocks; big ones are namesakes


def _silent(_fraction: float, _message: str) -> None:
    return None


@dataclass
class Scored:
    ia: np.ndarray
    ib: np.ndarray
    gamma: np.ndarray
    factors: np.ndarray  # per pair and comparison: log2 Bayes factor (term-frequency adjusted)
    weight: np.ndarray  # total match weight including the prior (before calibration)
    probability: np.ndarray  # calibrated when the spec has a calibration
    bayes_factor: np.ndarray | None = None  # log2 Bayes factor: the weight without the prior


class Matcher:
    def __init__(self, spec: MatcherSpec):
        self.spec = spec
        self.nicknames = merged_nicknames(spec.nicknames)
        self.comparators: list[Comparator] = [
            comparator_for(item, self.nicknames) for item in spec.comparisons
        ]
        self.level_counts = [len(item.level_codes) for item in spec.comparisons]
        self.parameters = [
            fs.LevelParameters(
                m=np.array(item.m) if item.m else fs.default_m(levels),
                u=np.array(item.u) if item.u else fs.default_u(levels),
                u_family=np.array(item.u_family) if item.u_family else None,
            )
            for item, levels in zip(spec.comparisons, self.level_counts, strict=True)
        ]
        names = [item.name for item in spec.comparisons]
        self.family_indices = [names.index(name) for name in spec.family_comparisons]
        self.matches_per_record = spec.matches_per_record
        self.is_trained = all(item.m and item.u for item in spec.comparisons)
        self.calibration = spec.calibration
        self._key_cache: dict = {}

    # --- building blocks ---------------------------------------------------------------------

    def prepare(self, frame: pd.DataFrame) -> list[Any]:
        frame = frame.reset_index(drop=True)
        return [comparator.prepare(frame) for comparator in self.comparators]

    def compare(self, features: list[Any], ia: np.ndarray, ib: np.ndarray) -> np.ndarray:
        gamma = np.empty((len(ia), len(self.comparators)), dtype=np.int8)
        for start in range(0, len(ia), CHUNK):
            stop = start + CHUNK
            for index, comparator in enumerate(self.comparators):
                gamma[start:stop, index] = comparator.levels(features[index], ia[start:stop], ib[start:stop])
        return gamma

    def factors(
        self,
        features: list[Any],
        gamma: np.ndarray,
        ia: np.ndarray,
        ib: np.ndarray,
        frequencies: Mapping[str, Mapping[str, float]] | None = None,
        reference_size: int | None = None,
    ) -> np.ndarray:
        """log2 Bayes factors per pair and comparison; exact agreement on a value adjusted by how
        common the value is (agreeing on "García" says less than agreeing on "Xicará")."""
        matrix = fs.factor_matrix(gamma, self.parameters, self.family_mask(gamma))
        for index, comparator in enumerate(self.comparators):
            if not comparator.spec.term_frequency:
                continue
            coded: Coded | None = comparator.term_codes(features[index])
            if coded is None:
                continue
            exact = np.flatnonzero(gamma[:, index] == 0)
            if len(exact) == 0:
                continue
            if frequencies is not None:
                # Known frequencies (the registry's); a value not in the table is left unadjusted.
                table = frequencies.get(comparator.spec.name, {})
                per_value = np.array([table.get(value, np.nan) for value in coded.values], dtype=np.float64)
                size = reference_size or 1
            else:
                present = coded.codes[coded.codes >= 0]
                per_value = np.bincount(present, minlength=len(coded.values)) / max(len(present), 1)
                size = max(len(present), 1)
            frequency = per_value[coded.codes[ia[exact]]]
            known = ~np.isnan(frequency)
            frequency = np.maximum(frequency[known], 1.0 / max(size, 1))
            u_exact = self.parameters[index].u[0]
            matrix[exact[known], index] += np.log2(u_exact / np.maximum(frequency, fs.PROBABILITY_FLOOR))
        return matrix

    def family_mask(self, gamma: np.ndarray) -> np.ndarray | None:
        """Pairs agreeing (exact or phonetic) on every family comparison: relatives or namesakes."""
        if not self.family_indices:
            return None
        return np.all((gamma[:, self.family_indices] >= 0) & (gamma[:, self.family_indices] <= 1), axis=1)

    def prior(self, reference_pairs_per_record: float) -> float:
        """λ: P(two records match) = expected matches per record / records each is compared with."""
        return min(self.matches_per_record / max(reference_pairs_per_record, 1.0), 0.5)

    def probability(self, bayes_factor: np.ndarray, prior: float, size: float | None = None) -> np.ndarray:
        """P(match) of pairs with these log2 Bayes factors under this prior, through the calibration
        map when there is one (every probability Amparo shows goes through here). `size`: how many
        records each record is compared with (the registry's size), which picks the map."""
        bayes_factor = np.asarray(bayes_factor, dtype=np.float64)
        if self.calibration is not None:
            bayes_factor = self.calibration.apply(bayes_factor, size)
        return fs.probability_from_weight(bayes_factor + fs.logit2(prior))

    def score(
        self,
        features: list[Any],
        ia: np.ndarray,
        ib: np.ndarray,
        *,
        prior: float,
        frequencies: Mapping[str, Mapping[str, float]] | None = None,
        reference_size: int | None = None,
        size: float | None = None,
    ) -> Scored:
        """Compare and score pairs; `size` is the registry's (see `probability`)."""
        gamma = self.compare(features, ia, ib)
        factors = self.factors(features, gamma, ia, ib, frequencies, reference_size)
        bayes_factor = factors.sum(axis=1)
        return Scored(
            ia=ia,
            ib=ib,
            gamma=gamma,
            factors=factors,
            weight=bayes_factor + fs.logit2(prior),
            probability=self.probability(bayes_factor, prior, size),
            bayes_factor=bayes_factor,
        )

    # --- training ------------------------------------------------------------------------------

    def _rule_fields(self, rule: tuple[str, ...]) -> set[str]:
        return {argument for expression in rule for argument in parse_expression(expression)[1]}

    def train(
        self,
        frame: pd.DataFrame,
        features: list[Any],
        *,
        split: int | None,
        pairs: tuple[np.ndarray, np.ndarray],
        seed: int = 42,
        progress: Progress = _silent,
    ) -> None:
        """Learn u (random pairs), m (EM per training rule) and the prior (over `pairs`)."""
        size = len(frame)
        rng = np.random.default_rng(seed)
        total_pairs = float(split * (size - split)) if split is not None else size * (size - 1) / 2
        samples = int(min(RANDOM_PAIRS, total_pairs))
        if split is None:
            ia = rng.integers(0, size, samples)
            ib = rng.integers(0, size - 1, samples)
            ib = ib + (ib >= ia)
        else:
            ia = rng.integers(0, split, samples)
            ib = rng.integers(split, size, samples)
        u = fs.estimate_u(self.compare(features, ia, ib), self.level_counts)
        for index, values in enumerate(u):
            self.parameters[index].u = values
        progress(0.1, "u")
        if self.spec.learn_with_em:
            self._train_m(frame, features, split=split, rng=rng, progress=progress)
        if self.family_indices:
            self._train_family_u(frame, features, split=split, rng=rng, total_pairs=total_pairs, pairs=pairs)
        progress(0.6, "family")
        weights = self.factors(features, self.compare(features, *pairs), *pairs).sum(axis=1)
        prior = fs.estimate_prior(weights, total_pairs)
        self.matches_per_record = prior * (size - split if split is not None else size - 1)
        self.is_trained = True

    def _train_m(
        self,
        frame: pd.DataFrame,
        features: list[Any],
        *,
        split: int | None,
        rng: np.random.Generator,
        progress: Progress,
    ) -> None:
        rules = self.spec.training_blocking_rules or self.spec.blocking_rules
        estimates: list[list[np.ndarray]] = [[] for _ in self.comparators]
        for number, rule in enumerate(rules):
            ia, ib, _skipped = candidate_pairs(
                frame,
                self.spec,
                split=split,
                rules=[rule],
                nicknames=self.nicknames,
                key_cache=self._key_cache,
            )
            if len(ia) < 10:
                continue
            if len(ia) > TRAINING_PAIRS:
                keep = rng.choice(len(ia), TRAINING_PAIRS, replace=False)
                ia, ib = ia[keep], ib[keep]
            fixed = self._rule_fields(rule)
            active = [not (set(comparator.spec.source_fields) & fixed) for comparator in self.comparators]
            gamma = self.compare(features, ia, ib)
            m, _share = fs.expectation_maximisation(
                gamma,
                self.level_counts,
                [item.m for item in self.parameters],
                [item.u for item in self.parameters],
                active,
            )
            for index, is_active in enumerate(active):
                if is_active:
                    estimates[index].append(m[index])
            progress(0.1 + 0.5 * (number + 1) / len(rules), "m")
        for index, found in enumerate(estimates):
            if found:
                mean = np.mean(found, axis=0)
                self.parameters[index].m = mean / mean.sum()

    def _train_family_u(
        self,
        frame: pd.DataFrame,
        features: list[Any],
        *,
        split: int | None,
        rng: np.random.Generator,
        total_pairs: float,
        pairs: tuple[np.ndarray, np.ndarray],
    ) -> None:
        """u among non-matches that agree on the family comparisons, each pair weighted by the
        current model's probability of not being a match."""
        for parameters in self.parameters:
            parameters.u_family = None
        ia, ib, _skipped = candidate_pairs(
            frame,
            self.spec,
            split=split,
            rules=[self.spec.family_rule],
            nicknames=self.nicknames,
            max_block_size=FAMILY_BLOCK_SIZE,
            key_cache=self._key_cache,
        )
        if len(ia) > TRAINING_PAIRS:
            keep = rng.choice(len(ia), TRAINING_PAIRS, replace=False)
            ia, ib = ia[keep], ib[keep]
        gamma = self.compare(features, ia, ib)
        family = self.family_mask(gamma)
        if family is None or family.sum() < 100:
            return
        weights = self.factors(features, gamma, ia, ib).sum(axis=1)
        current_prior = fs.estimate_prior(
            self.factors(features, self.compare(features, *pairs), *pairs).sum(axis=1), total_pairs
        )
        non_match = 1.0 - fs.probability_from_weight(weights + fs.logit2(current_prior))
        for index, (parameters, levels) in enumerate(zip(self.parameters, self.level_counts, strict=True)):
            if index in self.family_indices:
                continue
            parameters.u_family = fs.weighted_level_shares(
                gamma[family, index].astype(np.int64), non_match[family], levels
            )

    def learned_parameters(self) -> dict[str, dict[str, tuple[float, ...] | None]]:
        def rounded(values: np.ndarray | None) -> tuple[float, ...] | None:
            return None if values is None else tuple(round(float(value), 8) for value in values)

        return {
            comparator.spec.name: {
                "m": rounded(parameters.m),
                "u": rounded(parameters.u),
                "u_family": rounded(parameters.u_family),
            }
            for comparator, parameters in zip(self.comparators, self.parameters, strict=True)
        }

    def trained_spec(self) -> MatcherSpec:
        return self.spec.with_parameters(self.learned_parameters(), round(self.matches_per_record, 8))

    # --- the three uses -------------------------------------------------------------------------

    def _run(
        self,
        frame: pd.DataFrame,
        split: int | None,
        *,
        train: bool | None,
        min_probability: float,
        progress: Progress,
        frequencies: Mapping[str, Mapping[str, float]] | None = None,
    ) -> pd.DataFrame:
        frame = frame.reset_index(drop=True)
        progress(0.0, "prepare")
        features = self.prepare(frame)
        self._key_cache = {}
        ia, ib, _skipped = candidate_pairs(
            frame, self.spec, split=split, nicknames=self.nicknames, key_cache=self._key_cache
        )
        progress(0.05, "blocking")
        if train if train is not None else not self.is_trained:
            self.train(frame, features, split=split, pairs=(ia, ib), progress=progress)
        size = len(frame)
        reference = size - split if split is not None else size - 1
        prior = self.prior(reference)
        kept: list[pd.DataFrame] = []
        for start in range(0, len(ia), CHUNK):
            chunk_a, chunk_b = ia[start : start + CHUNK], ib[start : start + CHUNK]
            scored = self.score(
                features, chunk_a, chunk_b, prior=prior, frequencies=frequencies, size=reference + 1
            )
            keep = scored.probability >= min_probability
            part = pd.DataFrame(
                {
                    "ia": chunk_a[keep],
                    "ib": chunk_b[keep],
                    "probability": scored.probability[keep],
                    "weight": scored.weight[keep],
                    "bayes_factor": scored.bayes_factor[keep],
                }
            )
            for index, comparator in enumerate(self.comparators):
                part[f"level:{comparator.spec.name}"] = scored.gamma[keep, index]
            kept.append(part)
            progress(0.65 + 0.35 * min(1.0, (start + CHUNK) / max(len(ia), 1)), "scoring")
        columns = [
            "ia",
            "ib",
            "probability",
            "weight",
            "bayes_factor",
            *(f"level:{c.spec.name}" for c in self.comparators),
        ]
        result = pd.concat(kept, ignore_index=True) if kept else pd.DataFrame(columns=columns)
        result.attrs["candidate_pairs"] = len(ia)
        result.attrs["prior"] = prior
        result.attrs["size"] = reference + 1
        return result

    def dedupe(
        self,
        frame: pd.DataFrame,
        *,
        train: bool | None = None,
        min_probability: float = 0.0,
        progress: Progress = _silent,
    ) -> pd.DataFrame:
        """Scored candidate pairs within one frame: columns ia < ib (row positions), probability."""
        return self._run(frame, None, train=train, min_probability=min_probability, progress=progress)

    def link(
        self,
        frame_a: pd.DataFrame,
        frame_b: pd.DataFrame,
        *,
        train: bool | None = None,
        min_probability: float = 0.0,
        progress: Progress = _silent,
    ) -> pd.DataFrame:
        """Scored candidate pairs across two frames: ia a row of A, ib a row of B, probability."""
        combined = pd.concat(
            [frame_a.reset_index(drop=True), frame_b.reset_index(drop=True)], ignore_index=True
        )
        result = self._run(
            combined, len(frame_a), train=train, min_probability=min_probability, progress=progress
        )
        result["ib"] = result["ib"] - len(frame_a)
        return result
