"""Set up Django for a benchmark: a throw-away SQLite database, or PostgreSQL when
``TONGQI_BENCH_DATABASE_URL`` names one (it is dropped and re-created)."""

from __future__ import annotations

import os
import tempfile
from urllib.parse import urlparse, urlunparse


def setup(name: str) -> str:
    """Configure the environment and run ``django.setup()`` + migrate. Returns the engine."""
    url = os.environ.get("TONGQI_BENCH_DATABASE_URL", "")
    os.environ["TONGQI_DATA_DIR"] = tempfile.mkdtemp(prefix=f"tongqi-bench-{name}-")
    os.environ.pop("DATABASE_URL", None)
    if url:
        import psycopg

        parts = urlparse(url)
        db = (parts.path.strip("/") or "tongqi_bench") + f"_{name}"
        admin = urlunparse(parts._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{db}"')
        os.environ["DATABASE_URL"] = urlunparse(parts._replace(path="/" + db))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongqi.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    from django.db import connection

    return connection.vendor
