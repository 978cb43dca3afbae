"""A person's documents, contacts and addresses after registration: add one, remove one.

The same services and rules as the person page's sections: the person must be reachable with
`person.edit`, and these parts are *restricted*, so the caller's clearance must reach them (403
otherwise: the person is visible to the caller, so a 404 would hide nothing). A GPS point is
*sensitive*. Every change bumps the person's `version` and is written to the audit log.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from amparo.accounts.choices import Permission
from amparo.accounts.models import User
from amparo.registry import selectors, services
from amparo.registry.api.base import (
    FORBIDDEN,
    INVALID,
    NOT_FOUND,
    PERSON_REF,
    UNAUTHENTICATED,
    caller,
    person_by_ref,
)
from amparo.registry.api.persons import (
    FIELD_NOT_ALLOWED,
    TAG,
    PersonCreateApi,
    PersonDetailApi,
    address_input,
)
from amparo.registry.models import Person

RESTRICTED_REFUSED = _("Your clearance does not reach this person's documents, contacts and addresses.")

ITEM_ID = OpenApiParameter("item_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The item's `id`.")
ADDED = {
    201: PersonDetailApi.OutputSerializer,
    400: INVALID,
    401: UNAUTHENTICATED,
    403: FORBIDDEN,
    404: NOT_FOUND,
}


def restricted_target(request: Request, person_ref: str) -> tuple[Person, bool]:
    """The person to change and whether the caller's clearance reaches sensitive parts (GPS)."""
    person = person_by_ref(request, person_ref, Permission.PERSON_EDIT)
    field_access = selectors.person_field_access(user=caller(request), person=person)
    if not field_access.restricted:
        raise PermissionDenied(str(RESTRICTED_REFUSED))
    return person, field_access.sensitive


def validated(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def person_changed(request: Request, person: Person, code: int = status.HTTP_201_CREATED) -> Response:
    person.refresh_from_db()
    return Response(PersonDetailApi.render(request, person), status=code)


class PersonPartAddApi(APIView):
    """What adding a document, a contact or an address shares; a subclass says how to add one."""

    InputSerializer: type[serializers.Serializer]

    def add(self, actor: User, person: Person, data: dict[str, Any], sensitive: bool) -> None:
        raise NotImplementedError

    def post(self, request: Request, person_ref: str) -> Response:
        person, sensitive = restricted_target(request, person_ref)
        self.add(caller(request), person, validated(self.InputSerializer, request), sensitive)
        return person_changed(request, person)


def add_schema(part: str, request: type[serializers.Serializer], description: str = "") -> Any:
    return extend_schema_view(
        post=extend_schema(
            operation_id=f"persons_{part}_create",
            tags=[TAG],
            parameters=[PERSON_REF],
            request=request,
            responses=ADDED,
            description=f"{description}Answers with the person as `GET /persons/{{person_ref}}/` shows them.",
        )
    )


@add_schema("documents", PersonCreateApi.InputSerializer.DocumentSerializer)
class PersonDocumentAddApi(PersonPartAddApi):
    """Add an identity document to a person."""

    InputSerializer = PersonCreateApi.InputSerializer.DocumentSerializer

    def add(self, actor: User, person: Person, data: dict[str, Any], sensitive: bool) -> None:
        services.person_document_add(actor=actor, person=person, data=services.DocumentInput(**data))


@add_schema("contacts", PersonCreateApi.InputSerializer.ContactSerializer)
class PersonContactAddApi(PersonPartAddApi):
    """Add a contact (telephone, e-mail, …) to a person."""

    InputSerializer = PersonCreateApi.InputSerializer.ContactSerializer

    def add(self, actor: User, person: Person, data: dict[str, Any], sensitive: bool) -> None:
        services.person_contact_add(actor=actor, person=person, data=services.ContactInput(**data))


@add_schema(
    "addresses",
    PersonCreateApi.InputSerializer.AddressSerializer,
    "`latitude` and `longitude` need sensitive clearance (`gps`). ",
)
class PersonAddressAddApi(PersonPartAddApi):
    """Add an address to a person; a current one makes the others past addresses."""

    InputSerializer = PersonCreateApi.InputSerializer.AddressSerializer

    def add(self, actor: User, person: Person, data: dict[str, Any], sensitive: bool) -> None:
        gps = [name for name in ("latitude", "longitude") if data.get(name) is not None]
        if gps and not sensitive:
            raise ValidationError({name: [str(FIELD_NOT_ALLOWED)] for name in gps})
        services.person_address_add(actor=actor, person=person, data=address_input(data))


class PersonDetailRemoveApi(APIView):
    """Remove one document, contact or address of a person (the person stays)."""

    kind = ""  # "documents", "contacts" or "addresses", given by the URL

    @extend_schema(
        tags=[TAG],
        parameters=[PERSON_REF, ITEM_ID],
        request=None,
        responses={
            200: PersonDetailApi.OutputSerializer,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
        description="404 when the item is not this person's. Answers with the person as "
        "`GET /persons/{person_ref}/` shows them.",
    )
    def delete(self, request: Request, person_ref: str, item_id: int) -> Response:
        person, _sensitive = restricted_target(request, person_ref)
        services.person_detail_remove(actor=caller(request), person=person, kind=self.kind, item_id=item_id)
        return person_changed(request, person, status.HTTP_200_OK)
