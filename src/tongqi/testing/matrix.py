"""The permission matrix every page goes through (NetBox's ViewTestCases in spirit):

anonymous → sign-in redirect, signed in without the capability → 403, another org unit's (or
another customer's) object → 404, allowed → 200.
"""

from __future__ import annotations

from django.test import Client


def _get(client: Client, url: str, method: str, data=None):
    return getattr(client, method)(url, data or {})


def assert_matrix(
    url: str,
    *,
    allowed=None,
    wrong_role=None,
    other_scope=None,
    method: str = "get",
    data=None,
    ok_status: int | tuple[int, ...] = 200,
) -> None:
    """Check one URL against the users given (each optional but ``allowed``)."""
    anon = Client()
    resp = _get(anon, url, method, data)
    assert resp.status_code in (302, 401, 403), f"anonymous got {resp.status_code} at {url}"
    if resp.status_code == 302:
        assert "/accounts/login/" in resp["Location"], resp["Location"]
    if wrong_role is not None:
        c = Client()
        c.force_login(wrong_role)
        status = _get(c, url, method, data).status_code
        assert status in (403, 404), f"{wrong_role.role} got {status} at {url}, expected 403"
    if other_scope is not None:
        c = Client()
        c.force_login(other_scope)
        status = _get(c, url, method, data).status_code
        assert status == 404, f"out-of-scope {other_scope} got {status} at {url}, expected 404"
    if allowed is not None:
        c = Client()
        c.force_login(allowed)
        status = _get(c, url, method, data).status_code
        expected = ok_status if isinstance(ok_status, tuple) else (ok_status,)
        assert status in expected, f"{allowed.role} got {status} at {url}, expected {expected}"
