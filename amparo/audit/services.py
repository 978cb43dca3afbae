import hashlib
import json
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from amparo.audit import context
from amparo.audit.choices import AuditAction
from amparo.audit.models import AuditChainHead, AuditEvent

GENESIS_HASH = "0" * 64


def entry_digest(event: AuditEvent) -> str:
    """The hash of one entry: its content and its predecessor's hash, canonically serialised."""
    payload = {
        "sequence": event.sequence,
        "occurred_at": event.occurred_at.isoformat(),
        "actor": event.actor_id,
        "actor_username": event.actor_username,
        "actor_unit": event.actor_unit_id,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "ip_address": event.ip_address,
        "user_agent": event.user_agent,
        "request_id": event.request_id,
        "extra": event.extra,
        "previous_hash": event.previous_hash,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _target_label(target: models.Model | None) -> tuple[str, str]:
    if target is None:
        return "", ""
    return target._meta.label_lower, str(target.pk)


@transaction.atomic
def record(
    *,
    actor: Any,
    action: AuditAction,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    extra: dict[str, Any] | None = None,
    username: str = "",
) -> AuditEvent:
    """Append one entry to the audit log, chained to the previous one.

    Runs inside the caller's transaction, so the entry commits or rolls back with what it
    records. The chain head row is locked (SELECT … FOR UPDATE) to keep sequence and hash
    linear under concurrent writers.
    """
    if target is not None:
        target_type, target_id = _target_label(target)
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    request_context = context.current()
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(id=1)
    event = AuditEvent(
        sequence=head.last_sequence + 1,
        occurred_at=timezone.now(),
        actor=actor if is_user else None,
        actor_username=(actor.get_username() if is_user else username)[:150],
        actor_unit_id=getattr(actor, "home_unit_id", None) if is_user else None,
        action=str(action),
        target_type=target_type,
        target_id=str(target_id),
        ip_address=request_context.ip_address,
        user_agent=request_context.user_agent,
        request_id=request_context.request_id,
        extra=json.loads(json.dumps(extra or {}, default=str)),
        previous_hash=head.last_hash,
    )
    event.entry_hash = entry_digest(event)
    event.save(force_insert=True)
    head.last_sequence = event.sequence
    head.last_hash = event.entry_hash
    head.save(update_fields=["last_sequence", "last_hash"])
    return event
