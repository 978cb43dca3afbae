"""Person endpoints: list and search, read, register, change, archive."""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.serializer_fields import CountryField
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from amparo.accounts.choices import Permission
from amparo.audit.choices import AuditAction
from amparo.common.pagination import PageQuerySerializer, page_data, page_of, page_serializer
from amparo.registry import selectors, services
from amparo.registry.api.base import (
    CONFLICT,
    FORBIDDEN,
    INVALID,
    NOT_FOUND,
    PERSON_REF,
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
from amparo.registry.choices import ContactKind, DocumentType, GenderIdentity, Sex
from amparo.registry.models import Person
from amparo.registry.selectors import RESTRICTED_PARTS, SENSITIVE_PARTS, PersonFieldAccess, PersonFilters

TAG = "persons"

FIELD_NOT_ALLOWED = _("You may not change this field.")
DOB_AND_AGE = _("Give either date_of_birth or age_years, not both.")
DOB_IN_FUTURE = _("The date of birth cannot be in the future.")
AGE_RANGE = _("age_min cannot be greater than age_max.")

# Parts of a person record by sensitivity, as the person page shows them.
PERSON_RESTRICTED_PARTS = (*RESTRICTED_PARTS, "archive_reason")
PERSON_SENSITIVE_PARTS = SENSITIVE_PARTS
# Named in SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]: two responses (read, created) share it.
PERSON_WITHHELD_CHOICES = [*PERSON_RESTRICTED_PARTS, *PERSON_SENSITIVE_PARTS]


def withheld_parts(field_access: PersonFieldAccess) -> list[str]:
    return [
        *([] if field_access.restricted else PERSON_RESTRICTED_PARTS),
        *([] if field_access.sensitive else PERSON_SENSITIVE_PARTS),
    ]


def filters_used(filters: PersonFilters) -> list[str]:
    """Names of the filters in use, for the audit row (which ones, never the values typed)."""
    names = ("query", "sex", "nationality", "org_unit_id", "age_min", "age_max")
    used = [name for name in names if getattr(filters, name) not in ("", None)]
    return [*used, "archived"] if filters.archived != "active" else used


class PersonListApi(APIView):
    """Search and list the persons you may see."""

    class FilterSerializer(PageQuerySerializer):
        q = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=200,
            default="",
            help_text='Names in any order, without accents or case ("lopez maria"); a document number; '
            "or an Amparo ID.",
        )
        sex = serializers.ChoiceField(Sex.choices, required=False)
        nationality = CountryField(required=False)
        org_unit = serializers.IntegerField(required=False, min_value=1, help_text="Owning unit id.")
        age_min = serializers.IntegerField(required=False, min_value=0, max_value=150)
        age_max = serializers.IntegerField(required=False, min_value=0, max_value=150)
        archived = serializers.ChoiceField(["active", "archived", "all"], default="active")

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if (
                attrs.get("age_min") is not None
                and attrs.get("age_max") is not None
                and attrs["age_min"] > attrs["age_max"]
            ):
                raise ValidationError({"age_min": [str(AGE_RANGE)]})
            return attrs

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        amparo_id = serializers.CharField()
        given_names = serializers.CharField()
        first_surname = serializers.CharField()
        second_surname = serializers.CharField()
        sex = serializers.ChoiceField(Sex.choices)
        date_of_birth = serializers.DateField(allow_null=True)
        date_of_birth_is_estimated = serializers.BooleanField()
        nationality = CountryCodeField()
        org_unit = OrgUnitSerializer()
        is_archived = serializers.BooleanField()
        version = serializers.IntegerField()

    PageSerializer = page_serializer(OutputSerializer)

    @extend_schema(
        operation_id="persons_list",
        tags=[TAG],
        parameters=[FilterSerializer],
        responses={200: PageSerializer, 400: INVALID, 401: UNAUTHENTICATED, 403: FORBIDDEN},
        description="Only persons your roles reach. Counts stop at 1000 (`count_is_capped`). "
        "The ids shown are written to the audit log.",
    )
    def get(self, request: Request) -> Response:
        require_permission(request, Permission.PERSON_VIEW)
        params = self.FilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        filters = PersonFilters(
            query=data["q"],
            sex=data.get("sex", ""),
            nationality=data.get("nationality", ""),
            org_unit_id=data.get("org_unit"),
            age_min=data.get("age_min"),
            age_max=data.get("age_max"),
            archived=data["archived"],
        )
        persons = selectors.person_list(user=caller(request), filters=filters)
        page = page_of(
            persons, number=data["page"], size=data["page_size"], counted=selectors.capped_count(persons)
        )
        services.record_persons_shown(
            actor=caller(request),
            persons=page.rows,
            action=AuditAction.PERSON_SEARCHED if filters_used(filters) else AuditAction.PERSON_LISTED,
            extra={"page": page.number, "filters": filters_used(filters), "via": VIA},
        )
        return Response(page_data(page, request, self.OutputSerializer(page.rows, many=True).data))


