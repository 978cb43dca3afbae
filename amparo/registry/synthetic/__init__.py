"""Synthetic persons for demo data and benchmarks: realistic Latin American names, documents,
phones and addresses from a seeded random stream, and a bulk writer that loads a million of
them in minutes. Never a path for real data (see `bulk`)."""
