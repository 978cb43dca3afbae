"""Province side: selecting and building a RUNac delivery from the province's cases."""

import datetime
import io
import json
import zipfile
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from amparo.audit.models import AuditEvent
from amparo.cases import starter
from amparo.cases.models import CaseFormRecord
from amparo.cases.services import FormDataInvalidError
from amparo.cases.starter import starter_config_load
from amparo.common.errors import PermissionDeniedError
from amparo.exchange.runac import province as building
from amparo.exchange.runac import province_files, province_services, services, spec
from amparo.exchange.runac.choices import DeliveryStatus, EquivalenceSource
from amparo.exchange.runac.models import LegajoRecord, MpeRecord, MpjRecord
from amparo.exchange.runac.reading import Source
from amparo.exchange.runac.tables import equivalence_version_create
from amparo.exchange.tests.province_world import TABLE, entry, exit_, legajo_form, mpe, mpi
from amparo.forms import services as forms_services
from amparo.forms.models import Form
from amparo.forms.selectors import definition_of, latest_version
from amparo.matching.services.merge import person_merge, person_merge_undo
from amparo.registry.tests.factories import IdentityDocumentFactory, PersonFactory

D = datetime.date
FROM, TO = D(2022, 1, 1), D(2022, 12, 31)


def _generate(province_, user=None, start=FROM, end=TO):
    return province_services.delivery_generate(
        actor=user or province_.province_generator,
        jurisdiction=province_.santa_fe,
        period_from=start,
        period_to=end,
    )


def _files(generated) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(generated.content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _rows(files: dict[str, bytes], unit: str, cut_off: str = "31122022") -> list[dict[str, str]]:
    lines = files[f"82_{unit}_{cut_off}_RUNac.txt"].decode().split("\n")
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:] if line]


@pytest.fixture
def sample(province):
    """Cases that exercise every selection rule for calendar 2022."""
    p = province
    return {
        "a": p.legajo(
            D(2022, 3, 1),
            [("mpi", D(2022, 3, 5), mpi("MPI-A1"))],
            forms=legajo_form(discapacidad="SI", cud="SI", pueblo_originario="atacama"),
        ),
        "a_without_interventions": p.legajo(D(2022, 4, 1), []),
        "b": p.legajo(
            D(2021, 5, 1),
            forms=legajo_form(escolarizado="NO", nivel_educativo="primaria_completa", documentado="NO"),
            interventions=[
                ("mpe", D(2021, 6, 1), mpe("MPE-B1")),
                ("mpe", D(2021, 9, 1), mpe("MPE-B2", "PRORROGA")),
                ("mpi", D(2022, 2, 1), mpi("MPI-B1")),
            ],
        ),
        "c": p.legajo(D(2020, 1, 1), [("mpj", D(2021, 1, 10), entry("MPJ-C1"))], forms=legajo_form()),
        "closed_before": p.legajo(
            D(2020, 1, 1),
            [
                ("mpe", D(2020, 2, 1), mpe("MPE-X1")),
                ("mpe", D(2021, 1, 15), mpe("MPE-X2", "CESE_MPE", fecha_cese="2021-01-15")),
            ],
        ),
        "exit_in_period": p.legajo(
            D(2021, 2, 1),
            [("mpj", D(2021, 3, 1), entry("MPJ-E1")), ("mpj", D(2022, 5, 2), exit_("MPJ-E2", "MPJ-E1"))],
        ),
        "later": p.legajo(D(2023, 1, 5), [("mpi", D(2023, 1, 6), mpi("MPI-L1"))]),
    }


def test_selection_rules_a_b_c(province, sample):
    generated = _generate(province)
    build = generated.build
    rules = {item.case_id: item.rule for item in build.selections}
    assert rules == {
        sample["a"].pk: "A",
        sample["b"].pk: "B",
        sample["c"].pk: "C",
        sample["exit_in_period"].pk: "B",
    }
    files = _files(generated)
    assert {row["ID_INTERVENCION"] for row in _rows(files, "MPI")} == {"MPI-A1", "MPI-B1"}
    # the PER_INICIAL of B's measure (still open) travels although dated 2021; its PRORROGA does not
    assert [row["ID_INTERVENCION"] for row in _rows(files, "MPE")] == ["MPE-B1"]
    assert [row["ID_INTERVENCION"] for row in _rows(files, "MPJ")] == ["MPJ-C1", "MPJ-E1", "MPJ-E2"]
    assert build.errors == []


def test_rule_c_only_while_the_measure_is_open(province, sample):
    # given the penal stay of C ends in 2023
    build = _generate(province, start=D(2023, 1, 1), end=D(2023, 6, 30)).build
    assert {item.case_id: item.rule for item in build.selections}[sample["c"].pk] == "C"
    # a legajo whose measure closed before the period is not sent
    assert sample["closed_before"].pk not in {item.case_id for item in build.selections}


