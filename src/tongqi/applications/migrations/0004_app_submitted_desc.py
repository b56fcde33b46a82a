"""The workbench's default order (newest first: ``submitted_at DESC NULLS LAST, id DESC``) read
from an index on PostgreSQL instead of sorting every application (ADR 0013, bench dashboards).
SQLite cannot index NULLS LAST; its lists are small."""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS app_submitted_desc ON applications_application "
    "(submitted_at DESC NULLS LAST, id DESC)"
)
DROP = "DROP INDEX IF EXISTS app_submitted_desc"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("applications", "0003_application_app_location")]

    operations = [migrations.RunPython(forwards, backwards)]
