from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgUnitKind(models.TextChoices):
    REGION = "region", _("Regional platform")
    COUNTRY = "country", _("Country")
    INSTITUTION = "institution", _("Institution or agency")
    OFFICE = "office", _("Office")
    CONSULATE = "consulate", _("Consulate")
    PROVINCIAL_AREA = "provincial_area", _("Provincial area")
    TEAM = "team", _("Team")


class Permission(models.TextChoices):
    """Every action a role can allow. New domains add their codes here."""

    PERSON_VIEW = "person.view", _("View persons")
    PERSON_CREATE = "person.create", _("Register persons")
    PERSON_EDIT = "person.edit", _("Edit persons")
    PERSON_ARCHIVE = "person.archive", _("Archive persons")
    PERSON_EXPORT = "person.export", _("Export persons")
    HOUSEHOLD_VIEW = "household.view", _("View households")
    HOUSEHOLD_EDIT = "household.edit", _("Create and edit households")
    USER_MANAGE = "user.manage", _("Manage users of the unit")
    ROLE_MANAGE = "role.manage", _("Define roles")
    ORG_UNIT_MANAGE = "org_unit.manage", _("Manage organisation units")
    AUDIT_VIEW = "audit.view", _("Browse the audit log")
    MATCHING_REVIEW = "matching.review", _("Review possible duplicates and link files")
    MATCHING_CONFIGURE = "matching.configure", _("Configure person matching")
    PERSON_MERGE = "person.merge", _("Merge duplicate persons")
    RUNAC_VIEW = "runac.view", _("View RUNac deliveries and indicators")
    RUNAC_IMPORT = "runac.import", _("Send RUNac deliveries and equivalence tables")
    RUNAC_GENERATE = "runac.generate", _("Generate the unit's RUNac deliveries from its cases")
    RUNAC_CORRECT = "runac.correct", _("Correct categories of loaded RUNac records")
    RUNAC_MANAGE = "runac.manage", _("Administer RUNac jurisdictions and national categories")
    FORM_MANAGE = "form.manage", _("Build and publish forms")
    CASE_VIEW = "case.view", _("View cases")
    CASE_CREATE = "case.create", _("Open cases")
    CASE_EDIT = "case.edit", _("Edit cases and record interventions")
    CASE_CLOSE = "case.close", _("Close and reopen cases")
    CASE_TYPE_MANAGE = "case_type.manage", _("Configure case types")
    TRACING_VIEW = "tracing.view", _("View family tracing requests")
    TRACING_EDIT = "tracing.edit", _("Record tracing requests and decide their potential matches")


class Scope(models.TextChoices):
    """How far a grant reaches from the unit it is given at. Ordered from narrowest to widest."""

    OWN = "own", _("Own records")
    UNIT = "unit", _("My unit")
    SUBTREE = "subtree", _("My unit and below")
    ALL = "all", _("All")


SCOPE_ORDER = {Scope.OWN: 0, Scope.UNIT: 1, Scope.SUBTREE: 2, Scope.ALL: 3}


class Sensitivity(models.IntegerChoices):
    """Field sensitivity; a role's clearance must reach a field's level to show it."""

    BASIC = 0, _("Basic")
    RESTRICTED = 1, _("Restricted")
    SENSITIVE = 2, _("Sensitive")


class Need(models.TextChoices):
    VIEW = "view", _("View")
    EDIT = "edit", _("Edit")
