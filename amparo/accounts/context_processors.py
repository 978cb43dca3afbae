from typing import Any

from django.http import HttpRequest

from amparo.accounts import access
from amparo.accounts.choices import Permission


def current_unit(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "current_unit": user.home_unit,
        "nav": {
            "persons": access.has_permission(user, Permission.PERSON_VIEW),
            "households": access.has_permission(user, Permission.HOUSEHOLD_VIEW),
            "matching": access.has_permission(user, Permission.MATCHING_REVIEW),
            "users": access.has_permission(user, Permission.USER_MANAGE),
            "roles": access.can_define_roles(user),
            "units": access.org_units_administered_by(user).exists(),
            "audit": access.can_browse_audit(user),
            "forms": access.has_permission(user, Permission.FORM_MANAGE),
            "runac": access.has_permission(user, Permission.RUNAC_VIEW),
            "runac_generate": access.has_permission(user, Permission.RUNAC_GENERATE),
            "cases": access.has_permission(user, Permission.CASE_VIEW),
        },
    }
