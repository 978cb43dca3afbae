"""Case endpoints: list (filters over form data), read, open, change, reclassify, close, reopen,
interventions. Form answers are validated against the form's latest version on every write and
shown redacted to the caller's clearance."""

import datetime
from dataclasses import replace
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from amparo.accounts.choices import Permission
from amparo.accounts.models import User
from amparo.cases import selectors, services
from amparo.cases.choices import CaseStatus, RiskLevel
from amparo.cases.models import Case, Intervention
from amparo.cases.selectors import OPERATORS, CaseFilters, FieldFilter
from amparo.cases.services import CaseOpenInput, FormDataInvalidError
from amparo.common.pagination import PageQuerySerializer, page_data, page_of, page_serializer
from amparo.forms import selectors as forms_selectors
from amparo.registry.api.base import (
    CONFLICT,
    FORBIDDEN,
    INVALID,
    NOT_FOUND,
    UNAUTHENTICATED,
    OrgUnitSerializer,
    caller,
    require_permission,
    unit_for_new_record,
)
from amparo.registry.selectors import person_get

TAG = "cases"
VIA = "api"


def _form_errors(error: FormDataInvalidError) -> ValidationError:
    """{"forms": {identifier: {path: [...]}}} → error.fields "forms.<identifier>.<path>"."""
    return ValidationError({"forms": error.fields})


def forms_output(user: User, case: Case) -> dict[str, Any]:
    """Each form's answers, redacted to the viewer's clearance, with the version they were filled with."""
    clearance = selectors.case_clearance(user, case)
    result = {}
    for record in case.form_records.all():
        definition = forms_selectors.definition_of(record.form_version)
        result[record.form.identifier] = {
            "version": record.form_version.number,
            "data": forms_selectors.redact(
                record.data, definition, clearance, catalogue=forms_selectors.field_catalogue(record.form)
            ),
        }
    return result


def intervention_output(user: User, case: Case, intervention: Intervention) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if intervention.form_version is not None:
        definition = forms_selectors.definition_of(intervention.form_version)
        data = forms_selectors.redact(intervention.data, definition, selectors.case_clearance(user, case))
    return {
        "id": intervention.pk,
        "type": intervention.intervention_type.code,
        "occurred_on": intervention.occurred_on.isoformat(),
        "form_version": intervention.form_version.number if intervention.form_version else None,
        "data": data,
    }


class CaseSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    case_type = serializers.CharField(source="case_type.code")
    classification = serializers.CharField(source="classification.code", allow_null=True, default=None)
    status = serializers.ChoiceField(CaseStatus.choices)
    person = serializers.IntegerField(source="person_id")
    owner = serializers.IntegerField(source="owner_id")
    org_unit = OrgUnitSerializer()
    risk_level = serializers.ChoiceField(RiskLevel.choices)
    opened_on = serializers.DateField()
    closed_on = serializers.DateField(allow_null=True)
    version = serializers.IntegerField()


