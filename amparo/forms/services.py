"""Writes of the form engine, and the Python API other apps build on.

How another app (cases, interventions, surveys) uses forms
-----------------------------------------------------------
Reading (see `amparo.forms.selectors`)::

    from amparo.forms import selectors as forms
    version = forms.latest_version(form)             # FormVersion | None (the one new records use)
    definition = forms.definition_of(version)        # typed, validated FormDefinition (cached)

Rendering a fill-in form and reading it back (see `amparo.forms.rendering`)::

    from amparo.forms.rendering import data_from_post, merge_answers, render_display, render_form
    html = render_form(definition, data=record.data, errors=errors, prefix="f")  # inside your <form>
    raw = data_from_post(definition, request.POST, prefix="f")                 # nested raw answers
    stored, file_errors = form_files_store(definition=definition, files=request.FILES, prefix="f")
    raw = merge_answers(raw, stored)                                            # uploaded files in

Validating (always server-side, on every write, API included)::

    from amparo.forms.submission import References, validate_submission
    clean, errors = validate_submission(definition, raw, previous=record.data,
                                        references=References(persons=…visible person ids…))
    # errors: {"age": ["…"], "siblings/0/name": ["…"]}; store `clean` and `version.pk` on the record.

Showing and redacting by sensitivity (the access policy's field clearance)::

    clearance = access.clearance_for(user, record, Permission.X)
    forms.visible_fields(definition, clearance)        # fields the viewer may see
    forms.redact(record.data, definition, clearance)   # data without the fields above clearance
    render_display(definition, record.data, clearance=clearance, catalogue=forms.field_catalogue(form))

Exporting records of every version into one table: `amparo.forms.exports.export_columns` /
`export_row` (see docs/forms.md).

Writes here: form_create, form_draft_save, form_publish, form_import_xlsform,
form_export_xlsform, form_files_store. Each checks FORM_MANAGE on the form's unit (an
`actor=None` call is the system: management commands, demo loading), validates the whole
definition, saves and audits in one transaction.
"""

import hashlib
import json
import mimetypes
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from amparo.accounts import access
from amparo.accounts.choices import Permission
from amparo.accounts.models import OrgUnit, User
from amparo.audit import services as audit
from amparo.audit.choices import AuditAction
from amparo.common.errors import ApplicationError, ConflictError, PermissionDeniedError
from amparo.forms import errors, xlsform
from amparo.forms.choices import FieldType
from amparo.forms.definition import (
    DefinitionError,
    FormDefinition,
    dump_definition,
    empty_definition,
    load_definition,
)
from amparo.forms.errors import DefinitionInvalidError, FormErrorCode
from amparo.forms.models import Form, FormVersion, VersionSource
from amparo.forms.submission import sign_file

IDENTIFIER_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]{0,63}$")
PHOTO_MAX_BYTES = 10 * 1024 * 1024
FILE_MAX_BYTES = 20 * 1024 * 1024
DOCUMENT_EXTENSIONS = frozenset(
    {
        ".pdf",
        ".doc",
        ".docx",
        ".odt",
        ".xls",
        ".xlsx",
        ".ods",
        ".csv",
        ".txt",
        ".jpg",
        ".jpeg",
        ".png",
    }
)
UPLOAD_PREFIX = "forms/uploads"


