"""The online duplicate check against a large registry on PostgreSQL: p50/p95/p99 latency of one
check (the selector, and the htmx endpoint through Django's test client), for a new person typed
with realistic errors (typos, nicknames, dropped accents, swapped or missing surnames).

    uv run python benchmarks/matching_online.py --persons 1000000 [--checks 1000]

Uses its own database (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/amparo_matching_bench):
creates it, migrates, loads synthetic persons with `generate_persons` and keys them with
`matching_rebuild_keys` when they are missing (first run: several minutes), then measures.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import time

from matching_common import ROOT, print_machine

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/amparo_matching_bench"


def manage(url: str, *arguments: str) -> None:
    environment = {**os.environ, "DATABASE_URL": url, "DEBUG": "1"}
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *arguments], check=True, env=environment, cwd=ROOT
    )


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def ensure_units():
    from amparo.accounts.models import OrgUnit
    from amparo.accounts.services import org_unit_create

    if OrgUnit.objects.filter(code="bench-mx").exists():
        return
    region = org_unit_create(name="Región", code="bench-region", kind="region")
    country = org_unit_create(
        name="México", code="bench-mx", kind="country", parent=region, country_code="MX"
    )
    for number in range(1, 9):
        org_unit_create(
            name=f"Oficina {number}", code=f"bench-office-{number}", kind="office", parent=country
        )


def bench_users():
    from amparo.accounts.choices import Permission, Scope, Sensitivity
    from amparo.accounts.models import OrgUnit, Role, User
    from amparo.accounts.services import role_create, role_grant, user_create

    users = {}
    for username, unit_code, scope in (
        ("bench_admin", "bench-region", Scope.ALL),
        ("bench_caseworker", "bench-office-1", Scope.UNIT),
    ):
        user = User.objects.filter(username=username).first()
        if user is None:
            unit = OrgUnit.objects.get(code=unit_code)
            role = Role.objects.filter(name="bench matching").first() or role_create(
                actor=None,
                name="bench matching",
                permissions=list(Permission.values),
                sensitivity_clearance=Sensitivity.SENSITIVE,
            )
            user = user_create(
                actor=None,
                username=username,
                password="bench-password-123",  # noqa: S106 - a throwaway benchmark database
                home_unit=unit,
            )
            role_grant(actor=None, user=user, role=role, org_unit=unit, scope=scope)
        users[username] = user
    return users


def measure(function, samples: list) -> dict[str, float]:
    timings = []
    for sample in samples:
        started = time.perf_counter()
        function(sample)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "p50": statistics.median(timings),
        "p95": timings[int(0.95 * len(timings)) - 1],
        "p99": timings[int(0.99 * len(timings)) - 1],
        "max": timings[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--checks", type=int, default=1000)
    parser.add_argument("--database-url", default=os.environ.get("MATCHING_BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--load-only", action="store_true", help="load and key the persons, measure nothing")
    arguments = parser.parse_args()
    url = arguments.database_url
    ensure_database(url)
    manage(url, "migrate", "-v0")
    setup_django(url)
    from django.db import connection

    from amparo.matching.models import PersonKey
    from amparo.registry.models import Person

    ensure_units()
    missing = arguments.persons - Person.objects.count()
    if missing > 0:
        manage(url, "generate_persons", str(missing), "--seed", str(Person.objects.count()))
    if PersonKey.objects.count() < Person.objects.filter(is_archived=False).count():
        manage(url, "matching_rebuild_keys")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE matching_personblockkey; ANALYZE matching_personkey")
    if not arguments.load_only:
        run_checks(arguments.checks)


def run_checks(count: int) -> None:
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from amparo.matching.selectors import CandidatePerson, check_new_person
    from amparo.matching.services.keys import persons_keyed
    from amparo.registry.models import Person

    users = bench_users()
    rng = random.Random(5)
    total = Person.objects.count()
    ids = list(Person.objects.filter(is_archived=False).values_list("pk", flat=True).order_by("?")[:count])
    persons = list(Person.objects.filter(pk__in=ids).prefetch_related("documents"))
    candidates = [retype(person, rng) for person in persons]
    originals = [person.pk for person in persons]
    print(
        f"\n{total:,} persons on {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[1]} "
        f"({persons_keyed():,} keyed); {len(candidates):,} checks of persons typed again with errors\n"
    )
    print_machine()
    for candidate in candidates[:20]:  # warm the connection, the matcher and PostgreSQL's caches
        check_new_person(user=users["bench_admin"], candidate=candidate)
    rows = []
    for name, user in users.items():
        shown: dict[int, list[int]] = {}

        def check(index: int, user=user, shown=shown) -> None:
            shown[index] = [
                match.person.pk for match in check_new_person(user=user, candidate=candidates[index]).matches
            ]

        timing = measure(check, list(range(len(candidates))))
        found = sum(originals[index] in pks for index, pks in shown.items())
        any_shown = sum(bool(pks) for pks in shown.values())
        rows.append((f"check_new_person as {name}", timing, (found, any_shown, len(candidates))))
    print_rows(rows)
    rows = []
    client = Client()
    client.force_login(users["bench_caseworker"], backend="django.contrib.auth.backends.ModelBackend")
    url = reverse("matching:person_check")

    def endpoint(candidate: CandidatePerson) -> None:
        client.get(
            url,
            {
                "given_names": candidate.given_names,
                "first_surname": candidate.first_surname,
                "second_surname": candidate.second_surname,
                "sex": candidate.sex,
                "date_of_birth": candidate.date_of_birth.strftime("%d/%m/%Y")
                if candidate.date_of_birth
                else "",
                "document-number": candidate.document_number,
            },
        )

    rows.append(("GET /matching/person-check/ (caseworker)", measure(endpoint, candidates[:300]), None))
    print_rows(rows)


def print_rows(rows: list) -> None:
    print(
        "\n| what | p50 ms | p95 ms | p99 ms | max ms | typed person shown | any person shown |"
        "\n|---|---|---|---|---|---|---|"
    )
    for name, timing, share in rows:
        shown = f"{share[0] / share[2]:.1%} | {share[1] / share[2]:.1%}" if share is not None else " |"
        print(
            f"| {name} | {timing['p50']:.1f} | {timing['p95']:.1f} | {timing['p99']:.1f} "
            f"| {timing['max']:.1f} | {shown} |"
        )


def retype(person, rng: random.Random):
    """The person typed again by someone else: typos, accents dropped, nicknames, swapped or
    missing surnames, an age instead of the birth date, no document."""
    from matching_generator import ACCENTS, NICKNAMES, _typo

    from amparo.matching.selectors import CandidatePerson

    given, first, second = person.given_names, person.first_surname, person.second_surname
    if rng.random() < 0.5:
        given, first, second = (value.translate(ACCENTS) for value in (given, first, second))
    head = given.split(" ")[0]
    if head in NICKNAMES and rng.random() < 0.3:
        given = rng.choice(NICKNAMES[head])
    np_rng = __import__("numpy").random.default_rng(rng.randrange(1 << 30))
    if rng.random() < 0.3:
        first = _typo(first, np_rng) if first else first
    if rng.random() < 0.15 and second:
        first, second = second, first
    if rng.random() < 0.2:
        second = ""
    born = person.date_of_birth if rng.random() < 0.85 else None
    documents = list(person.documents.all())
    document = documents[0].number if documents and rng.random() < 0.3 else ""
    return CandidatePerson(
        given_names=given,
        first_surname=first,
        second_surname=second,
        sex=person.sex,
        date_of_birth=born,
        document_number=document,
    )


if __name__ == "__main__":
    main()
