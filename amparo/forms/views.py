"""The form builder (FORM_MANAGE only): list, create, edit a draft, preview, publish, versions,
XLSForm import/export. Thin: parse → access → builder/service → render."""

import json
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from amparo.accounts import access
from amparo.accounts.choices import Permission
from amparo.accounts.models import User
from amparo.common.errors import ApplicationError, ConflictError
from amparo.forms import builder, selectors, services
from amparo.forms.choices import FieldType
from amparo.forms.definition import (
    DefinitionError,
    Field,
    FormDefinition,
    Problem,
    load_definition,
    translate,
)
from amparo.forms.errors import DefinitionInvalidError
from amparo.forms.forms import (
    FieldForm,
    FormCreateForm,
    FormSettingsForm,
    OptionListForm,
    SectionForm,
    XLSFormUploadForm,
)
from amparo.forms.models import Form
from amparo.forms.rendering import data_from_post, merge_answers, render_display, render_form
from amparo.forms.submission import References, validate_submission
from amparo.forms.xlsform import XLSFormError


class AuthenticatedRequest(HttpRequest):
    """The request of a `login_required` view: its user is a real account."""

    user: User


FORM_FIELD_FOR_ATTRIBUTE = {
    "label": "label_es",
    "hint": "hint_es",
    "constraint_message": "constraint_message_es",
}


def _require_manager(request: AuthenticatedRequest) -> None:
    access.require(access.has_permission(request.user, Permission.FORM_MANAGE))


def _units(request: AuthenticatedRequest) -> Any:
    return access.units_visible_to(request.user, Permission.FORM_MANAGE).order_by("path")


@login_required
def form_list(request: AuthenticatedRequest) -> HttpResponse:
    _require_manager(request)
    query = request.GET.get("q", "")
    forms = selectors.form_list(user=request.user, query=query)
    return render(request, "forms/form_list.html", {"forms": forms, "query": query})


