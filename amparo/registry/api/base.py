"""What the registry's person and household APIs share: lookups through the access policy, path
parameters, documented error responses and small output serializers."""

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django_countries.serializer_fields import CountryField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
)
from rest_framework import serializers
from rest_framework.exceptions import NotAuthenticated, PermissionDenied, ValidationError
from rest_framework.request import Request

from amparo.accounts import access
from amparo.accounts.choices import Permission
from amparo.accounts.models import OrgUnit, User
from amparo.common.api import ErrorSerializer
from amparo.registry import selectors
from amparo.registry.identifiers import parse_amparo_id
from amparo.registry.models import Person

VIA = "api"

UNIT_NOT_ALLOWED = _("You cannot register records in that unit.")

PERSON_REF = OpenApiParameter(
    "person_ref",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="The person's numeric `id`, or their Amparo ID written with dashes (`7K3M-Q9X2-T`). "
    "A value made only of digits is always read as the numeric id.",
)

NOT_FOUND = OpenApiResponse(ErrorSerializer, description="Missing, or outside your scope (the same answer).")
INVALID = OpenApiResponse(ErrorSerializer, description="Invalid input; `error.fields` names the fields.")
UNAUTHENTICATED = OpenApiResponse(ErrorSerializer, description="No valid credentials.")
FORBIDDEN = OpenApiResponse(ErrorSerializer, description="You hold no role with this permission anywhere.")
CONFLICT = OpenApiResponse(
    ErrorSerializer, description="Someone saved the record since you read `version`; `error.current_version`."
)


def caller(request: Request) -> User:
    """The user the request is authenticated as (every endpoint here requires one)."""
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated
    return user


def person_lookup(person_ref: str) -> tuple[str, str]:
    if person_ref.isdigit():
        return "pk", person_ref
    amparo_id = parse_amparo_id(person_ref)
    if amparo_id is None:
        raise Http404
    return "amparo_id", amparo_id


def person_by_ref(request: Request, person_ref: str, permission: Permission) -> Person:
    lookup, value = person_lookup(person_ref)
    return selectors.person_get(user=caller(request), person_id=value, permission=permission, lookup=lookup)


def unit_for_new_record(request: Request, unit_id: int | None, permission: Permission) -> OrgUnit:
    """The unit a new record goes to: the one asked for, or the caller's home unit, if allowed."""
    user = caller(request)
    wanted = unit_id or user.home_unit_id
    try:
        return access.units_visible_to(user, permission).get(pk=wanted or 0)
    except ObjectDoesNotExist:
        raise ValidationError({"org_unit": [str(UNIT_NOT_ALLOWED)]}) from None


def require_permission(request: Request, permission: Permission) -> None:
    if not access.has_permission(caller(request), permission):
        raise PermissionDenied


# Parts of a person record by sensitivity, as the person page shows them.
# --- Shared output pieces ---------------------------------------------------------------------------


class OrgUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class AdminAreaSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class CountryCodeField(CountryField):
    """An ISO 3166-1 alpha-2 code; `null` when not recorded."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_null=True, **kwargs)
