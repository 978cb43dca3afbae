"""Province-side pages: generating a delivery (preview, download) and the equivalences of local options."""

import datetime
import io
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from amparo.audit.models import AuditEvent
from amparo.exchange.runac.models import EquivalenceTable
from amparo.exchange.tests.province_world import entry, legajo_form, mpi

D = datetime.date
PERIOD = {"jurisdiction": "82", "period_from": "01/01/2022", "period_to": "31/12/2022"}


def client_for(province, persona) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    user = province.personas()[persona]
    if user is not None:
        client.force_login(user)
    return client


def outcome(response):
    if response.status_code == 302:
        return "login" if "/accounts/login" in response["Location"] else "redirect"
    return response.status_code


@pytest.fixture
def cases(province):
    return [
        province.legajo(D(2022, 3, 1), [("mpi", D(2022, 3, 5), mpi("MPI-1"))]),
        province.legajo(D(2021, 3, 1), [("mpj", D(2021, 4, 5), entry("MPJ-1"))]),
    ]


ACCESS = [
    ("province_generator", 200),
    ("national_admin", 200),
    ("province_basic", 200),
    ("province_viewer", 404),
    ("generator_14", 404),
    ("caseworker_a", 404),
    ("anonymous", "login"),
]


@pytest.mark.parametrize(("persona", "expected"), ACCESS)
def test_preview_access(province, cases, persona, expected):
    response = client_for(province, persona).get(reverse("exchange:province_delivery"), PERIOD)
    assert outcome(response) == expected
    previews = AuditEvent.objects.filter(action="exchange.runac.delivery_previewed")
    assert previews.count() == (1 if expected == 200 else 0)


@pytest.mark.parametrize(("persona", "expected"), ACCESS)
def test_download_access(province, cases, persona, expected):
    response = client_for(province, persona).post(reverse("exchange:province_download"), PERIOD)
    assert outcome(response) == expected
    generated = AuditEvent.objects.filter(action="exchange.runac.delivery_generated")
    assert generated.count() == (1 if expected == 200 else 0)


def test_preview_shows_counts_rules_and_warnings(province, cases):
    province.legajo(D(2022, 5, 1), [("mpi", D(2022, 5, 2), mpi("MPI-9", derecho_vulnerado="abandono"))])
    response = client_for(province, "province_generator").get(reverse("exchange:province_delivery"), PERIOD)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="preview-errors"' in html
    assert 'data-code="equivalence_missing"' in html
    assert "82_LEGAJOS_31122022_RUNac.txt" in html
    rules = response.context["rules"]
    assert rules == {"A": 2, "B": 0, "C": 1}


def test_preview_lists_a_missing_legajo_form_with_its_case(province):
    # given one child with the legajo form filled and one without it
    province.legajo(D(2022, 3, 1), [("mpi", D(2022, 3, 5), mpi("MPI-1"))], forms=legajo_form())
    missing = province.legajo(D(2022, 4, 1), [("mpi", D(2022, 4, 5), mpi("MPI-2"))])
    # when the referent previews the delivery
    response = client_for(province, "province_generator").get(reverse("exchange:province_delivery"), PERIOD)
    html = response.content.decode()
    # then the delivery is valid, with one warning on the case without the form, linked
    assert 'data-testid="preview-warnings"' in html
    assert html.count('data-code="legajo_form_missing"') == 1
    [row] = [row for row in response.context["problems"] if row["item"].code == "legajo_form_missing"]
    assert (row["item"].case_id, row["case_number"]) == (missing.pk, missing.number)
    assert reverse("cases:case_detail", args=[missing.pk]) in html
    assert row["item"].legajo in html


def test_download_is_the_zip(province, cases):
    response = client_for(province, "province_generator").post(reverse("exchange:province_download"), PERIOD)
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="82_31122022_RUNac.zip"'
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert names == [
        "82_LEGAJOS_31122022_RUNac.txt",
        "82_MPI_31122022_RUNac.txt",
        "82_MPE_31122022_RUNac.txt",
        "82_MPJ_31122022_RUNac.txt",
        "82_TE.csv",
        "RESUMEN.txt",
        "SELECCION_LEGAJOS.csv",
    ]