class CaseListApi(APIView):
    """List the cases you may see; filter by case fields and by any field of the type's forms."""

    class FilterSerializer(PageQuerySerializer):
        status = serializers.ChoiceField(CaseStatus.choices, required=False)
        case_type = serializers.CharField(required=False, help_text="Case type code.")
        classification = serializers.CharField(
            required=False, help_text="Classification code (with case_type)."
        )
        owner = serializers.IntegerField(required=False)
        org_unit = serializers.IntegerField(required=False)
        risk_level = serializers.ChoiceField(RiskLevel.choices, required=False)
        person = serializers.IntegerField(required=False)
        opened_from = serializers.DateField(required=False)
        opened_to = serializers.DateField(required=False)
        sort = serializers.ChoiceField(list(selectors.SORTS), default="-opened_on")
        where = serializers.ListField(
            child=serializers.CharField(max_length=300),
            required=False,
            default=list,
            help_text="Repeatable `<form identifier>.<field>:<op>:<value>`, op one of "
            "eq, has, gte, lte, contains (e.g. `cp_registro.sexo:eq:f`, `cp_registro.fecha:gte:2026-01-01`).",
        )

    PageSerializer = page_serializer(CaseSummarySerializer, owner="CaseListApi")

    @staticmethod
    def parse_where(values: list[str], type_forms: dict[str, int]) -> tuple[FieldFilter, ...]:
        filters = []
        for index, text in enumerate(values):
            key, _sep, rest = text.partition(":")
            operator, _sep2, value = rest.partition(":")
            identifier, _dot, name = key.partition(".")
            if identifier not in type_forms or not name or operator not in OPERATORS:
                raise ValidationError({f"where.{index}": ["Unknown form, field or operator."]})
            parsed: Any = value
            if operator in ("gte", "lte"):
                try:
                    parsed = float(value) if "." in value else int(value)
                except ValueError:
                    parsed = value
            if operator == "eq" and value in ("true", "false"):
                parsed = value == "true"
            filters.append(
                FieldFilter(form_id=type_forms[identifier], field=name, operator=operator, value=parsed)
            )
        return tuple(filters)

    @extend_schema(
        operation_id="cases_list",
        tags=[TAG],
        parameters=[FilterSerializer],
        responses={200: PageSerializer, 400: INVALID, 401: UNAUTHENTICATED, 403: FORBIDDEN},
        description="`counts` gives distinct persons and cases, from one pass over at most 1001 cases: up to "
        "1000 cases both are exact; beyond, `cases_capped` (more than 1000) and `persons_capped` (persons is "
        "then a lower bound: the persons of the first 1001 cases). Shown ids are audited.",
    )
    def get(self, request: Request) -> Response:
        require_permission(request, Permission.CASE_VIEW)
        params = self.FilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        user = caller(request)
        case_type = None
        if data.get("case_type"):
            case_type = selectors.case_types_active().filter(code=data["case_type"]).first()
            if case_type is None:
                raise ValidationError({"case_type": ["Unknown case type."]})
        classification_id = None
        if data.get("classification") and case_type is not None:
            found = selectors.classifications_of(case_type, active_only=False).filter(
                code=data["classification"]
            )
            classification_id = found.values_list("pk", flat=True).first() or 0
        type_forms: dict[str, int] = {}
        allowed: dict[tuple[int, str], str] = {}
        if case_type is not None:
            clearance = selectors.list_clearance(user)
            allowed = {
                (item.form_id, item.name): item.field.type
                for item in selectors.filterable_fields(case_type, clearance=clearance)
            }
            type_forms = {link.form.identifier: link.form_id for link in selectors.type_forms(case_type)}
        elif data["where"]:
            raise ValidationError({"where": ["Give case_type to filter by form fields."]})
        where = self.parse_where(data["where"], type_forms)
        for index, item in enumerate(where):
            if (item.form_id, item.field) not in allowed:
                raise ValidationError({f"where.{index}": ["Unknown form, field or operator."]})
        where = tuple(replace(item, kind=allowed[(item.form_id, item.field)]) for item in where)
        filters = CaseFilters(
            status=data.get("status", ""),
            case_type_id=case_type.pk if case_type else None,
            classification_id=classification_id,
            owner_id=data.get("owner"),
            org_unit_id=data.get("org_unit"),
            risk_level=data.get("risk_level", ""),
            person_id=data.get("person"),
            opened_from=data.get("opened_from"),
            opened_to=data.get("opened_to"),
            fields=where,
            sort=data["sort"],
        )
        cases = selectors.case_list(user=user, filters=filters)
        counts = selectors.case_counts(cases)
        page = page_of(
            cases, number=data["page"], size=data["page_size"], counted=(counts.cases, counts.cases_capped)
        )
        services.record_cases_shown(
            actor=user, cases=page.rows, via=VIA, extra={"page": page.number, "filters": filters.used()}
        )
        body = page_data(page, request, CaseSummarySerializer(page.rows, many=True).data)
        body["counts"] = {
            "persons": counts.persons,
            "persons_capped": counts.persons_capped,
            "cases": counts.cases,
            "cases_capped": counts.cases_capped,
        }
        return Response(body)


