"""HTML rendering of forms and answers, reading a POST back, and storing uploaded files."""

import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.utils import translation
from PIL import Image

from amparo.accounts.choices import Sensitivity
from amparo.forms import services
from amparo.forms.definition import load_definition
from amparo.forms.rendering import data_from_post, merge_answers, render_display, render_form
from amparo.forms.submission import validate_submission
from amparo.forms.tests.factories import registration_definition

TODAY = datetime.date(2026, 11, 22)


@pytest.fixture(autouse=True)
def spanish():
    with translation.override("es"):
        yield


@pytest.fixture
def definition():
    data = registration_definition()
    data["sections"][0]["fields"].append(
        {"name": "llegada", "type": "date", "label": {"es": "Llegada"}, "default": "today()"}
    )
    data["sections"][0]["fields"].append({"name": "adjunto", "type": "file", "label": {"es": "Adjunto"}})
    return load_definition(data)


def test_a_new_form_has_defaults_hidden_branches_and_no_inline_script(definition):
    html = render_form(definition, today=TODAY)

    assert 'name="f:llegada" value="22/11/2026"' in html
    assert re.search(r'data-path="grado"\s+hidden', html)
    assert 'data-section="proteccion"' in html
    assert re.findall(r"<script(?![^>]*(src=|application/json))", html) == []
    assert '<template data-repeat-template="hermanos">' in html
    assert 'name="f:hermanos/__hermanos__/hermano_nombre"' in html


def test_existing_answers_show_dates_as_dd_mm_yyyy_and_branches_open(definition):
    html = render_form(
        definition,
        data={
            "nombre": "Ana",
            "fecha_nacimiento": "2015-02-01",
            "escolarizado": True,
            "grado": 3,
            "hermanos": [{"hermano_nombre": "Luis", "hermano_edad": 8}],
        },
        errors={"hermanos/0/hermano_edad": ["Revise la edad"]},
        today=TODAY,
    )

    assert 'name="f:fecha_nacimiento" value="01/02/2015"' in html
    assert 'value="yes" checked' in html
    assert not re.search(r'data-path="grado"\s+hidden', html)
    assert 'name="f:hermanos/0/hermano_nombre" value="Luis"' in html
    assert (
        '<ul class="errorlist" data-errors-for="hermanos/0/hermano_edad"><li>Revise la edad</li></ul>' in html
    )
    assert '<output id="id_f-edad" class="calculated" data-calc-path="edad">11</output>' in html


def test_a_post_of_the_rendered_inputs_reads_back_as_the_same_answers(definition):
    post = QueryDict(mutable=True)
    post.update(
        {
            "f:nombre": "Ana",
            "f:fecha_nacimiento": "01/02/2015",
            "f:escolarizado": "yes",
            "f:grado": "3",
            "f:hermanos/instances": "3",
            "f:hermanos/3/hermano_nombre": "Luis",
            "f:hermanos/3/hermano_edad": "8",
            "f:edad": "99",
            "other_form_field": "ignored",
        }
    )
    post.setlist("f:riesgos", ["violencia", "calle"])
    post.update(
        {"f:detalle_violencia": "detalle", "f:hermanos/instances": "5", "f:hermanos/5/hermano_nombre": "Eva"}
    )

    raw = data_from_post(definition, post)
    clean, errors = validate_submission(definition, raw, today=TODAY)

    assert errors == {}
    assert clean == {
        "nombre": "Ana",
        "fecha_nacimiento": "2015-02-01",
        "edad": 11,
        "escolarizado": True,
        "grado": 3,
        "riesgos": ["calle", "violencia"],
        "detalle_violencia": "detalle",
        "hermanos": [{"hermano_nombre": "Luis", "hermano_edad": 8}, {"hermano_nombre": "Eva"}],
        "total_hermanos": 2,
    }


def _png() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(output, format="PNG")
    return output.getvalue()


def test_uploaded_files_are_stored_signed_and_accepted_by_validation(definition):
    photo_definition = load_definition(
        {
            "sections": [
                {
                    "name": "s",
                    "fields": [
                        {"name": "foto", "type": "photo", "label": "Foto"},
                        {"name": "acta", "type": "file", "label": "Acta"},
                        {"name": "otra", "type": "photo", "label": "Otra"},
                    ],
                }
            ]
        }
    )
    files = {
        "f:foto": SimpleUploadedFile("cara.png", _png(), content_type="image/png"),
        "f:acta": SimpleUploadedFile("acta.pdf", b"%PDF-1.4", content_type="application/pdf"),
        "f:otra": SimpleUploadedFile("falsa.png", b"not an image", content_type="image/png"),
    }

    with translation.override("en"):
        stored, problems = services.form_files_store(definition=photo_definition, files=files)
    clean, errors = validate_submission(photo_definition, merge_answers({}, stored))

    assert problems == {"otra": ["Upload a photo (JPEG, PNG or WebP)."]}
    assert (stored["foto"]["content_type"], stored["foto"]["name"], stored["acta"]["name"]) == (
        "image/png",
        "cara.png",
        "acta.pdf",
    )
    assert re.fullmatch(r"forms/uploads/\d{4}/\d{2}/[0-9a-f]{32}\.png", stored["foto"]["key"])
    assert (errors, sorted(clean)) == ({}, ["acta", "foto"])


