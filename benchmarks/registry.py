"""Registry benchmark: a million persons on PostgreSQL, name search and the person page.

    uv run python benchmarks/registry.py                    # the full run (1,000,000 persons)
    uv run python benchmarks/registry.py --persons 50000    # a quick run
    uv run python benchmarks/registry.py --reuse            # measure again on the loaded database

What it does, and nothing else (it stops by itself and only talks to 127.0.0.1):
1. drops and creates the PostgreSQL database `amparo_bench` on 127.0.0.1:5432, migrates it,
   loads the demo world (units, roles, users) and times `generate_persons N` (rows/s);
2. in-process: times name search and the person page through the selectors, the HTML views
   and the API with Django's test client, as a caseworker (unit scope) and a national
   administrator (all scope);
3. over HTTP: starts gunicorn on 127.0.0.1 and times the same pages and API endpoints with
   10 concurrent clients per persona;
4. prints the figures and the machine, and writes them into docs/performance.md.

Queries are built from the stored persons the way people type them: full names without
accents, the two surnames in either order, the start of a given name and a surname, a
document number as printed, an Amparo ID. Each read writes its audit entry, as in production.
"""

import argparse
import json
import os
import platform
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
DATABASE = "amparo_bench"
DATABASE_URL = f"postgres://postgres@{HOST}:5432/{DATABASE}"
PASSWORD = "amparo-demo"  # noqa: S105 - the published password of the demo users
CASEWORKER, ADMIN = "trabajador.mx", "admin"
PERSONAS = {CASEWORKER: "caseworker (unit scope)", ADMIN: "national admin (all scope)"}
GOALS_MS = {"search": 100.0, "person": 50.0}
RESULTS_START, RESULTS_END = "<!-- benchmark:registry:start -->", "<!-- benchmark:registry:end -->"

STATIC_ROOT = tempfile.mkdtemp(prefix="amparo-bench-static-")
SERVER_ENV = {
    "DJANGO_SETTINGS_MODULE": "benchmarks._settings",
    "AMPARO_BENCH_STATIC_ROOT": STATIC_ROOT,
    "DEBUG": "0",
    "SECRET_KEY": "benchmark-only-not-secret",
    "ALLOWED_HOSTS": f"{HOST},localhost,testserver",
    "SECURE_COOKIES": "0",
    "DATABASE_URL": DATABASE_URL,
    "CONN_MAX_AGE": "60",
    "LOG_LEVEL": "WARNING",
    "AXES_FAILURE_LIMIT": "1000",
}


def log(message: str) -> None:
    print(message, flush=True)


# --- Machine -----------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = platform.processor() or "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.MULTILINE)
        cpu = found.group(1).strip() if found else cpu
    memory = "unknown"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        found = re.search(r"^MemTotal:\s*(\d+) kB", meminfo.read_text(), re.MULTILINE)
        memory = f"{int(found.group(1)) / 1024 / 1024:.1f} GiB" if found else memory
    with psycopg.connect(f"postgres://postgres@{HOST}:5432/postgres") as connection:
        version = connection.execute("SHOW server_version").fetchone()[0]
        settings = dict(
            connection.execute(
                "SELECT name, current_setting(name) FROM pg_settings WHERE name IN "
                "('shared_buffers', 'work_mem', 'effective_cache_size', 'random_page_cost')"
            ).fetchall()
        )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    amparo_page_cost = os.environ.get("DATABASE_RANDOM_PAGE_COST", "1.1")  # as config/settings.py
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": memory,
        "postgresql": version,
        "postgresql_settings": ", ".join(f"{name}={value}" for name, value in sorted(settings.items()))
        + f" (server); Amparo's connections: random_page_cost={amparo_page_cost or 'as the server'}",
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
        "load_before": f"{load:.2f}",
    }


# --- Loading ------------------------------------------------------------------------------------


def manage(*args: str, env: dict[str, str], timeout: int, echo: bool = False) -> str:
    command = [sys.executable, str(ROOT / "manage.py"), *args]
    if not echo:
        return subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, text=True,
                              timeout=timeout).stdout  # fmt: skip
    lines = []
    with subprocess.Popen(command, cwd=ROOT, env={**env, "PYTHONUNBUFFERED": "1"}, stdout=subprocess.PIPE,
                          text=True) as process:  # fmt: skip
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            progress = re.match(r"\s*([\d,]+) / ", line)
            if progress is None or int(progress.group(1).replace(",", "")) % 100_000 == 0:
                log("    " + line.rstrip())
        if process.wait(timeout=timeout) != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed")
    return "".join(lines)