def checksum(definition: Mapping[str, Any]) -> str:
    canonical = json.dumps(definition, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _require_manage(actor: User | None, unit: OrgUnit) -> None:
    if actor is None:
        return
    if not access.units_visible_to(actor, Permission.FORM_MANAGE).filter(pk=unit.pk).exists():
        raise PermissionDeniedError(str(errors.UNIT_NOT_ALLOWED_MESSAGE), code=FormErrorCode.UNIT_NOT_ALLOWED)


def validated(definition: Mapping[str, Any]) -> tuple[FormDefinition, dict[str, Any]]:
    """The typed definition and its canonical JSON, or DefinitionInvalidError with every problem."""
    try:
        typed = load_definition(definition)
    except DefinitionError as error:
        raise DefinitionInvalidError(error.problems) from error
    return typed, dump_definition(typed)


@transaction.atomic
def form_create(
    *,
    actor: User | None,
    identifier: str,
    title_es: str,
    title_en: str = "",
    org_unit: OrgUnit,
    definition: Mapping[str, Any] | None = None,
) -> Form:
    _require_manage(actor, org_unit)
    if not IDENTIFIER_PATTERN.match(identifier):
        raise ApplicationError(str(errors.IDENTIFIER_INVALID_MESSAGE), code=FormErrorCode.IDENTIFIER_INVALID)
    if Form.objects.filter(identifier=identifier).exists():
        raise ApplicationError(
            str(errors.IDENTIFIER_TAKEN_MESSAGE) % {"identifier": identifier},
            code=FormErrorCode.IDENTIFIER_TAKEN,
        )
    title = {"es": title_es.strip(), **({"en": title_en.strip()} if title_en.strip() else {})}
    source = dict(definition) if definition is not None else empty_definition(title)
    source["title"] = title
    _typed, canonical = validated(source)
    form = Form(
        identifier=identifier,
        title_es=title_es.strip(),
        title_en=title_en.strip(),
        org_unit=org_unit,
        created_by=actor,
        draft=canonical,
        draft_checksum=checksum(canonical),
    )
    form.full_clean()
    try:
        with transaction.atomic():
            form.save(force_insert=True)
    except IntegrityError as error:
        raise ApplicationError(
            str(errors.IDENTIFIER_TAKEN_MESSAGE) % {"identifier": identifier},
            code=FormErrorCode.IDENTIFIER_TAKEN,
        ) from error
    audit.record(actor=actor, action=AuditAction.FORM_CREATED, target=form, extra={"identifier": identifier})
    return form


@transaction.atomic
def form_draft_save(
    *,
    actor: User | None,
    form: Form,
    definition: Mapping[str, Any],
    expected_revision: int | None = None,
) -> Form:
    """Replace the draft after validating it whole. `expected_revision` guards against lost updates."""
    _require_manage(actor, form.org_unit)
    _typed, canonical = validated(definition)
    title = canonical.get("title") or {}
    updated = Form.objects.filter(pk=form.pk)
    if expected_revision is not None:
        updated = updated.filter(draft_revision=expected_revision)
    count = updated.update(
        draft=canonical,
        draft_checksum=checksum(canonical),
        draft_revision=F("draft_revision") + 1,
        title_es=title.get("es") or form.title_es,
        title_en=title.get("en", ""),
        updated_at=timezone.now(),
    )
    if count == 0:
        raise ConflictError(str(errors.DRAFT_CHANGED_MESSAGE), code=FormErrorCode.DRAFT_CHANGED)
    form.refresh_from_db()
    audit.record(
        actor=actor,
        action=AuditAction.FORM_DRAFT_UPDATED,
        target=form,
        extra={"revision": form.draft_revision},
    )
    return form


@transaction.atomic
def form_publish(
    *, actor: User | None, form: Form, source: VersionSource = VersionSource.BUILDER
) -> FormVersion:
    """Freeze the draft as the next version. Refused when it equals the latest version."""
    _require_manage(actor, form.org_unit)
    locked = Form.objects.select_for_update().get(pk=form.pk)
    typed, canonical = validated(locked.draft)
    if not any(True for _item in typed.all_fields()):
        raise ApplicationError(str(errors.EMPTY_FORM_MESSAGE), code=FormErrorCode.EMPTY_FORM)
    digest = checksum(canonical)
    latest = locked.versions.order_by("-number").first()
    if latest is not None and latest.checksum == digest:
        raise ApplicationError(str(errors.NO_CHANGES_MESSAGE), code=FormErrorCode.NO_CHANGES)
    version = FormVersion(
        form=locked,
        number=(latest.number + 1) if latest else 1,
        definition=canonical,
        checksum=digest,
        source=source,
        published_at=timezone.now(),
        published_by=actor,
    )
    version.full_clean()
    version.save(force_insert=True)
    audit.record(
        actor=actor,
        action=AuditAction.FORM_PUBLISHED,
        target=locked,
        extra={"version": version.number, "version_id": version.pk},
    )
    return version


@dataclass
class ImportOutcome:
    form: Form
    version: FormVersion
    created: bool
    warnings: list[str] = field(default_factory=list)


@transaction.atomic
def form_import_xlsform(
    *, actor: User | None, workbook: bytes, org_unit: OrgUnit, filename: str = ""
) -> ImportOutcome:
    """Import an XLSForm workbook all-or-nothing and publish it.

    The form is found by the settings' form_id (created when new, a new version when it
    exists). Raises xlsform.XLSFormError listing every problem with sheet, row and column.
    """
    _require_manage(actor, org_unit)
    parsed = xlsform.read_workbook(workbook)
    existing = Form.objects.select_for_update().filter(identifier=parsed.form_id).first()
    title = parsed.definition.get("title") or {}
    if existing is None:
        form = form_create(
            actor=actor,
            identifier=parsed.form_id,
            title_es=title.get("es") or next(iter(title.values()), parsed.form_id),
            title_en=title.get("en", ""),
            org_unit=org_unit,
            definition=parsed.definition,
        )
        created = True
    else:
        _require_manage(actor, existing.org_unit)
        form = form_draft_save(actor=actor, form=existing, definition=parsed.definition)
        created = False
    latest = form.versions.order_by("-number").first()
    if latest is not None and latest.checksum == form.draft_checksum:
        version = latest
    else:
        version = form_publish(actor=actor, form=form, source=VersionSource.XLSFORM)
    audit.record(
        actor=actor,
        action=AuditAction.FORM_IMPORTED,
        target=form,
        extra={"version": version.number, "file": filename[:200], "created": created},
    )
    return ImportOutcome(form=form, version=version, created=created, warnings=parsed.warnings)


def form_export_xlsform(*, actor: User | None, form: Form, version: FormVersion | None = None) -> bytes:
    """The form (a version, or else the draft) as an XLSForm workbook pyxform converts again."""
    _require_manage(actor, form.org_unit)
    definition = load_definition(version.definition if version is not None else form.draft)
    content = xlsform.write_workbook(
        definition, form_id=form.identifier, version=str(version.number) if version is not None else "draft"
    )
    audit.record(
        actor=actor,
        action=AuditAction.FORM_EXPORTED,
        target=form,
        extra={"version": version.number if version is not None else None},
    )
    return content


def _store_one(item_type: FieldType, upload: UploadedFile[Any]) -> dict[str, Any]:
    name = (upload.name or "file").rsplit("/", 1)[-1][:150]
    extension = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if item_type == FieldType.PHOTO:
        if upload.size is not None and upload.size > PHOTO_MAX_BYTES:
            raise ValueError(_("The photo is larger than 10 MB."))
        try:
            with Image.open(upload) as image:
                image.verify()
                kind = (image.format or "").lower()
        except (UnidentifiedImageError, OSError, SyntaxError) as error:
            raise ValueError(_("Upload a photo (JPEG, PNG or WebP).")) from error
        if kind not in ("jpeg", "png", "webp"):
            raise ValueError(_("Upload a photo (JPEG, PNG or WebP)."))
        extension = {"jpeg": ".jpg", "png": ".png", "webp": ".webp"}[kind]
        content_type = f"image/{kind}"
        upload.seek(0)
    else:
        if upload.size is not None and upload.size > FILE_MAX_BYTES:
            raise ValueError(_("The file is larger than 20 MB."))
        if extension not in DOCUMENT_EXTENSIONS:
            raise ValueError(_("This kind of file is not accepted (PDF, office documents, images, text)."))
        content_type = mimetypes.types_map.get(extension, "application/octet-stream")
    today = timezone.localdate()
    key = default_storage.save(f"{UPLOAD_PREFIX}/{today:%Y/%m}/{uuid.uuid4().hex}{extension}", upload)
    return sign_file({"key": key, "name": name, "size": upload.size or 0, "content_type": content_type})


def form_files_store(
    *, definition: FormDefinition, files: Mapping[str, UploadedFile[Any]], prefix: str = "f"
) -> tuple[dict[str, dict[str, Any]], dict[str, list[str]]]:
    """Store uploaded photos/documents of a posted form; returns (references by field path, errors).

    Keys of `files` are the input names the rendering helper gives file fields
    (`{prefix}:{path}`). Each stored file gets a signed reference that validate_submission
    accepts; a file a client did not upload through here cannot be referenced.
    """
    types = {item.name: item.type for item in definition.all_fields()}
    stored: dict[str, dict[str, Any]] = {}
    problems: dict[str, list[str]] = {}
    for input_name, upload in files.items():
        if not input_name.startswith(f"{prefix}:"):
            continue
        path = input_name[len(prefix) + 1 :]
        item_type = types.get(path.rsplit("/", 1)[-1])
        if item_type not in (FieldType.PHOTO, FieldType.FILE):
            continue
        try:
            stored[path] = _store_one(item_type, upload)
        except ValueError as error:
            problems[path] = [str(error)]
    return stored, problems
