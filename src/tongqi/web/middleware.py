"""Request-wide middleware: the actor context for the audit log, and no-store caching."""

from __future__ import annotations

from tongqi.core import context


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def request_channel(request) -> str:
    if request.path.startswith("/api/v1/gov/"):
        return "gov"
    if request.path.startswith("/api/"):
        return "api"
    if request.COOKIES.get("tongqi_kiosk") == "1" or request.GET.get("kiosk") == "1":
        return "kiosk"
    return "web"


class RequestContextMiddleware:
    """Records who acts, from which IP and channel, for the audit log and the event rows."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        token = context.set_current(
            context.ActorContext(user=user, ip=client_ip(request), channel=request_channel(request))
        )
        try:
            return self.get_response(request)
        finally:
            context.reset(token)


class NoStoreMiddleware:
    """Pages for a signed-in user may hold personal data: browsers and proxies must not keep them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            response["Cache-Control"] = "no-store, private"
            response["Pragma"] = "no-cache"
        return response


class ChineseFirstMiddleware:
    """The interface is Chinese unless the user chose English with the language switch.

    Browsers on utility desktops often advertise English; we ignore Accept-Language so the
    choice is the user's (the language cookie), not the browser's default.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
