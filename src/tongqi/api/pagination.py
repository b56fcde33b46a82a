"""Limit/offset pagination for list operations (ninja's paginator with our bounds)::

    @router.get("/things", response={200: list[ThingOut], **errors()})
    @paginate(LimitOffset)
    def things(request, filters: Query[ThingFilter]):
        return selectors.things_for(user=request.auth, **filters.dict(exclude_none=True))

The answer is ``{"items": [...], "count": N, "limit": L, "offset": O}``; ``limit`` is 1-100
(default 20), ``offset`` ≥ 0. Return a queryset ordered by a unique key so pages are stable.
"""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema
from ninja.pagination import PaginationBase, paginate

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "LimitOffset", "paginate"]

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_OFFSET = 10_000_000


class LimitOffset(PaginationBase):
    class Input(Schema):
        limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page (1-100).")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Items to skip.")

    class Output(Schema):
        items: list[Any]
        count: int = Field(..., description="Items matching the filters, on every page.")
        limit: int
        offset: int

    def paginate_queryset(self, queryset, pagination: Input, request, **params) -> Any:
        offset, limit = pagination.offset, pagination.limit
        return {
            "items": queryset[offset : offset + limit],
            "count": self._items_count(queryset),
            "limit": limit,
            "offset": offset,
        }
