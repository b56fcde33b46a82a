"""Operations of the API itself: who am I (and, for benchmarks only, a baseline insert)."""

from django.conf import settings
from ninja import Router, Schema, Status

from .errors import errors

router = Router(tags=["Session"])


class MeOut(Schema):
    username: str
    display_name: str
    role: str
    role_label: str
    org_unit: str | None
    capabilities: list[str]
    via: str


@router.get("/me", response={200: MeOut, **errors()}, summary="Who am I")
def me(request):
    """The signed-in user (session or token), their role and what they may do."""
    user = request.auth
    return {
        "username": user.get_username(),
        "display_name": user.display_name,
        "role": user.role,
        "role_label": str(user.get_role_display()),
        "org_unit": str(user.org_unit) if user.org_unit_id else None,
        "capabilities": sorted(str(c) for c in user.caps),
        "via": "token" if getattr(user, "_tq_api_token", None) is not None else "session",
    }


if settings.TONGQI_BENCH_ENDPOINTS:  # pragma: no cover - exercised by bench/run submit

    class BaselineOut(Schema):
        id: int

    @router.post(
        "/bench/baseline",
        response={201: BaselineOut, **errors()},
        summary="Benchmark baseline: insert one row (TONGQI_BENCH_ENDPOINTS=1 only)",
    )
    def bench_baseline(request):
        """The cheapest useful write through the same stack (auth, middleware, ORM, JSON): one
        in-app notification row for the caller. ``bench/run submit`` compares submissions to it."""
        from tongqi.integration.models import Notification

        n = Notification.objects.create(user=request.auth, title="baseline", topic="bench")
        return Status(201, {"id": n.pk})