class PersonDetailApi(APIView):
    """One person, as far as your clearance reaches."""

    class OutputSerializer(serializers.Serializer):
        class DocumentSerializer(serializers.Serializer):
            id = serializers.IntegerField()
            document_type = serializers.ChoiceField(DocumentType.choices)
            number = serializers.CharField()
            issuing_country = CountryCodeField()

        class ContactSerializer(serializers.Serializer):
            id = serializers.IntegerField()
            kind = serializers.ChoiceField(ContactKind.choices)
            value = serializers.CharField()

        class AddressSerializer(serializers.Serializer):
            id = serializers.IntegerField()
            country = CountryCodeField()
            department = AdminAreaSerializer(allow_null=True)
            municipality = AdminAreaSerializer(allow_null=True)
            line = serializers.CharField()
            latitude = serializers.DecimalField(
                max_digits=9, decimal_places=6, allow_null=True, help_text="null when withheld (`gps`)."
            )
            longitude = serializers.DecimalField(
                max_digits=9, decimal_places=6, allow_null=True, help_text="null when withheld (`gps`)."
            )
            is_current = serializers.BooleanField()

        id = serializers.IntegerField()
        amparo_id = serializers.CharField()
        given_names = serializers.CharField()
        first_surname = serializers.CharField()
        second_surname = serializers.CharField()
        sex = serializers.ChoiceField(Sex.choices)
        gender_identity = serializers.CharField(allow_null=True, help_text="Sensitive: null when withheld.")
        date_of_birth = serializers.DateField(allow_null=True)
        date_of_birth_is_estimated = serializers.BooleanField()
        nationality = CountryCodeField()
        has_photo = serializers.SerializerMethodField(help_text="Sensitive (`photo`): null when withheld.")
        org_unit = OrgUnitSerializer()
        is_archived = serializers.BooleanField()
        archived_at = serializers.DateTimeField(allow_null=True)
        archive_reason = serializers.CharField(allow_null=True, help_text="Restricted: null when withheld.")
        version = serializers.IntegerField(help_text="Send it back with PATCH.")
        created_at = serializers.DateTimeField()
        updated_at = serializers.DateTimeField()
        documents = DocumentSerializer(
            many=True, source="documents.all", allow_null=True, help_text="Restricted: null when withheld."
        )
        contacts = ContactSerializer(
            many=True, source="contacts.all", allow_null=True, help_text="Restricted: null when withheld."
        )
        addresses = AddressSerializer(
            many=True, source="addresses.all", allow_null=True, help_text="Restricted: null when withheld."
        )
        withheld = serializers.ListField(
            child=serializers.ChoiceField(PERSON_WITHHELD_CHOICES),
            source="*",
            help_text="Parts your clearance does not reach; their values are null. `photo` is `has_photo`, "
            "`gps` the addresses' latitude and longitude.",
        )

        @extend_schema_field(serializers.BooleanField(allow_null=True))
        def get_has_photo(self, person: Person) -> bool:
            return bool(person.photo)

        def to_representation(self, person: Person) -> dict[str, Any]:
            withheld = withheld_parts(self.context["field_access"])
            fields = self.fields
            data: dict[str, Any] = {}
            for name, field in fields.items():
                if name == "withheld":
                    data[name] = withheld
                elif name in withheld or (name == "has_photo" and "photo" in withheld):
                    data[name] = None  # never read: a withheld part is not even loaded
                else:
                    attribute = field.get_attribute(person)
                    data[name] = None if attribute is None else field.to_representation(attribute)
            if "gps" in withheld and data["addresses"] is not None:
                for address in data["addresses"]:
                    address["latitude"] = address["longitude"] = None
            return data

    @classmethod
    def render(cls, request: Request, person: Person) -> dict[str, Any]:
        field_access = selectors.person_field_access(user=caller(request), person=person)
        return cls.OutputSerializer(person, context={"field_access": field_access}).data

    @extend_schema(
        operation_id="persons_retrieve",
        tags=[TAG],
        parameters=[PERSON_REF],
        responses={200: OutputSerializer, 401: UNAUTHENTICATED, 404: NOT_FOUND},
        description="Reading a person is written to the audit log.",
    )
    def get(self, request: Request, person_ref: str) -> Response:
        person = person_by_ref(request, person_ref, Permission.PERSON_VIEW)
        data = self.render(request, person)
        services.record_person_viewed(actor=caller(request), person=person, via=VIA)
        return Response(data)