def test_files_follow_the_contract(province, sample):
    files = _files(_generate(province))
    assert sorted(files) == sorted(
        [
            "82_LEGAJOS_31122022_RUNac.txt",
            "82_MPI_31122022_RUNac.txt",
            "82_MPE_31122022_RUNac.txt",
            "82_MPJ_31122022_RUNac.txt",
            "82_TE.csv",
            "RESUMEN.txt",
            "SELECCION_LEGAJOS.csv",
        ]
    )
    for unit in spec.Unit:
        content = files[f"82_{unit}_31122022_RUNac.txt"]
        assert not content.startswith(b"\xef\xbb\xbf")
        text = content.decode("utf-8")
        assert "\r" not in text
        lines = text.rstrip("\n").split("\n")
        assert lines[0].split("\t") == spec.header(unit)
        assert all(len(line.split("\t")) == len(spec.header(unit)) for line in lines[1:])
    legajos = _rows(files, "LEGAJOS")
    assert len(legajos) == 4
    assert legajos[0]["FECHA_CREACION"] == "01/01/2020"
    assert legajos[0]["FECHA_NACIMIENTO"] == "17/05/2012"
    assert legajos[0]["NACIONALIDAD"] == "AR"
    mpe_row = _rows(files, "MPE")[0]
    assert mpe_row["FECHA_INTERVENCION"] == "01/06/2021"
    assert mpe_row["TIPO_INTERVENCION"] == "PER_INICIAL"
    assert mpe_row["SITUACION_AL_CESE"] == mpe_row["FECHA_CESE"] == ""
    exit_row = _rows(files, "MPJ")[-1]
    assert exit_row["TIPO_MOVIMIENTO"] == "EGRESO"
    assert exit_row["ID_INGRESO_ASOCIADO"] == "MPJ-E1"
    assert exit_row["TIPO_MEDIDA_PENAL"] == exit_row["DELITO_IMPUTADO"] == ""
    assert files["82_TE.csv"].decode().splitlines()[0] == ",".join(spec.EQUIVALENCE_HEADER)
    selection = files["SELECCION_LEGAJOS.csv"].decode().splitlines()
    assert selection[0] == "ID_LEGAJO,regla,intervenciones"
    assert sorted(line.split(",")[1] for line in selection[1:]) == ["A", "B", "B", "C"]


def test_pseudonyms_are_stable_and_carry_no_personal_data(province, sample):
    first = _files(_generate(province))
    again = _files(_generate(province, start=D(2022, 1, 1), end=D(2022, 12, 31)))
    later = _files(_generate(province, start=D(2023, 1, 1), end=D(2023, 6, 30)))
    ids = [row["ID_LEGAJO"] for row in _rows(first, "LEGAJOS")]
    assert ids == [row["ID_LEGAJO"] for row in _rows(again, "LEGAJOS")]
    expected = building.legajo_pseudonym(sample["c"].person_id, key=building.pseudonym_key())
    assert expected in ids
    assert expected in {row["ID_LEGAJO"] for row in _rows(later, "LEGAJOS", "30062023")}
    everything = b"".join(first.values()).decode()
    for case in sample.values():
        assert case.number not in everything
        assert f"case:{case.pk}" not in everything
        assert f"person:{case.person_id}" not in everything
    for word in ("María", "García", "López", "GALM"):
        assert word not in everything
    assert all(len(item) == 21 and item.startswith("L") for item in ids)


