"""Deduplicate synthetic Latin American persons (benchmarks/matching_generator.py): F1, wall time and
peak memory of Amparo's matcher side by side with a default Splink (DuckDB) deduplication of the
same file in the same run, plus a calibration table by probability band.

    uv run python benchmarks/matching_synthetic.py --sizes 100000 1000000 [--seed 7]

Each method runs in its own fresh process (peak memory is that process's high-water mark);
generation and CSV reading are not timed.
"""

import argparse
import json
import logging
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from matching_common import (
    ROOT,
    calibration,
    markdown_table,
    pair_metrics,
    peak_memory_mb,
    print_machine,
    run_isolated,
)
from matching_generator import generate, true_pairs

THRESHOLD = 0.5
PERSON_SPEC = ROOT / "amparo" / "matching" / "data" / "matchers" / "person.json"


def read(path: str) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _evaluate(frame: pd.DataFrame, left: np.ndarray, right: np.ndarray, probability: np.ndarray) -> dict:
    truth = true_pairs(frame)
    pairs = [tuple(sorted(pair)) for pair in zip(left, right, strict=True)]
    is_match = np.array([pair in truth for pair in pairs], dtype=bool)
    above = probability >= THRESHOLD
    metrics = pair_metrics([pair for pair, keep in zip(pairs, above, strict=True) if keep], truth)
    shown = probability >= 0.01  # the calibration table is of pairs scored 0.01 or more
    return {
        **metrics,
        "true_pairs": len(truth),
        "calibration": calibration(probability[shown], is_match[shown]),
    }


def run_amparo(path: str) -> dict:
    from amparo.matching.linkage import fellegi_sunter as fs
    from amparo.matching.linkage.pipeline import Matcher
    from amparo.matching.linkage.specification import parse_spec

    frame = read(path)
    records = frame.drop(columns=["entity"])
    started = time.perf_counter()
    matcher = Matcher(parse_spec(json.loads(PERSON_SPEC.read_text())))
    scored = matcher.dedupe(records, train=True, min_probability=0.0)
    elapsed = time.perf_counter() - started
    ids = frame["id"].to_numpy()
    result = _evaluate(frame, ids[scored["ia"]], ids[scored["ib"]], scored["probability"].to_numpy())
    # The same pairs without the calibration map: Fellegi–Sunter's own probabilities.
    plain = fs.probability_from_weight(scored["weight"].to_numpy())
    without = _evaluate(frame, ids[scored["ia"]], ids[scored["ib"]], plain)
    return {
        "method": f"Amparo (registry size {scored.attrs['size']:,})",
        "seconds": elapsed,
        "candidate_pairs": scored.attrs["candidate_pairs"],
        **result,
        "without_map": {key: without[key] for key in ("precision", "recall", "f1", "calibration")},
    }


def _iso_birth(value: str) -> str | None:
    from amparo.matching.linkage.normalize import parse_birth_date

    date, _estimated = parse_birth_date(value)
    return date.isoformat() if date else None


def run_splink(path: str) -> dict:
    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on
    from splink.backends.duckdb import DuckDBAPI

    frame = read(path)
    records = frame.drop(columns=["entity"]).replace("", None)
    started = time.perf_counter()
    records["date_of_birth"] = pd.to_datetime(
        records["date_of_birth"].map(lambda value: _iso_birth(value) if value else None)
    )
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="id",
        blocking_rules_to_generate_predictions=[
            block_on("given_names", "first_surname"),
            block_on("first_surname", "date_of_birth"),
            block_on("given_names", "date_of_birth"),
            block_on("document_number"),
        ],
        comparisons=[
            cl.NameComparison("given_names").configure(term_frequency_adjustments=True),
            cl.NameComparison("first_surname").configure(term_frequency_adjustments=True),
            cl.NameComparison("second_surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=False),
            cl.ExactMatch("sex"),
            cl.LevenshteinAtThresholds("document_number", [1, 2]),
            cl.ExactMatch("municipality"),
            cl.ExactMatch("nationality"),
        ],
    )
    database = DuckDBAPI()
    linker = Linker(database.register(records), settings, log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_names", "first_surname", "date_of_birth")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=42)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("given_names", "first_surname")
    )
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    predictions = linker.inference.predict(threshold_match_probability=0.01).as_pandas_dataframe()
    elapsed = time.perf_counter() - started
    result = _evaluate(
        frame,
        predictions["id_l"].to_numpy(),
        predictions["id_r"].to_numpy(),
        predictions["match_probability"].to_numpy(),
    )
    return {"method": "Splink (default dedupe, DuckDB)", "seconds": elapsed, "candidate_pairs": "", **result}


METHODS = {"amparo": run_amparo, "splink": run_splink}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--methods", nargs="+", default=list(METHODS))
    parser.add_argument("--no-splink", action="store_true", help="Amparo only (Splink takes ~3× longer)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("job", nargs="*", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.no_splink:
        arguments.methods = [method for method in arguments.methods if method != "splink"]
    if arguments.worker:
        method, path = arguments.job
        result = METHODS[method](path)
        result["peak_memory_mb"] = peak_memory_mb()
        print(json.dumps(result, default=str))
        return
    print("Synthetic Latin American persons — deduplication, threshold", THRESHOLD)
    print_machine()
    with tempfile.TemporaryDirectory() as directory:
        for size in arguments.sizes:
            path = Path(directory) / f"persons_{size}.csv"
            generate(size, seed=arguments.seed).to_csv(path, index=False)
            rows = [
                run_isolated(Path(__file__), "--seed", str(arguments.seed), method, str(path))
                for method in arguments.methods
            ]
            print(f"\n### {size:,} records, {rows[0]['true_pairs']:,} true duplicate pairs\n")
            print(
                markdown_table(
                    rows,
                    [
                        ("method", "method"),
                        ("precision", "precision"),
                        ("recall", "recall"),
                        ("F1", "f1"),
                        ("wall s", "seconds"),
                        ("peak MB", "peak_memory_mb"),
                    ],
                )
            )
            for row in rows:
                if "without_map" in row:
                    plain = row["without_map"]
                    print(
                        f"\n{row['method']} without the calibration map: precision {plain['precision']:.4f}, "
                        f"recall {plain['recall']:.4f}, F1 {plain['f1']:.4f}"
                    )
                    print("\nCalibration — Fellegi–Sunter's own probabilities (pairs scored ≥ 0.01)\n")
                    print(
                        markdown_table(
                            plain["calibration"],
                            [
                                ("probability band", "band"),
                                ("pairs", "pairs"),
                                ("mean predicted", "mean_probability"),
                                ("observed match rate", "observed_match_rate"),
                            ],
                        )
                    )
                print(f"\nCalibration — {row['method']} (pairs scored ≥ 0.01)\n")
                print(
                    markdown_table(
                        row["calibration"],
                        [
                            ("probability band", "band"),
                            ("pairs", "pairs"),
                            ("mean predicted", "mean_probability"),
                            ("observed match rate", "observed_match_rate"),
                        ],
                    )
                )


if __name__ == "__main__":
    main()
