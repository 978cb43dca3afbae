"""Household endpoints: list, read with members, create, change, members join and leave, archive."""

from typing import Any

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django_countries.serializer_fields import CountryField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from amparo.accounts import access
from amparo.accounts.choices import Permission, Sensitivity
from amparo.audit import services as audit
from amparo.audit.choices import AuditAction
from amparo.common.pagination import PageQuerySerializer, page_data, page_of, page_serializer
from amparo.registry import selectors, services
from amparo.registry.api.base import (
    CONFLICT,
    FORBIDDEN,
    INVALID,
    NOT_FOUND,
    UNAUTHENTICATED,
    VIA,
    AdminAreaSerializer,
    CountryCodeField,
    OrgUnitSerializer,
    caller,
    person_by_ref,
    require_permission,
    unit_for_new_record,
)
from amparo.registry.choices import Relationship, Sex
from amparo.registry.models import Household, HouseholdMembership

TAG = "households"

PERSON_NOT_FOUND = _("No person with this id that you may see.")

HOUSEHOLD_ID = OpenApiParameter("household_id", OpenApiTypes.INT, OpenApiParameter.PATH)
MEMBERSHIP_ID = OpenApiParameter("membership_id", OpenApiTypes.INT, OpenApiParameter.PATH)

# Parts of a household record by sensitivity, as the household page shows them.
HOUSEHOLD_RESTRICTED_PARTS = ("address_line",)
HOUSEHOLD_SENSITIVE_PARTS = ("gps",)


def household_withheld_parts(request: Request, household: Household) -> list[str]:
    user, permission = caller(request), Permission.HOUSEHOLD_VIEW
    return [
        *(
            []
            if access.may_see_field(user, household, Sensitivity.RESTRICTED, permission)
            else HOUSEHOLD_RESTRICTED_PARTS
        ),
        *(
            []
            if access.may_see_field(user, household, Sensitivity.SENSITIVE, permission)
            else HOUSEHOLD_SENSITIVE_PARTS
        ),
    ]


class HouseholdSerializer(serializers.Serializer):
    """A household without its address and members (lists and write answers)."""

    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    country = CountryCodeField()
    department = AdminAreaSerializer(allow_null=True)
    municipality = AdminAreaSerializer(allow_null=True)
    org_unit = OrgUnitSerializer()
    is_archived = serializers.BooleanField()
    archived_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField(help_text="Send it back with PATCH.")
    created_at = serializers.DateTimeField()


class HouseholdMemberSerializer(serializers.Serializer):
    """A current or past member the caller may see."""

    class PersonSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        amparo_id = serializers.CharField()
        given_names = serializers.CharField()
        first_surname = serializers.CharField()
        second_surname = serializers.CharField()
        sex = serializers.ChoiceField(Sex.choices)
        date_of_birth = serializers.DateField(allow_null=True)

    restricted = serializers.BooleanField(default=False, help_text="Always false here.")
    membership_id = serializers.IntegerField(source="pk")
    person = PersonSerializer()
    relationship = serializers.ChoiceField(Relationship.choices)
    is_head = serializers.BooleanField()
    joined_on = serializers.DateField(allow_null=True)
    left_on = serializers.DateField(allow_null=True)


class RestrictedHouseholdMemberSerializer(serializers.Serializer):
    """A member whose record the caller may not see: nothing else is told."""

    restricted = serializers.BooleanField(default=True, help_text="Always true.")


MEMBER_ENTRY = PolymorphicProxySerializer(
    component_name="HouseholdMemberEntry",
    serializers=[HouseholdMemberSerializer, RestrictedHouseholdMemberSerializer],
    resource_type_field_name=None,
)


def member_entry(membership: HouseholdMembership, visible: bool) -> dict[str, Any]:
    if not visible:
        return {"restricted": True}
    return {**HouseholdMemberSerializer(membership).data, "restricted": False}


class HouseholdListApi(APIView):
    """Search and list the households you may see."""

    class FilterSerializer(PageQuerySerializer):
        q = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=200,
            default="",
            help_text="Household code (exact) or part of its name.",
        )
        archived = serializers.ChoiceField(["active", "all"], default="active")

    PageSerializer = page_serializer(HouseholdSerializer, owner="HouseholdListApi")

    @extend_schema(
        operation_id="households_list",
        tags=[TAG],
        parameters=[FilterSerializer],
        responses={200: PageSerializer, 400: INVALID, 401: UNAUTHENTICATED, 403: FORBIDDEN},
    )
    def get(self, request: Request) -> Response:
        require_permission(request, Permission.HOUSEHOLD_VIEW)
        params = self.FilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        households = selectors.household_list(
            user=caller(request), query=data["q"], archived=data["archived"]
        )
        page = page_of(
            households,
            number=data["page"],
            size=data["page_size"],
            counted=selectors.capped_count(households),
        )
        audit.record(
            actor=caller(request),
            action=AuditAction.HOUSEHOLD_LISTED,
            target_type="registry.household",
            extra={
                "shown": [household.pk for household in page.rows],
                "page": page.number,
                "searched": bool(data["q"].strip()),
                "via": VIA,
            },
        )
        return Response(page_data(page, request, HouseholdSerializer(page.rows, many=True).data))