def test_one_child_with_several_cases_is_one_legajo(province, tmp_path, capsys):
    # given one child with two RUNac cases: an older one with an open measure, a newer one in 2022
    first = province.legajo(D(2021, 5, 1), [("mpe", D(2021, 6, 1), mpe("MPE-P1"))])
    second = province.legajo(
        D(2022, 4, 1),
        [("mpi", D(2022, 4, 2), mpi("MPI-P1")), ("mpj", D(2022, 5, 3), entry("MPJ-P1"))],
        child=first.person,
    )
    other = province.legajo(D(2022, 3, 1), [("mpi", D(2022, 3, 5), mpi("MPI-O1"))])
    # when the province generates its 2022 delivery
    generated = _generate(province)
    build = generated.build
    files = _files(generated)
    # then the child has one legajo, created with the first case, holding every intervention
    key = building.pseudonym_key()
    child_id = building.legajo_pseudonym(first.person_id, key=key)
    legajos = _rows(files, "LEGAJOS")
    assert [row["ID_LEGAJO"] for row in legajos] == [
        child_id,
        building.legajo_pseudonym(other.person_id, key=key),
    ]
    assert legajos[0]["FECHA_CREACION"] == "01/05/2021"
    by_legajo = {
        unit: {row["ID_INTERVENCION"]: row["ID_LEGAJO"] for row in _rows(files, unit)}
        for unit in ("MPI", "MPE", "MPJ")
    }
    assert by_legajo["MPI"] == {"MPI-P1": child_id, "MPI-O1": legajos[1]["ID_LEGAJO"]}
    assert by_legajo["MPE"] == {"MPE-P1": child_id}  # the open measure's PER_INICIAL, from the first case
    assert by_legajo["MPJ"] == {"MPJ-P1": child_id}
    [selection] = [item for item in build.selections if item.legajo == child_id]
    assert (selection.rule, selection.interventions) == ("B", 3)  # created 2021, interventions in 2022
    assert selection.case_ids == [first.pk, second.pk]
    assert build.errors == []
    event = AuditEvent.objects.filter(action="exchange.runac.delivery_generated").get()
    assert sorted(event.extra["case_ids"]) == sorted([first.pk, second.pk, other.pk])
    # and the national node counts one legajo for the child
    sources = [Source.from_bytes(name, files[name]) for name in build.file_names]
    delivery = services.delivery_import(
        actor=None, sources=sources, equivalence_source=Source.from_bytes("82_TE.csv", files["82_TE.csv"])
    )
    assert delivery.status == DeliveryStatus.LOADED, delivery.issues
    call_command("runac_indicators", "--jurisdiction", "82", "--at", "31/12/2022", "--json")
    result = json.loads(capsys.readouterr().out)
    assert (result["legajos"], result["mpi"], result["mpe"], result["mpj"]) == (2, 2, 1, 1)
    assert (result["mpe_open"], result["mpj_open"]) == (1, 1)


def test_a_problem_links_to_the_case_that_holds_the_intervention(province):
    first = province.legajo(D(2021, 5, 1), [("mpi", D(2021, 6, 1), mpi("MPI-F1"))])
    second = province.legajo(
        D(2022, 4, 1), [("mpj", D(2022, 4, 2), exit_("MPJ-F2", "MPJ-NOPE"))], child=first.person
    )
    [problem] = _generate(province).build.errors
    assert (problem.code, problem.case_id) == ("exit_without_entry", second.pk)


def test_pseudonyms_depend_on_the_deployment_key(province, sample):
    with override_settings(RUNAC_PSEUDONYM_KEY="one-deployment"):
        first = {item.legajo for item in _generate(province).build.selections}
    with override_settings(RUNAC_PSEUDONYM_KEY="another-deployment"):
        second = {item.legajo for item in _generate(province).build.selections}
    assert first.isdisjoint(second)


def test_free_text_naming_the_child_is_left_out(province):
    province.legajo(
        D(2022, 3, 1),
        [("mpi", D(2022, 3, 2), mpi("MPI-N1", motivo="Maria Jose no asiste a clases"))],
        forms=legajo_form(),
    )
    generated = _generate(province)
    row = _rows(_files(generated), "MPI")[0]
    assert row["MOTIVO"] == ""
    [problem] = generated.build.warnings
    assert (problem.code, problem.column) == (building.ProblemCode.PERSONAL_DATA_REMOVED, "MOTIVO")


def test_missing_equivalence_is_reported_before_downloading(province):
    # given an option of the form the table does not map yet
    case = province.legajo(
        D(2022, 3, 1), [("mpi", D(2022, 3, 2), mpi("MPI-M1", derecho_vulnerado="abandono"))]
    )
    build = province_services.delivery_preview(
        actor=province.province_generator, jurisdiction=province.santa_fe, period_from=FROM, period_to=TO
    )
    [problem] = build.errors
    assert problem.code == "equivalence_missing"
    assert (problem.unit, problem.column, problem.value, problem.case_id) == (
        "MPI",
        "DERECHO_VULNERADO",
        "abandono",
        case.pk,
    )
    event = AuditEvent.objects.filter(action="exchange.runac.delivery_previewed").get()
    assert event.extra["case_ids"] == [case.pk]


def test_exit_without_its_entry_is_reported(province):
    province.legajo(D(2022, 3, 1), [("mpj", D(2022, 3, 2), exit_("MPJ-Z2", "MPJ-NOPE"))])
    [problem] = _generate(province).build.errors
    assert (problem.code, problem.column, problem.value) == (
        "exit_without_entry",
        "ID_INGRESO_ASOCIADO",
        "MPJ-NOPE",
    )


def test_sensitive_answers_stay_out_below_the_clearance(province, sample):
    build = _generate(province, user=province.province_basic).build
    files = province_files.delivery_files(build)
    entries = [row for row in _rows(files, "MPJ") if row["TIPO_MOVIMIENTO"] == "INGRESO"]
    assert {row["DELITO_IMPUTADO"] for row in entries} == {""}
    # (exit_in_period has no legajo form: warned as such, whoever generates)
    assert [(item.code, item.column) for item in build.warnings] == [
        ("legajo_form_missing", ""),
        ("field_hidden", "DELITO_IMPUTADO"),
    ]


