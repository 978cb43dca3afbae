"""Matcher configurations per record type: defaults from data files, validated edits, versions."""

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from amparo.accounts.models import User
from amparo.audit import services as audit
from amparo.audit.choices import AuditAction
from amparo.common.errors import ConflictError
from amparo.matching import errors
from amparo.matching.choices import RecordType
from amparo.matching.errors import MatchingErrorCode
from amparo.matching.linkage.pipeline import Matcher
from amparo.matching.linkage.specification import MatcherSpec, SpecError, parse_spec, spec_to_dict
from amparo.matching.models import MatcherConfig, MatcherConfigRevision
from amparo.matching.tasks import keys_rebuild_run

DEFAULTS = Path(__file__).resolve().parent.parent / "data" / "matchers"
# Family tracing starts from the person matcher's shipped weights; its settings (thresholds, fields,
# nicknames) are its own from the first edit.
DEFAULT_FILES = {
    RecordType.PERSON: "person.json",
    RecordType.FILE: "person.json",
    RecordType.TRACING: "person.json",
}

DISABLED = "disabled_comparisons"

_matchers: dict[tuple[str, int], Matcher] = {}


def default_definition(record_type: str) -> dict[str, Any]:
    definition = json.loads((DEFAULTS / DEFAULT_FILES[RecordType(record_type)]).read_text(encoding="utf-8"))
    definition["record_type"] = str(record_type)
    return definition


def matcher_config_get(*, record_type: str) -> MatcherConfig:
    """The configuration of a record type, created from the shipped default the first time."""
    config, _created = MatcherConfig.objects.get_or_create(
        record_type=record_type, defaults={"definition": default_definition(record_type)}
    )
    return config


def keyed_settings(definition: dict[str, Any]) -> tuple[Any, ...]:
    """What the registry's stored keys and value frequencies depend on (a change means a rebuild);
    learned weights and thresholds do not."""
    comparisons = sorted(
        (item["name"], item["kind"], tuple(item["fields"]), bool(item.get("term_frequency")))
        for item in definition.get("comparisons", [])
    )
    rules = [list(rule) for rule in definition.get("blocking_rules", [])]
    return rules, sorted((definition.get("nicknames") or {}).items()), comparisons


def matcher_for(*, record_type: str = RecordType.PERSON) -> tuple[MatcherConfig, Matcher]:
    """The configuration and a ready matcher for it (built once per configuration version)."""
    config = matcher_config_get(record_type=record_type)
    key = (str(record_type), config.version)
    if key not in _matchers:
        _matchers.clear() if len(_matchers) > 8 else None
        _matchers[key] = Matcher(parse_spec(config.definition))
    return config, _matchers[key]


def validate_definition(definition: dict[str, Any], *, record_type: str) -> MatcherSpec:
    """Parse a definition or raise a Django ValidationError keyed by the path of each problem."""
    try:
        spec = parse_spec({**definition, "record_type": str(record_type)})
    except SpecError as error:
        raise ValidationError(dict(error.errors)) from error
    return spec


@transaction.atomic
def matcher_config_update(
    *, actor: User | None, record_type: str, definition: dict[str, Any], expected_version: int, note: str = ""
) -> MatcherConfig:
    """Replace a configuration (validated); the previous definition stays as a revision."""
    spec = validate_definition(definition, record_type=record_type)
    config = matcher_config_get(record_type=record_type)
    config = MatcherConfig.objects.select_for_update().get(pk=config.pk)
    if config.version != expected_version:
        raise ConflictError(
            str(errors.CONFIG_CHANGED_MESSAGE) % {"current": config.version},
            code=MatchingErrorCode.CONFIG_CHANGED,
            extra={"current_version": config.version},
        )
    MatcherConfigRevision.objects.create(
        config=config, version=config.version, definition=config.definition, note=note[:200], created_by=actor
    )
    previous = config.definition
    config.definition = spec_to_dict(spec)
    if definition.get(DISABLED):  # comparisons switched off in the UI, kept to switch back on
        config.definition[DISABLED] = definition[DISABLED]
    config.version = F("version") + 1
    config.updated_by = actor
    config.save(update_fields=["definition", "version", "updated_by", "updated_at"])
    config.refresh_from_db(fields=["version"])
    audit.record(
        actor=actor,
        action=AuditAction.MATCHING_CONFIG_UPDATED,
        target=config,
        extra={"record_type": str(record_type), "version": config.version, "note": note[:200]},
    )
    if record_type == RecordType.PERSON and keyed_settings(previous) != keyed_settings(config.definition):
        transaction.on_commit(keys_rebuild_run.enqueue)
    return config


def matcher_config_store_learned(*, actor: User | None, record_type: str, matcher: Matcher) -> MatcherConfig:
    """Keep the m/u weights and prior a job learned, as a new configuration version."""
    config = matcher_config_get(record_type=record_type)
    definition = spec_to_dict(matcher.trained_spec())
    config = matcher_config_update(
        actor=actor,
        record_type=record_type,
        definition=definition,
        expected_version=config.version,
        note="weights learned from the registry",
    )
    MatcherConfig.objects.filter(pk=config.pk).update(trained_at=timezone.now())
    return config