class PossibleDuplicateSerializer(serializers.Serializer):
    class ReasonSerializer(serializers.Serializer):
        comparison = serializers.CharField(help_text="given_names, first_surname, date_of_birth, …")
        level = serializers.CharField(help_text="How they compare: exact, phonetic, equivalent, typo, …")
        verdict = serializers.ChoiceField(["agrees", "similar", "differs"])

    id = serializers.IntegerField()
    amparo_id = serializers.CharField()
    full_name = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    org_unit = serializers.CharField(help_text="The owning unit's name.")
    probability = serializers.FloatField(help_text="Calibrated probability that this is the same person.")
    agreeing = serializers.ListField(child=serializers.CharField(), help_text="Comparisons that agree.")
    differing = serializers.ListField(child=serializers.CharField(), help_text="Comparisons that differ.")
    reasons = ReasonSerializer(many=True, help_text="Every comparison made, strongest evidence first.")


class PersonCreatedSerializer(PersonDetailApi.OutputSerializer):
    """The registered person, and who may already have been registered as them."""

    possible_duplicates = PossibleDuplicateSerializer(
        many=True,
        allow_null=True,
        help_text="Persons already registered who are probably this one, most likely first — only persons "
        "you may see. Nothing is blocked: the person is registered either way; review and merge them in "
        "Amparo if they are the same. null: the check could not run this time.",
    )
    possible_duplicate_outside_scope = serializers.BooleanField(
        help_text="A possible match exists in a unit you cannot see (no name, id or probability is given): "
        "ask your coordinator."
    )

    def to_representation(self, person: Person) -> dict[str, Any]:
        data = PersonDetailApi.OutputSerializer(person, context=self.context).data
        check = self.context["duplicates"]
        return {**data, **{name: check[name] for name in DUPLICATE_FIELDS}}


DUPLICATE_FIELDS = ("possible_duplicates", "possible_duplicate_outside_scope")


