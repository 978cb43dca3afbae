"""Blocking: which pairs are compared at all.

A rule is a list of key expressions that must all agree, e.g.
`["tokens_phonetic(first_surname,second_surname)", "first_phonetic(given_names)", "year(date_of_birth)"]`;
rules are OR-ed. Multi-valued expressions (every surname word, every nickname reading) make one
key per value, so swapped or missing second surnames and nicknames still share a block.
The same keys index the registry (`matching.PersonBlockKey`) for the online duplicate check.
"""

import hashlib
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from itertools import product

import numpy as np
import pandas as pd

from amparo.matching.linkage.comparisons import SMALL, column, factorize
from amparo.matching.linkage.normalize import (
    fold_identifier,
    fold_name,
    given_name_alternatives,
    parse_birth_date,
)
from amparo.matching.linkage.phonetic import phonetic_key, phonetic_token
from amparo.matching.linkage.specification import MatcherSpec, parse_expression

KeyFunction = Callable[..., tuple[str, ...]]


def _single(value: str) -> tuple[str, ...]:
    return (value,) if value else ()


def key_function(function: str, nicknames: Mapping[str, tuple[str, ...]]) -> KeyFunction:
    """The function computing an expression's key values from one or more raw values."""

    @lru_cache(maxsize=500_000)
    def first_phonetic(value: str) -> tuple[str, ...]:
        readings = given_name_alternatives(fold_name(value), nicknames)
        return tuple(dict.fromkeys(phonetic_token(reading.split()[0]) for reading in readings if reading))

    @lru_cache(maxsize=500_000)
    def tokens_phonetic(*values: str) -> tuple[str, ...]:
        return tuple(sorted({phonetic_token(word) for value in values for word in fold_name(value).split()}))

    @lru_cache(maxsize=500_000)
    def phonetic_set(*values: str) -> tuple[str, ...]:
        words = sorted({phonetic_token(word) for value in values for word in fold_name(value).split()})
        return ("+".join(words),) if words else ()

    @lru_cache(maxsize=200_000)
    def year(value: str) -> tuple[str, ...]:
        date, estimated = parse_birth_date(value)
        if not date:
            return ()
        if estimated:  # an age-estimated date may be a year off either way
            return tuple(str(date.year + offset) for offset in (-1, 0, 1))
        return (str(date.year),)

    @lru_cache(maxsize=200_000)
    def date(value: str) -> tuple[str, ...]:
        parsed, estimated = parse_birth_date(value)
        return (parsed.isoformat(),) if parsed and not estimated else ()

    functions: dict[str, KeyFunction] = {
        "exact": lambda value: _single(fold_identifier(value)),
        "name": lambda value: _single(fold_name(value)),
        "phonetic": lambda value: _single(phonetic_key(fold_name(value)).replace(" ", "")),
        "first_phonetic": first_phonetic,
        "tokens_phonetic": tokens_phonetic,
        "phonetic_set": phonetic_set,
        "year": year,
        "date": date,
        "initial": lambda value: _single(fold_name(value)[:1]),
    }
    return functions[function]


def _expression_values(
    frame: pd.DataFrame, expression: str, nicknames: Mapping[str, tuple[str, ...]]
) -> list[tuple[str, ...]]:
    """Per record, the key values of one expression (computed once per distinct input)."""
    function, arguments = parse_expression(expression)
    if function == "prefix":
        length = int(arguments[1])
        codes, uniques = factorize(column(frame, arguments[0]))
        per_unique = [_single(fold_identifier(value)[:length]) for value in uniques]
    else:
        compute = key_function(function, nicknames)
        if len(arguments) == 1:
            codes, uniques = factorize(column(frame, arguments[0]))
            per_unique = [compute(str(value)) for value in uniques]
        else:
            columns = [column(frame, argument) for argument in arguments]
            if len(frame) < SMALL:
                codes, uniques = factorize(list(zip(*columns, strict=True)))
            else:
                codes, uniques = pd.MultiIndex.from_arrays(columns).factorize()
            per_unique = [compute(*(str(part) for part in values)) for values in uniques]
    return [per_unique[code] if code >= 0 else () for code in codes]


def rule_keys(
    frame: pd.DataFrame, rule: tuple[str, ...], nicknames: Mapping[str, tuple[str, ...]]
) -> tuple[np.ndarray, np.ndarray]:
    """(record index, key string) for every key a rule gives each record (none if a part is missing)."""
    parts = [_expression_values(frame, expression, nicknames) for expression in rule]
    if len(frame) < SMALL:
        records: list[int] = []
        keys: list[str] = []
        for index, values in enumerate(zip(*parts, strict=True)):
            if all(values):
                for combination in product(*values):
                    records.append(index)
                    keys.append("|".join(combination))
        return np.asarray(records, dtype=np.int64), np.asarray(keys, dtype=object)
    table = pd.DataFrame({f"part{index}": part for index, part in enumerate(parts)})
    table["record"] = np.arange(len(frame))
    for name in table.columns[:-1]:
        table = table.explode(name)
    table = table.dropna()
    if table.empty:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object)
    columns = [table[f"part{index}"].astype(str) for index in range(len(rule))]
    joined = columns[0].str.cat(columns[1:], sep="|") if len(columns) > 1 else columns[0]
    return table["record"].to_numpy(dtype=np.int64), joined.to_numpy(dtype=object)


