"""The demo world load_demo builds: users who log in with their roles, scoped visibility, realistic people."""

import datetime
import io
import re
import zipfile

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse

from amparo.accounts.models import RoleAssignment, User
from amparo.audit.choices import AuditAction
from amparo.audit.models import AuditEvent
from amparo.audit.verification import verify_chain
from amparo.demo.world import DEMO_PASSWORD, USERS
from amparo.exchange.runac import province_services
from amparo.exchange.runac import services as runac_services
from amparo.exchange.runac.choices import DeliveryStatus
from amparo.exchange.runac.models import Jurisdiction, LegajoRecord
from amparo.exchange.runac.reading import Source
from amparo.registry.identifiers import parse_amparo_id
from amparo.registry.models import AdminArea, Household, HouseholdMembership, IdentityDocument, Person
from amparo.registry.selectors import PersonFilters, person_list, persons_visible_to
from amparo.tracing import selectors as tracing_selectors
from amparo.tracing.models import Notification, PotentialMatch, TracingRequest


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo loaded once for this module, rolled back at its end (loading takes a few seconds)."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def users(demo, db) -> dict[str, User]:
    return {user.username: user for user in User.objects.all()}


def test_loading_again_with_if_empty_changes_nothing(users):
    persons, households, events = (
        Person.objects.count(),
        Household.objects.count(),
        AuditEvent.objects.count(),
    )

    call_command("load_demo", "--if-empty", stdout=io.StringIO())

    assert (Person.objects.count(), Household.objects.count(), AuditEvent.objects.count()) == (
        persons,
        households,
        events,
    )


def test_loads_about_three_thousand_persons_and_eight_hundred_households(users):
    assert 2800 <= Person.objects.count() <= 3800
    assert Household.objects.count() == 802
    assert AdminArea.objects.filter(country="GT", code="0901").get().name == "Quetzaltenango"


def test_writes_one_demo_entry_for_the_bulk_and_keeps_the_audit_chain_intact(users):
    entry = AuditEvent.objects.get(action=AuditAction.DEMO_LOADED)
    checked, problems = verify_chain()

    assert entry.extra["persons"] == Person.objects.count()
    assert entry.extra["households"] == Household.objects.count()
    assert problems == []
    assert checked == AuditEvent.objects.count()


@pytest.mark.parametrize("spec", USERS, ids=[spec.username for spec in USERS])
def test_demo_user_has_the_role_and_logs_in(users, spec):
    user = users[spec.username]
    assignment = RoleAssignment.objects.active().select_related("role", "org_unit").get(user=user)

    assert (assignment.role.name, assignment.org_unit.code, assignment.scope) == (
        spec.role,
        spec.grant_unit,
        spec.scope,
    )
    assert user.home_unit.code == spec.home_unit
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": spec.username, "password": DEMO_PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def _countries_of(persons) -> set[str]:
    return set(persons.values_list("org_unit__country_code", flat=True).distinct())


def test_mexican_caseworker_sees_only_the_houston_consulate(users):
    visible = persons_visible_to(users["trabajador.mx"])

    assert visible.count() == Person.objects.filter(org_unit__code="mx-sre-houston").count()
    assert _countries_of(visible) == {"MX"}
    assert list(person_list(user=users["trabajador.mx"], filters=PersonFilters(query="Ixchel Tzul"))) == []


def test_guatemalan_caseworker_sees_only_quetzaltenango(users):
    visible = persons_visible_to(users["trabajador.gt"])

    assert visible.count() == Person.objects.filter(org_unit__code="gt-pgn-quetzaltenango").count()
    assert _countries_of(visible) == {"GT"}
    assert (
        list(person_list(user=users["trabajador.gt"], filters=PersonFilters(query="hernandez de la cruz")))
        == []
    )
    found = person_list(user=users["trabajador.gt"], filters=PersonFilters(query="tzul ixchel"))
    assert [person.full_name for person in found] == ["Ixchel Tzul Ajanel"]


def test_supervisor_sees_all_of_mexico_and_nothing_else(users):
    visible = persons_visible_to(users["supervisora.mx"])

    assert visible.count() == Person.objects.filter(org_unit__country_code="MX").count()
    assert _countries_of(visible) == {"MX"}


def test_names_carry_accents_compound_names_particles_and_enye(users):
    persons = Person.objects.all()

    assert persons.filter(given_names__contains=" ").count() > 300
    assert persons.filter(first_surname__in=["de la Cruz", "Del Valle", "de los Santos", "de León"]).exists()
    assert persons.filter(first_surname__contains="-").exists()
    assert persons.filter(first_surname__contains="ñ").exists()
    assert persons.filter(given_names__regex=r"[áéíóúÁÉÍÓÚ]").count() > 300
    assert persons.filter(second_surname="").exclude(nationality="AR").count() < persons.count() // 10


