"""Page-number pagination for API lists, with a capped count.

Counting a million matching rows to print "1,234,567 results" costs more than the page
itself, so lists count up to a cap (the caller's `capped_count`) and say when the real
number is higher. Whether a next page exists is known by fetching one row more than asked.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.utils.urls import remove_query_param, replace_query_param

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 200


class StandardPagination(PageNumberPagination):
    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE


class PageQuerySerializer(serializers.Serializer):
    """Query parameters of every paginated list; list filters inherit from it."""

    page = serializers.IntegerField(min_value=1, max_value=100_000, default=1)
    page_size = serializers.IntegerField(min_value=1, max_value=MAX_PAGE_SIZE, default=DEFAULT_PAGE_SIZE)


class PageSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Matching rows, counted up to a cap (see count_is_capped).")
    count_is_capped = serializers.BooleanField(help_text="True when more rows match than `count` says.")
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)


def page_serializer(item: type[serializers.Serializer], *, owner: str = "") -> type[serializers.Serializer]:
    """The response of a list of `item`s: `PersonListApi.PageSerializer` → schema `PersonListPage`."""
    owner = owner or item.__qualname__.rsplit(".", 1)[0]
    return type(
        "PageSerializer",
        (PageSerializer,),
        {
            "results": item(many=True),
            "__qualname__": f"{owner}.PageSerializer",
            "__module__": item.__module__,
        },
    )


@dataclass(frozen=True)
class Page:
    rows: Sequence[Any]
    count: int
    count_is_capped: bool
    number: int
    size: int
    has_next: bool

    def links(self, request: Request) -> dict[str, str | None]:
        url = request.build_absolute_uri()
        previous = None
        if self.number > 1:
            previous = (
                replace_query_param(url, "page", self.number - 1)
                if self.number > 2
                else remove_query_param(url, "page")
            )
        return {
            "next": replace_query_param(url, "page", self.number + 1) if self.has_next else None,
            "previous": previous,
        }


def page_of(queryset: QuerySet[Any], *, number: int, size: int, counted: tuple[int, bool]) -> Page:
    """One page of an ordered queryset; `counted` is the (count, capped) pair of the same queryset."""
    start = (number - 1) * size
    rows = list(queryset[start : start + size + 1])
    count, capped = counted
    return Page(
        rows=rows[:size],
        count=count,
        count_is_capped=capped,
        number=number,
        size=size,
        has_next=len(rows) > size,
    )


def page_data(page: Page, request: Request, results: Any) -> dict[str, Any]:
    return {
        "count": page.count,
        "count_is_capped": page.count_is_capped,
        "page": page.number,
        "page_size": page.size,
        **page.links(request),
        "results": results,
    }