@pytest.mark.parametrize("persona", ["province_viewer", "generator_14", "caseworker_a"])
def test_only_the_province_generator_generates(province, sample, persona):
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDeniedError):
        _generate(province, user=province.personas()[persona])
    assert AuditEvent.objects.count() == before


def test_generation_is_audited_with_period_and_counts(province, sample):
    _generate(province)
    event = AuditEvent.objects.filter(action="exchange.runac.delivery_generated").get()
    assert event.actor_id == province.province_generator.pk
    assert (event.extra["from"], event.extra["to"]) == ("2022-01-01", "2022-12-31")
    assert event.extra["counts"] == {"LEGAJOS": 4, "MPI": 2, "MPE": 1, "MPJ": 3}
    assert event.extra["rules"] == {"A": 1, "B": 2, "C": 1}


def test_cases_outside_the_jurisdiction_are_not_sent(province, sample):
    province.legajo(D(2022, 3, 1), [("mpi", D(2022, 3, 5), mpi("MPI-O1"))], unit=province.world.unit_b)
    assert len(_generate(province).build.selections) == 4


def test_round_trip_national_import_matches_the_province_counts(province, sample, tmp_path, capsys):
    # given the province generates its 2022 delivery
    generated = _generate(province)
    files = _files(generated)
    sources = [Source.from_bytes(name, files[name]) for name in generated.build.file_names]
    # when the national node imports it with its table
    delivery = services.delivery_import(
        actor=None, sources=sources, equivalence_source=Source.from_bytes("82_TE.csv", files["82_TE.csv"])
    )
    # then it loads, and the national indicators count what the province sent
    assert delivery.status == DeliveryStatus.LOADED, delivery.issues
    sent = {item.case_id for item in generated.build.selections}
    assert delivery.counts == generated.build.counts
    call_command("runac_indicators", "--jurisdiction", "82", "--at", "31/12/2022", "--json")
    result = json.loads(capsys.readouterr().out)
    assert (result["legajos"], result["mpi"], result["mpe"], result["mpj"]) == (4, 2, 1, 3)
    # B's measure (PER_INICIAL 2021, no CESE) is open; C's entry open; E1 closed by E2 in 2022
    assert (result["mpe_measures"], result["mpe_open"], result["mpj_open"]) == (1, 1, 1)
    # and the legajo fields the national node holds count what the province recorded in its legajo forms
    national = LegajoRecord.objects.filter(delivery=delivery)
    for field, kind in LEGAJO_FIELDS.items():
        recorded = Counter(
            _province_category(field, kind, case) for case in sample.values() if case.pk in sent
        )
        assert Counter(national.values_list(field, flat=True)) == recorded, field
    assert Counter(national.values_list("pueblo_originario", flat=True)) == {"OTRO": 1, "KOLLA": 2, "": 1}


# Legajo form field → how the province's own answer becomes the national value.
LEGAJO_FIELDS = {
    "pueblo_originario": "te",
    "nivel_educativo": "te",
    "escolarizado": "p",
    "discapacidad": "p",
    "cud": "p",
    "documentado": "p",
}


def _province_category(field: str, kind: str, case) -> str:
    """What the province recorded for `field`, through its own table: the national value expected."""
    record = CaseFormRecord.objects.filter(case=case, form__identifier="runac_legajo").first()
    answer = record.data.get(field, "") if record else ""
    if field == "cud" and not answer and record and record.data.get("discapacidad") == "NO":
        answer = "NO"
    if field == "documentado" and not answer and case.person.documents.exists():
        answer = "SI"
    if kind == "p" or not answer:
        return answer
    return {(row[0], row[1], row[2]): row[4] for row in TABLE}[("LEGAJOS", field.upper(), answer)]


def test_command_writes_the_zip_and_the_files(province, sample, tmp_path, capsys):
    call_command(
        "runac_generate_delivery",
        "--jurisdiction",
        "82",
        "--from",
        "01/01/2022",
        "--to",
        "31/12/2022",
        "--out",
        str(tmp_path / "entrega.zip"),
        "--json",
    )
    result = json.loads(capsys.readouterr().out)
    assert result["counts"] == {"LEGAJOS": 4, "MPI": 2, "MPE": 1, "MPJ": 3}
    assert zipfile.ZipFile(tmp_path / "entrega.zip").namelist()[0] == "82_LEGAJOS_31122022_RUNac.txt"
    call_command(
        "runac_generate_delivery",
        "--jurisdiction",
        "82",
        "--from",
        "01/01/2022",
        "--to",
        "31/12/2022",
        "--out",
        str(tmp_path / "dir"),
        "--user",
        "province_generator",
    )
    assert (tmp_path / "dir" / "82_MPJ_31122022_RUNac.txt").exists()
    assert AuditEvent.objects.filter(action="exchange.runac.delivery_generated").count() == 2