def test_documents_of_unknown_kinds_are_refused(definition):
    stored, problems = services.form_files_store(
        definition=definition, files={"f:adjunto": SimpleUploadedFile("virus.exe", b"MZ")}
    )

    assert stored == {}
    assert list(problems) == ["adjunto"]


def test_a_kept_file_round_trips_through_the_hidden_input_and_can_be_removed(definition):
    stored, _problems = services.form_files_store(
        definition=definition, files={"f:adjunto": SimpleUploadedFile("acta.pdf", b"%PDF")}
    )
    html = render_form(definition, data={"adjunto": stored["adjunto"]}, today=TODAY)
    found = re.search(r'name="f:adjunto/keep" value="([^"]+)"', html)
    assert found is not None
    token = found.group(1)

    kept = data_from_post(definition, QueryDict(f"f:adjunto/keep={token}"))
    removed = data_from_post(definition, QueryDict(f"f:adjunto/keep={token}&f:adjunto/clear=1"))

    assert validate_submission(definition, kept, today=TODAY)[0]["adjunto"] == stored["adjunto"]
    assert "adjunto" not in validate_submission(definition, removed, today=TODAY)[0]


def test_display_uses_labels_dates_and_option_labels_of_the_version(definition):
    record = {
        "nombre": "Ana",
        "fecha_nacimiento": "2015-02-01",
        "sexo": "f",
        "escolarizado": False,
        "riesgos": ["calle", "violencia"],
        "detalle_violencia": "reservado",
        "hermanos": [{"hermano_nombre": "Luis", "hermano_edad": 8}],
    }

    html = render_display(definition, record, clearance=Sensitivity.RESTRICTED)

    assert "<dt>Fecha de nacimiento</dt>\n<dd>01/02/2015</dd>" in html
    assert "<dd>Mujer</dd>" in html
    assert "<dd>Situación de calle, Violencia</dd>" in html
    assert "reservado" not in html
    assert "<dt>Nombre</dt>\n<dd>Luis</dd>" in html


def test_nested_repeats_render_post_back_and_validate():
    definition = load_definition(
        {
            "sections": [
                {
                    "name": "s",
                    "fields": [
                        {
                            "name": "households",
                            "type": "repeat",
                            "label": "Hogares",
                            "fields": [
                                {"name": "head", "type": "text", "label": "Jefe", "required": True},
                                {
                                    "name": "members",
                                    "type": "repeat",
                                    "label": "Miembros",
                                    "fields": [
                                        {"name": "member", "type": "text", "label": "Miembro"},
                                        {
                                            "name": "age",
                                            "type": "integer",
                                            "label": "Edad",
                                            "constraint": ". < 120",
                                        },
                                        {
                                            "name": "school",
                                            "type": "yes_no",
                                            "label": "Escuela",
                                            "relevant": "${age} >= 6",
                                        },
                                    ],
                                },
                                {"name": "size", "type": "calculated", "calculation": "count(${members})"},
                            ],
                        },
                    ],
                }
            ]
        }
    )
    post = QueryDict(mutable=True)
    post.update(
        {
            "f:households/instances": "0",
            "f:households/0/head": "Rosa",
            "f:households/0/members/instances": "0",
            "f:households/0/members/0/member": "Luis",
            "f:households/0/members/0/age": "8",
            "f:households/0/members/0/school": "yes",
        }
    )
    post.update(
        {
            "f:households/0/members/instances": "1",
            "f:households/0/members/1/member": "Eva",
            "f:households/0/members/1/age": "3",
            "f:households/0/members/1/school": "yes",
        }
    )
    post.update(
        {
            "f:households/instances": "1",
            "f:households/1/members/instances": "0",
            "f:households/1/members/0/age": "130",
        }
    )

    with translation.override("en"):
        clean, errors = validate_submission(definition, data_from_post(definition, post), today=TODAY)
    html = render_form(definition, data=clean, today=TODAY)

    assert clean["households"][0] == {
        "head": "Rosa",
        "size": 2,
        "members": [{"member": "Luis", "age": 8, "school": True}, {"member": "Eva", "age": 3}],
    }
    assert errors == {
        "households/1/head": ["This field is required."],
        "households/1/members/0/age": ["The answer is not allowed."],
    }
    assert 'name="f:households/0/members/1/member" value="Eva"' in html
    assert 'name="f:households/__households__/members/__members__/member"' in html
