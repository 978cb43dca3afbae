"""Learn the default weights Amparo ships for person matching and write them into
amparo/matching/data/matchers/person.json.

The weights (m, u and u for relatives per comparison level) are learned by EM on 100,000
synthetic persons drawn with a seed the benchmarks do not use; the prior is then set to a
registry-like 0.05 expected duplicates per person (the synthetic data has many more). A job
on a real registry re-learns all of it ("learn weights from these persons").

The calibration maps (amparo/matching/linkage/calibration.py) are learned on other held-out
samples (seed 13 by default; the benchmarks use 7), one per size (10,000, 30,000, 100,000, 300,000 and
1,000,000 persons by default): the matcher, starting from the shipped weights, is trained on the
sample the way the benchmarks and a registry job train it, every candidate pair is scored, and
isotonic regression of "is a true duplicate" on the pair's log2 Bayes factor gives that size's
map. A registry's probabilities use the maps of the two nearest sizes, interpolated in log(size).

    uv run python benchmarks/matching_train_default.py [--size 100000] [--seed 11]
        [--calibration-sizes 10000 30000 100000 300000 1000000] [--cache DIR] [--calibration-seed 13]
        [--calibration-only]
"""

import argparse
import json
import re
from pathlib import Path

import numpy as np
from matching_common import ROOT
from matching_generator import generate, true_pairs

from amparo.matching.linkage import fellegi_sunter as fs
from amparo.matching.linkage.calibration import Calibration, fit_isotonic
from amparo.matching.linkage.pipeline import Matcher
from amparo.matching.linkage.specification import calibration_to_dict, parse_spec, spec_to_dict

SPEC = ROOT / "amparo" / "matching" / "data" / "matchers" / "person.json"
REGISTRY_MATCHES_PER_RECORD = 0.05


def compact_json(data: dict) -> str:
    """Indented JSON with each list of scalars kept on one line (readable in a diff)."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    return re.sub(
        r"\[\s*([^\[\]{}]*?)\s*\]", lambda found: "[" + re.sub(r"\s*\n\s*", " ", found.group(1)) + "]", text
    )


def scored_sample(definition: dict, size: int, seed: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Every candidate pair of `size` synthetic persons drawn with `seed`, scored by the matcher trained
    on them: (log2 Bayes factor, is a true duplicate, the prior it learned)."""
    frame = generate(size, seed=seed)
    matcher = Matcher(parse_spec(definition))
    scored = matcher.dedupe(frame.drop(columns=["entity"]), train=True, min_probability=0.0)
    ids = frame["id"].to_numpy()
    truth = true_pairs(frame)
    is_match = np.array(
        [tuple(sorted(pair)) in truth for pair in zip(ids[scored["ia"]], ids[scored["ib"]], strict=True)]
    )
    return scored["bayes_factor"].to_numpy(), is_match, float(scored.attrs["prior"])


def learn_calibration(definition: dict, sizes: list[int], seed: int, cache: Path | None = None) -> dict:
    """The calibration section of the spec: one isotonic map per size, learned on synthetic persons
    drawn with `seed`, starting from `definition`'s weights. With `cache`, each size's scored pairs
    are kept there (s<size>_<seed>.npz) and read back on the next run (1,000,000 takes ~15 min)."""
    maps, counts = [], []
    for size in sorted(sizes):
        stored = cache / f"s{size}_{seed}.npz" if cache is not None else None
        if stored is not None and stored.exists():
            saved = np.load(stored)
            bayes_factor, is_match, prior = saved["bf"], saved["y"], float(saved["prior"])
        else:
            bayes_factor, is_match, prior = scored_sample(definition, size, seed)
            if stored is not None:
                np.savez_compressed(stored, bf=bayes_factor, y=is_match, prior=prior)
        fitted = fit_isotonic(bayes_factor, is_match, prior_weight=fs.logit2(prior))
        print(
            f"calibration at {size:,}: {len(is_match):,} scored pairs, {int(is_match.sum()):,} true; "
            f"{len(fitted.raw)} knots",
            flush=True,
        )
        maps.append(fitted)
        counts.append(f"{len(is_match):,} pairs of {size:,}")
    calibration = Calibration(maps=tuple(maps), sizes=tuple(sorted(sizes)))
    source = f"isotonic regression at each size on synthetic persons (seed {seed}): " + ", ".join(counts)
    return calibration_to_dict(calibration, source)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--calibration-sizes", type=int, nargs="+", default=[10_000, 30_000, 100_000, 300_000, 1_000_000]
    )
    parser.add_argument("--calibration-seed", type=int, default=13)
    parser.add_argument("--calibration-only", action="store_true", help="keep the weights, refit the maps")
    parser.add_argument("--cache", type=Path, help="keep (and reuse) each size's scored pairs here")
    arguments = parser.parse_args()
    if arguments.calibration_seed == 7:
        parser.error("seed 7 is the benchmarks' seed: calibrate on held-out data")
    definition = json.loads(SPEC.read_text(encoding="utf-8"))
    definition.pop("calibration", None)
    if not arguments.calibration_only:
        for comparison in definition["comparisons"]:
            for key in ("m", "u", "u_family"):
                comparison.pop(key, None)
        matcher = Matcher(parse_spec(definition))
        frame = generate(arguments.size, seed=arguments.seed).drop(columns=["entity"])
        matcher.dedupe(frame, train=True, min_probability=0.99)
        learned = matcher.matches_per_record
        print(f"learned on {arguments.size:,} synthetic persons: {learned:.3f} matches a record")
        definition = spec_to_dict(matcher.trained_spec())
        definition["matches_per_record"] = REGISTRY_MATCHES_PER_RECORD
    # The maps are learned from the shipped weights, as a benchmark or a registry job re-learns them.
    definition["calibration"] = learn_calibration(
        definition, arguments.calibration_sizes, arguments.calibration_seed, arguments.cache
    )
    SPEC.write_text(compact_json(definition) + "\n", encoding="utf-8")
    print(f"wrote {SPEC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