class PersonCreateApi(APIView):
    """Register a person, with their documents, contacts and addresses."""

    class InputSerializer(serializers.Serializer):
        class DocumentSerializer(serializers.Serializer):
            document_type = serializers.ChoiceField(DocumentType.choices)
            number = serializers.CharField(max_length=60)
            issuing_country = CountryField(required=False, allow_blank=True)

        class ContactSerializer(serializers.Serializer):
            kind = serializers.ChoiceField(ContactKind.choices)
            value = serializers.CharField(max_length=200)

        class AddressSerializer(serializers.Serializer):
            country = CountryField()
            department = serializers.IntegerField(required=False, allow_null=True, help_text="Admin area id.")
            municipality = serializers.IntegerField(
                required=False, allow_null=True, help_text="Admin area id."
            )
            line = serializers.CharField(max_length=250, required=False, allow_blank=True)
            latitude = serializers.DecimalField(
                max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False, allow_null=True
            )
            longitude = serializers.DecimalField(
                max_digits=9, decimal_places=6, min_value=-180, max_value=180, required=False, allow_null=True
            )
            is_current = serializers.BooleanField(required=False, default=True)

        given_names = serializers.CharField(max_length=150)
        first_surname = serializers.CharField(max_length=150, required=False, allow_blank=True)
        second_surname = serializers.CharField(max_length=150, required=False, allow_blank=True)
        sex = serializers.ChoiceField(Sex.choices, required=False)
        gender_identity = serializers.ChoiceField(GenderIdentity.choices, required=False, allow_blank=True)
        date_of_birth = serializers.DateField(
            required=False, allow_null=True, help_text="ISO (2012-05-17) or dd/mm/yyyy (17/05/2012)."
        )
        date_of_birth_is_estimated = serializers.BooleanField(required=False)
        age_years = serializers.IntegerField(
            required=False,
            allow_null=True,
            min_value=0,
            max_value=130,
            help_text="Instead of date_of_birth: an estimated date is derived.",
        )
        nationality = CountryField(required=False, allow_blank=True)
        org_unit = serializers.IntegerField(
            required=False, allow_null=True, help_text="Owning unit id; your home unit when left out."
        )
        documents = DocumentSerializer(many=True, required=False)
        contacts = ContactSerializer(many=True, required=False)
        addresses = AddressSerializer(many=True, required=False)

        def validate_date_of_birth(self, value: Any) -> Any:
            if value is not None and value > timezone.localdate():
                raise ValidationError(str(DOB_IN_FUTURE))
            return value

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if attrs.get("date_of_birth") is not None and attrs.get("age_years") is not None:
                raise ValidationError({"age_years": [str(DOB_AND_AGE)]})
            return attrs

    @extend_schema(
        operation_id="persons_create",
        tags=[TAG],
        request=InputSerializer,
        responses={201: PersonCreatedSerializer, 400: INVALID, 401: UNAUTHENTICATED, 403: FORBIDDEN},
        description="The response also carries the duplicate check of the registration page: "
        "`possible_duplicates` within your scope, `possible_duplicate_outside_scope` beyond it. It never "
        "blocks: the person is registered either way. There is no idempotency key: sending the same "
        "person twice registers them twice, and the second answer names the first as a possible duplicate.",
    )
    def post(self, request: Request) -> Response:
        require_permission(request, Permission.PERSON_CREATE)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        org_unit = unit_for_new_record(request, data.get("org_unit"), Permission.PERSON_CREATE)
        person_input = services.PersonInput(
            given_names=data["given_names"],
            first_surname=data.get("first_surname", ""),
            second_surname=data.get("second_surname", ""),
            sex=data.get("sex") or Sex.UNKNOWN,
            gender_identity=data.get("gender_identity", ""),
            date_of_birth=data.get("date_of_birth"),
            date_of_birth_is_estimated=data.get("date_of_birth_is_estimated", False),
            age_years=data.get("age_years"),
            nationality=data.get("nationality", ""),
            documents=[services.DocumentInput(**document) for document in data.get("documents", [])],
            contacts=[services.ContactInput(**contact) for contact in data.get("contacts", [])],
            addresses=[address_input(address) for address in data.get("addresses", [])],
        )
        user = caller(request)
        person = services.person_create(actor=user, org_unit=org_unit, data=person_input)
        context = {
            "field_access": selectors.person_field_access(user=user, person=person),
            "duplicates": selectors.possible_duplicates(user=user, person=person),
        }
        return Response(PersonCreatedSerializer(person, context=context).data, status=status.HTTP_201_CREATED)


