from typing import Any

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amparo.accounts import access, selectors, services
from amparo.accounts.choices import Scope
from amparo.accounts.errors import LOCKED_OUT_MESSAGE
from amparo.accounts.forms import (
    GrantForm,
    OrgUnitForm,
    PasswordResetForm,
    RoleForm,
    UserCreateForm,
    UserEditForm,
)
from amparo.accounts.models import User
from amparo.common.errors import PermissionDeniedError

USERS_PER_PAGE = 50


class AuthenticatedRequest(HttpRequest):
    """The request of a `login_required` view: its user is a real account (django-htmx adds `htmx`)."""

    user: User
    htmx: Any


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """Called by django-axes when a username+IP pair is locked out."""
    username = (credentials or {}).get("username", "") if isinstance(credentials, dict) else ""
    services.login_failed_record(
        username=username or request.POST.get("username", ""),
        locked_out=True,
        via="api" if request.path.startswith("/api/") else "web",
    )
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"error": {"code": "locked_out", "message": str(LOCKED_OUT_MESSAGE), "fields": {}}}, status=429
        )
    form = AuthenticationForm(request)
    return render(request, "accounts/login.html", {"form": form, "locked_out": True}, status=429)


def login_view(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    if request.user.is_authenticated:
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    form = AuthenticationForm(request, data=request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            user = form.get_user()
            auth.login(request, user)
            request.session.cycle_key()
            services.session_start(
                user=user,
                session_key=request.session.session_key or "",
                ip_address=request.META.get("REMOTE_ADDR"),
                user_agent=request.headers.get("User-Agent", ""),
            )
            if user.preferred_language:
                response = redirect(next_url or settings.LOGIN_REDIRECT_URL)
                response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.preferred_language, samesite="Lax")
                return response
            return redirect(next_url or settings.LOGIN_REDIRECT_URL)
        if not getattr(request, "axes_locked_out", False):
            services.login_failed_record(username=request.POST.get("username", "")[:150])
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        services.session_end(user=request.user, session_key=request.session.session_key)
    auth.logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = "ok"
    except Exception:  # noqa: BLE001 - any failure means "down", reported as such
        database = "error"
    status = 200 if database == "ok" else 503
    return JsonResponse(
        {"status": "ok" if status == 200 else "error", "database": database, "vendor": connection.vendor},
        status=status,
    )


# --- Users (unit administrators) -------------------------------------------------------------------


def _require_user_admin(admin: Any) -> None:
    access.require(access.units_managed_by(admin).exists())


@login_required
@require_GET
def user_list(request: AuthenticatedRequest) -> HttpResponse:
    admin = request.user
    _require_user_admin(admin)
    query = request.GET.get("q", "")[:100]
    page = Paginator(selectors.user_list(admin=admin, query=query), USERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "query": query}
    if request.htmx and not request.htmx.history_restore_request:  # a restored page needs all of it
        return render(request, "accounts/user_list.html#results", context)
    return render(request, "accounts/user_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def user_create(request: AuthenticatedRequest) -> HttpResponse:
    admin = request.user
    _require_user_admin(admin)
    form = UserCreateForm(request.POST or None, admin=admin)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                actor=admin,
                username=data["username"],
                password=data["password1"],
                home_unit=data["home_unit"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                preferred_language=data["preferred_language"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("User %(username)s created. Now grant them a role.") % {"username": user.username}
            )
            return redirect("accounts:user_detail", user_id=user.pk)
    return render(request, "accounts/user_form.html", {"form": form}, status=400 if form.errors else 200)


def _grant_form(request: AuthenticatedRequest, admin: User, target: User, data: Any = None) -> GrantForm:
    unit_id = (data or request.GET).get("org_unit")
    unit = None
    if unit_id and str(unit_id).isdigit():
        unit = selectors.grant_units(admin=admin).filter(pk=unit_id).first()
    if unit is None and target.home_unit is not None and access.can_manage_users_in(admin, target.home_unit):
        unit = target.home_unit
    return GrantForm(data, admin=admin, unit=unit)


def _user_page(
    request: AuthenticatedRequest,
    admin: User,
    target: User,
    *,
    grant_form: GrantForm | None = None,
    status: int = 200,
) -> HttpResponse:
    is_self = admin.pk == target.pk
    grants = [
        (
            grant,
            not is_self
            and access.can_grant(admin, role=grant.role, unit=grant.org_unit, scope=Scope(grant.scope)),
        )
        for grant in target.active_grants  # type: ignore[attr-defined]
    ]
    context = {
        "target": target,
        "is_self": is_self,
        "can_administer": access.can_administer_user(admin, target),
        "grants": grants,
        "grant_form": grant_form
        if grant_form is not None
        else (None if is_self else _grant_form(request, admin, target)),
        "sessions": selectors.user_recent_sessions(user=target),
    }
    return render(request, "accounts/user_detail.html", context, status=status)


@login_required
@require_GET
def user_detail(request: AuthenticatedRequest, user_id: int) -> HttpResponse:
    admin = request.user
    return _user_page(request, admin, selectors.user_get(admin=admin, user_id=user_id))


@login_required
@require_GET
def grant_form(request: AuthenticatedRequest, user_id: int) -> HttpResponse:
    """The grant form for the chosen unit (HTMX swaps it in when the unit changes)."""
    admin = request.user
    target = selectors.user_get(admin=admin, user_id=user_id)
    access.require(admin.pk != target.pk)
    context = {"target": target, "grant_form": _grant_form(request, admin, target)}
    return render(request, "accounts/user_detail.html#grant-form", context)


@login_required
@require_POST
def grant_add(request: AuthenticatedRequest, user_id: int) -> HttpResponse:
    admin = request.user
    target = selectors.user_get(admin=admin, user_id=user_id)
    form = _grant_form(request, admin, target, data=request.POST)
    if not form.is_valid():
        return _user_page(request, admin, target, grant_form=form, status=400)
    try:
        services.role_grant(
            actor=admin,
            user=target,
            role=form.cleaned_data["role"],
            org_unit=form.cleaned_data["org_unit"],
            scope=Scope(form.cleaned_data["scope"]),
        )
    except PermissionDeniedError as error:
        form.add_error(None, error.message)
        return _user_page(request, admin, target, grant_form=form, status=403)
    messages.success(request, _("Role granted."))
    return redirect("accounts:user_detail", user_id=target.pk)


@login_required
@require_POST
def grant_revoke(request: AuthenticatedRequest, user_id: int, assignment_id: int) -> HttpResponse:
    admin = request.user
    target = selectors.user_get(admin=admin, user_id=user_id)
    assignment = selectors.grant_get(user=target, assignment_id=assignment_id)
    try:
        services.role_revoke(actor=admin, assignment=assignment)
    except PermissionDeniedError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Role revoked."))
    return redirect("accounts:user_detail", user_id=target.pk)


def _administered_user(request: AuthenticatedRequest, user_id: int) -> User:
    """A user the administrator may edit: listed for them and no more powerful than them (else 404)."""
    target = selectors.user_get(admin=request.user, user_id=user_id)
    access.require(access.can_administer_user(request.user, target))
    return target


@login_required
@require_http_methods(["GET", "POST"])
def user_edit(request: AuthenticatedRequest, user_id: int) -> HttpResponse:
    target = _administered_user(request, user_id)
    form = UserEditForm.for_user(target, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(actor=request.user, user=target, changes=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("accounts:user_detail", user_id=target.pk)
    return render(
        request,
        "accounts/user_edit.html",
        {"form": form, "target": target},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def user_password(request: AuthenticatedRequest, user_id: int) -> HttpResponse:
    target = _administered_user(request, user_id)
    form = PasswordResetForm(target, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.user_password_reset(
            actor=request.user, user=target, new_password=form.cleaned_data["new_password1"]
        )
        messages.success(request, _("Password changed. Their open sessions were closed."))
        return redirect("accounts:user_detail", user_id=target.pk)
    return render(
        request,
        "accounts/user_password.html",
        {"form": form, "target": target},
        status=400 if form.errors else 200,
    )


# --- Roles (system administrators) -------------------------------------------------------------------


@login_required
@require_GET
def role_list(request: AuthenticatedRequest) -> HttpResponse:
    access.require(access.can_define_roles(request.user))
    return render(request, "accounts/role_list.html", {"roles": selectors.role_list()})


@login_required
@require_http_methods(["GET", "POST"])
def role_create(request: AuthenticatedRequest) -> HttpResponse:
    access.require(access.can_define_roles(request.user))
    form = RoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.role_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Role created."))
            return redirect("accounts:role_list")
    return render(
        request, "accounts/role_form.html", {"form": form, "role": None}, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def role_edit(request: AuthenticatedRequest, role_id: int) -> HttpResponse:
    role = selectors.role_get(admin=request.user, role_id=role_id)
    role_name = role.name
    form = RoleForm.for_role(role, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.role_update(actor=request.user, role=role, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Role saved."))
            return redirect("accounts:role_list")
    return render(
        request,
        "accounts/role_form.html",
        {"form": form, "role": role, "role_name": role_name},
        status=400 if form.errors else 200,
    )


# --- Organisation units ------------------------------------------------------------------------------


@login_required
@require_GET
def unit_list(request: AuthenticatedRequest) -> HttpResponse:
    units = list(selectors.org_unit_tree(admin=request.user))
    access.require(bool(units))
    base_depth = min(unit.depth for unit in units)
    rows = [(unit, range(unit.depth - base_depth)) for unit in units]
    return render(request, "accounts/unit_list.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def unit_create(request: AuthenticatedRequest, parent_id: int) -> HttpResponse:
    parent = selectors.org_unit_get(admin=request.user, unit_id=parent_id)
    form = OrgUnitForm(request.POST or None, initial={"country_code": parent.country_code})
    if request.method == "POST" and form.is_valid():
        try:
            services.org_unit_create(actor=request.user, parent=parent, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Unit created."))
            return redirect("accounts:unit_list")
    return render(
        request,
        "accounts/unit_form.html",
        {"form": form, "parent": parent, "unit": None},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def unit_edit(request: AuthenticatedRequest, unit_id: int) -> HttpResponse:
    unit = selectors.org_unit_get(admin=request.user, unit_id=unit_id)
    initial = {
        "name": unit.name,
        "kind": unit.kind,
        "country_code": unit.country_code,
        "is_active": unit.is_active,
    }
    form = OrgUnitForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.org_unit_update(actor=request.user, unit=unit, changes=form.cleaned_data)
        except (ValidationError, PermissionDeniedError) as error:
            form.add_error(None, error.messages if isinstance(error, ValidationError) else error.message)
        else:
            messages.success(request, _("Unit saved."))
            return redirect("accounts:unit_list")
    return render(
        request,
        "accounts/unit_form.html",
        {"form": form, "parent": unit.parent, "unit": unit},
        status=400 if form.errors else 200,
    )