def test_command_exits_1_when_the_national_node_would_reject(province, tmp_path):
    province.legajo(D(2022, 3, 1), [("mpi", D(2022, 3, 2), mpi("MPI-M1", derecho_vulnerado="abandono"))])
    with pytest.raises(SystemExit) as exit_info:
        call_command(
            "runac_generate_delivery",
            "--jurisdiction",
            "82",
            "--from",
            "01/01/2022",
            "--to",
            "31/12/2022",
            "--out",
            str(tmp_path),
        )
    assert exit_info.value.code == 1


def test_queries_do_not_grow_with_the_legajos(province, sample):
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            province_services.delivery_build(
                actor=province.province_generator,
                jurisdiction=province.santa_fe,
                period_from=FROM,
                period_to=TO,
            )
        return len(captured)

    before = count()
    province.legajo(
        D(2022, 6, 1), [("mpi", D(2022, 6, 2), mpi("MPI-Q1")), ("mpj", D(2022, 6, 3), entry("MPJ-Q1"))]
    )
    province.legajo(D(2022, 7, 1), [("mpe", D(2022, 7, 2), mpe("MPE-Q1"))])
    assert count() == before


def test_the_legajo_form_fills_the_legajos_columns(province, sample):
    files = _files(_generate(province))
    by_case = {item.case_id: item.legajo for item in _generate(province).build.selections}
    rows = {row["ID_LEGAJO"]: row for row in _rows(files, "LEGAJOS")}
    columns = ("PUEBLO_ORIGINARIO", "NIVEL_EDUCATIVO", "ESCOLARIZADO", "DISCAPACIDAD", "CUD", "DOCUMENTADO")
    # TE columns carry the local option (translated by the table), P columns the national value
    assert [rows[by_case[sample["a"].pk]][name] for name in columns] == [
        "atacama",
        "primaria_incompleta",
        "SI",
        "SI",
        "SI",
        "SI",
    ]
    # DOCUMENTADO as answered, even when the person has a document on file; no CUD without disability
    assert [rows[by_case[sample["b"].pk]][name] for name in columns] == [
        "kolla",
        "primaria_completa",
        "NO",
        "NO",
        "NO",
        "NO",
    ]
    # a legajo whose form was never filled sends those columns empty
    assert [rows[by_case[sample["exit_in_period"].pk]][name] for name in columns[:5]] == [""] * 5


def test_a_legajo_without_its_legajo_form_is_warned_once(province):
    # given a child whose case has no legajo form record, and one whose form is filled (partly empty)
    missing = province.legajo(D(2022, 3, 1), [("mpi", D(2022, 3, 2), mpi("MPI-W1"))])
    province.legajo(
        D(2022, 3, 3),
        [("mpi", D(2022, 3, 4), mpi("MPI-W2"))],
        forms={"runac_legajo": {"pueblo_originario": "kolla"}},
    )
    # when the province previews its delivery
    build = province_services.delivery_preview(
        actor=province.province_generator, jurisdiction=province.santa_fe, period_from=FROM, period_to=TO
    )
    # then the legajo without the form has exactly one warning, naming it and what goes out empty
    key = building.pseudonym_key()
    assert build.errors == []
    assert [(item.severity, item.code, item.unit, item.legajo, item.case_id) for item in build.warnings] == [
        (
            "warning",
            "legajo_form_missing",
            "LEGAJOS",
            building.legajo_pseudonym(missing.person_id, key=key),
            missing.pk,
        )
    ]
    [problem] = build.warnings
    assert problem.message == (
        "Nunca se completó el formulario de legajo del niño, niña o adolescente: DISCAPACIDAD, CUD, "
        "PUEBLO_ORIGINARIO, NIVEL_EDUCATIVO, ESCOLARIZADO, DOCUMENTADO se envían vacíos."
    )


def _merge_warnings(province):
    build = province_services.delivery_preview(
        actor=province.province_generator, jurisdiction=province.santa_fe, period_from=FROM, period_to=TO
    )
    return [item for item in build.warnings if item.code == "legajo_merged"]