def address_input(data: dict[str, Any]) -> services.AddressInput:
    """An address as the API takes it (areas by id) for the registry's services."""
    return services.AddressInput(
        country=data["country"],
        department_id=data.get("department"),
        municipality_id=data.get("municipality"),
        line=data.get("line", ""),
        latitude=data.get("latitude"),
        longitude=data.get("longitude"),
        is_current=data.get("is_current", True),
    )


class PersonUpdateApi(APIView):
    """Change a person's own fields. Send the `version` you read: a stale one gets 409."""

    class InputSerializer(serializers.Serializer):
        version = serializers.IntegerField(min_value=1, help_text="The `version` you read.")
        given_names = serializers.CharField(max_length=150, required=False)
        first_surname = serializers.CharField(max_length=150, required=False, allow_blank=True)
        second_surname = serializers.CharField(max_length=150, required=False, allow_blank=True)
        sex = serializers.ChoiceField(Sex.choices, required=False)
        gender_identity = serializers.ChoiceField(
            GenderIdentity.choices,
            required=False,
            allow_blank=True,
            help_text="Sensitive: only with sensitive clearance.",
        )
        date_of_birth = serializers.DateField(
            required=False, allow_null=True, help_text="ISO (2012-05-17) or dd/mm/yyyy (17/05/2012)."
        )
        date_of_birth_is_estimated = serializers.BooleanField(required=False)
        age_years = serializers.IntegerField(required=False, min_value=0, max_value=130)
        nationality = CountryField(required=False, allow_blank=True)

        validate_date_of_birth = PersonCreateApi.InputSerializer.validate_date_of_birth
        validate = PersonCreateApi.InputSerializer.validate

    @extend_schema(
        operation_id="persons_update",
        tags=[TAG],
        parameters=[PERSON_REF],
        request=InputSerializer,
        responses={
            200: PersonDetailApi.OutputSerializer,
            400: INVALID,
            401: UNAUTHENTICATED,
            404: NOT_FOUND,
            409: CONFLICT,
        },
        description="Only the fields sent change. Documents, contacts and addresses have their own endpoints "
        "(`/persons/{person_ref}/documents/` …).",
    )
    def patch(self, request: Request, person_ref: str) -> Response:
        person = person_by_ref(request, person_ref, Permission.PERSON_EDIT)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        version = changes.pop("version")
        withheld = withheld_parts(selectors.person_field_access(user=caller(request), person=person))
        refused = sorted(name for name in changes if name in withheld)
        if refused:
            raise ValidationError({name: [str(FIELD_NOT_ALLOWED)] for name in refused})
        person = services.person_update(
            actor=caller(request), person=person, expected_version=version, changes=changes
        )
        return Response(PersonDetailApi.render(request, person))


class PersonArchiveApi(APIView):
    """Archive a person (never deleted): they leave lists and can no longer be changed."""

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=2000)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        amparo_id = serializers.CharField()
        is_archived = serializers.BooleanField()
        archived_at = serializers.DateTimeField(allow_null=True)
        version = serializers.IntegerField()

    @extend_schema(
        operation_id="persons_archive",
        tags=[TAG],
        parameters=[PERSON_REF],
        request=InputSerializer,
        responses={200: OutputSerializer, 400: INVALID, 401: UNAUTHENTICATED, 404: NOT_FOUND},
    )
    def post(self, request: Request, person_ref: str) -> Response:
        person = person_by_ref(request, person_ref, Permission.PERSON_ARCHIVE)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        person = services.person_archive(
            actor=caller(request), person=person, reason=serializer.validated_data["reason"]
        )
        return Response(self.OutputSerializer(person).data)
