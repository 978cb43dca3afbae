"""Learn the default weights Amparo ships for person matching and write them into
amparo/matching/data/matchers/person.json.

The weights (m, u and u for relatives per comparison level) are learned by EM on 100,000
synthetic persons drawn with a seed the benchmarks do not use; the prior is then set to a
registry-like 0.05 expected duplicates per person (the synthetic data has many more). A job
on a real registry re-learns all of it ("learn weights from these persons").

    uv run python benchmarks/matching_train_default.py [--size 100000] [--seed 11]
"""

import argparse
import json
import re

from matching_common import ROOT
from matching_generator import generate

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=11)
    arguments = parser.parse_args()
    definition = json.loads(SPEC.read_text(encoding="utf-8"))
    for comparison in definition["comparisons"]:
        for key in ("m", "u", "u_family"):
            comparison.pop(key, None)
    matcher = Matcher(parse_spec(definition))
    frame = generate(arguments.size, seed=arguments.seed).drop(columns=["entity"])
    matcher.dedupe(frame, train=True, min_probability=0.99)
    print(
        f"learned on {arguments.size:,} synthetic persons: {matcher.matches_per_record:.3f} matches a record"
    )
    trained = spec_to_dict(matcher.trained_spec())
    trained["matches_per_record"] = REGISTRY_MATCHES_PER_RECORD
    SPEC.write_text(compact_json(trained) + "\n", encoding="utf-8")
    print(f"wrote {SPEC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