def load(persons: int) -> dict[str, float]:
    """A fresh database with the demo world and `persons` generated persons; the load timed."""
    with psycopg.connect(f"postgres://postgres@{HOST}:5432/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {DATABASE}")
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": DATABASE_URL}
    log("  migrate…")
    manage("migrate", "--no-input", env=env, timeout=600)
    log("  load_demo…")
    manage("load_demo", env=env, timeout=600)
    log(f"  generate_persons {persons:,}…")
    started = time.monotonic()
    manage("generate_persons", str(persons), env=env, timeout=4 * 3600, echo=True)
    seconds = time.monotonic() - started
    with psycopg.connect(DATABASE_URL) as connection:
        counts = {
            table: connection.execute(f"SELECT count(*) FROM registry_{table}").fetchone()[0]  # noqa: S608
            for table in ("person", "identitydocument", "contact", "address")
        }
        size = connection.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    rows = sum(counts.values())
    return {"persons": persons, "seconds": seconds, "persons_per_second": persons / seconds,
            "rows": rows, "rows_per_second": rows / seconds, "database_gb": size / 1024**3,
            **{f"rows_{table}": count for table, count in counts.items()}}  # fmt: skip


# --- Queries --------------------------------------------------------------------------------------


@dataclass
class Workload:
    searches: list[tuple[str, str]] = field(default_factory=list)  # (kind, query)
    person_ids: list[int] = field(default_factory=list)


def workload(user, count: int, rng: random.Random) -> Workload:
    """Search strings built from persons the user may see, as people type them."""
    from amparo.common.text import fold
    from amparo.registry.models import IdentityDocument
    from amparo.registry.selectors import persons_visible_to

    visible = persons_visible_to(user).filter(is_archived=False)
    # A random sample without sorting the table: pick random id windows.
    bounds = visible.order_by("pk").values_list("pk", flat=True)
    first, last = bounds.first(), visible.order_by("-pk").values_list("pk", flat=True).first()
    sample: dict[int, object] = {}
    while len(sample) < count:
        start = rng.randint(first, last)
        for person in visible.filter(pk__gte=start).order_by("pk")[:3]:
            sample[person.pk] = person
    persons = list(sample.values())[:count]
    documents = dict(
        IdentityDocument.objects.filter(person_id__in=[p.pk for p in persons]).values_list(
            "person_id", "number"
        )
    )
    result = Workload(person_ids=[p.pk for p in persons])
    kinds = ("full_name", "surnames", "given_start_surname", "document", "amparo_id")
    for index, person in enumerate(persons):
        kind = kinds[index % len(kinds)]
        given, first_surname, second_surname = (fold(person.given_names), fold(person.first_surname),
                                                fold(person.second_surname))  # fmt: skip
        if kind == "full_name":
            query = " ".join(part for part in (given, first_surname, second_surname) if part)
        elif kind == "surnames":
            pair = [first_surname, second_surname or given.split()[0]]
            query = " ".join(pair if rng.random() < 0.5 else reversed(pair))
        elif kind == "given_start_surname":
            word = given.split()[0]
            query = f"{word[: rng.randint(3, max(3, len(word)))]} {first_surname.split()[-1]}"
        elif kind == "document" and person.pk in documents:
            query = documents[person.pk]
        else:
            kind, query = "amparo_id", person.amparo_id
        result.searches.append((kind, query))
    return result


# --- Statistics ------------------------------------------------------------------------------------


def percentiles(samples: list[float]) -> dict[str, float]:
    if len(samples) < 2:
        value = samples[0] if samples else float("nan")
        return {"n": len(samples), "p50": value, "p95": value, "p99": value, "max": value}
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {"n": len(samples), "p50": cuts[49], "p95": cuts[94], "p99": cuts[98], "max": max(samples)}


def timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


# --- In-process ------------------------------------------------------------------------------------


def in_process(users: dict[str, object], workloads: dict[str, Workload], warmup: int) -> dict[str, dict]:
    from django.test import Client

    from amparo.accounts.services import api_token_issue

    results: dict[str, dict] = {}
    for username, user in users.items():
        work = workloads[username]
        browser = Client()
        browser.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        token, _ = api_token_issue(user=user)
        bearer = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        per_case = _measure(username, _cases(user, browser, Client(), bearer), work, warmup)
        results[username] = per_case
    return results


