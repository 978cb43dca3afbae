"""An administrator refits the calibration from reviewers' decisions (manage.py matching_calibrate)
when there are enough of them; the map joins the current one outside the reviewed range and is a
new, audited configuration version."""

import io
import itertools

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from amparo.audit.choices import AuditAction
from amparo.audit.models import AuditEvent
from amparo.common.errors import ApplicationError
from amparo.matching.choices import PairStatus, RecordType
from amparo.matching.linkage import fellegi_sunter as fs
from amparo.matching.linkage.specification import parse_spec
from amparo.matching.models import CandidatePair, MatcherConfigRevision
from amparo.matching.services import matcher_calibration_refit, matcher_calibration_reset, matcher_for
from amparo.matching.services.calibration import decided_pairs
from amparo.matching.services.configuration import default_definition, matcher_config_get
from amparo.matching.services.keys import persons_keyed
from amparo.registry.tests.factories import PersonFactory

PRIOR_WEIGHT = -20.0


def _decide(count: int, *, seed: int = 1, bayes_factor_of=None) -> None:
    """`count` decided pairs scored 14–34 bits; the true share of matches rises with the score
    more slowly than the model says (the model is over-confident)."""
    rng = np.random.default_rng(seed)
    persons = PersonFactory.create_batch(int(np.ceil((1 + np.sqrt(1 + 8 * count)) / 2)))
    pairs = itertools.islice(itertools.combinations(sorted(person.pk for person in persons), 2), count)
    rows = []
    for person_a, person_b in pairs:
        bayes_factor = float(rng.uniform(14, 34))
        truth = fs.probability_from_weight(np.array([(bayes_factor + PRIOR_WEIGHT) / 2]))[0]
        rows.append(
            CandidatePair(
                person_a_id=person_a,
                person_b_id=person_b,
                probability=0.5,
                match_weight=bayes_factor + PRIOR_WEIGHT,
                bayes_factor=bayes_factor,
                status=PairStatus.CONFIRMED if rng.random() < truth else PairStatus.REJECTED,
            )
        )
    CandidatePair.objects.bulk_create(rows)


def test_too_few_decisions_change_nothing(db):
    _decide(50)
    before = matcher_config_get(record_type=RecordType.PERSON).version

    with pytest.raises(ApplicationError) as error:
        matcher_calibration_refit(actor=None)

    assert error.value.code == "not_enough_decisions"
    assert error.value.extra["decided"] == 50
    assert matcher_config_get(record_type=RecordType.PERSON).version == before


def test_pending_postponed_and_unscored_pairs_are_left_out(db):
    _decide(30)
    CandidatePair.objects.filter(pk__in=list(CandidatePair.objects.values_list("pk", flat=True)[:5])).update(
        status=PairStatus.POSTPONED
    )
    CandidatePair.objects.filter(status=PairStatus.REJECTED).update(bayes_factor=None)

    scores, labels, prior_weight = decided_pairs()

    assert len(scores) == CandidatePair.objects.filter(status=PairStatus.CONFIRMED).count()
    assert all(labels)
    assert prior_weight == pytest.approx(PRIOR_WEIGHT)


def test_enough_decisions_give_a_new_audited_version_that_follows_them(db):
    _decide(600)
    config = matcher_config_get(record_type=RecordType.PERSON)
    _config, before = matcher_for(record_type=RecordType.PERSON)

    updated = matcher_calibration_refit(actor=None)

    assert updated.version == config.version + 1
    assert MatcherConfigRevision.objects.filter(config=config, version=config.version).exists()
    event = AuditEvent.objects.filter(action=AuditAction.MATCHING_CONFIG_UPDATED).latest("sequence")
    assert event.extra["note"] == "calibration refitted from reviewers' decisions"
    spec = parse_spec(updated.definition)
    assert "600 reviewers' decisions" in spec.calibration_source
    _config, after = matcher_for(record_type=RecordType.PERSON)
    # Within the reviewed range the probability now says what reviewers found.
    for bayes_factor in (18.0, 24.0, 30.0):
        truth = fs.probability_from_weight(np.array([(bayes_factor + PRIOR_WEIGHT) / 2]))[0]
        shown = after.probability(np.array([bayes_factor]), 2.0**PRIOR_WEIGHT)[0]
        assert shown == pytest.approx(truth, abs=0.12)
    # Outside it the shipped map's knots are kept, and the whole map stays increasing.
    grid = np.linspace(-30, 80, 2_000)
    assert np.all(np.diff(spec.calibration.apply(grid)) > 0)
    # (the shipped map at the registry's size: these tests key no persons, so the smallest size's)
    shipped = parse_spec(default_definition(RecordType.PERSON)).calibration.at(persons_keyed())
    assert set(shipped.raw[:3]) <= set(spec.calibration.at(None).raw)
    assert not spec.calibration.sizes  # one map, for this registry
    assert before.calibration != after.calibration


def test_the_command_counts_refits_and_restores_the_shipped_map(db):
    _decide(300, seed=4)
    out = io.StringIO()

    call_command("matching_calibrate", "--dry-run", stdout=out)
    call_command("matching_calibrate", stdout=out)
    refitted = matcher_config_get(record_type=RecordType.PERSON)
    call_command("matching_calibrate", "--shipped", stdout=out)
    restored = matcher_config_get(record_type=RecordType.PERSON)

    lines = out.getvalue().splitlines()
    assert lines[0].startswith("300 decided pairs: ")
    assert "300 reviewers' decisions" in refitted.definition["calibration"]["source"]
    assert restored.definition["calibration"] == default_definition(RecordType.PERSON)["calibration"]
    assert restored.version == refitted.version + 1


def test_the_command_says_why_it_cannot_refit(db):
    with pytest.raises(CommandError, match="0 pares decididos"):
        call_command("matching_calibrate", stdout=io.StringIO())


def test_reset_restores_the_shipped_map_in_a_configuration_made_without_one(db):
    config = matcher_config_get(record_type=RecordType.PERSON)
    definition = {key: value for key, value in config.definition.items() if key != "calibration"}
    config.definition = definition
    config.save(update_fields=["definition"])
    assert parse_spec(config.definition).calibration is None

    restored = matcher_calibration_reset(actor=None)

    assert parse_spec(restored.definition).calibration == parse_spec(default_definition("person")).calibration
