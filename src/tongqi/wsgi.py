"""WSGI entry point for gunicorn: ``gunicorn tongqi.wsgi``."""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongqi.settings")

from tongqi.env import ConfigError  # noqa: E402

try:
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
except ConfigError as exc:  # one clear line, not a traceback
    sys.stderr.write(f"tongqi: configuration error: {exc}\n")
    raise SystemExit(2) from None
