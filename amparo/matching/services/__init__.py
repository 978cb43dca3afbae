"""Writes of the matching app, by sub-domain; the public functions are importable from here."""

from amparo.matching.services.calibration import matcher_calibration_refit, matcher_calibration_reset
from amparo.matching.services.configuration import (
    matcher_config_get,
    matcher_config_store_learned,
    matcher_config_update,
    matcher_for,
)
from amparo.matching.services.dedupe import dedupe_job_run, dedupe_job_start
from amparo.matching.services.files import (
    file_job_run,
    file_job_start,
    match_records,
    read_records,
    write_pairs,
)
from amparo.matching.services.keys import person_keys_rebuild, person_keys_refresh, term_frequencies_refresh
from amparo.matching.services.merge import person_merge, person_merge_undo
from amparo.matching.services.review import pair_decide

__all__ = [
    "dedupe_job_run",
    "dedupe_job_start",
    "file_job_run",
    "file_job_start",
    "match_records",
    "matcher_calibration_refit",
    "matcher_calibration_reset",
    "matcher_config_get",
    "matcher_config_store_learned",
    "matcher_config_update",
    "matcher_for",
    "pair_decide",
    "person_keys_rebuild",
    "person_keys_refresh",
    "person_merge",
    "person_merge_undo",
    "read_records",
    "term_frequencies_refresh",
    "write_pairs",
]
