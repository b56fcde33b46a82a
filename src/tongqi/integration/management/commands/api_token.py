"""``tongqi api_token``: issue or revoke a user's API token from the server's shell.

    tongqi api_token create USERNAME --name "ERP bridge" --days 90   # prints the token once
    tongqi api_token revoke PREFIX

For operators (and the API fuzz run) where the user cannot use the page themselves; every use is
audited with channel "cli". Administrators and auditors get no tokens (second factor).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from tongqi.core.context import acting
from tongqi.integration import services
from tongqi.integration.models import ApiToken


class Command(BaseCommand):
    help = "Create (printing it once) or revoke a user's REST API token."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="issue a token and print it")
        create.add_argument("username")
        create.add_argument("--name", default="command line")
        create.add_argument("--days", type=int, default=30, choices=services.TOKEN_DAYS_CHOICES)
        revoke = sub.add_parser("revoke", help="revoke a token by its prefix (tq_…)")
        revoke.add_argument("prefix")

    def handle(self, *args, action, **opts):
        with acting(channel="cli"):
            if action == "create":
                return self._create(opts["username"], opts["name"], opts["days"])
            return self._revoke(opts["prefix"])

    def _create(self, username, name, days):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username!r}")
        try:
            _token, raw = services.token_create(user=user, name=name, days=days)
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError(f"cannot create a token for {username}: {exc}") from None
        self.stdout.write(raw)

    def _revoke(self, prefix):
        tokens = list(ApiToken.objects.filter(prefix=prefix[:10], revoked_at__isnull=True))
        if len(tokens) != 1:
            raise CommandError(
                f"{len(tokens)} active tokens match {prefix!r}; give the prefix shown on the page"
            )
        services.token_revoke(token=tokens[0], actor=tokens[0].user)
        self.stdout.write(f"revoked {tokens[0]}")
