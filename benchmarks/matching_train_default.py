"""Learn the default weights Amparo ships for person matching and write them into
amparo/matching/data/matchers/person.json.

The weights (m, u and u for relatives per comparison level) are learned by EM on 100,000
synthetic persons drawn with a seed the benchmarks do not use; the prior is then set to a
registry-like 0.05 expected duplicates per person (the synthetic data has many more). A job
on a real registry re-learns all of it ("learn weights from these persons").

The calibration map (amparo/matching/linkage/calibration.py) is learned on another held-out
sample (seed 13 by default; the benchmarks use 7): the matcher is trained on that sample the way
the benchmarks and a registry job train it, every candidate pair is scored, and isotonic
regression of "is a true duplicate" on the pair's log2 Bayes factor gives the map.

    uv run python benchmarks/matching_train_default.py [--size 100000] [--seed 11]
        [--calibration-size 100000] [--calibration-seed 13]
"""

import argparse
import json
import re

import numpy as np
from matching_common import ROOT
from matching_generator import generate, true_pairs

from amparo.matching.linkage import fellegi_sunter as fs
from amparo.matching.linkage.calibration import fit_isotonic
from amparo.matching.linkage.pipeline import Matcher
from amparo.matching.linkage.specification import parse_spec, spec_to_dict

SPEC = ROOT / "amparo" / "matching" / "data" / "matchers" / "person.json"
REGISTRY_MATCHES_PER_RECORD = 0.05


def compact_json(data: dict) -> str:
    """Indented JSON with each list of scalars kept on one line (readable in a diff)."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    return re.sub(
        r"\[\s*([^\[\]{}]*?)\s*\]", lambda found: "[" + re.sub(r"\s*\n\s*", " ", found.group(1)) + "]", text
    )


def learn_calibration(definition: dict, size: int, seed: int) -> dict:
    """The calibration section of the spec, learned on `size` synthetic persons drawn with `seed`."""
    frame = generate(size, seed=seed)
    matcher = Matcher(parse_spec(definition))
    scored = matcher.dedupe(frame.drop(columns=["entity"]), train=True, min_probability=0.0)
    ids = frame["id"].to_numpy()
    truth = true_pairs(frame)
    is_match = np.array(
        [tuple(sorted(pair)) in truth for pair in zip(ids[scored["ia"]], ids[scored["ib"]], strict=True)]
    )
    fitted = fit_isotonic(
        scored["bayes_factor"].to_numpy(), is_match, prior_weight=fs.logit2(scored.attrs["prior"])
    )
    print(f"calibration: {len(scored):,} scored pairs, {int(is_match.sum()):,} true; {len(fitted.raw)} knots")
    return {
        "method": "isotonic",
        "source": f"{len(scored)} pairs of {size} synthetic persons (seed {seed}), isotonic regression",
        "raw": list(fitted.raw),
        "calibrated": list(fitted.calibrated),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--calibration-size", type=int, default=100_000)
    parser.add_argument("--calibration-seed", type=int, default=13)
    parser.add_argument("--calibration-only", action="store_true", help="keep the weights, refit the map")
    arguments = parser.parse_args()
    if arguments.calibration_seed == 7:
        parser.error("seed 7 is the benchmarks' seed: calibrate on held-out data")
    definition = json.loads(SPEC.read_text(encoding="utf-8"))
    definition.pop("calibration", None)
    if arguments.calibration_only:
        untrained = json.loads(json.dumps(definition))
        for comparison in untrained["comparisons"]:
            for key in ("m", "u", "u_family"):
                comparison.pop(key, None)
        definition["calibration"] = learn_calibration(
            untrained, arguments.calibration_size, arguments.calibration_seed
        )
        SPEC.write_text(compact_json(definition) + "\n", encoding="utf-8")
        print(f"wrote {SPEC.relative_to(ROOT)}")
        return
    for comparison in definition["comparisons"]:
        for key in ("m", "u", "u_family"):
            comparison.pop(key, None)
    calibration = learn_calibration(definition, arguments.calibration_size, arguments.calibration_seed)
    matcher = Matcher(parse_spec(definition))
    frame = generate(arguments.size, seed=arguments.seed).drop(columns=["entity"])
    matcher.dedupe(frame, train=True, min_probability=0.99)
    print(
        f"learned on {arguments.size:,} synthetic persons: {matcher.matches_per_record:.3f} matches a record"
    )
    trained = spec_to_dict(matcher.trained_spec())
    trained["matches_per_record"] = REGISTRY_MATCHES_PER_RECORD
    trained["calibration"] = calibration
    SPEC.write_text(compact_json(trained) + "\n", encoding="utf-8")
    print(f"wrote {SPEC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
