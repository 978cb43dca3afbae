"""Shared plumbing for the matching benchmarks: machine description, pairwise metrics,
a calibration table, and running one method in a fresh process to measure its peak memory."""

import json
import os
import platform
import resource
import subprocess
import sys
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except (OSError, StopIteration):
        memory_kb = 0
    versions = {
        name: metadata.version(name)
        for name in ("splink", "duckdb", "recordlinkage", "rapidfuzz", "jellyfish", "pandas", "numpy")
    }
    return {
        "cpu": f"{cpu} × {os.cpu_count()} cores",
        "memory": f"{memory_kb / 1024 / 1024:.0f} GB",
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "libraries": ", ".join(f"{name} {version}" for name, version in versions.items()),
        "load": " ".join(f"{value:.2f}" for value in os.getloadavg()) + " (1, 5, 15 min, at start)",
    }


def print_machine() -> None:
    for key, value in machine().items():
        print(f"{key:>10}: {value}")


def pair_metrics(predicted: Iterable[tuple], truth: set[tuple]) -> dict[str, float]:
    predicted = {tuple(sorted(pair)) for pair in predicted}
    truth = {tuple(sorted(pair)) for pair in truth}
    true_positives = len(predicted & truth)
    precision = true_positives / len(predicted) if predicted else 0.0
    recall = true_positives / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "predicted": len(predicted),
        "true_positives": true_positives,
        "precision": precision,
        "recall": recall,
        "f1": f1,
    }


BANDS = (0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 1.0000001)


def calibration(probabilities: np.ndarray, is_match: np.ndarray) -> list[dict[str, float]]:
    """Per probability band: pairs, mean predicted probability, observed share of true matches."""
    rows = []
    for low, high in zip(BANDS[:-1], BANDS[1:], strict=True):
        inside = (probabilities >= low) & (probabilities < high)
        count = int(inside.sum())
        rows.append(
            {
                "band": f"{low:.2f}–{min(high, 1.0):.2f}",
                "pairs": count,
                "mean_probability": float(probabilities[inside].mean()) if count else float("nan"),
                "observed_match_rate": float(is_match[inside].mean()) if count else float("nan"),
            }
        )
    return rows


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_isolated(script: Path, *arguments: str) -> dict:
    """Run `script --worker ARGS` in a fresh interpreter; it prints one JSON line last."""
    completed = subprocess.run(
        [sys.executable, str(script), "--worker", *arguments],
        check=False,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{script.name} {' '.join(arguments)} failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def markdown_table(rows: list[dict], columns: list[tuple[str, str]]) -> str:
    lines = [
        "| " + " | ".join(title for title, _ in columns) + " |",
        "|" + "|".join("---" for _ in columns) + "|",
    ]
    for row in rows:
        cells = []
        for _, key in columns:
            value = row.get(key, "")
            cells.append(f"{value:.4f}" if isinstance(value, float) else str(value))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