@login_required
@require_http_methods(["GET", "POST"])
def form_create(request: AuthenticatedRequest) -> HttpResponse:
    _require_manager(request)
    form = FormCreateForm(request.POST or None, units=_units(request))
    if request.method == "POST" and form.is_valid():
        try:
            created = services.form_create(actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Form created. Add sections and fields, then publish it."))
            return redirect("forms:form_detail", form_id=created.pk)
    return render(request, "forms/form_create.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def form_import(request: AuthenticatedRequest) -> HttpResponse:
    _require_manager(request)
    upload = XLSFormUploadForm(request.POST or None, request.FILES or None, units=_units(request))
    problems: list[Any] = []
    if request.method == "POST" and upload.is_valid():
        workbook = upload.cleaned_data["workbook"]
        try:
            outcome = services.form_import_xlsform(
                actor=request.user,
                workbook=workbook.read(),
                org_unit=upload.cleaned_data["org_unit"],
                filename=workbook.name or "",
            )
        except XLSFormError as error:
            problems = error.problems
        except ApplicationError as error:
            upload.add_error(None, error.message)
        else:
            messages.success(
                request, _("Imported as version %(number)s.") % {"number": outcome.version.number}
            )
            for warning in outcome.warnings:
                messages.warning(request, warning)
            return redirect("forms:form_detail", form_id=outcome.form.pk)
    return render(request, "forms/form_import.html", {"form": upload, "problems": problems})


@dataclass
class BuilderRow:
    kind: str  # "field" | "add" (the "add a field to this repeat group" row)
    name: str
    depth: int
    item: Field | None = None
    label: str = ""
    type_label: str = ""


@dataclass
class BuilderSection:
    name: str
    label: str
    relevant: str
    rows: list[BuilderRow] = dataclass_field(default_factory=list)


def _builder_sections(typed: FormDefinition) -> list[BuilderSection]:
    language = get_language() or "es"
    type_labels = dict(FieldType.choices)

    def rows(fields: tuple[Field, ...], depth: int) -> list[BuilderRow]:
        result = []
        for item in fields:
            result.append(
                BuilderRow(
                    kind="field",
                    name=item.name,
                    depth=depth,
                    item=item,
                    label=translate(item.label, language, typed.default_language),
                    type_label=str(type_labels.get(item.type, item.type)),
                )
            )
            if item.is_repeat:
                result.extend(rows(item.fields, depth + 1))
                result.append(
                    BuilderRow(
                        kind="add",
                        name=item.name,
                        depth=depth + 1,
                        label=translate(item.label, language, typed.default_language),
                    )
                )
        return result

    return [
        BuilderSection(
            name=section.name,
            label=translate(section.label, language, typed.default_language),
            relevant=section.relevant,
            rows=rows(section.fields, 0),
        )
        for section in typed.sections
    ]


def _builder_context(form: Form, definition: dict[str, Any]) -> dict[str, Any]:
    versions = list(selectors.versions_of(form)[:1])
    latest = versions[0] if versions else None
    typed = load_definition(definition)
    language = get_language() or "es"
    return {
        "form_obj": form,
        "latest": latest,
        "sections": _builder_sections(typed),
        "option_lists": [
            (
                option_list.name,
                [translate(option.label, language, typed.default_language) for option in option_list.options],
            )
            for option_list in typed.option_lists
        ],
        "has_changes": latest is None or latest.checksum != form.draft_checksum,
        "field_count": sum(1 for _item in typed.all_fields()),
    }


@login_required
def form_detail(request: AuthenticatedRequest, form_id: int) -> HttpResponse:
    form = selectors.form_get(user=request.user, form_id=form_id)
    return render(request, "forms/form_detail.html", _builder_context(form, form.draft))


def _save(request: AuthenticatedRequest, form: Form, definition: dict[str, Any]) -> list[Problem] | None:
    """Save a new draft; returns the problems (None when saved). Conflicts become a message."""
    try:
        revision = int(request.POST.get("revision", ""))
    except ValueError:
        revision = None
    try:
        services.form_draft_save(
            actor=request.user, form=form, definition=definition, expected_revision=revision
        )
    except DefinitionInvalidError as error:
        return error.problems
    except ConflictError as error:
        return [Problem("", error.message)]
    return None


def _path_of(definition: dict[str, Any], name: str) -> str:
    for section_index, section in enumerate(definition.get("sections", [])):
        if section.get("name") == name:
            return f"sections/{section_index}"

        def walk(fields: list[dict[str, Any]], path: str) -> str | None:
            for index, item in enumerate(fields):
                item_path = f"{path}/fields/{index}"
                if item.get("name") == name:
                    return item_path
                found = walk(item.get("fields", []) or [], item_path)
                if found:
                    return found
            return None

        found = walk(section.get("fields", []), f"sections/{section_index}")
        if found:
            return found
    return "-"


def _new_field_path(definition: dict[str, Any], section: str, parent: str) -> str:
    """Where field_add puts a new field: at the end of the section's or the repeat group's list."""
    if parent:
        container_path = _path_of(definition, parent)
        fields, index = builder.locate(definition, parent)
        return f"{container_path}/fields/{len(fields[index].get('fields', []))}"
    for section_index, item in enumerate(definition.get("sections", [])):
        if item.get("name") == section:
            return f"sections/{section_index}/fields/{len(item.get('fields', []))}"
    return "-"


def _attach_problems(django_form: Any, problems: list[Problem], own_path: str) -> None:
    for problem in problems:
        if problem.path.startswith(own_path + "/"):
            attribute = problem.path[len(own_path) + 1 :].split("/")[0]
            target = FORM_FIELD_FOR_ATTRIBUTE.get(attribute, attribute)
            if target in django_form.fields:
                django_form.add_error(target, problem.message)
                continue
        where = f"{problem.path}: " if problem.path and not problem.path.startswith(own_path) else ""
        django_form.add_error(None, f"{where}{problem.message}")


@login_required
@require_http_methods(["GET", "POST"])
def form_settings(request: AuthenticatedRequest, form_id: int) -> HttpResponse:
    form = selectors.form_get(user=request.user, form_id=form_id)
    title = form.draft.get("title") or {}
    settings_form = FormSettingsForm(
        request.POST or None, initial={"title_es": title.get("es", ""), "title_en": title.get("en", "")}
    )
    if request.method == "POST" and settings_form.is_valid():
        definition = dict(form.draft)
        definition["title"] = {
            code: settings_form.cleaned_data[f"title_{code}"].strip()
            for code in ("es", "en")
            if settings_form.cleaned_data[f"title_{code}"].strip()
        }
        problems = _save(request, form, definition)
        if problems is None:
            return redirect("forms:form_detail", form_id=form.pk)
        _attach_problems(settings_form, problems, "title")
    return render(
        request,
        "forms/edit_page.html",
        {
            "form_obj": form,
            "edit_form": settings_form,
            "heading": _("Form settings"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def section_edit(request: AuthenticatedRequest, form_id: int, name: str = "") -> HttpResponse:
    form = selectors.form_get(user=request.user, form_id=form_id)
    definition = form.draft
    initial: dict[str, Any] = {}
    if name:
        section = next((item for item in definition.get("sections", []) if item.get("name") == name), None)
        if section is None:
            raise Http404
        initial = SectionForm.initial_from(section)
    section_form = SectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and section_form.is_valid():
        data = section_form.to_definition()
        changed = (
            builder.section_update(definition, name, data=data)
            if name
            else builder.section_add(definition, data=data)
        )
        problems = _save(request, form, changed)
        if problems is None:
            return redirect(reverse("forms:form_detail", args=[form.pk]) + f"#section-{data['name']}")
        _attach_problems(section_form, problems, _path_of(changed, data["name"]))
    return render(
        request,
        "forms/edit_page.html",
        {
            "form_obj": form,
            "edit_form": section_form,
            "heading": _("Edit section") if name else _("New section"),
        },
    )


@login_required
@require_POST
def section_action(request: AuthenticatedRequest, form_id: int, name: str, action: str) -> HttpResponse:
    form = selectors.form_get(user=request.user, form_id=form_id)
    try:
        if action == "up":
            changed = builder.section_move(form.draft, name, -1)
        elif action == "down":
            changed = builder.section_move(form.draft, name, 1)
        elif action == "delete":
            changed = builder.section_delete(form.draft, name)
        else:
            raise Http404
    except builder.BuilderError as error:
        raise Http404 from error
    _report(request, _save(request, form, changed))
    return redirect("forms:form_detail", form_id=form.pk)


def _report(request: AuthenticatedRequest, problems: list[Problem] | None) -> None:
    for problem in problems or []:
        messages.error(request, f"{problem.path}: {problem.message}" if problem.path else problem.message)


@login_required
@require_http_methods(["GET", "POST"])
def field_edit(request: AuthenticatedRequest, form_id: int, name: str = "") -> HttpResponse:
    form = selectors.form_get(user=request.user, form_id=form_id)
    definition = form.draft
    section = request.GET.get("section", "")
    parent = request.GET.get("parent", "")
    initial: dict[str, Any] = {}
    if name:
        try:
            initial = FieldForm.initial_from(builder.field_get(definition, name))
        except builder.BuilderError as error:
            raise Http404 from error
    else:
        sections = [item.get("name") for item in definition.get("sections", [])]
        if section not in sections and not parent:
            raise Http404
        initial = {"type": request.GET.get("type", "text")}
    option_lists = [item.get("name", "") for item in definition.get("option_lists", [])]
    field_form = FieldForm(request.POST or None, initial=initial, option_lists=option_lists)
    if request.method == "POST" and field_form.is_valid():
        data = field_form.to_definition()
        try:
            changed = (
                builder.field_update(definition, name, data=data)
                if name
                else builder.field_add(definition, section=section, parent=parent, data=data)
            )
        except builder.BuilderError as error:
            raise Http404 from error
        problems = _save(request, form, changed)
        if problems is None:
            messages.success(request, _("Field saved."))
            return redirect(reverse("forms:form_detail", args=[form.pk]) + f"#field-{data['name']}")
        own_path = _path_of(definition, name) if name else _new_field_path(definition, section, parent)
        _attach_problems(field_form, problems, own_path)
    names = sorted(item.name for item in selectors.draft_definition(form).all_fields()) if form.draft else []
    return render(
        request,
        "forms/field_edit.html",
        {
            "form_obj": form,
            "edit_form": field_form,
            "is_new": not name,
            "field_names": names,
            "heading": _("Edit field") if name else _("New field"),
        },
    )


@login_required
@require_POST
def field_action(request: AuthenticatedRequest, form_id: int, name: str, action: str) -> HttpResponse:
    form = selectors.form_get(user=request.user, form_id=form_id)
    try:
        if action == "up":
            changed = builder.field_move(form.draft, name, -1)
        elif action == "down":
            changed = builder.field_move(form.draft, name, 1)
        elif action == "delete":
            changed = builder.field_delete(form.draft, name)
        else:
            raise Http404
    except builder.BuilderError as error:
        raise Http404 from error
    _report(request, _save(request, form, changed))
    return redirect(
        reverse("forms:form_detail", args=[form.pk]) + (f"#field-{name}" if action != "delete" else "")
    )


@login_required
@require_http_methods(["GET", "POST"])
def option_list_edit(request: AuthenticatedRequest, form_id: int, name: str = "") -> HttpResponse:
    form = selectors.form_get(user=request.user, form_id=form_id)
    definition = form.draft
    initial: dict[str, Any] = {}
    if name:
        existing = next(
            (item for item in definition.get("option_lists", []) if item.get("name") == name), None
        )
        if existing is None:
            raise Http404
        initial = {"name": name, "options": builder.option_lines(existing.get("options", []))}
    list_form = OptionListForm(request.POST or None, initial=initial)
    if request.method == "POST" and list_form.is_valid():
        new_name = list_form.cleaned_data["name"].strip()
        try:
            changed = builder.option_list_save(
                definition, name or None, name=new_name, options=list_form.to_options()
            )
        except builder.BuilderError as error:
            raise Http404 from error
        problems = _save(request, form, changed)
        if problems is None:
            return redirect(reverse("forms:form_detail", args=[form.pk]) + "#option-lists")
        index = next(i for i, item in enumerate(changed["option_lists"]) if item["name"] == new_name)
        for problem in problems:
            if problem.path.startswith(f"option_lists/{index}/options"):
                list_form.add_error(
                    "options",
                    _("Line %(line)s: %(message)s")
                    % {"line": int(problem.path.split("/")[3]) + 1, "message": problem.message},
                )
            elif problem.path.startswith(f"option_lists/{index}/name"):
                list_form.add_error("name", problem.message)
            else:
                list_form.add_error(None, f"{problem.path}: {problem.message}")
    return render(
        request,
        "forms/edit_page.html",
        {
            "form_obj": form,
            "edit_form": list_form,
            "heading": _("Edit option list") if name else _("New option list"),
        },
    )


@login_required
@require_POST
def option_list_delete(request: AuthenticatedRequest, form_id: int, name: str) -> HttpResponse:
    form = selectors.form_get(user=request.user, form_id=form_id)
    _report(request, _save(request, form, builder.option_list_delete(form.draft, name)))
    return redirect(reverse("forms:form_detail", args=[form.pk]) + "#option-lists")


PREVIEW_REFERENCES = References(persons=lambda ids: dict.fromkeys(ids, ""))


def _person_search_url() -> str:
    """The registry's person search API, when installed (person fields use it to pick a person)."""
    try:
        return reverse("api-persons")
    except NoReverseMatch:
        return ""


def _fill_page(
    request: AuthenticatedRequest,
    form: Form,
    definition: FormDefinition,
    *,
    heading: str,
    version_number: int | None,
) -> HttpResponse:
    """Fill the form without saving: shows skip logic live and what the server would store."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] | None = None
    data: dict[str, Any] | None = None
    if request.method == "POST":
        data = data_from_post(definition, request.POST)
        stored, file_errors = services.form_files_store(definition=definition, files=request.FILES)
        data = merge_answers(data, stored)
        # Nothing is saved here, so person answers are not looked up (a record's own page checks them
        # against the access policy through References).
        clean, errors = validate_submission(definition, data, references=PREVIEW_REFERENCES)
        errors.update(file_errors)
        if errors:
            clean = None
    return render(
        request,
        "forms/form_fill.html",
        {
            "form_obj": form,
            "heading": heading,
            "version_number": version_number,
            "rendered": render_form(
                definition, data=data, errors=errors, person_search_url=_person_search_url()
            ),
            "clean": clean,
            "clean_json": json.dumps(clean, ensure_ascii=False, indent=2) if clean is not None else "",
            "display": render_display(definition, clean) if clean is not None else "",
            "error_count": len(errors),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def form_preview(request: AuthenticatedRequest, form_id: int) -> HttpResponse:
    form = selectors.form_get(user=request.user, form_id=form_id)
    try:
        definition = selectors.draft_definition(form)
    except DefinitionError as error:
        raise Http404 from error
    return _fill_page(request, form, definition, heading=_("Preview of the draft"), version_number=None)


@login_required
@require_http_methods(["GET", "POST"])
def version_fill(request: AuthenticatedRequest, form_id: int, number: int) -> HttpResponse:
    form = selectors.form_get(user=request.user, form_id=form_id)
    version = form.versions.filter(number=number).first()
    if version is None:
        raise Http404
    return _fill_page(
        request,
        form,
        selectors.definition_of(version),
        heading=_("Version %(number)s") % {"number": number},
        version_number=number,
    )


@login_required
@require_POST
def form_publish(request: AuthenticatedRequest, form_id: int) -> HttpResponse:
    form = selectors.form_get(user=request.user, form_id=form_id)
    try:
        version = services.form_publish(actor=request.user, form=form)
    except DefinitionInvalidError as error:
        _report(request, error.problems)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Published as version %(number)s.") % {"number": version.number})
    return redirect("forms:form_detail", form_id=form.pk)


@login_required
def version_list(request: AuthenticatedRequest, form_id: int) -> HttpResponse:
    form = selectors.form_get(user=request.user, form_id=form_id)
    versions = list(selectors.versions_of(form))
    rows = []
    for index, version in enumerate(versions):
        names = [item.name for item in selectors.definition_of(version).all_fields()]
        previous = versions[index + 1] if index + 1 < len(versions) else None
        previous_names = (
            [item.name for item in selectors.definition_of(previous).all_fields()] if previous else []
        )
        rows.append(
            {
                "version": version,
                "field_count": len(names),
                "added": [name for name in names if name not in previous_names] if previous else [],
                "removed": [name for name in previous_names if name not in names],
            }
        )
    catalogue = selectors.field_catalogue(form)
    retired = sorted(
        (entry for entry in catalogue.values() if entry.retired), key=lambda entry: entry.field.name
    )
    return render(request, "forms/version_list.html", {"form_obj": form, "rows": rows, "retired": retired})


@login_required
def form_export(request: AuthenticatedRequest, form_id: int) -> HttpResponse:
    form = selectors.form_get(user=request.user, form_id=form_id)
    number = request.GET.get("version", "")
    version = form.versions.filter(number=int(number)).first() if number.isdigit() else None
    if number.isdigit() and version is None:
        raise Http404
    content = services.form_export_xlsform(actor=request.user, form=form, version=version)
    suffix = f"v{version.number}" if version else "draft"
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{form.identifier}-{suffix}.xlsx"'
    return response