class HouseholdDetailApi(APIView):
    """One household with its current and past members.

    Members you may not see are only `{"restricted": true}`; the address is restricted and
    the GPS position sensitive, like a person's (null when withheld, named in `withheld`).
    """

    class OutputSerializer(HouseholdSerializer):
        address_line = serializers.CharField(allow_null=True, help_text="Restricted: null when withheld.")
        latitude = serializers.DecimalField(
            max_digits=9,
            decimal_places=6,
            allow_null=True,
            help_text="Sensitive (`gps`): null when withheld.",
        )
        longitude = serializers.DecimalField(
            max_digits=9,
            decimal_places=6,
            allow_null=True,
            help_text="Sensitive (`gps`): null when withheld.",
        )
        archive_reason = serializers.CharField()
        members = serializers.SerializerMethodField(
            help_text="Current members first; past ones have left_on."
        )
        withheld = serializers.SerializerMethodField()

        @extend_schema_field(serializers.ListField(child=MEMBER_ENTRY))
        def get_members(self, household: Household) -> list[dict[str, Any]]:
            members = sorted(self.context["members"], key=lambda item: item[0].left_on is not None)
            return [member_entry(membership, visible) for membership, visible in members]

        @extend_schema_field(
            serializers.ListField(
                child=serializers.ChoiceField([*HOUSEHOLD_RESTRICTED_PARTS, *HOUSEHOLD_SENSITIVE_PARTS])
            )
        )
        def get_withheld(self, household: Household) -> list[str]:
            return self.context["withheld"]

        def to_representation(self, household: Household) -> dict[str, Any]:
            data = super().to_representation(household)
            withheld = self.context["withheld"]
            if "address_line" in withheld:
                data["address_line"] = None
            if "gps" in withheld:
                data["latitude"] = data["longitude"] = None
            return data

    @extend_schema(
        operation_id="households_retrieve",
        tags=[TAG],
        parameters=[HOUSEHOLD_ID],
        responses={200: OutputSerializer, 401: UNAUTHENTICATED, 404: NOT_FOUND},
        description="Reading a household is written to the audit log with the ids of the members shown.",
    )
    def get(self, request: Request, household_id: int) -> Response:
        household = selectors.household_get(user=caller(request), household_id=household_id)
        members = selectors.household_members(user=caller(request), household=household, include_past=True)
        context = {"members": members, "withheld": household_withheld_parts(request, household)}
        data = self.OutputSerializer(household, context=context).data
        shown = [membership.person_id for membership, visible in members if visible]
        audit.record(
            actor=caller(request),
            action=AuditAction.HOUSEHOLD_VIEWED,
            target=household,
            extra={"shown": shown, "via": VIA},
        )
        return Response(data)


class HouseholdCreateApi(APIView):
    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=200, required=False, allow_blank=True)
        country = CountryField()
        department = serializers.IntegerField(required=False, allow_null=True, help_text="Admin area id.")
        municipality = serializers.IntegerField(required=False, allow_null=True, help_text="Admin area id.")
        address_line = serializers.CharField(max_length=250, required=False, allow_blank=True)
        latitude = serializers.DecimalField(
            max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False, allow_null=True
        )
        longitude = serializers.DecimalField(
            max_digits=9, decimal_places=6, min_value=-180, max_value=180, required=False, allow_null=True
        )
        org_unit = serializers.IntegerField(
            required=False, allow_null=True, help_text="Owning unit id; your home unit when left out."
        )

    @extend_schema(
        operation_id="households_create",
        tags=[TAG],
        request=InputSerializer,
        responses={201: HouseholdSerializer, 400: INVALID, 401: UNAUTHENTICATED, 403: FORBIDDEN},
    )
    def post(self, request: Request) -> Response:
        require_permission(request, Permission.HOUSEHOLD_EDIT)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        org_unit = unit_for_new_record(request, data.get("org_unit"), Permission.HOUSEHOLD_EDIT)
        household = services.household_create(
            actor=caller(request),
            org_unit=org_unit,
            name=data.get("name", ""),
            country=data["country"],
            department_id=data.get("department"),
            municipality_id=data.get("municipality"),
            address_line=data.get("address_line", ""),
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
        )
        return Response(HouseholdSerializer(household).data, status=status.HTTP_201_CREATED)


