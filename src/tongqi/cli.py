"""The ``tongqi`` console script: Django's management commands under our settings.

``tongqi migrate``, ``tongqi check --deploy``, ``tongqi demo``, ``tongqi calendar due ...``.
A configuration problem is reported in one line and exit code 2, never as a traceback.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongqi.settings")
    argv = list(sys.argv if argv is None else ["tongqi", *argv])
    if len(argv) == 1:
        argv.append("help")
    from tongqi.env import ConfigError

    try:
        import django
        from django.conf import settings

        settings.INSTALLED_APPS  # noqa: B018 - force reading the environment now
        django.setup()
    except ConfigError as exc:
        print(f"tongqi: configuration error: {exc}", file=sys.stderr)
        return 2
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
