"""Cases benchmark: a million cases on PostgreSQL, the case list filtered by form answers, and the
render + save of a 200-field form.

    uv run python benchmarks/cases_filter.py                     # the full run (1,000,000 cases)
    uv run python benchmarks/cases_filter.py --cases 20000 --persons 20000   # a quick run
    uv run python benchmarks/cases_filter.py --keep              # keep the database afterwards…
    uv run python benchmarks/cases_filter.py --reuse --keep      # …to measure it again

What it does, and nothing else (it stops by itself and only talks to 127.0.0.1):
1. drops and creates the PostgreSQL database `amparo_cases_bench`, migrates it, loads the demo
   world (units, users, roles, the starter case types and forms) and `generate_persons N`;
2. writes the cases with COPY, streamed (memory stays flat): each case belongs to a generated
   person and takes the person's unit; child-protection offices mostly open child-protection
   cases (`proteccion_nna`), consulates mostly consular ones. Every case has its registration
   record with realistic answers (the child-protection registration: identification date,
   risks, main risk with a skewed mix, care arrangement, separation with its date, siblings,
   sensitive account); a sample is checked against the forms engine. The secondary indexes are
   dropped during the load and built again afterwards (timed), then VACUUM ANALYZE;
3. times the case list as the page computes it — `selectors.case_list` (type + one option field
   + a date range) → `selectors.case_list_page` (the "N personas · M casos" line and the first page
   of 25) — as a caseworker (unit scope) in a child-protection office, a caseworker in a
   consulate and the national administrator; then the same filters through the HTML page;
4. times opening and saving a 200-field form with 3 repeat groups (benchmarks/forms_render.py's
   form, published and attached to the child-protection type) on one of these cases, through
   the case form page (GET renders, POST validates and saves through `services.case_form_save`);
5. prints the figures and the machine, writes them into docs/cases.md and drops the database
   (unless --keep).
"""

import argparse
import datetime
import json
import os
import random
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from registry import log, machine, manage, percentiles, timed  # noqa: E402

HOST = "127.0.0.1"
DATABASE = "amparo_cases_bench"
DATABASE_URL = f"postgres://postgres@{HOST}:5432/{DATABASE}"
PERSONAS = {
    "trabajador.gt": "caseworker, child-protection office (unit scope)",
    "trabajador.mx": "caseworker, consulate (unit scope)",
    "admin": "national admin (all scope)",
}
FILTER_GOAL_MS, FORM_GOAL_MS = 200.0, 150.0
RESULTS_START, RESULTS_END = "<!-- benchmark:cases:start -->", "<!-- benchmark:cases:end -->"
FIRST_DAY, LAST_DAY = datetime.date(2016, 1, 1), datetime.date(2026, 10, 31)
SERVER_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "benchmark-only-not-secret",
    "ALLOWED_HOSTS": f"{HOST},localhost,testserver",
    "SECURE_COOKIES": "0",
    "DATABASE_URL": DATABASE_URL,
    "LOG_LEVEL": "WARNING",
}

# Main protection risk of child-protection cases: a skewed mix, as in real caseloads.
MAIN_RISK = {
    "negligencia": 0.30,
    "violencia_fisica": 0.22,
    "situacion_calle": 0.10,
    "no_acompanado": 0.10,
    "abuso_sexual": 0.09,
    "trabajo_infantil": 0.09,
    "otro": 0.07,
    "trata": 0.03,
}
CARE = {"padres": 0.45, "familia_ampliada": 0.25, "acogimiento": 0.1, "institucion": 0.12, "solo": 0.08}
REFERRALS = ["Escuela", "Centro de salud", "Denuncia anónima", "Policía", "Fiscalía", "Vecina", "Línea 102"]
NAMES = ["María", "José", "Ana", "Luis", "Carmen", "Jorge", "Rosa", "Pedro", "Lucía", "Juan", "Elena"]
SURNAMES = ["García", "López", "Pérez", "Hernández", "Martínez", "Gómez", "Díaz", "Ramírez", "Flores"]


# --- Loading ------------------------------------------------------------------------------------


def fresh_database(persons: int) -> dict[str, float]:
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
    manage("generate_persons", str(persons), env=env, timeout=3600, echo=True)
    return {"persons": persons, "persons_seconds": time.monotonic() - started}


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _name(rng: random.Random) -> str:
    return f"{rng.choice(NAMES)} {rng.choice(SURNAMES)} {rng.choice(SURNAMES)}"


