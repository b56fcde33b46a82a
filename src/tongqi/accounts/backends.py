"""Sign in with the user name or the mainland mobile number."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q


class UsernameOrMobileBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        User = get_user_model()
        candidates = list(
            User.objects.filter(Q(username=username) | Q(mobile=username)).order_by("id")[:2]
        )
        # A mobile number shared by two accounts is ambiguous: only the user name then works.
        user = None
        for c in candidates:
            if c.username == username:
                user = c
                break
        if user is None and len(candidates) == 1:
            user = candidates[0]
        if user is None:
            User().set_password(password)  # equalise timing with the found-user path
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