def test_a_name_typed_without_accents_finds_the_accented_person(users):
    found = person_list(
        user=users["admin"], filters=PersonFilters(query="maria guadalupe hernandez de la cruz")
    )

    assert [person.full_name for person in found] == ["María Guadalupe Hernández de la Cruz"]


def test_households_group_relatives_sharing_surnames(users):
    household = Household.objects.get(name="Familia Tzul Ajanel")
    members = HouseholdMembership.objects.filter(household=household).select_related("person")

    assert sorted((m.relationship, m.person.full_name) for m in members) == [
        ("child", "Ixchel Tzul Ajanel"),
        ("child", "Wilmer Tzul Ajanel"),
        ("head", "Rosa María Ajanel Xicará"),
    ]
    children_share_a_surname = 0
    for household in Household.objects.filter(name__startswith="Familia").prefetch_related(
        "memberships__person"
    ):
        surnames = [m.person.first_surname for m in household.memberships.all() if m.relationship == "child"]
        children_share_a_surname += len(set(surnames)) == 1
    assert children_share_a_surname > 500


def test_documents_have_each_country_format(users):
    def numbers(country: str, document_type: str) -> list[str]:
        return list(
            IdentityDocument.objects.filter(issuing_country=country, document_type=document_type).values_list(
                "number", flat=True
            )
        )

    assert all(
        re.fullmatch(r"[A-Z]{4}\d{6}[HM][A-Z]{5}[0-9A-Z]\d", n) for n in numbers("MX", "personal_code")
    )
    assert all(re.fullmatch(r"\d{4} \d{5} \d{4}", n) for n in numbers("GT", "national_id"))
    assert all(re.fullmatch(r"\d{1,2}\.\d{3}\.\d{3}", n) for n in numbers("AR", "national_id"))
    assert all(re.fullmatch(r"\d{1,3}(\.\d{3}){1,2}", n) for n in numbers("PY", "national_id"))
    assert all(re.fullmatch(r"\d{8}-\d", n) for n in numbers("SV", "national_id"))
    assert len(numbers("MX", "personal_code")) > 300


def test_persons_have_valid_amparo_ids_and_some_gps_points(users):
    amparo_ids = list(Person.objects.values_list("amparo_id", flat=True))

    assert all(parse_amparo_id(amparo_id) == amparo_id for amparo_id in amparo_ids)
    assert len(set(amparo_ids)) == len(amparo_ids)
    assert Person.objects.filter(addresses__latitude__isnull=False).count() > 100
    assert Person.objects.filter(date_of_birth_is_estimated=True).count() > 100


def test_tracing_requests_match_the_separated_childrens_cases_within_scope(users):
    matches = {match.case.person.given_names: match for match in PotentialMatch.objects.all()}
    assert sorted(matches) == ["Heidy Marisol", "José Luis"]
    assert all(match.probability >= 0.5 for match in matches.values())
    assert Notification.objects.filter(recipient=users["trabajador.mx"], read_at__isnull=True).count() == 2
    request_gt = TracingRequest.objects.get(org_unit__code="gt-pgn-quetzaltenango")
    found = tracing_selectors.matches_of_request(user=users["trabajador.gt"], tracing_request=request_gt)
    assert (found.visible, found.outside_scope) == ([], True)
    found = tracing_selectors.matches_of_request(user=users["admin"], tracing_request=request_gt)
    assert [match.case.person.given_names for match in found.visible] == ["Heidy Marisol"]


def test_jujuy_generates_its_first_runac_delivery_and_the_national_team_loads_it(users):
    # given the demo's province referent generates the 2022 delivery of Jujuy
    jurisdiction = Jurisdiction.objects.get(code="38")
    generated = province_services.delivery_generate(
        actor=users["runac.jujuy"],
        jurisdiction=jurisdiction,
        period_from=datetime.date(2022, 1, 1),
        period_to=datetime.date(2022, 12, 31),
    )
    build = generated.build
    assert build.errors == []
    assert set(build.rule_counts) == {"A", "B", "C"}
    assert all(build.rule_counts.values())
    files = zipfile.ZipFile(io.BytesIO(generated.content))
    sources = [Source.from_bytes(name, files.read(name)) for name in [*build.file_names, "38_TE.csv"]]
    # when the national team imports it
    delivery = runac_services.delivery_import(
        actor=users["runac.nacional"], sources=sources[:4], equivalence_source=sources[4]
    )
    # then it loads with the province's counts
    assert delivery.status == DeliveryStatus.LOADED, delivery.issues[:3]
    assert delivery.counts == build.counts
    # every legajo carries its legajo form, translated; the child with two cases is one legajo
    legajos = LegajoRecord.objects.filter(delivery=delivery)
    assert not legajos.filter(pueblo_originario="").exists()
    assert not legajos.filter(escolarizado="").exists()
    assert set(legajos.values_list("pueblo_originario", flat=True)) >= {"NINGUNO", "KOLLA", "OTRO"}
    assert [len(item.cases) for item in build.selections].count(2) == 1