def child_registration(rng: random.Random, opened_on: datetime.date) -> dict[str, Any]:
    """Answers to `pna_registro` as the forms engine stores them (skip logic respected)."""
    main = _weighted(rng, MAIN_RISK)
    others = rng.sample(list(MAIN_RISK), rng.choice((0, 0, 1, 1, 2)))
    care = _weighted(rng, CARE)
    answers: dict[str, Any] = {
        "fecha_identificacion": (opened_on - datetime.timedelta(days=rng.randint(0, 20))).isoformat(),
        "via_ingreso": rng.choice(REFERRALS),
        "riesgos": sorted({main, *others}, key=list(MAIN_RISK).index),
        "riesgo_principal": main,
        "situacion_cuidado": care,
        "separado": care in ("acogimiento", "institucion", "solo") or rng.random() < 0.05,
    }
    if care != "solo":
        answers["cuidador_nombre"] = _name(rng)
    if answers["separado"]:
        answers["fecha_separacion"] = (opened_on - datetime.timedelta(days=rng.randint(1, 700))).isoformat()
    siblings = rng.choice((0, 0, 1, 1, 2, 3))
    if siblings:
        answers["hermanos"] = [
            {"hermano_nombre": _name(rng), "hermano_edad": rng.randint(0, 17)} for _ in range(siblings)
        ]
    answers["relato"] = (
        f"Se identifica situación de {main.replace('_', ' ')} "
        f"reportada por {answers['via_ingreso'].lower()}. "
        "Se realizó entrevista inicial y se acordó visita domiciliaria."
    )
    answers["agresor_conocido"] = rng.random() < 0.4
    return answers


def consular_registration(rng: random.Random, opened_on: datetime.date) -> dict[str, Any]:
    detained = rng.random() < 0.25
    answers: dict[str, Any] = {
        "fecha_solicitud": opened_on.isoformat(),
        "materia": rng.choices(["migratorio", "civil", "penal", "laboral"], weights=[5, 3, 2, 2])[0],
        "canal": rng.choice(["presencial", "telefono", "correo"]),
        "pais_ocurrencia": "Estados Unidos",
        "detenido": detained,
        "descripcion": "Solicita orientación sobre su situación migratoria y documentos.",
    }
    if detained:
        answers["centro_detencion"] = rng.choice(["Centro de detención Conroe", "Centro de Pearsall"])
    return answers


@dataclass
class Setup:
    """What the loader needs from the demo configuration (read once with the ORM)."""

    types: dict[str, dict[str, Any]]  # code → {id, prefix, form, version, classifications}
    units: dict[int, dict[str, Any]]  # id → {code, consular, owner}
    persons: list[tuple[int, int]]  # (person id, unit id)


def read_setup() -> Setup:
    from amparo.accounts.models import OrgUnit, User
    from amparo.cases.models import CaseType, CaseTypeForm, Classification
    from amparo.forms import selectors as forms_selectors
    from amparo.registry.models import Person

    types: dict[str, dict[str, Any]] = {}
    for case_type in CaseType.objects.filter(code__in=["proteccion_nna", "proteccion_consular"]):
        link = CaseTypeForm.objects.select_related("form").get(case_type=case_type, purpose="registration")
        version = forms_selectors.latest_version(link.form)
        assert version is not None
        types[case_type.code] = {
            "id": case_type.pk,
            "prefix": case_type.number_prefix,
            "form": link.form_id,
            "version": version.pk,
            "definition": forms_selectors.definition_of(version),
            "classifications": list(
                Classification.objects.filter(case_type=case_type).values_list("pk", flat=True)
            ),
        }
    admin = User.objects.get(username="admin")
    owners = {user.home_unit_id: user.pk for user in User.objects.filter(username__startswith="trabajador.")}
    units = {
        unit.pk: {
            "code": unit.code,
            "consular": unit.path.startswith(OrgUnit.objects.get(code="mx-sre").path),
            "owner": owners.get(unit.pk, admin.pk),
        }
        for unit in OrgUnit.objects.all()
    }
    persons = list(Person.objects.order_by("pk").values_list("pk", "org_unit_id"))
    return Setup(types=types, units=units, persons=persons)


