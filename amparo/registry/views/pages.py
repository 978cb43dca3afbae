"""What the registry pages share: paging with a capped count, htmx fragments, form errors."""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from amparo.accounts.models import User
from amparo.registry import selectors

PAGE_SIZE = 25


class AuthenticatedRequest(HttpRequest):
    """The request of a `login_required` view: its user is a real account."""

    user: User


def is_partial(request: HttpRequest) -> bool:
    """An htmx request that swaps a fragment (history restores get the full page)."""
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request


@dataclass(frozen=True)
class Page:
    rows: list[Any]
    number: int
    total: int
    capped: bool
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def num_pages(self) -> int | None:
        return None if self.capped else max(1, -(-self.total // PAGE_SIZE))

    @property
    def first_index(self) -> int:
        return (self.number - 1) * PAGE_SIZE + 1 if self.rows else 0

    @property
    def last_index(self) -> int:
        return (self.number - 1) * PAGE_SIZE + len(self.rows)


def paginate(request: HttpRequest, queryset: QuerySet[Any]) -> Page:
    """One page of 25, counted with the cap so huge lists stay fast ("more than 1000")."""
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    total, capped = selectors.capped_count(queryset, cap=selectors.COUNT_CAP)
    offset = (number - 1) * PAGE_SIZE
    rows = list(queryset[offset : offset + PAGE_SIZE + 1])
    return Page(
        rows=rows[:PAGE_SIZE], number=number, total=total, capped=capped, has_next=len(rows) > PAGE_SIZE
    )


def apply_errors(form: Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (or on the form when no field matches)."""
    if hasattr(error, "error_dict"):
        for name, field_messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, field_messages)
    else:
        form.add_error(None, error.messages)


def rebind(form: Form, **values: Any) -> dict[str, Any]:
    data = form.data.copy()  # type: ignore[attr-defined]  # a QueryDict
    for name, value in values.items():
        data[form.add_prefix(name)] = value
    return data


def vary_on_htmx(response: HttpResponse) -> HttpResponse:
    patch_vary_headers(response, ["HX-Request"])
    return response


def _display(value: Any) -> str:
    if value in (None, ""):
        return "—"
    if hasattr(value, "strftime"):
        return str(value.strftime("%d/%m/%Y"))
    if hasattr(value, "name") and hasattr(value, "code"):  # a Country
        return str(value.name) or "—"
    return str(value)


def mark_saved_values(form: Form, saved: dict[str, Any]) -> None:
    """After a conflict, show under each field what the other person saved, where it differs."""
    for name, saved_value in saved.items():
        field = form.fields.get(name)
        typed = form.cleaned_data.get(name) if hasattr(form, "cleaned_data") else None
        if field is None or (typed or "") == (saved_value or ""):
            continue
        if hasattr(field, "choices") and not hasattr(saved_value, "pk"):
            labels = dict(field.choices)
            saved_value = labels.get(saved_value, saved_value) if saved_value else saved_value
        field.saved_value = _display(saved_value)  # type: ignore[attr-defined]
