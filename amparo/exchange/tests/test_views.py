"""The RUNac pages through the test client: who may see, send, correct and manage what."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from amparo.audit.choices import AuditAction
from amparo.audit.models import AuditEvent
from amparo.exchange.runac.choices import DeliveryStatus
from amparo.exchange.runac.models import CategoryCorrection, Delivery, EquivalenceTable, MpiRecord
from amparo.exchange.tests.builders import (
    a_small_delivery,
    equivalence_csv,
    import_paths,
    legajo,
    write_delivery,
)

pytestmark = pytest.mark.usefixtures("table_82")
EVERYONE = [
    "runac_national",
    "national_admin",
    "province_82",
    "province_14",
    "runac_viewer_82",
    "caseworker_a",
    "anonymous",
]


def client_for(client, runac, persona):
    user = runac.personas()[persona]
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def loaded(tmp_path, runac):
    return import_paths(write_delivery(tmp_path, a_small_delivery()))


def outcome(response):
    if response.status_code == 302:
        return "login" if "/accounts/login" in response["Location"] else "redirect"
    return response.status_code


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("runac_national", 200),
        ("national_admin", 200),
        ("province_82", 200),
        ("province_14", 200),
        ("runac_viewer_82", 200),
        ("caseworker_a", 404),
        ("anonymous", "login"),
    ],
)
def test_home(client, runac, persona, expected):
    response = client_for(client, runac, persona).get(reverse("exchange:runac_home"))

    assert outcome(response) == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("runac_national", 200),
        ("national_admin", 200),
        ("province_82", 200),
        ("province_14", 404),
        ("runac_viewer_82", 200),
        ("caseworker_a", 404),
        ("anonymous", "login"),
    ],
)
@pytest.mark.parametrize("page", ["delivery_detail", "delivery_report"])
def test_a_delivery_is_seen_only_within_its_jurisdiction(client, runac, loaded, persona, expected, page):
    response = client_for(client, runac, persona).get(reverse(f"exchange:{page}", args=[loaded.pk]))

    assert outcome(response) == expected
    denied = AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED, target_id=str(loaded.pk))
    assert denied.exists() is (persona == "province_14")


def test_report_is_a_spreadsheet_named_after_the_delivery(client, runac, tmp_path):
    delivery = import_paths(write_delivery(tmp_path, {"LEGAJOS": [legajo(GENERO="?")]}))
    client.force_login(runac.province_82)

    response = client.get(reverse("exchange:delivery_report", args=[delivery.pk]))

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == (
        f'attachment; filename="82_30062023_RUNac_informe_{delivery.pk}.xlsx"'
    )
    assert response.content[:2] == b"PK"


def test_rejected_delivery_page_lists_every_problem(client, runac, tmp_path):
    delivery = import_paths(
        write_delivery(tmp_path, {"LEGAJOS": [legajo(GENERO="?"), legajo(ID_LEGAJO="L2", FECHA_CREACION="")]})
    )
    client.force_login(runac.runac_national)

    response = client.get(reverse("exchange:delivery_detail", args=[delivery.pk]))

    content = response.content.decode()
    assert "La columna FECHA_CREACION es obligatoria y está vacía." in content
    assert "&#x27;?&#x27; no es un valor admitido en GENERO" in content


def test_delivery_list_shows_only_reachable_jurisdictions(client, runac, loaded, tmp_path):
    client.force_login(runac.province_14)

    response = client.get(reverse("exchange:delivery_list"))

    assert list(response.context["page"].object_list) == []


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("runac_national", 200),
        ("province_82", 200),
        ("province_14", 200),
        ("runac_viewer_82", 404),
        ("caseworker_a", 404),
    ],
)
def test_upload_page_needs_the_import_permission(client, runac, persona, expected):
    response = client_for(client, runac, persona).get(reverse("exchange:delivery_upload"))

    assert outcome(response) == expected


def _upload(client, tmp_path, **extra):
    files = [
        SimpleUploadedFile(path.name, path.read_bytes())
        for path in write_delivery(tmp_path, a_small_delivery())
    ]
    return client.post(reverse("exchange:delivery_upload"), {"delivery_files": files, **extra})


def test_province_uploads_its_own_delivery(client, runac, tmp_path, django_capture_on_commit_callbacks):
    client.force_login(runac.province_82)

    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, tmp_path)

    delivery = Delivery.objects.get()
    assert response["Location"] == reverse("exchange:delivery_detail", args=[delivery.pk])
    assert (delivery.status, delivery.jurisdiction, delivery.received_by) == (
        DeliveryStatus.LOADED,
        runac.santa_fe,
        runac.province_82,
    )
    assert MpiRecord.objects.count() == 1


def test_province_cannot_send_another_jurisdictions_files(
    client, runac, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(runac.province_14)

    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, tmp_path)

    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.jurisdiction) == (DeliveryStatus.REJECTED, None)
    assert [item["message"] for item in delivery.issues] == [
        "No tiene permiso para enviar entregas de la jurisdicción 82."
    ]
    assert MpiRecord.objects.exists() is False
    # the sender sees its own attempt; the jurisdiction's users do not
    client.force_login(runac.province_82)
    assert client.get(reverse("exchange:delivery_detail", args=[delivery.pk])).status_code == 404


def test_upload_with_the_table_file(client, runac, tmp_path, django_capture_on_commit_callbacks):
    client.force_login(runac.runac_national)
    table = SimpleUploadedFile(
        "82_TE.csv", (equivalence_csv() + "MPI,TIPO_INTERVENCION,T9,Taller,OTRA\n").encode()
    )

    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, tmp_path, equivalence_file=table)

    assert Delivery.objects.get().status == DeliveryStatus.LOADED
    assert Delivery.objects.get().equivalence_table == EquivalenceTable.objects.get(version=2)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("runac_national", 200),
        ("province_82", 200),
        ("runac_viewer_82", 200),
        ("province_14", 404),
        ("caseworker_a", 404),
    ],
)
def test_records_and_their_detail_stay_in_the_jurisdiction(client, runac, loaded, persona, expected):
    record = MpiRecord.objects.get()
    client = client_for(client, runac, persona)

    assert outcome(client.get(reverse("exchange:delivery_records", args=[loaded.pk, "MPI"]))) == expected
    assert outcome(client.get(reverse("exchange:record_detail", args=["MPI", record.pk]))) == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("runac_national", "redirect"),
        ("national_admin", "redirect"),
        ("province_82", 404),
        ("runac_viewer_82", 404),
        ("province_14", 404),
        ("caseworker_a", 404),
    ],
)
def test_only_national_staff_post_corrections(client, runac, loaded, persona, expected):
    record = MpiRecord.objects.get()

    response = client_for(client, runac, persona).post(
        reverse("exchange:record_detail", args=["MPI", record.pk]),
        {"category": "DERECHO_VULNERADO|ABANDONO", "reason": "Revisado con la provincia."},
    )

    assert outcome(response) == expected
    record.refresh_from_db()
    assert record.derecho_vulnerado == ("ABANDONO" if expected == "redirect" else "NEGLIGENCIA")
    assert CategoryCorrection.objects.exists() is (expected == "redirect")


def test_the_jurisdiction_sees_and_acknowledges_corrections(client, runac, loaded):
    client.force_login(runac.runac_national)
    record = MpiRecord.objects.get()
    client.post(
        reverse("exchange:record_detail", args=["MPI", record.pk]),
        {"category": "DERECHO_VULNERADO|ABANDONO", "reason": "Revisado."},
    )
    correction = CategoryCorrection.objects.get()

    client.force_login(runac.province_82)
    home = client.get(reverse("exchange:runac_home"))
    acknowledged = client.post(reverse("exchange:correction_acknowledge", args=[correction.pk]))

    assert home.context["pending_corrections"] == 1
    assert acknowledged.status_code == 302
    correction.refresh_from_db()
    assert correction.acknowledged_by == runac.province_82


def test_a_viewer_cannot_acknowledge(client, runac, loaded):
    correction = CategoryCorrection.objects.create(
        jurisdiction=runac.santa_fe,
        delivery=loaded,
        unit="MPI",
        record_id=MpiRecord.objects.get().pk,
        record_key="MPI-1",
        field="DERECHO_VULNERADO",
        to_category="ABANDONO",
        reason="x",
        corrected_by=runac.runac_national,
    )
    client.force_login(runac.runac_viewer_82)

    response = client.post(reverse("exchange:correction_acknowledge", args=[correction.pk]))

    assert response.status_code == 404
    correction.refresh_from_db()
    assert correction.acknowledged_at is None


@pytest.mark.usefixtures("table_14")
def test_indicators_count_only_reachable_jurisdictions(client, runac, loaded, tmp_path):
    import_paths(
        write_delivery(tmp_path / "cba", {"LEGAJOS": [legajo(), legajo(ID_LEGAJO="L2")]}, jurisdiction="14")
    )
    client.force_login(runac.province_82)

    response = client.get(reverse("exchange:indicators"), {"at": "30/06/2023"})

    assert [item.code for item in response.context["query"].jurisdictions] == ["82"]
    assert response.context["result"].summary["legajos"] == 1
    assert 'rect width="100.0"' in response.content.decode()


@pytest.mark.usefixtures("table_14")
def test_national_staff_see_every_jurisdiction(client, runac, loaded, tmp_path):
    import_paths(
        write_delivery(tmp_path / "cba", {"LEGAJOS": [legajo(), legajo(ID_LEGAJO="L2")]}, jurisdiction="14")
    )
    client.force_login(runac.runac_national)

    everything = client.get(reverse("exchange:indicators"), {"at": "30/06/2023"})
    cordoba = client.get(reverse("exchange:indicators"), {"at": "30/06/2023", "jurisdiction": ["14"]})

    assert everything.context["result"].summary["legajos"] == 3
    assert cordoba.context["result"].summary["legajos"] == 2


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("csv", "text/csv; charset=utf-8"),
    ],
)
def test_indicator_exports(client, runac, loaded, fmt, content_type):
    client.force_login(runac.runac_viewer_82)

    response = client.get(reverse("exchange:indicator_export", args=[fmt]), {"at": "30/06/2023"})

    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="RUNac_indicadores_30062023.{fmt}"'
    assert AuditEvent.objects.get(action=AuditAction.RUNAC_INDICATORS_EXPORTED).extra == {
        "format": fmt,
        "jurisdictions": ["82"],
        "at": "30/06/2023",
    }


def test_indicator_export_needs_the_view_permission(client, runac, loaded):
    client.force_login(runac.world.caseworker_a)

    assert client.get(reverse("exchange:indicator_export", args=["csv"])).status_code == 404
    assert AuditEvent.objects.filter(action=AuditAction.RUNAC_INDICATORS_EXPORTED).exists() is False


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("runac_national", "redirect"),
        ("province_82", "redirect"),
        ("province_14", 404),
        ("runac_viewer_82", 404),
    ],
)
def test_equivalence_upload_needs_the_jurisdiction(client, runac, persona, expected):
    table = SimpleUploadedFile(
        "82_TE.csv",
        b"unidad,campo,id_local,descripcion_local,categoria_nacional\nMPI,TIPO_INTERVENCION,T9,Taller,OTRA\n",
    )

    response = client_for(client, runac, persona).post(
        reverse("exchange:table_upload", args=["82"]), {"file": table}
    )

    assert outcome(response) == expected
    assert EquivalenceTable.objects.filter(jurisdiction=runac.santa_fe).count() == (
        2 if expected == "redirect" else 1
    )


def test_equivalence_upload_shows_the_file_problems(client, runac):
    client.force_login(runac.province_82)
    table = SimpleUploadedFile(
        "82_TE.csv",
        b"unidad,campo,id_local,descripcion_local,categoria_nacional\n"
        b"MPI,TIPO_INTERVENCION,T9,Taller,CHARLA\n",
    )

    response = client.post(reverse("exchange:table_upload", args=["82"]), {"file": table})

    assert response.status_code == 400
    assert [item.message for item in response.context["upload_issues"]] == [
        "'CHARLA' no es una categoría nacional de MPI.TIPO_INTERVENCION."
    ]


def test_equivalence_entry_edit_and_export(client, runac):
    client.force_login(runac.province_82)

    client.post(
        reverse("exchange:table_entry", args=["82"]),
        {"category": "MPI|TIPO_INTERVENCION|OTRA", "local_id": "T9", "local_description": "Taller"},
    )
    client.post(
        reverse("exchange:table_entry", args=["82"]),
        {"remove": "1", "unit": "MPI", "field": "TIPO_INTERVENCION", "local_id": "1"},
    )
    exported = client.get(reverse("exchange:table_export", args=["82"])).content.decode()
    first = client.get(reverse("exchange:table_export", args=["82"]), {"version": "1"}).content.decode()

    assert list(
        EquivalenceTable.objects.filter(jurisdiction=runac.santa_fe).values_list("version", "source")
    ) == [(3, "edit"), (2, "edit"), (1, "upload")]
    assert "MPI,TIPO_INTERVENCION,T9,Taller,OTRA" in exported.splitlines()
    assert "MPI,TIPO_INTERVENCION,1,Entrevista,ENTREVISTA" not in exported.splitlines()
    assert "MPI,TIPO_INTERVENCION,1,Entrevista,ENTREVISTA" in first.splitlines()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("runac_national", 200),
        ("national_admin", 200),
        ("province_82", 404),
        ("runac_viewer_82", 404),
        ("caseworker_a", 404),
    ],
)
def test_jurisdiction_settings_are_national(client, runac, persona, expected):
    response = client_for(client, runac, persona).get(reverse("exchange:jurisdiction_list"))

    assert outcome(response) == expected


def test_national_admin_ties_a_jurisdiction_to_a_unit(client, runac):
    client.force_login(runac.runac_national)

    client.post(reverse("exchange:jurisdiction_list"), {"code": "14", "org_unit": runac.world.unit_a.pk})

    runac.cordoba.refresh_from_db()
    assert runac.cordoba.org_unit == runac.world.unit_a
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.RUNAC_JURISDICTION_UPDATED, target_id=str(runac.cordoba.pk)
        ).count()
        == 2
    )


def test_nav_link_only_for_runac_users(client, runac):
    client.force_login(runac.runac_viewer_82)
    with_link = client.get(reverse("exchange:runac_home")).content.decode()
    client.force_login(runac.world.caseworker_a)
    without_link = client.get("/").content.decode()

    assert f'href="{reverse("exchange:runac_home")}"' in with_link
    assert f'href="{reverse("exchange:runac_home")}"' not in without_link


@pytest.mark.parametrize("unit", ["LEGAJOS", "MPI", "MPE", "MPJ"])
def test_record_pages_render_every_unit(client, runac, loaded, unit):
    client.force_login(runac.runac_national)

    listing = client.get(reverse("exchange:delivery_records", args=[loaded.pk, unit]))
    first = listing.context["rows"][0]["record"]
    detail = client.get(reverse("exchange:record_detail", args=[unit, first.pk]))

    assert (listing.status_code, detail.status_code) == (200, 200)
    assert f"<h1>{unit} · " in detail.content.decode()


def test_large_uploads_go_through_the_background_task(
    client, runac, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.RUNAC_INLINE_MAX_BYTES = 0
    client.force_login(runac.province_82)

    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, tmp_path)

    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.LOADED
    assert [item["rows"] for item in delivery.files] == [1, 1, 1, 1]
    # the uploaded copies are removed once processed
    assert default_storage.exists(f"runac/incoming/{delivery.pk}/0_82_LEGAJOS_30062023_RUNac.txt") is False


def test_status_poll_reloads_the_page_once_done(client, runac, loaded):
    running = Delivery.objects.create(
        channel="web", status=DeliveryStatus.RECEIVED, received_by=runac.province_82
    )
    client.force_login(runac.province_82)

    waiting = client.get(reverse("exchange:delivery_status", args=[running.pk]))
    done = client.get(reverse("exchange:delivery_status", args=[loaded.pk]))

    assert "HX-Refresh" not in waiting
    assert 'hx-trigger="every 2s"' in waiting.content.decode()
    assert done["HX-Refresh"] == "true"