def case_rows(setup: Setup, count: int, seed: int) -> Iterator[tuple[tuple[Any, ...], tuple[Any, ...]]]:
    """(case row, registration record row) for `count` cases, opened in date order (ids follow time)."""
    rng = random.Random(seed)
    span = (LAST_DAY - FIRST_DAY).days
    today = datetime.date(2026, 11, 1)
    sequences: Counter[tuple[str, int, int]] = Counter()
    for index in range(count):
        opened_on = FIRST_DAY + datetime.timedelta(days=index * span // count)
        person_id, unit_id = rng.choice(setup.persons)
        unit = setup.units[unit_id]
        consular_share = 0.85 if unit["consular"] else 0.05
        code = "proteccion_consular" if rng.random() < consular_share else "proteccion_nna"
        kind = setup.types[code]
        sequences[(code, unit_id, opened_on.year)] += 1
        sequence = f"{opened_on.year}-{sequences[(code, unit_id, opened_on.year)]:06d}"
        number = f"{kind['prefix']}-{unit['code'].upper()}-{sequence}"  # as services.case_number_allocate
        age = (today - opened_on).days
        status, closed_on, reason = "open", None, ""
        if age > 40 and rng.random() < min(0.95, age / 500):
            closed = opened_on + datetime.timedelta(days=rng.randint(20, min(age, 600)))
            status, closed_on, reason = "closed", closed.isoformat(), "Objetivos del plan cumplidos."
            if rng.random() < 0.03:
                status, closed_on, reason = "reopened", None, "Nueva situación de riesgo."
        stamp = f"{opened_on.isoformat()} 10:00:00+00"
        answers = (child_registration if code == "proteccion_nna" else consular_registration)(rng, opened_on)
        case_id = index + 1
        yield (
            (case_id, stamp, stamp, number, status,
             rng.choices(["low", "medium", "high", "critical"], weights=[4, 3, 2, 1])[0],
             opened_on.isoformat(), closed_on, reason, 1, unit["owner"], unit_id, unit["owner"], person_id,
             kind["id"], rng.choice(kind["classifications"])),
            (case_id, json.dumps(answers, ensure_ascii=False), stamp, case_id, kind["form"], kind["version"],
             unit["owner"]),
        )  # fmt: skip


CASE_COLUMNS = (
    "id, created_at, updated_at, number, status, risk_level, opened_on, closed_on, status_reason, version, "
    "created_by_id, org_unit_id, owner_id, person_id, case_type_id, classification_id"
)
RECORD_COLUMNS = "id, data, updated_at, case_id, form_id, form_version_id, updated_by_id"
TABLES = ("cases_case", "cases_caseformrecord")


def check_answers(setup: Setup, samples: int = 300) -> None:
    """The generated answers are what the forms engine would store (valid, nothing dropped)."""
    from amparo.forms.submission import validate_submission

    definitions = {kind["form"]: kind["definition"] for kind in setup.types.values()}
    for _case, record in _take(case_rows(setup, samples, seed=7), samples):
        data = json.loads(record[1])
        clean, problems = validate_submission(definitions[record[4]], data)
        assert problems == {}, problems
        dropped = set(data) - set(clean)
        assert not dropped, dropped


def _take(rows: Iterator[Any], count: int) -> Iterator[Any]:
    for index, row in enumerate(rows):
        if index >= count:
            return
        yield row


def load_cases(setup: Setup, count: int) -> dict[str, float]:
    """COPY `count` cases and their registration records; secondary indexes rebuilt afterwards."""
    with psycopg.connect(DATABASE_URL, autocommit=True) as connection:
        connection.execute("TRUNCATE cases_case, cases_caseformrecord, cases_casenumbercounter CASCADE")
        secondary = connection.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint)",
            [list(TABLES)],
        ).fetchall()
        for name, _definition in secondary:
            connection.execute(f'DROP INDEX "{name}"')
    try:
        return _copy_cases(setup, count, secondary)
    finally:
        with psycopg.connect(DATABASE_URL, autocommit=True) as connection:
            for _name, definition in secondary:  # rebuilt even when the load failed
                connection.execute(definition.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1))


def typed_answers() -> float:
    """Fill `cases_caseanswervalue` (the typed date / number answers the services write with every
    record) for the COPYed records, with the same code as the data migration. Returns seconds."""
    from amparo.cases import answers
    from amparo.cases.models import CaseAnswerValue, CaseFormRecord
    from amparo.forms.models import FormVersion

    started = time.monotonic()
    written = answers.rebuild(
        record_model=CaseFormRecord, version_model=FormVersion, value_model=CaseAnswerValue
    )
    log(f"    {written:,} typed answers written")
    return time.monotonic() - started


