"""Amparo's record-linkage engine: Spanish-aware normalisation, comparisons with levels,
blocking and a Fellegi–Sunter model. Plain Python + numpy/pandas, no Django: the online
duplicate check, batch deduplication, file linkage and the benchmarks all run this code."""