class CaseDetailApi(APIView):
    """One case with its form answers (redacted to your clearance), persons involved and interventions."""

    @staticmethod
    def render(user: User, case: Case) -> dict[str, Any]:
        body = dict(CaseSummarySerializer(case).data)
        body["involved"] = [{"person": item.person_id, "role": item.role} for item in case.involved.all()]
        body["forms"] = forms_output(user, case)
        body["interventions"] = [
            intervention_output(user, case, item) for item in selectors.interventions_of(case)
        ]
        return body

    @extend_schema(
        operation_id="cases_retrieve", tags=[TAG], responses={200: dict, 401: UNAUTHENTICATED, 404: NOT_FOUND}
    )
    def get(self, request: Request, case_id: int) -> Response:
        user = caller(request)
        case = selectors.case_get(user=user, case_id=case_id)
        body = self.render(user, case)
        services.record_case_viewed(actor=user, case=case, via=VIA)
        return Response(body)


class CaseCreateApi(APIView):
    """Open a case for a person you may see; `forms` answers are checked against their latest versions."""

    class InputSerializer(serializers.Serializer):
        person = serializers.IntegerField()
        case_type = serializers.CharField()
        classification = serializers.CharField(required=False, allow_blank=True)
        risk_level = serializers.ChoiceField(RiskLevel.choices, default=RiskLevel.LOW)
        org_unit = serializers.IntegerField(required=False, allow_null=True)
        owner = serializers.IntegerField(required=False, allow_null=True)
        opened_on = serializers.DateField(required=False)
        forms = serializers.DictField(
            child=serializers.DictField(),
            required=False,
            default=dict,
            help_text="Form identifier → answers (the stored JSON shape).",
        )

    @extend_schema(
        operation_id="cases_create",
        tags=[TAG],
        request=InputSerializer,
        responses={201: dict, 400: INVALID, 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request) -> Response:
        require_permission(request, Permission.CASE_CREATE)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = caller(request)
        case_type = selectors.case_types_active().filter(code=data["case_type"]).first()
        if case_type is None:
            raise ValidationError({"case_type": ["Unknown case type."]})
        classification = None
        if data.get("classification"):
            classification = (
                selectors.classifications_of(case_type).filter(code=data["classification"]).first()
            )
            if classification is None:
                raise ValidationError({"classification": ["Unknown classification for this case type."]})
        person = person_get(user=user, person_id=data["person"])
        org_unit = unit_for_new_record(request, data.get("org_unit"), Permission.CASE_CREATE)
        owner = _owner(data.get("owner"))
        try:
            case = services.case_open(
                actor=user,
                data=CaseOpenInput(
                    case_type=case_type,
                    person=person,
                    org_unit=org_unit,
                    owner=owner,
                    classification=classification,
                    risk_level=data["risk_level"],
                    opened_on=data.get("opened_on"),
                    forms=data["forms"],
                ),
            )
        except FormDataInvalidError as error:
            raise _form_errors(error) from error
        case = selectors.case_get(user=user, case_id=case.pk)
        return Response(CaseDetailApi.render(user, case), status=status.HTTP_201_CREATED)


def _owner(owner_id: int | None) -> User | None:
    if owner_id is None:
        return None
    owner = User.objects.filter(pk=owner_id, is_active=True).first()
    if owner is None:
        raise ValidationError({"owner": ["Unknown user."]})
    return owner


class CaseUpdateApi(APIView):
    """Change risk level, owner or form answers; send back `version` (409 when someone saved since)."""

    class InputSerializer(serializers.Serializer):
        version = serializers.IntegerField(min_value=1)
        risk_level = serializers.ChoiceField(RiskLevel.choices, required=False)
        owner = serializers.IntegerField(required=False)
        forms = serializers.DictField(child=serializers.DictField(), required=False, default=dict)

    @extend_schema(
        operation_id="cases_partial_update",
        tags=[TAG],
        request=InputSerializer,
        responses={200: dict, 400: INVALID, 401: UNAUTHENTICATED, 404: NOT_FOUND, 409: CONFLICT},
    )
    def patch(self, request: Request, case_id: int) -> Response:
        user = caller(request)
        case = selectors.case_get(user=user, case_id=case_id, permission=Permission.CASE_EDIT)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            services.case_update(
                actor=user,
                case=case,
                expected_version=data["version"],
                risk_level=data.get("risk_level"),
                owner=_owner(data.get("owner")),
                forms=data["forms"],
            )
        except FormDataInvalidError as error:
            raise _form_errors(error) from error
        case = selectors.case_get(user=user, case_id=case.pk)
        return Response(CaseDetailApi.render(user, case))


class CaseReclassifyApi(APIView):
    class InputSerializer(serializers.Serializer):
        version = serializers.IntegerField(min_value=1)
        classification = serializers.CharField()
        reason = serializers.CharField(max_length=2000)

    @extend_schema(
        operation_id="cases_reclassify",
        tags=[TAG],
        request=InputSerializer,
        responses={200: dict, 400: INVALID, 401: UNAUTHENTICATED, 404: NOT_FOUND, 409: CONFLICT},
    )
    def post(self, request: Request, case_id: int) -> Response:
        user = caller(request)
        case = selectors.case_get(user=user, case_id=case_id, permission=Permission.CASE_EDIT)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        classification = (
            selectors.classifications_of(case.case_type).filter(code=data["classification"]).first()
        )
        if classification is None:
            raise ValidationError({"classification": ["Unknown classification for this case type."]})
        services.case_reclassify(
            actor=user,
            case=case,
            classification=classification,
            reason=data["reason"],
            expected_version=data["version"],
        )
        return Response(CaseDetailApi.render(user, selectors.case_get(user=user, case_id=case.pk)))


class _StatusApi(APIView):
    class InputSerializer(serializers.Serializer):
        version = serializers.IntegerField(min_value=1)
        reason = serializers.CharField(max_length=2000)

    service = staticmethod(services.case_close)

    def post(self, request: Request, case_id: int) -> Response:
        user = caller(request)
        case = selectors.case_get(user=user, case_id=case_id, permission=Permission.CASE_CLOSE)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.service(
            actor=user,
            case=case,
            reason=serializer.validated_data["reason"],
            expected_version=serializer.validated_data["version"],
        )
        return Response(CaseDetailApi.render(user, selectors.case_get(user=user, case_id=case.pk)))


class CaseCloseApi(_StatusApi):
    """Close a case with a reason."""

    service = staticmethod(services.case_close)

    @extend_schema(
        operation_id="cases_close",
        tags=[TAG],
        request=_StatusApi.InputSerializer,
        responses={200: dict, 400: INVALID, 401: UNAUTHENTICATED, 404: NOT_FOUND, 409: CONFLICT},
    )
    def post(self, request: Request, case_id: int) -> Response:
        return super().post(request, case_id)


class CaseReopenApi(_StatusApi):
    """Reopen a closed case with a reason."""

    service = staticmethod(services.case_reopen)

    @extend_schema(
        operation_id="cases_reopen",
        tags=[TAG],
        request=_StatusApi.InputSerializer,
        responses={200: dict, 400: INVALID, 401: UNAUTHENTICATED, 404: NOT_FOUND, 409: CONFLICT},
    )
    def post(self, request: Request, case_id: int) -> Response:
        return super().post(request, case_id)


class InterventionCreateApi(APIView):
    """Record an intervention of a type allowed under the case's type."""

    class InputSerializer(serializers.Serializer):
        type = serializers.CharField(help_text="Intervention type code.")
        occurred_on = serializers.DateField(default=datetime.date.today)
        data = serializers.DictField(required=False, default=dict)

    @extend_schema(
        operation_id="cases_interventions_create",
        tags=[TAG],
        request=InputSerializer,
        responses={201: dict, 400: INVALID, 401: UNAUTHENTICATED, 404: NOT_FOUND},
    )
    def post(self, request: Request, case_id: int) -> Response:
        user = caller(request)
        case = selectors.case_get(user=user, case_id=case_id, permission=Permission.CASE_EDIT)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        intervention_type = selectors.intervention_types_of(case.case_type).filter(code=data["type"]).first()
        if intervention_type is None:
            raise ValidationError({"type": ["Unknown intervention type for this case type."]})
        try:
            intervention = services.intervention_record(
                actor=user,
                case=case,
                intervention_type=intervention_type,
                occurred_on=data["occurred_on"],
                data=data["data"],
            )
        except FormDataInvalidError as error:
            raise ValidationError({"data": next(iter(error.fields.values()))}) from error
        return Response(intervention_output(user, case, intervention), status=status.HTTP_201_CREATED)