def test_a_child_merged_from_another_person_with_cases_is_warned_with_both_legajos(province):
    # given two children's legajos, and a third person with a case merged into the second one
    kept = province.legajo(D(2022, 3, 1), [("mpi", D(2022, 3, 2), mpi("MPI-M1"))], forms=legajo_form())
    absorbed = province.legajo(D(2021, 6, 1), [("mpi", D(2021, 6, 2), mpi("MPI-M2"))], forms=legajo_form())
    province.legajo(D(2022, 4, 1), [("mpi", D(2022, 4, 2), mpi("MPI-M3"))], forms=legajo_form())
    merge = person_merge(
        actor=province.world.national_admin, keep=kept.person, absorb=absorbed.person, reason="duplicado"
    )
    # when the province previews its delivery
    [warning] = _merge_warnings(province)
    # then the kept child's legajo is warned, naming the absorbed person's legajo (pseudonyms only)
    key = building.pseudonym_key()
    earlier, now = (building.legajo_pseudonym(item.person_id, key=key) for item in (absorbed, kept))
    assert (warning.unit, warning.legajo, warning.value, warning.case_id) == (
        "LEGAJOS",
        now,
        earlier,
        absorbed.pk,
    )
    assert warning.message == (
        f"El registro de otra persona se fusionó con el de este niño, niña o adolescente el "
        f"{timezone.localdate(merge.merged_at):%d/%m/%Y}, con sus casos. Si una entrega anterior la envió "
        f"como legajo {earlier}, el registro nacional cuenta dos veces a este niño, niña o adolescente: "
        f"avise al equipo nacional que {earlier} ahora es {now}."
    )
    # and the absorbed person's name or number appears nowhere in it
    assert absorbed.person.first_surname not in warning.message
    # an undone merge is no longer warned
    person_merge_undo(actor=province.world.national_admin, merge=merge, reason="no eran la misma persona")
    assert _merge_warnings(province) == []


def test_a_merge_followed_down_a_chain_and_a_merge_without_cases_is_not_warned(province):
    # given a child who absorbed a person, who had absorbed another person with a case earlier
    kept = province.legajo(D(2022, 3, 1), [("mpi", D(2022, 3, 2), mpi("MPI-M4"))], forms=legajo_form())
    middle = province.legajo(D(2021, 6, 1), [("mpi", D(2021, 6, 2), mpi("MPI-M5"))], forms=legajo_form())
    first = province.legajo(D(2021, 1, 1), [("mpi", D(2021, 1, 2), mpi("MPI-M6"))], forms=legajo_form())
    admin = province.world.national_admin
    person_merge(actor=admin, keep=middle.person, absorb=first.person, reason="duplicado")
    person_merge(actor=admin, keep=kept.person, absorb=middle.person, reason="duplicado")
    # and a person without cases merged into the child
    person_merge(
        actor=admin, keep=kept.person, absorb=PersonFactory(org_unit=kept.org_unit), reason="duplicado"
    )
    # then both legajos that had cases are named, the one without cases is not
    key = building.pseudonym_key()
    assert sorted(item.value for item in _merge_warnings(province)) == sorted(
        building.legajo_pseudonym(item.person_id, key=key) for item in (middle, first)
    )


def test_the_legajo_form_of_any_of_the_childs_cases_counts(province):
    # given a child whose first case has no legajo form, and whose second case has one
    first = province.legajo(D(2021, 5, 1), [("mpi", D(2022, 2, 1), mpi("MPI-W3"))])
    province.legajo(
        D(2022, 4, 1), [("mpi", D(2022, 4, 2), mpi("MPI-W4"))], child=first.person, forms=legajo_form()
    )
    # then the legajo has its form: no warning
    assert _generate(province).build.problems == []


def test_a_missing_legajo_form_names_only_the_columns_that_go_out_empty(province):
    # given a child with an identity document on file (DOCUMENTADO = SI) and no legajo form
    case = province.legajo(D(2022, 3, 1), [("mpi", D(2022, 3, 2), mpi("MPI-W5"))])
    IdentityDocumentFactory(person=case.person)
    [problem] = _generate(province).build.warnings
    assert problem.code == "legajo_form_missing"
    assert "DOCUMENTADO" not in problem.message
    assert "NIVEL_EDUCATIVO, ESCOLARIZADO se envían vacíos" in problem.message


def test_a_legajo_option_without_equivalence_is_an_error_before_downloading(province):
    case = province.legajo(
        D(2022, 3, 1), [("mpi", D(2022, 3, 2), mpi("MPI-G1"))], forms=legajo_form(pueblo_originario="guarani")
    )
    table = [row for row in TABLE if row[:3] != ("LEGAJOS", "PUEBLO_ORIGINARIO", "guarani")]
    equivalence_version_create(
        jurisdiction=province.santa_fe,
        rows={(unit, field, local): (description, code) for unit, field, local, description, code in table},
        source=EquivalenceSource.EDIT,
        actor=None,
    )
    [problem] = _generate(province).build.errors
    assert (problem.code, problem.unit, problem.column, problem.value, problem.case_id) == (
        "equivalence_missing",
        "LEGAJOS",
        "PUEBLO_ORIGINARIO",
        "guarani",
        case.pk,
    )