def _cases(user, browser, api_client, bearer: dict[str, str]) -> dict[str, tuple[str, Callable]]:
    """What is timed: (search | person, a call taking a query or a person id). The API client
    carries only its bearer token, as an integration would (no session cookie to save)."""
    from amparo.common.pagination import page_of
    from amparo.registry.selectors import PersonFilters, capped_count, person_get, person_list

    def search_selector(query: str) -> None:
        persons = person_list(user=user, filters=PersonFilters(query=query))
        page_of(persons, number=1, size=25, counted=capped_count(persons))

    def person_selector(person_id: int) -> None:
        person = person_get(user=user, person_id=person_id)
        list(person.documents.all()), list(person.addresses.all()), list(person.household_memberships.all())

    def get(path: str, params: dict | None = None, headers: dict | None = None) -> None:
        client = api_client if headers else browser
        response = client.get(path, params or {}, **(headers or {}))
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} {params} → {response.status_code}")

    return {
        "selector search": ("search", search_selector),
        "selector person": ("person", person_selector),
        "html search /registry/persons/?q=": ("search", lambda q: get("/registry/persons/", {"q": q})),
        "html person /registry/persons/<id>/": ("person", lambda pk: get(f"/registry/persons/{pk}/")),
        "api search /api/v1/persons/?q=": ("search", lambda q: get("/api/v1/persons/", {"q": q}, bearer)),
        "api person /api/v1/persons/<id>/": (
            "person",
            lambda pk: get(f"/api/v1/persons/{pk}/", None, bearer),
        ),
    }


def _measure(username: str, cases: dict[str, tuple[str, Callable]], work: Workload, warmup: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    per_case: dict[str, dict] = {}
    for name, (what, call) in cases.items():
        items: list = [query for _kind, query in work.searches] if what == "search" else work.person_ids
        for item in items[:warmup]:
            call(item)
        samples = [timed(lambda item=item, call=call: call(item)) for item in items]
        with CaptureQueriesContext(connection) as queries:
            call(items[0])
        stats = per_case[name] = {
            "what": what,
            "queries": len(queries.captured_queries),
            **percentiles(samples),
        }
        if name == "selector search":
            by_kind: dict[str, list[float]] = defaultdict(list)
            for (kind, _query), sample in zip(work.searches, samples, strict=True):
                by_kind[kind].append(sample)
            stats["by_kind"] = {kind: percentiles(values) for kind, values in by_kind.items()}
            slowest = max(zip(samples, work.searches, strict=True))
            stats["slowest"] = {"ms": slowest[0], "kind": slowest[1][0], "query": slowest[1][1]}
        log(f"    {username:<14} {name:<38} {_figures(stats)}  {stats['queries']} queries")
    return per_case


def _figures(stats: dict) -> str:
    return f"p50 {stats['p50']:7.1f}  p95 {stats['p95']:7.1f}  p99 {stats['p99']:7.1f} ms  (n={stats['n']})"


def explain(user, query: str) -> str:
    from amparo.registry.selectors import PersonFilters, person_list

    persons = person_list(user=user, filters=PersonFilters(query=query))
    return persons[:26].explain(analyze=True, buffers=True)


# --- Over HTTP -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"{HOST}:{port}",
        "--workers", str(workers), "--worker-class", "sync", "--timeout", "60", "--log-level", "warning",
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **SERVER_ENV}, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://{HOST}:{port}/healthz", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.5)
    server.terminate()
    raise RuntimeError("gunicorn did not answer /healthz within 60 s")


def html_login(client: httpx.Client, username: str) -> None:
    client.get("/accounts/login/")
    response = client.post(
        "/accounts/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": client.cookies["csrftoken"]},
    )
    if response.status_code != 302:
        raise RuntimeError(f"login of {username} failed: {response.status_code}")


def api_token(base: str, username: str) -> str:
    response = httpx.post(f"{base}/api/v1/auth/token/", json={"username": username, "password": PASSWORD})
    response.raise_for_status()
    return response.json()["token"]


