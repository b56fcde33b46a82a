"""The government portal channel (一网通办) under /api/v1/gov/: every operation is signed.

Apps add their portal operations to this one router from their own ``api.py`` (v1.py imports
every app's ``api`` module before it mounts this router)::

    from tongqi.api.errors import errors
    from tongqi.api.gov import gov_router
    from tongqi.api.idempotency import idempotent

    @gov_router.post("/applications", response={201: GovApplicationOut, **errors(404)})
    @idempotent(required=True)
    def gov_application_submit(request, payload: GovApplicationIn):
        client = request.auth          # the ApiClient that signed the request
        ...

Authentication (GovSignatureAuth), the 401/403 answers and the rate limit per client come with
the router; see docs/guides/integration.md for the signing rules.
"""

from datetime import datetime

from django.utils import timezone
from ninja import Router, Schema

from .auth import gov_auth
from .errors import errors

gov_router = Router(auth=[gov_auth], tags=["Government portal (一网通办)"])


class PingOut(Schema):
    app_key: str
    client: str
    server_time: datetime
    timestamp: int


@gov_router.get("/ping", response={200: PingOut, **errors()}, summary="Check a signature")
def gov_ping(request):
    """Answers a correctly signed request with the client's name and the server's clock, so an
    integrator can test the signing code (and the clock) before anything else."""
    now = timezone.localtime()
    client = request.auth
    return {
        "app_key": client.app_key,
        "client": client.name,
        "server_time": now,
        "timestamp": int(now.timestamp()),
    }
