"""Reads of the form engine.

Form definitions are configuration, not personal data: published versions are readable by
any signed-in user (a case worker must be able to fill them). Managing forms (drafts, the
builder, export) goes through `forms_manageable_by` / `form_get`, which start from the
access policy (FORM_MANAGE on the form's owning unit).

Field sensitivity: each field has a `sensitivity` (accounts.choices.Sensitivity). A viewer
with clearance C (`access.clearance_for(user, record, permission)`) sees fields whose
sensitivity ≤ C; `visible_fields` and `redact` apply that to a definition and to data.
Answers for fields the definition does not know (carried over from an older version) are
judged by the form's field catalogue, or treated as SENSITIVE when no catalogue is given.
"""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import Count, Max, QuerySet

from amparo.accounts import access
from amparo.accounts.choices import Permission, Sensitivity
from amparo.accounts.models import User
from amparo.forms.definition import Field, FormDefinition, load_definition
from amparo.forms.models import Form, FormVersion
from amparo.forms.submission import compiled_for


def forms_manageable_by(user: User | None) -> QuerySet[Form]:
    """Forms whose owning unit the user reaches with FORM_MANAGE."""
    return access.visible(user, Form.objects.all(), Permission.FORM_MANAGE)


def form_list(*, user: User | None, query: str = "", include_archived: bool = False) -> QuerySet[Form]:
    forms = (
        forms_manageable_by(user)
        .select_related("org_unit")
        .annotate(version_count=Count("versions"), latest_number=Max("versions__number"))
    )
    if not include_archived:
        forms = forms.filter(is_archived=False)
    if query.strip():
        text = query.strip()
        forms = (
            forms.filter(title_es__icontains=text)
            | forms.filter(identifier__icontains=text)
            | forms.filter(title_en__icontains=text)
        )
    return forms.order_by("title_es", "id")


def form_get(*, user: User | None, form_id: Any) -> Form:
    """One form the user may manage, or Http404 (missing and forbidden alike)."""
    return access.access_object(
        user, Form.objects.select_related("org_unit"), form_id, Permission.FORM_MANAGE
    )


def published_forms() -> QuerySet[Form]:
    """Forms with at least one published version (for pickers such as case type configuration)."""
    return (
        Form.objects.filter(is_archived=False, versions__isnull=False).distinct().order_by("title_es", "id")
    )


def form_by_identifier(identifier: str) -> Form:
    return Form.objects.get(identifier=identifier)


def latest_version(form: Form, *, with_definition: bool = True) -> FormVersion | None:
    """The version new records are filled with (the highest published number).

    `with_definition=False` leaves the definition JSON unread (a 200-field form's is ~100 kB, 5–8 ms
    to fetch and decode) for callers that go through `definition_of`, which parses each version once
    per process and reads the definition only then."""
    versions = form.versions.order_by("-number")
    return (versions if with_definition else versions.defer("definition")).first()


def version_get(version_id: Any) -> FormVersion:
    return FormVersion.objects.select_related("form").get(pk=version_id)


def versions_of(form: Form) -> QuerySet[FormVersion]:
    return form.versions.select_related("published_by").order_by("-number")


_DEFINITIONS: dict[int, tuple[str, FormDefinition]] = {}


def definition_of(version: FormVersion) -> FormDefinition:
    """The typed definition of a published version, parsed once per process (versions never change)."""
    cached = _DEFINITIONS.get(version.pk)
    if cached is not None and cached[0] == version.checksum:
        return cached[1]
    definition = load_definition(version.definition)
    if len(_DEFINITIONS) > 1000:
        _DEFINITIONS.clear()
    _DEFINITIONS[version.pk] = (version.checksum, definition)
    return definition


def draft_definition(form: Form) -> FormDefinition:
    return load_definition(form.draft)


@dataclass(frozen=True)
class CatalogueEntry:
    """A field as last published, and the versions that had it (`retired` when the latest lacks it).

    `definition` is the last version's definition holding the field (for its option labels) and
    `repeat` the repeat group it sits in (None at top level).
    """

    field: Field
    first_version: int
    last_version: int
    retired: bool
    definition: FormDefinition
    repeat: str | None


def field_catalogue(form: Form) -> dict[str, CatalogueEntry]:
    """Every field any published version of the form ever had, in order of first appearance."""
    entries: dict[str, CatalogueEntry] = {}
    versions = list(form.versions.order_by("number"))
    latest = versions[-1].number if versions else 0
    for version in versions:
        definition = definition_of(version)
        nodes = compiled_for(definition).nodes
        for item in definition.all_fields():
            first = entries[item.name].first_version if item.name in entries else version.number
            entries[item.name] = CatalogueEntry(
                field=item,
                first_version=first,
                last_version=version.number,
                retired=False,
                definition=definition,
                repeat=nodes[item.name].repeat,
            )
    return {name: replace(entry, retired=entry.last_version < latest) for name, entry in entries.items()}


def visible_fields(definition: FormDefinition, clearance: int) -> list[Field]:
    """Fields (repeat children included) a viewer with `clearance` may see; hidden repeats hide children."""
    visible: list[Field] = []

    def walk(fields: tuple[Field, ...]) -> None:
        for item in fields:
            if item.sensitivity > clearance:
                continue
            visible.append(item)
            if item.is_repeat:
                walk(item.fields)

    for section in definition.sections:
        walk(section.fields)
    return visible


def redact(
    data: Mapping[str, Any],
    definition: FormDefinition,
    clearance: int,
    *,
    catalogue: Mapping[str, CatalogueEntry] | None = None,
) -> dict[str, Any]:
    """A copy of `data` without the answers above the viewer's clearance (repeats included)."""
    sensitivity = {item.name: item.sensitivity for item in definition.all_fields()}
    children = {item.name: item for item in definition.all_fields() if item.is_repeat}
    if catalogue:
        for name, entry in catalogue.items():
            sensitivity.setdefault(name, entry.field.sensitivity)
            if entry.field.is_repeat:
                children.setdefault(name, entry.field)

    def level(name: str) -> int:
        return sensitivity.get(name, Sensitivity.SENSITIVE)

    def clean(values: Mapping[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for name, value in values.items():
            if level(name) > clearance:
                continue
            if name in children and isinstance(value, list):
                result[name] = [clean(instance) for instance in value if isinstance(instance, Mapping)]
            else:
                result[name] = value
        return result

    return clean(data)