def over_http(base: str, work: Workload, username: str, clients: int, per_client: int) -> dict[str, dict]:
    """`clients` threads, each logged in (session and token), cycling through the four requests."""
    token = api_token(base, username)
    samples: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    lock = threading.Lock()
    queries = [q for _kind, q in work.searches]

    def run(number: int) -> None:
        rng = random.Random(number)
        with (
            httpx.Client(base_url=base, timeout=30) as browser,
            httpx.Client(base_url=base, timeout=30) as api,
        ):
            html_login(browser, username)
            bearer = {"Authorization": f"Bearer {token}"}
            requests: list[tuple[str, str, dict, dict]] = []
            for index in range(per_client):
                query, person_id = rng.choice(queries), rng.choice(work.person_ids)
                requests.append(
                    [
                        ("html search", "/registry/persons/", {"q": query}, {}),
                        ("html person", f"/registry/persons/{person_id}/", {}, {}),
                        ("api search", "/api/v1/persons/", {"q": query}, bearer),
                        ("api person", f"/api/v1/persons/{person_id}/", {}, bearer),
                    ][index % 4]
                )
            for name, path, params, headers in requests:
                client = api if headers else browser
                started = time.perf_counter()
                response = client.get(path, params=params, headers=headers)
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    if response.status_code == 200:
                        samples[name].append(elapsed)
                    else:
                        errors.append(f"{name} {response.status_code}")

    threads = [threading.Thread(target=run, args=(number,)) for number in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=1800)
    seconds = time.monotonic() - started
    total = sum(len(values) for values in samples.values())
    result = {name: percentiles(values) for name, values in sorted(samples.items())}
    for name, stats in result.items():
        log(f"    {username:<14} {name:<12} {_figures(stats)}")
    log(f"    {username:<14} {total / seconds:.0f} requests/s, {len(errors)} errors")
    return {"requests": result, "requests_per_second": total / seconds, "errors": len(errors),
            "error_sample": errors[:5]}  # fmt: skip


# --- Report -----------------------------------------------------------------------------------------


def verdict(value: float, goal: float) -> str:
    return "✅" if value <= goal else "❌"


def _row(persona: str, name: str, stats: dict, goal: float) -> str:
    queries = f" {stats['queries']} |" if "queries" in stats else ""
    figures = f"{stats['p50']:.1f} | {stats['p95']:.1f} | {stats['p99']:.1f} | {stats['n']}"
    return f"| {persona} | {name} | {figures} |{queries} ≤ {goal:.0f} {verdict(stats['p95'], goal)} |"