def test_bad_period_is_refused(province, cases):
    response = client_for(province, "province_generator").get(
        reverse("exchange:province_delivery"), {**PERIOD, "period_from": "31/02/2022"}
    )
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action="exchange.runac.delivery_previewed").exists()


def test_another_jurisdiction_is_not_reached(province, cases):
    response = client_for(province, "province_generator").post(
        reverse("exchange:province_download"), {**PERIOD, "jurisdiction": "14"}
    )
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="exchange.runac.delivery_generated").exists()
    denied = AuditEvent.objects.get(action="accounts.access.denied")
    assert denied.target_id == str(province.cordoba.pk)


def test_equivalences_flag_missing_options_and_save_them(province, cases):
    # given a value recorded in a case that the table does not know
    province.legajo(D(2022, 5, 1), [("mpi", D(2022, 5, 2), mpi("MPI-9", derecho_vulnerado="abandono"))])
    client = client_for(province, "province_generator")
    url = reverse("exchange:province_equivalences", args=["82"])
    response = client.get(url)
    options = {(item.unit, item.field, item.local_id): item for item in province_options(response)}
    assert options[("MPI", "DERECHO_VULNERADO", "abandono")].category == ""
    assert options[("MPI", "DERECHO_VULNERADO", "salud")].category == "FALTA_ACCESO_SALUD"
    # the MPE form's option lists are local options too
    assert options[("MPE", "TIPO_INTERVENCION", "PER_INICIAL")].in_forms is True
    assert response.context["missing"] == sum(1 for item in options.values() if not item.category)
    # when the user picks its national category
    rows = [row for group in response.context["groups"] for row in group["rows"]]
    target = next(
        row
        for row in rows
        if row["option"].local_id == "abandono" and row["option"].field == "DERECHO_VULNERADO"
    )
    before = EquivalenceTable.objects.filter(jurisdiction=province.santa_fe).count()
    response = client.post(url, {f"key-{target['index']}": target["key"], f"cat-{target['index']}": "OTRO"})
    # then a new table version maps it, and the preview no longer reports it
    assert outcome(response) == "redirect"
    assert EquivalenceTable.objects.filter(jurisdiction=province.santa_fe).count() == before + 1
    preview = client.get(reverse("exchange:province_delivery"), PERIOD)
    assert 'data-code="equivalence_missing"' not in preview.content.decode()


def province_options(response):
    return [row["option"] for group in response.context["groups"] for row in group["rows"]]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("province_generator", 200), ("province_viewer", 404), ("generator_14", 404), ("anonymous", "login")],
)
def test_equivalences_access(province, cases, persona, expected):
    response = client_for(province, persona).get(reverse("exchange:province_equivalences", args=["82"]))
    assert outcome(response) == expected


def test_equivalences_import_a_table_file(province, cases):
    client = client_for(province, "province_generator")
    content = (
        b"unidad,campo,id_local,descripcion_local,categoria_nacional\n"
        b"MPI,DERECHO_VULNERADO,vivienda,Vivienda,OTRO\n"
    )
    upload = io.BytesIO(content)
    upload.name = "82_TE.csv"
    response = client.post(reverse("exchange:province_equivalences_upload", args=["82"]), {"file": upload})
    assert outcome(response) == "redirect"
    table = EquivalenceTable.objects.filter(jurisdiction=province.santa_fe).order_by("-version").first()
    assert table.entries.filter(
        field="DERECHO_VULNERADO", local_id="vivienda", category__code="OTRO"
    ).exists()
    bad = io.BytesIO(content.replace(b"OTRO", b"NO_EXISTE"))
    bad.name = "82_TE.csv"
    response = client.post(reverse("exchange:province_equivalences_upload", args=["82"]), {"file": bad})
    assert response.status_code == 400
    assert 'data-testid="table-issues"' in response.content.decode()


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_suggested_period_is_shown_as_dd_mm_yyyy(province, cases, language, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 23, 12, tzinfo=datetime.UTC))
    client = client_for(province, "province_generator")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language

    body = client.get(reverse("exchange:province_delivery")).content.decode()

    assert 'value="28/12/2025"' in body
    assert 'value="30/06/2026"' in body
    assert "2025-12-28" not in body
