"""List pages: sorting from a whitelist, pagination, and the query string kept across pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

PER_PAGE = 20
# Counting stops here: a count over a million rows costs more than the page itself, and nobody
# pages through more than this. Below the cap the count is exact; above it the page says "10,000+".
COUNT_CAP = 10_000


TAB_CAP = 999


class CappedCount(int):
    """A count that stopped at its cap: shown as "999+"."""

    capped: bool = False

    def __str__(self) -> str:
        return f"{int(self)}+" if self.capped else str(int(self))

    @classmethod
    def of(cls, n: int, capped: bool) -> CappedCount:
        result = cls(n)
        result.capped = capped
        return result


def capped_count(qs: QuerySet, cap: int = TAB_CAP) -> CappedCount:
    """``qs.count()`` that reads at most ``cap + 1`` rows."""
    n = qs.order_by()[: cap + 1].count()
    return CappedCount.of(min(n, cap), n > cap)


class CappedPaginator(Paginator):
    """A paginator whose count reads at most ``cap + 1`` rows (``capped`` when there are more)."""

    def __init__(self, object_list, per_page, *, cap: int = COUNT_CAP, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap
        self.capped = False

    @cached_property
    def count(self) -> int:
        if isinstance(self.object_list, QuerySet):
            n = self.object_list.order_by()[: self.cap + 1].count()
        else:
            n = len(self.object_list)
        self.capped = n > self.cap
        return min(n, self.cap)


@dataclass(frozen=True)
class Sort:
    key: str
    descending: bool
    field: str

    @property
    def order_by(self) -> str:
        return ("-" if self.descending else "") + self.field


def sort_from_request(request, allowed: dict[str, str], default: str) -> Sort:
    """``?sort=created`` or ``?sort=-created``; only keys in ``allowed`` (key → model field)."""
    raw = request.GET.get("sort") or default
    desc = raw.startswith("-")
    key = raw.lstrip("-")
    if key not in allowed:
        desc = default.startswith("-")
        key = default.lstrip("-")
    return Sort(key=key, descending=desc, field=allowed[key])


def paginate(
    request, qs: QuerySet | list, per_page: int = PER_PAGE, *, cap: int = COUNT_CAP
) -> Page:
    paginator = CappedPaginator(qs, per_page, cap=cap, allow_empty_first_page=True)
    return paginator.get_page(request.GET.get("page"))