def _copy_cases(setup: Setup, count: int, secondary: list[tuple[str, str]]) -> dict[str, float]:
    started = time.monotonic()
    counters: Counter[tuple[int, int, int]] = Counter()
    with (
        psycopg.connect(DATABASE_URL) as cases_connection,
        psycopg.connect(DATABASE_URL) as records_connection,
    ):
        for connection in (cases_connection, records_connection):
            # Generated rows reference existing persons, units and users: skip the per-row FK triggers.
            connection.execute("SET session_replication_role = replica")
        with (
            cases_connection.cursor().copy(f"COPY cases_case ({CASE_COLUMNS}) FROM STDIN") as cases_copy,
            records_connection.cursor().copy(
                f"COPY cases_caseformrecord ({RECORD_COLUMNS}) FROM STDIN"
            ) as records_copy,
        ):
            for index, (case, record) in enumerate(case_rows(setup, count, seed=2026), start=1):
                cases_copy.write_row(case)
                records_copy.write_row(record)
                counters[(case[14], case[11], int(case[6][:4]))] += 1
                if index % 100_000 == 0:
                    log(f"    {index:,} / {count:,} cases ({index / (time.monotonic() - started):,.0f}/s)")
        records_connection.commit()
        cases_connection.commit()
    copy_seconds = time.monotonic() - started
    with psycopg.connect(DATABASE_URL, autocommit=True) as connection:
        with connection.cursor().copy(
            "COPY cases_casenumbercounter (case_type_id, org_unit_id, year, last_number) FROM STDIN"
        ) as copy:
            for (type_id, unit_id, year), last in counters.items():
                copy.write_row((type_id, unit_id, year, last))
        started = time.monotonic()
        connection.execute("SET maintenance_work_mem = '512MB'")
        for name, definition in secondary:
            connection.execute(definition.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1))
            log(f"    index {name} built")
        index_seconds = time.monotonic() - started
        for table in TABLES:
            connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608
            )
    answers_seconds = typed_answers()
    with psycopg.connect(DATABASE_URL, autocommit=True) as connection:
        for table in (*TABLES, "cases_caseanswervalue"):
            connection.execute(f"VACUUM ANALYZE {table}")
        sizes = {
            table: connection.execute("SELECT pg_total_relation_size(%s)", [table]).fetchone()[0] / 1024**3
            for table in TABLES
        }
        sizes["cases_caseanswervalue"] = (
            connection.execute("SELECT pg_total_relation_size('cases_caseanswervalue')").fetchone()[0]
            / 1024**3
        )
    return {"cases": count, "copy_seconds": copy_seconds, "index_seconds": index_seconds,
            "answers_seconds": answers_seconds, "gb_answers": sizes["cases_caseanswervalue"],
            "cases_per_second": count / copy_seconds, "indexes": len(secondary),
            "gb_case": sizes["cases_case"], "gb_record": sizes["cases_caseformrecord"]}  # fmt: skip


# --- Filter workload ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    kind: str  # "opened" (option + opened dates) | "answer" (option + a date answer's range)
    option: str
    first: datetime.date
    last: datetime.date


KINDS = {
    "opened": "main risk = X and opened between two dates",
    "answer": "main risk = X and identification date (a form answer) between two dates",
}


def samples(count: int, rng: random.Random) -> list[Sample]:
    """Options drawn uniformly (rare ones as often as common ones), windows of 1 to 12 months."""
    result = []
    for index in range(count):
        length = rng.choice((30, 91, 182, 365))
        first = FIRST_DAY + datetime.timedelta(days=rng.randint(0, (LAST_DAY - FIRST_DAY).days - length))
        result.append(
            Sample(
                "opened" if index % 2 == 0 else "answer",
                rng.choice(list(MAIN_RISK)),
                first,
                first + datetime.timedelta(days=length),
            )
        )
    return result


def filters_of(sample: Sample, case_type_id: int, form_id: int) -> Any:
    from amparo.cases.selectors import CaseFilters, FieldFilter

    # With the field types, as the list page and the API give them (date ranges then use typed answers).
    option = FieldFilter(form_id, "riesgo_principal", "eq", sample.option, "select_one")
    if sample.kind == "opened":
        return CaseFilters(case_type_id=case_type_id, opened_from=sample.first, opened_to=sample.last,
                           fields=(option,))  # fmt: skip
    return CaseFilters(case_type_id=case_type_id, fields=(
        option,
        FieldFilter(form_id, "fecha_identificacion", "gte", sample.first.isoformat(), "date"),
        FieldFilter(form_id, "fecha_identificacion", "lte", sample.last.isoformat(), "date"),
    ))  # fmt: skip