def report(meta: dict, loaded: dict | None, local: dict, http: dict | None, command: str) -> str:
    box = meta["machine"]
    lines = [
        RESULTS_START,
        f"## Results — {meta['date']}",
        "",
        f"Command: `{command}` (commit `{meta['commit']}`)",
        "",
        f"Machine: {box['cpu']}, {box['cores']} cores, {box['memory']} RAM, PostgreSQL {box['postgresql']} "
        f"({box['postgresql_settings']}), Python {box['python']}, {box['os']}. "
        f"Load average before the run: {box['load_before']}.",
        "",
    ]
    if loaded:
        lines += [
            "### Load",
            "",
            f"`generate_persons {loaded['persons']:,}`: {loaded['seconds']:,.0f} s — "
            f"**{loaded['persons_per_second']:,.0f} persons/s**, {loaded['rows_per_second']:,.0f} rows/s "
            f"({loaded['rows']:,} rows: {loaded['rows_person']:,} persons, "
            f"{loaded['rows_identitydocument']:,} documents, {loaded['rows_contact']:,} contacts, "
            f"{loaded['rows_address']:,} addresses); database {loaded['database_gb']:.1f} GB.",
            "",
        ]
    lines += [
        f"### In-process (Django test client, one request at a time, {meta['persons_total']:,} persons)",
        "",
        "| persona | what | p50 ms | p95 ms | p99 ms | n | SQL queries | goal (p95) |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for username, cases in local.items():
        for name, stats in cases.items():
            lines.append(_row(PERSONAS[username], name, stats, GOALS_MS[stats["what"]]))
    lines += ["", "Name search through the selector, by kind of query (p50 / p95 ms):", ""]
    for username, cases in local.items():
        kinds = cases["selector search"]["by_kind"]
        text = "; ".join(f"{kind} {s['p50']:.1f} / {s['p95']:.1f}" for kind, s in sorted(kinds.items()))
        slowest = cases["selector search"]["slowest"]
        lines.append(
            f"- {PERSONAS[username]}: {text}. Slowest: {slowest['kind']} “{slowest['query']}” "
            f"{slowest['ms']:.0f} ms."
        )
    if http:
        lines += [
            "",
            f"### Over HTTP (gunicorn, {http['workers']} sync workers on 127.0.0.1, "
            f"{http['clients']} concurrent clients per persona, DEBUG off)",
            "",
            "| persona | request | p50 ms | p95 ms | p99 ms | n | goal (p95) |",
            "|---|---|---:|---:|---:|---:|---|",
        ]
        for username in PERSONAS:
            for name, stats in http[username]["requests"].items():
                goal = GOALS_MS["search" if "search" in name else "person"]
                lines.append(_row(PERSONAS[username], name, stats, goal))
        throughput = "; ".join(
            f"{PERSONAS[username]} {http[username]['requests_per_second']:.0f} requests/s "
            f"({http[username]['errors']} errors)"
            for username in PERSONAS
        )
        lines += ["", f"Throughput: {throughput}."]
    lines += ["", RESULTS_END]
    return "\n".join(lines)


def write_report(text: str) -> Path:
    path = ROOT / "docs" / "performance.md"
    path.parent.mkdir(exist_ok=True)
    current = path.read_text() if path.exists() else "# Performance\n\n"
    if RESULTS_START in current and RESULTS_END in current:
        before, rest = current.split(RESULTS_START, 1)
        after = rest.split(RESULTS_END, 1)[1]
        current = before + text + after
    else:
        current = current.rstrip() + "\n\n" + text + "\n"
    path.write_text(current)
    return path


# --- Main -----------------------------------------------------------------------------------------


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="measure the existing amparo_bench database")
    parser.add_argument("--queries", type=int, default=300, help="search strings and person ids per persona")
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--per-client", type=int, default=120, help="requests per HTTP client")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument(
        "--explain", action="store_true", help="print EXPLAIN ANALYZE of the slowest searches"
    )
    parser.add_argument("--no-write", action="store_true", help="do not update docs/performance.md")
    parser.add_argument("--json", type=Path, help="also write the raw figures to this file")
    args = parser.parse_args(list(argv) if argv is not None else None)
    command = (
        "uv run python benchmarks/registry.py"
        + ("" if args.persons == 1_000_000 else f" --persons {args.persons}")
        + (" --reuse" if args.reuse else "")
    )

    log("Machine…")
    meta: dict = {"machine": machine(), "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}
    meta["commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                    text=True, check=False).stdout.strip()  # fmt: skip
    log("  " + json.dumps(meta["machine"], ensure_ascii=False))
    loaded = None
    if not args.reuse:
        log(f"Loading {args.persons:,} persons into {DATABASE_URL}…")
        loaded = load(args.persons)
        log(f"  {loaded['persons_per_second']:,.0f} persons/s, {loaded['rows_per_second']:,.0f} rows/s")

    os.environ.update(SERVER_ENV)
    sys.path.insert(0, str(ROOT))
    manage("collectstatic", "--no-input", env={**os.environ}, timeout=300)
    import django

    django.setup()
    from amparo.accounts.models import User
    from amparo.registry.models import Person

    meta["persons_total"] = Person.objects.count()
    users = {username: User.objects.get(username=username) for username in PERSONAS}
    rng = random.Random(2026)
    workloads = {username: workload(user, args.queries, rng) for username, user in users.items()}

    log("In-process (test client)…")
    local = in_process(users, workloads, args.warmup)
    if args.explain:
        for username, user in users.items():
            slowest = local[username]["selector search"]["slowest"]
            log(f"  EXPLAIN ANALYZE, {username}, “{slowest['query']}”:\n{explain(user, slowest['query'])}")

    http = None
    if not args.skip_http:
        from django.db import connections

        connections.close_all()
        port = free_port()
        log(f"Over HTTP (gunicorn on {HOST}:{port}, {args.workers} workers, {args.clients} clients)…")
        server = start_gunicorn(port, args.workers)
        try:
            http = {"workers": args.workers, "clients": args.clients}
            for username in PERSONAS:
                base = f"http://{HOST}:{port}"
                http[username] = over_http(base, workloads[username], username, args.clients, args.per_client)
        finally:
            server.terminate()
            server.wait(timeout=30)

    text = report(meta, loaded, local, http, command)
    log("\n" + text)
    if not args.no_write:
        log(f"Written to {write_report(text)}")
    if args.json:
        args.json.write_text(json.dumps({"meta": meta, "load": loaded, "in_process": local, "http": http},
                                        indent=2, default=str))  # fmt: skip


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(STATIC_ROOT, ignore_errors=True)