class HouseholdUpdateApi(APIView):
    """Change a household. Send the `version` you read: a stale one gets 409."""

    class InputSerializer(serializers.Serializer):
        version = serializers.IntegerField(min_value=1, help_text="The `version` you read.")
        name = serializers.CharField(max_length=200, required=False, allow_blank=True)
        country = CountryField(required=False)
        department = serializers.IntegerField(required=False, allow_null=True, help_text="Admin area id.")
        municipality = serializers.IntegerField(required=False, allow_null=True, help_text="Admin area id.")
        address_line = serializers.CharField(max_length=250, required=False, allow_blank=True)
        latitude = serializers.DecimalField(
            max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False, allow_null=True
        )
        longitude = serializers.DecimalField(
            max_digits=9, decimal_places=6, min_value=-180, max_value=180, required=False, allow_null=True
        )

    @extend_schema(
        operation_id="households_update",
        tags=[TAG],
        parameters=[HOUSEHOLD_ID],
        request=InputSerializer,
        responses={
            200: HouseholdSerializer,
            400: INVALID,
            401: UNAUTHENTICATED,
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )
    def patch(self, request: Request, household_id: int) -> Response:
        household = selectors.household_get(
            user=caller(request), household_id=household_id, permission=Permission.HOUSEHOLD_EDIT
        )
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        version = changes.pop("version")
        for area in ("department", "municipality"):
            if area in changes:
                changes[f"{area}_id"] = changes.pop(area)
        household = services.household_update(
            actor=caller(request), household=household, expected_version=version, changes=changes
        )
        return Response(HouseholdSerializer(household).data)


class HouseholdMemberAddApi(APIView):
    class InputSerializer(serializers.Serializer):
        person = serializers.CharField(max_length=20, help_text="The person's id or Amparo ID.")
        relationship = serializers.ChoiceField(Relationship.choices)
        joined_on = serializers.DateField(required=False, allow_null=True)

    @extend_schema(
        operation_id="households_members_add",
        tags=[TAG],
        parameters=[HOUSEHOLD_ID],
        request=InputSerializer,
        responses={201: HouseholdMemberSerializer, 400: INVALID, 401: UNAUTHENTICATED, 404: NOT_FOUND},
    )
    def post(self, request: Request, household_id: int) -> Response:
        household = selectors.household_get(
            user=caller(request), household_id=household_id, permission=Permission.HOUSEHOLD_EDIT
        )
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            person = person_by_ref(request, data["person"], Permission.PERSON_VIEW)
        except Http404:
            raise ValidationError({"person": [str(PERSON_NOT_FOUND)]}) from None
        membership = services.household_member_add(
            actor=caller(request),
            household=household,
            person=person,
            relationship=data["relationship"],
            joined_on=data.get("joined_on"),
        )
        return Response(member_entry(membership, True), status=status.HTTP_201_CREATED)


class HouseholdMemberLeaveApi(APIView):
    """A member leaves the household: the membership is closed with a date, never deleted."""

    class InputSerializer(serializers.Serializer):
        left_on = serializers.DateField(required=False, allow_null=True, help_text="Default: today.")

    @extend_schema(
        operation_id="households_members_leave",
        tags=[TAG],
        parameters=[HOUSEHOLD_ID, MEMBERSHIP_ID],
        request=InputSerializer,
        responses={200: MEMBER_ENTRY, 400: INVALID, 401: UNAUTHENTICATED, 404: NOT_FOUND},
    )
    def post(self, request: Request, household_id: int, membership_id: int) -> Response:
        household = selectors.household_get(
            user=caller(request), household_id=household_id, permission=Permission.HOUSEHOLD_EDIT
        )
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        members = selectors.household_members(user=caller(request), household=household, include_past=True)
        found = [(membership, visible) for membership, visible in members if membership.pk == membership_id]
        if not found:
            raise Http404
        membership, visible = found[0]
        membership = services.household_member_remove(
            actor=caller(request), membership=membership, left_on=serializer.validated_data.get("left_on")
        )
        return Response(member_entry(membership, visible))


class HouseholdArchiveApi(APIView):
    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=2000)

    @extend_schema(
        operation_id="households_archive",
        tags=[TAG],
        parameters=[HOUSEHOLD_ID],
        request=InputSerializer,
        responses={200: HouseholdSerializer, 400: INVALID, 401: UNAUTHENTICATED, 404: NOT_FOUND},
    )
    def post(self, request: Request, household_id: int) -> Response:
        household = selectors.household_get(
            user=caller(request), household_id=household_id, permission=Permission.HOUSEHOLD_EDIT
        )
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        household = services.household_archive(
            actor=caller(request), household=household, reason=serializer.validated_data["reason"]
        )
        return Response(HouseholdSerializer(household).data)
