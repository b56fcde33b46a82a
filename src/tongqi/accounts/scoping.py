"""Object scoping: which org units' records a user may see. Enforced in querysets, not menus.

Every selector that lists or fetches business records passes its queryset through
``restrict_units`` (or the app's own ``restrict`` built on it), so a staff member who edits a URL
to reach another grid's record gets a 404, not the record.
"""

from __future__ import annotations

from django.db.models import QuerySet

from .models import OrgUnit
from .roles import Scope


def visible_unit_ids(user) -> frozenset[int] | None:
    """None = every unit (company-wide); an empty set = none at all."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_tq_visible_units", False)
    if cached is not False:
        return cached
    scope = user.scope
    result: frozenset[int] | None
    if scope == Scope.COMPANY:
        result = None
    elif scope == Scope.UNIT and user.org_unit_id:
        root = user.org_unit.scope_root
        if root.parent_id is None:
            result = None  # the company itself: everything
        else:
            result = frozenset(
                OrgUnit.objects.filter(path__startswith=root.path).values_list("id", flat=True)
            )
    else:
        result = frozenset()
    user._tq_visible_units = result
    return result


def restrict_units(qs: QuerySet, user, field: str = "org_unit") -> QuerySet:
    """Keep the rows whose ``field`` (an OrgUnit foreign key) is visible to ``user``."""
    ids = visible_unit_ids(user)
    if ids is None:
        return qs
    if not ids:
        return qs.none()
    return qs.filter(**{f"{field}_id__in": ids})


def can_see_unit(user, unit_id: int | None) -> bool:
    ids = visible_unit_ids(user)
    return ids is None or (unit_id is not None and unit_id in ids)
