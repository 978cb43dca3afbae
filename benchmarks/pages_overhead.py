"""Where an HTML page's time goes, beyond the selector it shows (registry search, person page,
case list), measured in-process with Django's test client on a loaded PostgreSQL database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/amparo_pages_bench \
        uv run python benchmarks/pages_overhead.py [--rounds 30] [--profile "html search"]

The database must be migrated and hold the demo world (`load_demo`) and generated persons
(`generate_persons 200000`): this script only reads (and writes the audit rows each page writes).
For each page it prints p50/p95 wall time over `rounds` requests, the median CPU time of this
process (Python: less sensitive than wall time to a shared machine's load), the SQL queries and
the time spent in SQL; `--profile NAME` runs that page under cProfile and prints the functions that cost most.
"""

import argparse
import cProfile
import io
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks._settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "benchmark-only-not-secret")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_COOKIES", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("AMPARO_BENCH_STATIC_ROOT", tempfile.mkdtemp(prefix="amparo-pages-static-"))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

call_command("collectstatic", interactive=False, verbosity=0)  # the manifest the pages' {% static %} read

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from amparo.accounts.models import User  # noqa: E402
from amparo.cases import selectors as case_selectors  # noqa: E402
from amparo.cases.selectors import CaseFilters  # noqa: E402
from amparo.common.pagination import page_of  # noqa: E402
from amparo.registry.models import Person  # noqa: E402
from amparo.registry.selectors import PersonFilters, capped_count, person_get, person_list  # noqa: E402

USERS = ("trabajador.mx", "admin")


def percentile(samples: list[float], cut: int) -> float:
    if len(samples) < 2:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[cut - 1]


def workload(user: User, count: int, seed: int = 1) -> tuple[list[str], list[int]]:
    """Queries as people type them (surname + start of a given name) and person ids, both of
    persons the user may see."""
    rng = random.Random(seed)
    ids = list(person_list(user=user, filters=PersonFilters()).values_list("pk", flat=True)[:5000])
    picked = rng.sample(ids, min(count, len(ids)))
    queries = []
    for person in Person.objects.filter(pk__in=picked):
        given = person.search_name.split()[0] if person.search_name else ""
        queries.append(f"{given[:4]} {person.first_surname}".strip())
    return queries, picked


def cases(user: User, client: Client) -> dict[str, tuple[str, Callable[[object], object]]]:
    def search_selector(query: object) -> None:
        persons = person_list(user=user, filters=PersonFilters(query=str(query)))
        page = page_of(persons, number=1, size=25, counted=capped_count(persons))
        list(page.rows)

    def person_selector(pk: object) -> None:
        person = person_get(user=user, person_id=pk)
        list(person.documents.all()), list(person.addresses.all()), list(person.household_memberships.all())

    def case_list_selector(_: object) -> None:
        listed = case_selectors.case_list(user=user, filters=CaseFilters())
        list(listed[:25])

    def get(path: str, params: dict | None = None) -> None:
        response = client.get(path, params or {})
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} {params} → {response.status_code}")

    return {
        "selector search": ("search", search_selector),
        "html search": ("search", lambda q: get("/registry/persons/", {"q": q})),
        "selector person": ("person", person_selector),
        "html person": ("person", lambda pk: get(f"/registry/persons/{pk}/")),
        "selector case list": ("none", case_list_selector),
        "html case list": ("none", lambda _: get("/cases/")),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--profile", default="", help="a case name, e.g. 'html search'")
    parser.add_argument("--user", default="", help="only this user")
    parser.add_argument("--sql", action="store_true", help="print each page's SQL")
    parser.add_argument("--only", default="", help="only case names containing this")
    args = parser.parse_args()
    print(f"load: {os.getloadavg()}  database: {connection.settings_dict['NAME']}")
    for username in [args.user] if args.user else USERS:
        user = User.objects.get(username=username)
        client = Client(HTTP_ACCEPT_LANGUAGE="es")
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        queries_, ids = workload(user, args.rounds)
        print(f"\n{username}")
        for name, (what, call) in cases(user, client).items():
            if args.only and args.only not in name:
                continue
            items: list[object] = {"search": queries_, "person": ids}.get(what, [None] * args.rounds)
            for item in items[:3]:
                call(item)  # warm caches (templates, translations, connection)
            samples, cpu = [], []
            for item in items:
                started, started_cpu = time.perf_counter(), time.process_time()
                call(item)
                samples.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
            with CaptureQueriesContext(connection) as captured:
                call(items[0])
            sql_ms = sum(float(q["time"]) for q in captured.captured_queries) * 1000
            print(
                f"  {name:20} p50 {statistics.median(samples):7.1f} ms  p95 {percentile(samples, 95):7.1f} ms"
                f"  cpu p50 {statistics.median(cpu):6.1f} ms  queries {len(captured.captured_queries):3}"
                f"  sql {sql_ms:6.1f} ms"
            )
            if args.sql:
                for query in captured.captured_queries:
                    print(f"      {float(query['time']) * 1000:6.1f} ms  {query['sql'][:240]}")
            if args.profile and args.profile == name:
                profiler = cProfile.Profile()
                profiler.enable()
                for item in items:
                    call(item)
                profiler.disable()
                out = io.StringIO()
                stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
                stats.print_stats(45)
                print(out.getvalue())
                if os.environ.get("PROFILE_TOTTIME"):
                    out = io.StringIO()
                    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(30)
                    print(out.getvalue())
    print(f"\nload: {os.getloadavg()}")


if __name__ == "__main__":
    main()
