"""A tiny API for the idempotency tests: one create operation with a counted side effect."""

import threading

from django.db import OperationalError
from django.urls import path
from ninja import NinjaAPI, Schema, Status

from tongqi.api import errors
from tongqi.api.auth import USER_AUTH
from tongqi.api.errors import ApiError
from tongqi.api.idempotency import idempotent
from tongqi.integration.models import Notification

api = NinjaAPI(urls_namespace="test-idempotency", auth=USER_AUTH, docs_url=None)
errors.install(api)

ENTERED = threading.Event()
RELEASE = threading.Event()


class ThingIn(Schema):
    name: str
    fail: str = ""
    wait: bool = False


class ThingOut(Schema):
    id: int
    name: str


@api.post("/things", response={201: ThingOut, **errors.errors(404)})
@idempotent
def thing_create(request, payload: ThingIn):
    n = Notification.objects.create(user=request.auth, title=payload.name, topic="idem-test")
    if payload.wait:
        ENTERED.set()
        RELEASE.wait(timeout=30)
    if payload.fail == "500":
        raise RuntimeError("database password is hunter2")
    if payload.fail == "db":
        raise OperationalError("server closed the connection unexpectedly")
    if payload.fail == "404":
        raise ApiError("not_found")
    if payload.fail == "409":
        raise ApiError("conflict")
    return Status(201, {"id": n.pk, "name": n.title})


@api.post("/required", response={201: ThingOut, **errors.errors()})
@idempotent(required=True)
def thing_required(request, payload: ThingIn):
    n = Notification.objects.create(user=request.auth, title=payload.name, topic="idem-test")
    return Status(201, {"id": n.pk, "name": n.title})


urlpatterns = [path("api/", api.urls)]
