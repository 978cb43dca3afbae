"""Settings of the benchmark's Django processes: the production settings, with static files
collected into the benchmark's own temporary directory instead of the shared var/static."""

import os

from config.settings import *  # noqa: F403

STATIC_ROOT = os.environ["AMPARO_BENCH_STATIC_ROOT"]