def test_mpi_records_of_the_free_text_form_stay_readable_and_are_local_options(province):
    # given the MPI form as first published (free-text categories) and an intervention recorded with it
    form = Form.objects.get(identifier="runac_mpi")
    form = forms_services.form_draft_save(
        actor=None, form=form, definition=starter._starter_source("runac_mpi", starter.RUNAC_MPI_V1)
    )
    old = forms_services.form_publish(actor=None, form=form)
    case = province.legajo(D(2022, 3, 1), [("mpi", D(2022, 3, 2), mpi("MPI-T1", tipo_intervencion="charla"))])
    # when the starter configuration is loaded again (select lists published as a new version)
    starter_config_load(org_unit=province.world.regional)
    new = latest_version(form)
    assert new.number == old.number + 1
    assert definition_of(new).field("tipo_intervencion").type == "select_one"
    # then the old record keeps its version and its answer, and its case page shows it
    intervention = case.interventions.get()
    assert (intervention.form_version_id, intervention.data["tipo_intervencion"]) == (old.pk, "charla")
    client = Client()
    client.force_login(province.province_generator)
    assert "charla" in client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    # a new record must use an option of the list
    with pytest.raises(FormDataInvalidError):
        province.legajo(D(2022, 4, 1), [("mpi", D(2022, 4, 2), mpi("MPI-T2", tipo_intervencion="charla"))])
    # the old value is still a local option to map (an error until it is), next to the list's options
    [problem] = _generate(province).build.errors
    assert (problem.column, problem.value) == ("TIPO_INTERVENCION", "charla")
    options = {
        (item.field, item.local_id): item
        for item in province_services.local_options(
            user=province.province_generator, jurisdiction=province.santa_fe
        )
        if item.unit == "MPI"
    }
    assert options[("TIPO_INTERVENCION", "charla")].in_records is True
    assert options[("TIPO_INTERVENCION", "charla")].category == ""
    assert options[("TIPO_INTERVENCION", "articulacion")].in_forms is True
    assert options[("TIPO_INTERVENCION", "articulacion")].category == "ARTICULACION_INSTITUCIONAL"


def test_mpe_and_mpj_select_lists_travel_as_local_ids_and_load_as_national_categories(province):
    # given an exceptional measure opened and closed, and a penal entry and exit, recorded with the lists
    opened = mpe(
        "MPE-S1",
        derecho_vulnerado="trata",
        origen_demanda="policia",
        ambito_cumplimiento="referente_afectivo",
        tipo_dispositivo="pequeno_hogar",
    )
    closed = mpe(
        "MPE-S2", "CESE_MPE", situacion_al_cese="guarda_adoptiva", fecha_cese="2022-08-31", **_placement()
    )
    penal_entry = entry(
        "MPJ-S1",
        tipo_medida_penal="restrictiva",
        dispositivo="semicerrado",
        delito_imputado="hurto",
        situacion_procesal="sobreseido",
    )
    province.legajo(
        D(2022, 3, 1),
        [
            ("mpe", D(2022, 3, 2), opened),
            ("mpe", D(2022, 8, 31), closed),
            ("mpj", D(2022, 4, 1), penal_entry),
            ("mpj", D(2022, 6, 1), exit_("MPJ-S2", "MPJ-S1", motivo_egreso="evasion")),
        ],
    )
    # when the province generates its delivery
    generated = _generate(province)
    assert generated.build.errors == []
    files = _files(generated)
    # then the files carry the local codes of the lists
    mpe_rows = {row["ID_INTERVENCION"]: row for row in _rows(files, "MPE")}
    assert [mpe_rows["MPE-S1"][name] for name in MPE_TE] == [
        "trata",
        "policia",
        "referente_afectivo",
        "pequeno_hogar",
        "",
    ]
    assert mpe_rows["MPE-S2"]["SITUACION_AL_CESE"] == "guarda_adoptiva"
    mpj_rows = {row["ID_INTERVENCION"]: row for row in _rows(files, "MPJ")}
    assert [mpj_rows["MPJ-S1"][name] for name in MPJ_TE] == [
        "restrictiva",
        "semicerrado",
        "hurto",
        "sobreseido",
        "",
    ]
    assert mpj_rows["MPJ-S2"]["MOTIVO_EGRESO"] == "evasion"
    # and the national node, with the province's table, holds their national categories
    sources = [Source.from_bytes(name, files[name]) for name in generated.build.file_names]
    delivery = services.delivery_import(
        actor=None, sources=sources, equivalence_source=Source.from_bytes("82_TE.csv", files["82_TE.csv"])
    )
    assert delivery.status == DeliveryStatus.LOADED, delivery.issues
    national_mpe = {item.id_intervencion: item for item in MpeRecord.objects.filter(delivery=delivery)}
    assert [getattr(national_mpe["MPE-S1"], name.lower()) for name in MPE_TE] == [
        "TRATA",
        "POLICIA",
        "REFERENTE_AFECTIVO",
        "RESIDENCIA_PEQUENA",
        "",
    ]
    assert national_mpe["MPE-S1"].tipo_dispositivo_local == "pequeno_hogar"
    assert (national_mpe["MPE-S2"].situacion_al_cese, national_mpe["MPE-S2"].situacion_al_cese_local) == (
        "ADOPCION",
        "guarda_adoptiva",
    )
    national_mpj = {item.id_intervencion: item for item in MpjRecord.objects.filter(delivery=delivery)}
    assert [getattr(national_mpj["MPJ-S1"], name.lower()) for name in MPJ_TE] == [
        "RESTRICTIVA_LIBERTAD",
        "CENTRO_SEMICERRADO",
        "CONTRA_LA_PROPIEDAD",
        "SOBRESEIDO",
        "",
    ]
    assert national_mpj["MPJ-S1"].delito_imputado_local == "hurto"
    assert (national_mpj["MPJ-S2"].motivo_egreso, national_mpj["MPJ-S2"].motivo_egreso_local) == (
        "EVASION",
        "evasion",
    )


