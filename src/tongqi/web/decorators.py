"""View guards: sign-in required, then a capability; 403 when the role lacks it."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


def capability_required(*caps: str):
    """Anonymous → sign-in page; signed in without any of ``caps`` → 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not any(user.can(c) for c in caps):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_caps = caps
        return wrapped

    return decorator
