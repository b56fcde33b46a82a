"""Backups that round-trip the database and the uploaded files.

An archive (``.tar.gz``) holds ``manifest.json`` (format, engine, creation time, row counts of
every table, SHA-256 of every member), the database (SQLite: a consistent copy made with
SQLite's online backup API; PostgreSQL: ``pg_dump --format=custom``) and ``media/``. Restoring
checks every checksum first, then replaces the database (``pg_restore --clean``) and the files.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.utils import timezone

FORMAT = "tongqi-backup/1"


class BackupError(Exception):
    """The backup or restore could not be done; the message says why in one line."""


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def table_counts() -> dict[str, int]:
    counts = {}
    for model in apps.get_models():
        if model._meta.managed and not model._meta.proxy:
            counts[model._meta.db_table] = model._default_manager.count()
    return dict(sorted(counts.items()))


def _pg_env() -> tuple[list[str], dict[str, str]]:
    s = connection.settings_dict
    args = [
        "--host",
        s.get("HOST") or "127.0.0.1",
        "--port",
        str(s.get("PORT") or 5432),
        "--username",
        s.get("USER") or "postgres",
        "--dbname",
        s["NAME"],
    ]
    env = {**os.environ}
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = s["PASSWORD"]
    return args, env


def _need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise BackupError(f"{tool} is not installed (PostgreSQL client tools are needed)")
    return path


@dataclass
class BackupResult:
    path: Path
    counts: dict[str, int]
    files: int


def backup(target: Path) -> BackupResult:
    """Write a backup archive to ``target`` (a file path ending in .tar.gz)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    engine = connection.vendor
    with tempfile.TemporaryDirectory(prefix="tongqi-backup-") as tmp:
        tmpdir = Path(tmp)
        counts = table_counts()
        if engine == "sqlite":
            db_file = tmpdir / "db.sqlite3"
            connection.ensure_connection()
            src = sqlite3.connect(str(connection.settings_dict["NAME"]))
            dst = sqlite3.connect(str(db_file))
            with dst:
                src.backup(dst)
            src.close()
            dst.close()
        elif engine == "postgresql":
            db_file = tmpdir / "db.dump"
            args, env = _pg_env()
            proc = subprocess.run(
                [_need("pg_dump"), "--format=custom", "--no-owner", "--file", str(db_file), *args],
                env=env,
                capture_output=True,
                text=True,
            )
            if proc.returncode:
                raise BackupError(f"pg_dump failed: {proc.stderr.strip().splitlines()[-1:]}")
        else:
            raise BackupError(f"unsupported database engine {engine}")
        media_root = Path(settings.MEDIA_ROOT)
        media = (
            sorted(p for p in media_root.rglob("*") if p.is_file()) if media_root.exists() else []
        )
        members = {db_file.name: _sha256(db_file)}
        for p in media:
            members["media/" + p.relative_to(media_root).as_posix()] = _sha256(p)
        manifest = {
            "format": FORMAT,
            "engine": engine,
            "created_at": timezone.now().isoformat(),
            "tables": counts,
            "members": members,
        }
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            tar.add(db_file, arcname=db_file.name)
            for p in media:
                tar.add(p, arcname="media/" + p.relative_to(media_root).as_posix())
        partial.replace(target)  # an interrupted backup never looks complete
    return BackupResult(path=target, counts=counts, files=len(media))


def read_manifest(archive: Path) -> dict:
    with tarfile.open(archive, "r:gz") as tar:
        member = tar.extractfile("manifest.json")
        if member is None:
            raise BackupError("the archive has no manifest.json")
        manifest = json.loads(member.read())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"not a TongQi backup (format {manifest.get('format')!r})")
    return manifest


def restore(archive: Path) -> dict:
    """Replace the database and the uploaded files with the archive's. Returns the manifest."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"no such file: {archive}")
    manifest = read_manifest(archive)
    engine = connection.vendor
    if manifest["engine"] != engine:
        raise BackupError(
            f"the archive is a {manifest['engine']} backup; this installation uses {engine}"
        )
    with tempfile.TemporaryDirectory(prefix="tongqi-restore-") as tmp:
        tmpdir = Path(tmp)
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(tmpdir, filter="data")
        for name, digest in manifest["members"].items():
            path = tmpdir / name
            if not path.is_file() or _sha256(path) != digest:
                raise BackupError(f"{name} is missing or damaged in the archive; nothing restored")
        connection.close()
        if engine == "sqlite":
            db_path = Path(connection.settings_dict["NAME"])
            for suffix in ("-wal", "-shm"):
                Path(str(db_path) + suffix).unlink(missing_ok=True)
            shutil.copyfile(tmpdir / "db.sqlite3", db_path)
        else:
            args, env = _pg_env()
            proc = subprocess.run(
                [
                    _need("pg_restore"),
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    *args,
                    str(tmpdir / "db.dump"),
                ],
                env=env,
                capture_output=True,
                text=True,
            )
            if proc.returncode:
                raise BackupError(f"pg_restore failed: {proc.stderr.strip()[-300:]}")
        media_root = Path(settings.MEDIA_ROOT)
        if media_root.exists():
            shutil.rmtree(media_root)
        if (tmpdir / "media").exists():
            shutil.copytree(tmpdir / "media", media_root)
        else:
            media_root.mkdir(parents=True, exist_ok=True)
    return manifest