MPE_TE = (
    "DERECHO_VULNERADO",
    "ORIGEN_DEMANDA",
    "AMBITO_CUMPLIMIENTO",
    "TIPO_DISPOSITIVO",
    "SITUACION_AL_CESE",
)
MPJ_TE = ("TIPO_MEDIDA_PENAL", "DISPOSITIVO", "DELITO_IMPUTADO", "SITUACION_PROCESAL", "MOTIVO_EGRESO")


def _placement() -> dict[str, str]:
    return {
        "derecho_vulnerado": "trata",
        "origen_demanda": "policia",
        "ambito_cumplimiento": "referente_afectivo",
        "tipo_dispositivo": "pequeno_hogar",
    }


@pytest.mark.parametrize(
    ("identifier", "unit", "kind", "answers", "field", "listed"),
    [
        (
            "runac_mpe",
            "MPE",
            "mpe",
            mpe("MPE-T1", ambito_cumplimiento="casa de la abuela"),
            "ambito_cumplimiento",
            ("referente_afectivo", "REFERENTE_AFECTIVO"),
        ),
        (
            "runac_mpj",
            "MPJ",
            "mpj",
            entry("MPJ-T1", delito_imputado="robo calificado"),
            "delito_imputado",
            ("hurto", "CONTRA_LA_PROPIEDAD"),
        ),
    ],
)
def test_mpe_and_mpj_records_of_the_free_text_forms_stay_readable_and_are_local_options(
    province, identifier, unit, kind, answers, field, listed
):
    # given the form as first published (free-text categories) and an intervention recorded with it
    v1 = {"runac_mpe": starter.RUNAC_MPE_V1, "runac_mpj": starter.RUNAC_MPJ_V1}[identifier]
    form = Form.objects.get(identifier=identifier)
    form = forms_services.form_draft_save(
        actor=None, form=form, definition=starter._starter_source(identifier, v1)
    )
    old = forms_services.form_publish(actor=None, form=form)
    case = province.legajo(D(2022, 3, 1), [(kind, D(2022, 3, 2), answers)])
    text = answers[field]
    # when the starter configuration is loaded again (select lists published as a new version)
    starter_config_load(org_unit=province.world.regional)
    new = latest_version(form)
    assert new.number == old.number + 1
    assert definition_of(new).field(field).type == "select_one"
    # then the old record keeps its version and its answer, and its case page shows it
    intervention = case.interventions.get()
    assert (intervention.form_version_id, intervention.data[field]) == (old.pk, text)
    client = Client()
    client.force_login(province.province_generator)
    assert text in client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    # a new record must use an option of the list
    with pytest.raises(FormDataInvalidError):
        province.legajo(D(2022, 4, 1), [(kind, D(2022, 4, 2), {**answers, "id_intervencion": f"{unit}-T2"})])
    # the old text is still sent, a local option to map (an error until it is), next to the list's options
    [problem] = _generate(province).build.errors
    assert (problem.code, problem.unit, problem.column, problem.value) == (
        "equivalence_missing",
        unit,
        field.upper(),
        text,
    )
    options = {
        (item.field, item.local_id): item
        for item in province_services.local_options(
            user=province.province_generator, jurisdiction=province.santa_fe
        )
        if item.unit == unit
    }
    assert (options[(field.upper(), text)].in_records, options[(field.upper(), text)].category) == (True, "")
    local, category = listed
    assert (options[(field.upper(), local)].in_forms, options[(field.upper(), local)].category) == (
        True,
        category,
    )