def query_string(sample: Sample, case_type_id: int, form_id: int) -> dict[str, str]:
    params = {"type": str(case_type_id), f"f.{form_id}.riesgo_principal": sample.option}
    if sample.kind == "opened":
        params.update(opened_from=sample.first.isoformat(), opened_to=sample.last.isoformat())
    else:
        params[f"f.{form_id}.fecha_identificacion.from"] = sample.first.isoformat()
        params[f"f.{form_id}.fecha_identificacion.to"] = sample.last.isoformat()
    return params


def list_page(user: Any, filters: Any) -> tuple[Any, list[Any]]:
    """What the case list page computes: the filtered list, its counts, the first 25 rows (+1)."""
    from amparo.cases import selectors

    cases = selectors.case_list(user=user, filters=filters)
    counts, rows, _has_next = selectors.case_list_page(cases, page=1, size=25)
    return counts, rows


def measure_filters(users: dict[str, Any], work: list[Sample], html_share: int, warmup: int) -> dict:
    from django.db import connection
    from django.test import Client

    from amparo.cases.models import CaseType

    case_type = CaseType.objects.get(code="proteccion_nna")
    form_id = case_type.type_forms.get(purpose="registration").form_id
    results: dict[str, dict] = {}
    for username, user in users.items():
        for sample in work[:warmup]:
            list_page(user, filters_of(sample, case_type.pk, form_id))
        per_kind: dict[str, list[float]] = defaultdict(list)
        per_option: dict[str, list[float]] = defaultdict(list)
        slowest: dict[str, tuple[float, Sample, Any]] = {}
        for sample in work:
            filters = filters_of(sample, case_type.pk, form_id)
            started = time.perf_counter()
            counts, _rows = list_page(user, filters)
            elapsed = (time.perf_counter() - started) * 1000
            per_kind[sample.kind].append(elapsed)
            per_option[sample.option].append(elapsed)
            if elapsed > slowest.get(sample.kind, (0.0,))[0]:
                slowest[sample.kind] = (elapsed, sample, counts)
        queries: list[str] = []

        def count(execute: Callable, sql: str, *rest: Any, queries: list[str] = queries) -> Any:
            queries.append(sql)
            return execute(sql, *rest)

        with connection.execute_wrapper(count):
            list_page(user, filters_of(work[0], case_type.pk, form_id))
        browser = Client()
        browser.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        html: dict[str, list[float]] = defaultdict(list)
        for sample in work[-warmup // 2 :]:
            browser.get("/cases/", query_string(sample, case_type.pk, form_id))
        for sample in work[:html_share]:
            params = query_string(sample, case_type.pk, form_id)

            def get(params: dict[str, str] = params, browser: Client = browser) -> None:
                response = browser.get("/cases/", params)
                if response.status_code != 200:
                    raise RuntimeError(f"GET /cases/ {params} → {response.status_code}")

            html[sample.kind].append(timed(get))
        results[username] = {
            "queries": len(queries),
            "selector": {kind: percentiles(values) for kind, values in per_kind.items()},
            "html": {kind: percentiles(values) for kind, values in html.items()},
            "by_option": {option: percentiles(values) for option, values in per_option.items()},
            "slowest": {
                kind: {
                    "ms": ms,
                    "option": sample.option,
                    "from": sample.first.isoformat(),
                    "to": sample.last.isoformat(),
                    "cases": counts.cases,
                    "capped": counts.cases_capped,
                    "persons": counts.persons,
                }  # fmt: skip
                for kind, (ms, sample, counts) in slowest.items()
            },
        }
        for kind in KINDS:
            log(f"    {username:<14} selector {kind:<7} {_figures(results[username]['selector'][kind])}")
            if kind in html:
                log(f"    {username:<14} html     {kind:<7} {_figures(results[username]['html'][kind])}")
    return results


def explain_slowest(users: dict[str, Any], results: dict) -> dict[str, str]:
    from amparo.cases import selectors
    from amparo.cases.models import CaseType

    case_type = CaseType.objects.get(code="proteccion_nna")
    form_id = case_type.type_forms.get(purpose="registration").form_id
    plans = {}
    for username, user in users.items():
        for kind, slow in results[username]["slowest"].items():
            sample = Sample(kind, slow["option"], datetime.date.fromisoformat(slow["from"]),
                            datetime.date.fromisoformat(slow["to"]))  # fmt: skip
            cases = selectors.case_list(user=user, filters=filters_of(sample, case_type.pk, form_id))
            plans[f"{username} {kind} page"] = cases[:26].explain(analyze=True, buffers=True)
            plans[f"{username} {kind} count"] = cases.order_by()[:1001].explain(analyze=True, buffers=True)
    return plans


# --- Render + save of a 200-field form ------------------------------------------------------------------


def measure_form(user: Any, rounds: int, warmup: int) -> dict:
    """GET the case form page (render) and POST it back (validate + `case_form_save`), as a caseworker."""
    from django.test import Client
    from django.utils import translation
    from forms_render import build_answers, build_definition, post_from_html

    from amparo.accounts.models import OrgUnit
    from amparo.cases.models import Case, CaseFormRecord, CaseType, CaseTypeForm
    from amparo.cases.services import case_form_save
    from amparo.forms import selectors as forms_selectors
    from amparo.forms import services as forms_services
    from amparo.forms.models import Form
    from amparo.forms.rendering import data_from_post, render_form

    translation.activate("es")
    case_type = CaseType.objects.get(code="proteccion_nna")
    form = Form.objects.filter(identifier="bench_200_campos").first()
    if form is None:
        form = forms_services.form_create(actor=None, identifier="bench_200_campos",
                                          title_es="Formulario de 200 campos",
                                          org_unit=OrgUnit.objects.get(code="regional"),
                                          definition=build_definition())  # fmt: skip
        forms_services.form_publish(actor=None, form=form)
        # Benchmark fixture: attach the form to the type as an extra form ("other" purpose).
        CaseTypeForm.objects.create(case_type=case_type, form=form, purpose="other", position=9)
    version = forms_selectors.latest_version(form)
    assert version is not None
    definition = forms_selectors.definition_of(version)
    field_count = sum(1 for _item in definition.all_fields())
    case = (
        Case.objects.filter(org_unit=user.home_unit, case_type=case_type, status="open")
        .order_by("-pk")
        .first()
    )
    assert case is not None, "no open child-protection case in the caseworker's unit"
    case_form_save(
        actor=user, case=case, form=form, data=build_answers(definition), expected_version=case.version
    )
    browser = Client()
    browser.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    path = f"/cases/{case.pk}/forms/{form.pk}/"
    page = browser.get(path)
    assert page.status_code == 200, page.status_code
    post = post_from_html(page.content.decode())
    get_ms, post_ms, engine_ms, service_ms = [], [], [], []
    for round_number in range(warmup + rounds):
        started = time.perf_counter()
        response = browser.get(path)
        rendered = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.status_code
        post["version"] = str(Case.objects.values_list("version", flat=True).get(pk=case.pk))
        started = time.perf_counter()
        response = browser.post(path, post)
        saved = (time.perf_counter() - started) * 1000
        assert response.status_code == 302, (response.status_code, response.content[:2000])
        stored = CaseFormRecord.objects.get(case=case, form=form).data
        engine = timed(lambda stored=stored: render_form(definition, data=stored))
        fresh = Case.objects.select_related("case_type").get(pk=case.pk)
        service = timed(
            lambda fresh=fresh: case_form_save(actor=user, case=fresh, form=form,
                                               data=data_from_post(definition, post),
                                               expected_version=fresh.version)
        )  # fmt: skip
        if round_number >= warmup:
            get_ms.append(rendered)
            post_ms.append(saved)
            engine_ms.append(engine)
            service_ms.append(service)
    total = [a + b for a, b in zip(get_ms, post_ms, strict=True)]
    result = {
        "fields": field_count,
        "answers": len(build_answers(definition)),
        "case": case.number,
        "render": percentiles(get_ms),
        "save": percentiles(post_ms),
        "total": percentiles(total),
        "engine_render": percentiles(engine_ms),
        "service_save": percentiles(service_ms),
    }
    for name in ("render", "save", "total", "engine_render", "service_save"):
        log(f"    form {name:<7} {_figures(result[name])}")
    return result


# --- Report ---------------------------------------------------------------------------------------------


def _figures(stats: dict) -> str:
    return f"p50 {stats['p50']:7.1f}  p95 {stats['p95']:7.1f}  p99 {stats['p99']:7.1f} ms  (n={stats['n']})"


def _verdict(value: float, goal: float) -> str:
    return "✅" if value <= goal else "❌"


def report(meta: dict, loaded: dict | None, filters: dict, form: dict | None, command: str) -> str:
    box = meta["machine"]
    lines = [
        RESULTS_START,
        f"### Results — {meta['date']}",
        "",
        f"Command: `{command}` (commit `{meta['commit']}`)",
        "",
        f"Machine: {box['cpu']}, {box['cores']} cores, {box['memory']} RAM, PostgreSQL {box['postgresql']} "
        f"({box['postgresql_settings']}), Python {box['python']}, {box['os']}. "
        f"Load average before the run: {box['load_before']}.",
        "",
        f"Data: {meta['cases_total']:,} cases ({meta['cases_child']:,} child protection, the rest consular) "
        f"with their registration records, over {meta['persons_total']:,} persons in "
        f"{meta['units_with_cases']} units; "
        f"{meta['caseworker_cases']:,} cases in the child-protection caseworker's unit.",
        "",
    ]
    if loaded:
        lines += [
            f"Load: `generate_persons {loaded['persons']:,}` {loaded['persons_seconds']:,.0f} s; "
            f"COPY of {loaded['cases']:,} cases + {loaded['cases']:,} registration records "
            f"{loaded['copy_seconds']:,.0f} s (**{loaded['cases_per_second']:,.0f} cases/s**), "
            f"{loaded['indexes']} secondary indexes rebuilt in {loaded['index_seconds']:,.0f} s; "
            f"typed answers (`cases_caseanswervalue`, as the data migration fills them) "
            f"{loaded.get('answers_seconds', float('nan')):,.0f} s; "
            f"cases {loaded['gb_case']:.2f} GB, records {loaded['gb_record']:.2f} GB, typed answers "
            f"{loaded.get('gb_answers', float('nan')):.2f} GB (with indexes).",
            "",
        ]
    lines += [
        "**Case list filter** — child-protection type + main risk (one option, drawn uniformly from the 8, "
        "from 3 % to 30 % of cases) + a date range of 1, 3, 6 or 12 months. Selector = "
        "`case_list` → `case_list_page` (one ordered pass of up to 1,001 (id, person) for the counts and the "
        "page's ids, then the 26 rows by id), as the page computes them; HTML = `GET /cases/?…` "
        "through the Django test client (filters offered, counts, page, audit row, template).",
        "",
        "| persona | date range on | via | p50 ms | p95 ms | p99 ms | n | goal (p95) |",
        "|---|---|---|---:|---:|---:|---:|---|",
    ]
    for username, result in filters.items():
        for kind in KINDS:
            for via in ("selector", "html"):
                stats = result[via].get(kind)
                if stats:
                    lines.append(
                        f"| {PERSONAS[username]} | {'opened on' if kind == 'opened' else 'form answer'} | "
                        f"{via} | {stats['p50']:.1f} | {stats['p95']:.1f} | {stats['p99']:.1f} | "
                        f"{stats['n']} "
                        f"| ≤ {FILTER_GOAL_MS:.0f} {_verdict(stats['p95'], FILTER_GOAL_MS)} |"
                    )
    lines += ["", f"SQL queries per list (selector): {next(iter(filters.values()))['queries']}.", ""]
    lines += ["Slowest sample per persona (selector):", ""]
    for username, result in filters.items():
        parts = []
        for kind, slow in result["slowest"].items():
            cases = f"{'>' if slow['capped'] else ''}{slow['cases']:,}"
            parts.append(
                f"{kind}: {slow['option']} {slow['from']}…{slow['to']} {slow['ms']:.0f} ms ({cases} cases)"
            )
        lines.append(f"- {PERSONAS[username]}: " + "; ".join(parts) + ".")
    if form:
        lines += [
            "",
            f"**Form render + save** — {form['fields']} fields, 3 repeat groups × 3 instances, "
            f"{form['answers']} answers, on case {form['case']}, as the child-protection caseworker; "
            "`GET` of the case form page (render) then `POST` (validation + `services.case_form_save`, "
            "audit row), Django test client, server time:",
            "",
            "| step | p50 ms | p95 ms | p99 ms | n | goal (p95) |",
            "|---|---:|---:|---:|---:|---|",
        ]
        for name, label in (
            ("render", "GET case form page (render)"),
            ("save", "POST case form page (save)"),
            ("total", "render + save (page GET + POST)"),
            ("engine_render", "of which `render_form` alone"),
            ("service_save", "`data_from_post` + `case_form_save` alone"),
        ):
            stats = form[name]
            goal = f"≤ {FORM_GOAL_MS:.0f} {_verdict(stats['p95'], FORM_GOAL_MS)}" if name == "total" else ""
            lines.append(
                f"| {label} | {stats['p50']:.1f} | {stats['p95']:.1f} | {stats['p99']:.1f} | {stats['n']} "
                f"| {goal} |"
            )
    lines += ["", RESULTS_END]
    return "\n".join(lines)


def write_report(text: str) -> Path:
    path = ROOT / "docs" / "cases.md"
    current = path.read_text()
    if RESULTS_START in current and RESULTS_END in current:
        before, rest = current.split(RESULTS_START, 1)
        current = before + text + rest.split(RESULTS_END, 1)[1]
    else:
        current = current.rstrip() + "\n\n" + text + "\n"
    path.write_text(current)
    return path


# --- Main -------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--persons", type=int, default=300_000)
    parser.add_argument("--reuse", action="store_true", help="measure the existing amparo_cases_bench")
    parser.add_argument("--reuse-persons", action="store_true",
                        help="keep the database's persons, load the cases again")  # fmt: skip
    parser.add_argument("--samples", type=int, default=300, help="filters per persona (half per kind)")
    parser.add_argument("--html", type=int, default=60, help="of which also through the HTML page")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=100, help="form render + save rounds")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of the slowest filters")
    parser.add_argument("--keep", action="store_true", help="keep amparo_cases_bench (for --reuse)")
    parser.add_argument("--no-write", action="store_true", help="do not update docs/cases.md")
    parser.add_argument("--json", type=Path, help="also write the raw figures to this file")
    args = parser.parse_args()
    command = "uv run python benchmarks/cases_filter.py" + "".join(
        f" --{name} {value}" for name, value, default in
        (("cases", args.cases, 1_000_000), ("persons", args.persons, 300_000)) if value != default
    ) + (" --reuse" if args.reuse else "")  # fmt: skip

    log("Machine…")
    meta: dict = {
        "machine": machine(),
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
    meta["commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                    text=True, check=False).stdout.strip()  # fmt: skip
    log("  " + json.dumps(meta["machine"], ensure_ascii=False))
    loaded: dict | None = None
    if not args.reuse and not args.reuse_persons:
        log(f"Fresh database {DATABASE_URL}, {args.persons:,} persons…")
        loaded = fresh_database(args.persons)

    os.environ.update(SERVER_ENV)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    sys.path.insert(0, str(ROOT))
    manage("collectstatic", "--no-input", env={**os.environ}, timeout=300)
    import django

    django.setup()
    from amparo.accounts.models import User
    from amparo.cases.models import Case
    from amparo.registry.models import Person

    if not args.reuse:
        setup = read_setup()
        check_answers(setup)
        log(f"Loading {args.cases:,} cases (COPY)…")
        cases_loaded = load_cases(setup, args.cases)
        loaded = {
            **(loaded or {"persons": len(setup.persons), "persons_seconds": float("nan")}),
            **cases_loaded,
        }
        log(
            f"  {cases_loaded['cases_per_second']:,.0f} cases/s, "
            f"indexes {cases_loaded['index_seconds']:.0f} s"
        )

    users = {username: User.objects.get(username=username) for username in PERSONAS}
    meta["persons_total"] = Person.objects.count()
    meta["cases_total"] = Case.objects.count()
    meta["cases_child"] = Case.objects.filter(case_type__code="proteccion_nna").count()
    meta["units_with_cases"] = Case.objects.values("org_unit").distinct().count()
    meta["caseworker_cases"] = Case.objects.filter(org_unit=users["trabajador.gt"].home_unit).count()

    log("Case list filters…")
    work = samples(args.samples, random.Random(2026))
    filters = measure_filters(users, work, args.html, args.warmup)
    if args.explain:
        for name, plan in explain_slowest(users, filters).items():
            log(f"  EXPLAIN ANALYZE {name}:\n{plan}\n")
    log("Form render + save…")
    form = measure_form(users["trabajador.gt"], args.rounds, warmup=5)

    text = report(meta, loaded, filters, form, command)
    log("\n" + text)
    if not args.no_write:
        log(f"Written to {write_report(text)}")
    if args.json:
        args.json.write_text(json.dumps({"meta": meta, "load": loaded, "filters": filters, "form": form},
                                        indent=2, default=str))  # fmt: skip

    if not args.keep:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(f"postgres://postgres@{HOST}:5432/postgres", autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        log(f"Dropped {DATABASE} (--keep keeps it for --reuse)")


if __name__ == "__main__":
    main()
