"""`manage.py audit_verify` walks the hash chain and names every entry that was removed or altered.

The table is append-only in the database (migration 0002); to simulate a database superuser
tampering with the log, these tests switch the trigger off inside the test transaction.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from amparo.accounts.models import User
from amparo.accounts.services import user_create
from amparo.audit import services as audit
from amparo.audit.choices import AuditAction
from amparo.audit.models import AuditChainHead, AuditEvent
from amparo.audit.verification import verify_chain
from amparo.conftest import PASSWORD

TRIGGER = "audit_event_no_update"


@contextmanager
def tampering() -> Iterator[None]:
    """Act as a database superuser: the append-only trigger is off until the block ends."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Django's foreign keys are deferred; ALTER TABLE refuses while their checks are pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE audit_auditevent DISABLE TRIGGER {TRIGGER}")
        else:
            cursor.execute(f"DROP TRIGGER {TRIGGER}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"ALTER TABLE audit_auditevent ENABLE TRIGGER {TRIGGER}")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            else:
                cursor.execute(
                    f"CREATE TRIGGER {TRIGGER} BEFORE UPDATE ON audit_auditevent "
                    "BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only'); END;"
                )


def _run_verify() -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("audit_verify", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _run_verify_expecting_failure() -> tuple[CommandError, str]:
    err = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("audit_verify", stdout=StringIO(), stderr=err)
    return failure.value, err.getvalue()


@pytest.fixture
def log(world) -> list[int]:
    """A log of known length: the world's set-up plus a few more entries."""
    for _number in range(5):
        audit.record(actor=world.caseworker_a, action=AuditAction.PERSON_VIEWED, target=world.caseworker_a)
    return list(AuditEvent.objects.order_by("sequence").values_list("sequence", flat=True))


def test_intact_log_passes(log):
    out, err = _run_verify()
    assert out.strip() == f"audit log intact: {len(log)} entries verified"
    assert err == ""
    assert log == list(range(1, len(log) + 1))


def test_empty_log_passes(db):
    out, _err = _run_verify()
    assert out.strip() == "audit log intact: 0 entries verified"


def test_detects_a_deleted_entry(log):
    victim = log[len(log) // 2]
    with tampering():
        AuditEvent.objects.filter(sequence=victim).delete()
    error, err = _run_verify_expecting_failure()
    assert error.returncode == 1
    assert err.splitlines() == [
        f"entry {victim}: entries {victim}..{victim} are missing",
        f"entry {victim + 1}: link to the previous entry is broken",
    ]
    assert str(error) == f"audit log is NOT intact: 2 problem(s) in {len(log) - 1} entries"


def test_detects_an_altered_entry(log):
    victim = log[3]
    with tampering():
        AuditEvent.objects.filter(sequence=victim).update(target_id="999999")
    error, err = _run_verify_expecting_failure()
    assert error.returncode == 1
    assert err.splitlines() == [f"entry {victim}: entry content was altered"]


def test_detects_an_entry_altered_with_a_recomputed_hash(log):
    """Re-hashing the altered entry does not help: the next entry's link no longer matches."""
    victim = log[3]
    with tampering():
        event = AuditEvent.objects.get(sequence=victim)
        event.extra = {"forged": True}
        AuditEvent.objects.filter(pk=event.pk).update(extra=event.extra, entry_hash=audit.entry_digest(event))
    _error, err = _run_verify_expecting_failure()
    assert err.splitlines() == [f"entry {victim + 1}: link to the previous entry is broken"]


def test_detects_a_removed_last_entry(log):
    last = log[-1]
    with tampering():
        AuditEvent.objects.filter(sequence=last).delete()
    error, err = _run_verify_expecting_failure()
    assert error.returncode == 1
    assert err.splitlines() == [f"entry {last}: the log ends at {last - 1} but {last} were written"]


def test_the_database_refuses_updates_of_the_log(log):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(sequence=log[0]).update(target_id="x")
    assert AuditEvent.objects.get(sequence=log[0]).target_id != "x"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite keeps DELETE open for test flushes")
def test_postgresql_refuses_deletes_of_the_log(log):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(sequence=log[0]).delete()
    assert AuditEvent.objects.filter(sequence=log[0]).exists() is True


def _create_a_user_then_fail(world) -> None:
    with transaction.atomic():
        user_create(actor=None, username="ghost", password=PASSWORD, home_unit=world.unit_a)
        raise RuntimeError("the request failed after the write")


def test_an_entry_rolls_back_with_the_transaction_it_records(world):
    # given
    head_before = AuditChainHead.objects.get()
    count_before = AuditEvent.objects.count()
    # when the action fails after its audit entry was written
    with pytest.raises(RuntimeError):
        _create_a_user_then_fail(world)
    # then neither the user nor its entry exists, and the chain continues without a gap
    assert User.objects.filter(username="ghost").exists() is False
    assert AuditEvent.objects.count() == count_before
    head_after = AuditChainHead.objects.get()
    assert (head_after.last_sequence, head_after.last_hash) == (
        head_before.last_sequence,
        head_before.last_hash,
    )
    event = audit.record(actor=world.caseworker_a, action=AuditAction.LOGOUT)
    assert event.sequence == head_before.last_sequence + 1
    assert verify_chain() == (count_before + 1, [])
