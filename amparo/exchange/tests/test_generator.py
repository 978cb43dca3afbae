"""The synthetic delivery generator: valid by default, and each planted error found where it was planted."""

import pytest

from amparo.exchange.runac.choices import DeliveryStatus
from amparo.exchange.runac.generator import INJECTIONS, Injection, generate_delivery
from amparo.exchange.tests.builders import import_paths

WARNINGS_ONLY = {Injection.FILE_NAME_TOLERATED, Injection.LATIN1}


@pytest.mark.django_db
def test_a_generated_delivery_loads_and_matches_its_own_counts(tmp_path):
    generated = generate_delivery(tmp_path, legajos=60, seed=7)

    delivery = import_paths(generated.files, equivalence=generated.equivalence_file)

    assert delivery.status == DeliveryStatus.LOADED
    assert delivery.issues == []
    assert delivery.counts == generated.counts
    assert (delivery.measure_count, delivery.penal_stay_count) == (
        generated.measures,
        generated.penal_entries,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("injection", INJECTIONS)
def test_each_planted_problem_is_reported_where_it_was_planted(tmp_path, injection):
    generated = generate_delivery(tmp_path, legajos=20, seed=3, inject=[injection])

    delivery = import_paths(generated.files, equivalence=generated.equivalence_file)

    found = {(item["code"], item["file"], item["line"], item["column"]) for item in delivery.issues}
    planted = {(str(item.code), item.file, item.line, item.column) for item in generated.planted}
    assert planted <= found
    assert delivery.status == (
        DeliveryStatus.LOADED if injection in WARNINGS_ONLY else DeliveryStatus.REJECTED
    )


def test_unknown_injection_is_refused(tmp_path):
    with pytest.raises(ValueError, match="Unknown injections"):
        generate_delivery(tmp_path, legajos=1, inject=["nonsense"])
