"""Matching settings per record type, edited without code by a system-wide administrator."""

import pytest
from django.urls import reverse

from amparo.audit.choices import AuditAction
from amparo.common.errors import ConflictError
from amparo.matching.models import MatcherConfig
from amparo.matching.services import matcher_config_get, matcher_config_update
from amparo.matching.tests.support import audit_since, client_as, last_sequence
from amparo.matching.tests.test_calibration_refit import _decide

URL = reverse("matching:config", args=["person"])
CALIBRATION_URL = reverse("matching:config_calibration", args=["person"])


def form_data(config: MatcherConfig, **changes) -> dict:
    definition = config.definition
    data = {
        "comparison-TOTAL_FORMS": str(len(definition["comparisons"])),
        "comparison-INITIAL_FORMS": str(len(definition["comparisons"])),
        "version": str(config.version),
        "review_threshold": "0.5",
        "display_threshold": "0.2",
        "matches_per_record": "0.05",
        "note": "",
        "blocking_rules": "\n".join(" + ".join(rule) for rule in definition["blocking_rules"]),
        "nicknames": "",
    }
    for index, item in enumerate(definition["comparisons"]):
        data[f"comparison-{index}-name"] = item["name"]
        data[f"comparison-{index}-enabled"] = "on"
        data[f"comparison-{index}-thresholds"] = ", ".join(str(value) for value in item.get("thresholds", []))
        if item.get("term_frequency"):
            data[f"comparison-{index}-term_frequency"] = "on"
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("persona", "status"),
    [("national_admin", 200), ("reviewer_a", 404), ("supervisor_mx", 404), ("anonymous", 302)],
)
def test_settings_page_by_persona(matching, persona, status):
    assert client_as(getattr(matching, persona, None)).get(URL).status_code == status


def test_saves_thresholds_nicknames_and_a_disabled_field(matching):
    config = matcher_config_get(record_type="person")
    before = last_sequence()

    response = client_as(matching.national_admin).post(
        URL,
        form_data(
            config,
            review_threshold="0.8",
            nicknames="Pili = Pilar",
            **{"comparison-7-enabled": ""},
            note="sin nacionalidad",
        ),
    )

    assert response.status_code == 302
    config.refresh_from_db()
    assert config.version == 2
    assert config.definition["review_threshold"] == 0.8
    assert config.definition["nicknames"] == {"Pili": ["Pilar"]}
    assert [item["name"] for item in config.definition["disabled_comparisons"]] == ["nationality"]
    assert config.revisions.get().version == 1
    assert [(event.action, event.extra["note"]) for event in audit_since(before)] == [
        (AuditAction.MATCHING_CONFIG_UPDATED, "sin nacionalidad")
    ]


def test_an_invalid_rule_is_explained_and_nothing_changes(matching):
    config = matcher_config_get(record_type="person")

    response = client_as(matching.national_admin).post(
        URL, form_data(config, blocking_rules="soundex(given_names)")
    )

    assert response.status_code == 400
    assert "unknown function soundex" in response.content.decode()
    config.refresh_from_db()
    assert config.version == 1


def test_a_stale_version_is_refused(matching):
    config = matcher_config_get(record_type="person")
    matcher_config_update(
        actor=matching.national_admin, record_type="person", definition=config.definition, expected_version=1
    )
    with pytest.raises(ConflictError):
        matcher_config_update(
            actor=matching.national_admin,
            record_type="person",
            definition=config.definition,
            expected_version=1,
        )


def test_new_blocking_rules_rebuild_the_keys_but_learned_weights_do_not(
    matching, django_capture_on_commit_callbacks
):
    config = matcher_config_get(record_type="person")
    definition = {**config.definition, "review_threshold": 0.7}
    with django_capture_on_commit_callbacks() as weights_only:
        matcher_config_update(
            actor=matching.national_admin, record_type="person", definition=definition, expected_version=1
        )
    definition = {
        **definition,
        "blocking_rules": [*definition["blocking_rules"], ["exact(nationality)", "year(date_of_birth)"]],
    }
    with django_capture_on_commit_callbacks() as new_rules:
        matcher_config_update(
            actor=matching.national_admin, record_type="person", definition=definition, expected_version=2
        )
    assert (len(weights_only), len(new_rules)) == (0, 1)


def test_the_calibration_stays_with_new_thresholds_of_decision_but_not_with_new_comparisons(matching):
    config = matcher_config_get(record_type="person")
    assert config.definition["calibration"]["by_size"]
    client = client_as(matching.national_admin)

    client.post(URL, form_data(config, review_threshold="0.7"))
    config.refresh_from_db()
    assert config.definition["calibration"]["by_size"]

    client.post(URL, form_data(config, **{"comparison-7-enabled": ""}))
    config.refresh_from_db()
    assert config.version == 3
    assert "calibration" not in config.definition


@pytest.mark.parametrize(
    ("persona", "status"),
    [("national_admin", 302), ("reviewer_a", 404), ("supervisor_mx", 404), ("anonymous", 302)],
)
def test_only_a_system_wide_administrator_may_refit_the_calibration(matching, persona, status):
    response = client_as(getattr(matching, persona, None)).post(CALIBRATION_URL, {"action": "shipped"})

    assert response.status_code == status
    expected = 2 if persona == "national_admin" else 1
    assert matcher_config_get(record_type="person").version == expected


def test_the_settings_page_counts_decisions_and_refuses_a_refit_with_too_few(matching):
    _decide(40)
    client = client_as(matching.national_admin)

    page = client.get(URL).content.decode()
    assert "Reviewers have decided 40 pairs" in page
    assert 'data-testid="calibration-refit" disabled' in page
    response = client.post(CALIBRATION_URL, {"action": "refit"}, follow=True)

    assert "a calibration needs at least" in response.content.decode()
    assert matcher_config_get(record_type="person").version == 1


def test_the_refit_button_stores_the_reviewers_calibration_and_restore_puts_back_the_shipped_one(matching):
    _decide(300)
    client = client_as(matching.national_admin)
    before = last_sequence()

    assert 'data-testid="calibration-refit" disabled' not in client.get(URL).content.decode()
    response = client.post(CALIBRATION_URL, {"action": "refit"}, follow=True)

    assert "Calibration refitted from reviewers" in response.content.decode()
    config = matcher_config_get(record_type="person")
    assert config.version == 2
    assert "300 reviewers' decisions" in config.definition["calibration"]["source"]
    assert [event.extra["note"] for event in audit_since(before)] == [
        "calibration refitted from reviewers' decisions"
    ]
    client.post(CALIBRATION_URL, {"action": "shipped"})
    config.refresh_from_db()
    assert config.version == 3
    assert "by_size" in config.definition["calibration"]
    assert client.post(CALIBRATION_URL, {"action": "other"}).status_code == 400


def test_other_record_types_cannot_be_refitted_from_person_decisions(matching):
    url = reverse("matching:config_calibration", args=["file"])

    assert client_as(matching.national_admin).post(url, {"action": "refit"}).status_code == 404
    assert (
        "calibration-refit"
        not in client_as(matching.national_admin)
        .get(reverse("matching:config", args=["file"]))
        .content.decode()
    )