def rule_key_codes(
    frame: pd.DataFrame, rule: tuple[str, ...], nicknames: Mapping[str, tuple[str, ...]]
) -> tuple[np.ndarray, np.ndarray]:
    """Like `rule_keys` but with integer keys, built without strings: blocking only needs equality.

    Each part's values are coded; multi-valued parts expand per record (np.repeat), and the
    combination is re-coded after each part so the integers stay small.
    """
    records = np.arange(len(frame), dtype=np.int64)
    keys = np.zeros(len(frame), dtype=np.int64)
    for expression in rule:
        values = _expression_values(frame, expression, nicknames)
        counts = np.fromiter((len(value) for value in values), dtype=np.int64, count=len(values))
        codes, _distinct = factorize([item for value in values for item in value])
        offsets = np.cumsum(counts) - counts
        repeat = counts[records]
        records, keys = np.repeat(records, repeat), np.repeat(keys, repeat)
        within = np.arange(len(records)) - np.repeat(np.cumsum(repeat) - repeat, repeat)
        combined = keys * (int(codes.max(initial=0)) + 1) + codes[offsets[records] + within]
        keys, _ = factorize(combined) if len(combined) < SMALL else pd.factorize(combined)
        keys = np.asarray(keys, dtype=np.int64)
    return records, keys


def distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values of an integer array (sorting beats hashing for pair codes)."""
    if len(values) == 0:
        return values
    ordered = np.sort(values)
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]]


def pairs_from_blocks(
    records: np.ndarray, keys: np.ndarray, *, size: int, split: int | None, max_block_size: int
) -> tuple[np.ndarray, int]:
    """Encoded pairs i*size+j of records sharing a key (i<j; with `split`, i<split<=j only).

    Blocks larger than `max_block_size` are skipped (counted in the second value): they come
    from keys too common to discriminate, and other rules still reach their true matches.
    """
    if len(records) == 0:
        return np.zeros(0, dtype=np.int64), 0
    key_codes, _ = pd.factorize(keys)
    frame = (
        pd.DataFrame({"key": key_codes, "record": records}).drop_duplicates().sort_values(["key", "record"])
    )
    key_sorted = frame["key"].to_numpy()
    record_sorted = frame["record"].to_numpy()
    starts = np.flatnonzero(np.r_[True, key_sorted[1:] != key_sorted[:-1]])
    sizes = np.diff(np.r_[starts, len(key_sorted)])
    skipped = int((sizes > max_block_size).sum())
    chunks: list[np.ndarray] = []
    for block_size in np.unique(sizes[(sizes >= 2) & (sizes <= max_block_size)]):
        block_starts = starts[sizes == block_size]
        left, right = np.triu_indices(int(block_size), 1)
        first = record_sorted[block_starts[:, None] + left[None, :]].ravel()
        second = record_sorted[block_starts[:, None] + right[None, :]].ravel()
        if split is not None:
            crossing = (first < split) & (second >= split)
            first, second = first[crossing], second[crossing]
        chunks.append(first * size + second)
    if not chunks:
        return np.zeros(0, dtype=np.int64), skipped
    return distinct(np.concatenate(chunks)), skipped


def candidate_pairs(
    frame: pd.DataFrame,
    spec: MatcherSpec,
    *,
    nicknames: Mapping[str, tuple[str, ...]],
    split: int | None = None,
    rules: Iterable[tuple[str, ...]] | None = None,
    max_block_size: int | None = None,
    key_cache: dict | None = None,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Candidate pairs (ia, ib) over the union of blocking rules, and the count of skipped blocks.

    Dedupe: `split=None`, pairs i<j within `frame`. Link: rows [0, split) are file A and
    [split, n) file B; only A×B pairs come out.
    """
    size = len(frame)
    encoded: list[np.ndarray] = []
    skipped = 0
    for rule in rules if rules is not None else spec.blocking_rules:
        if key_cache is not None and rule in key_cache:
            records, keys = key_cache[rule]
        else:
            records, keys = rule_key_codes(frame, rule, nicknames)
            if key_cache is not None:
                key_cache[rule] = (records, keys)
        pairs, skipped_here = pairs_from_blocks(
            records, keys, size=size, split=split, max_block_size=max_block_size or spec.max_block_size
        )
        encoded.append(pairs)
        skipped += skipped_here
    pairs = distinct(np.concatenate(encoded)) if encoded else np.zeros(0, dtype=np.int64)
    return pairs // size, pairs % size, skipped


def record_block_keys(
    frame: pd.DataFrame, spec: MatcherSpec, nicknames: Mapping[str, tuple[str, ...]]
) -> list[set[str]]:
    """Per record, every blocking key prefixed with its rule number (what the registry index stores)."""
    per_record: list[set[str]] = [set() for _ in range(len(frame))]
    for number, rule in enumerate(spec.blocking_rules):
        records, keys = rule_keys(frame, rule, nicknames)
        for record, key in zip(records, keys, strict=True):
            per_record[record].add(f"{number}:{key}")
    return per_record


def key_hash(key: str) -> int:
    """A stable signed 64-bit hash of a block key (compact to index; collisions only add candidates)."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)
