from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class MatchingErrorCode(StrEnum):
    SAME_PERSON = "same_person"
    ALREADY_MERGED = "already_merged"
    MERGE_UNDONE = "merge_already_undone"
    MERGE_BLOCKED = "merge_blocked"
    REASON_REQUIRED = "reason_required"
    PAIR_DECIDED = "pair_already_decided"
    CONFIG_CHANGED = "config_changed_meanwhile"
    CONFIG_INVALID = "config_invalid"
    UNDO_CONFLICT = "undo_conflict"
    FILE_INVALID = "file_invalid"
    NOT_ENOUGH_DECISIONS = "not_enough_decisions"


SAME_PERSON_MESSAGE = _("A person cannot be merged with themselves.")
ALREADY_MERGED_MESSAGE = _("One of these records was already merged into another person.")
MERGE_UNDONE_MESSAGE = _("This merge was already undone.")
MERGE_BLOCKED_MESSAGE = _("These records cannot be merged: %(detail)s")
REASON_REQUIRED_MESSAGE = _("Say why: the reason is kept with the decision.")
PAIR_DECIDED_MESSAGE = _("Someone already decided on this pair.")
CONFIG_CHANGED_MESSAGE = _(
    "Someone else changed the matching configuration meanwhile (now version %(current)s). Reload it."
)
UNDO_CONFLICT_MESSAGE = _("The kept person's record was merged again or archived since; undo that first.")
FILE_INVALID_MESSAGE = _("The file cannot be read: %(detail)s")
NOT_ENOUGH_DECISIONS_MESSAGE = _(
    "%(decided)s decided pairs (%(confirmed)s confirmed, %(rejected)s rejected): a calibration needs at "
    "least %(needed)s, with %(each)s of each."
)
