from collections.abc import Iterator
from dataclasses import dataclass

from amparo.audit.models import AuditChainHead, AuditEvent
from amparo.audit.services import GENESIS_HASH, entry_digest


@dataclass(frozen=True)
class ChainProblem:
    sequence: int
    message: str


def verify_chain(*, batch_size: int = 5000) -> tuple[int, list[ChainProblem]]:
    """Walk the whole log in order; report every gap, altered entry and broken link."""
    problems: list[ChainProblem] = []
    expected_sequence = 1
    previous_hash = GENESIS_HASH
    checked = 0
    for event in _iterate(batch_size):
        checked += 1
        if event.sequence != expected_sequence:
            problems.append(
                ChainProblem(
                    expected_sequence, f"entries {expected_sequence}..{event.sequence - 1} are missing"
                )
            )
        if event.previous_hash != previous_hash:
            problems.append(ChainProblem(event.sequence, "link to the previous entry is broken"))
        if entry_digest(event) != event.entry_hash:
            problems.append(ChainProblem(event.sequence, "entry content was altered"))
        expected_sequence = event.sequence + 1
        previous_hash = event.entry_hash
    head = AuditChainHead.objects.filter(id=1).first()
    last_sequence = head.last_sequence if head else 0
    if last_sequence != expected_sequence - 1 or (head and head.last_hash != previous_hash and checked):
        problems.append(
            ChainProblem(
                expected_sequence, f"the log ends at {expected_sequence - 1} but {last_sequence} were written"
            )
        )
    return checked, problems


def _iterate(batch_size: int) -> Iterator[AuditEvent]:
    last = 0
    while True:
        batch = list(AuditEvent.objects.filter(sequence__gt=last).order_by("sequence")[:batch_size])
        if not batch:
            return
        yield from batch
        last = batch[-1].sequence
