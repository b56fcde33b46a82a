"""`tongqi backup` and `tongqi restore` round-trip the database and the uploaded files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from urllib.parse import urlparse, urlunparse

import pytest

SNAPSHOT = """
import hashlib, json
from pathlib import Path
from django.conf import settings
from tongqi.applications.models import Application, ApplicationEvent, Attachment
from tongqi.audit.selectors import audit_verify
files = {p.relative_to(settings.MEDIA_ROOT).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
         for p in Path(settings.MEDIA_ROOT).rglob('*') if p.is_file()}
print(json.dumps({
    'applications': list(Application.objects.order_by('pk').values_list('number', 'status', 'version')),
    'events': ApplicationEvent.objects.count(),
    'attachments': sorted(Attachment.objects.values_list('sha256', flat=True)),
    'files': files, 'audit_ok': audit_verify().ok}, default=str))
"""

ATTACH = """
from tongqi.applications.models import Application
from tongqi.applications.services import attachment_add
app = Application.objects.exclude(number=None).order_by('pk').first()
attachment_add(actor=None, application=app, kind='site_plan', name='plan.pdf',
               content=b'%PDF-1.4\\n% backup test\\n1 0 obj<<>>endobj\\ntrailer<<>>\\n%%EOF\\n')
"""


def _env(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TONGQI_", "DJANGO_"))}
    env["TONGQI_DATA_DIR"] = str(tmp_path / "data")
    url = os.environ.get("DATABASE_URL")
    if url:
        import psycopg

        parts = urlparse(url)
        name = f"tongqi_backup_{uuid.uuid4().hex[:8]}"
        admin = urlunparse(parts._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = urlunparse(parts._replace(path="/" + name))
        return env, (admin, name)
    return env, None


def _run(env, *args):
    proc = subprocess.run(
        [sys.executable, "-m", "tongqi", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return proc.stdout


@pytest.mark.slow
def test_backup_and_restore_round_trip(tmp_path):
    env, pg = _env(tmp_path)
    try:
        _run(env, "demo", "--no-serve")
        _run(env, "shell", "-c", ATTACH)
        before = json.loads(_run(env, "shell", "-c", SNAPSHOT).strip().splitlines()[-1])
        assert before["attachments"] and before["files"] and before["audit_ok"]
        archive = tmp_path / "tongqi.tar.gz"
        _run(env, "backup", str(archive))
        # lose everything: the database and the uploaded files
        _run(env, "flush", "--no-input")
        for root, _dirs, files in os.walk(tmp_path / "data" / "media"):
            for f in files:
                os.unlink(os.path.join(root, f))
        gone = json.loads(_run(env, "shell", "-c", SNAPSHOT).strip().splitlines()[-1])
        assert gone["applications"] == [] and gone["files"] == {}
        out = _run(env, "restore", str(archive), "--yes")
        assert "restored" in out
        after = json.loads(_run(env, "shell", "-c", SNAPSHOT).strip().splitlines()[-1])
        assert after == before
    finally:
        if pg:
            import psycopg

            with psycopg.connect(pg[0], autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{pg[1]}" WITH (FORCE)')


def test_restore_refuses_a_damaged_archive(tmp_path):
    import tarfile

    bad = tmp_path / "bad.tar.gz"
    with tarfile.open(bad, "w:gz") as tar:
        p = tmp_path / "manifest.json"
        p.write_text(json.dumps({"format": "something-else"}))
        tar.add(p, arcname="manifest.json")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TONGQI_", "DJANGO_"))}
    env["TONGQI_DATA_DIR"] = str(tmp_path / "d")
    env.pop("DATABASE_URL", None)
    proc = subprocess.run(
        [sys.executable, "-m", "tongqi", "restore", str(bad), "--yes"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "not a TongQi backup" in proc.stderr
