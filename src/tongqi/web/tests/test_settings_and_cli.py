"""The environment is read in one place; bad values give one clear line; production passes
``check --deploy``; the demo seeds once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tongqi.env import ConfigError, Env

STRONG = "k" * 20 + "-Secret_Key-0123456789abcdefghijklmnopqrstuvwxyz"


@pytest.mark.parametrize(
    ("environ", "fragment"),
    [
        ({"TONGQI_ENV": "production"}, "TONGQI_SECRET_KEY is required"),
        ({"TONGQI_ENV": "production", "TONGQI_SECRET_KEY": "short"}, "at least 50 characters"),
        (
            {"TONGQI_ENV": "production", "TONGQI_SECRET_KEY": STRONG},
            "TONGQI_ALLOWED_HOSTS is required",
        ),
        ({"TONGQI_ENV": "staging"}, "TONGQI_ENV must be"),
        ({"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL must start with postgres://"),
        ({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432"}, "must name a database"),
        ({"TONGQI_LOCKOUT_FAILURES": "five"}, "must be a whole number"),
        ({"TONGQI_REQUIRE_2FA": "maybe"}, "TONGQI_REQUIRE_2FA must be one of"),
        ({"TONGQI_PASSWORD_PROFILE": "weak"}, "TONGQI_PASSWORD_PROFILE"),
    ],
)
def test_bad_environment_gives_one_clear_message(environ, fragment):
    with pytest.raises(ConfigError) as exc:
        Env.read(environ)
    assert fragment in str(exc.value)
    assert "\n" not in str(exc.value)


def test_defaults_need_nothing():
    env = Env.read({})
    assert env.database_url is None and not env.production
    assert env.data_dir.name == "var"
    assert "127.0.0.1" in env.allowed_hosts


def _tongqi(args, env_extra, tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TONGQI_", "DJANGO_")) and k != "DATABASE_URL"
    }
    env.update({"TONGQI_DATA_DIR": str(tmp_path), **env_extra})
    return subprocess.run(
        [sys.executable, "-m", "tongqi", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )


def test_cli_reports_a_config_error_in_one_line(tmp_path):
    proc = _tongqi(["check"], {"TONGQI_ENV": "production"}, tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert "TONGQI_SECRET_KEY is required" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_production_settings_pass_check_deploy(tmp_path):
    proc = _tongqi(
        ["check", "--deploy", "--fail-level", "WARNING"],
        {
            "TONGQI_ENV": "production",
            "TONGQI_SECRET_KEY": STRONG,
            "TONGQI_ALLOWED_HOSTS": "gas.example.com",
        },
        tmp_path,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no issues" in proc.stdout


@pytest.mark.django_db
def test_demo_seeding_twice_changes_nothing():
    from django.apps import apps

    from tongqi.web.seeding import seed_demo

    assert seed_demo() is not None
    counts = {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.app_label not in {"sessions", "axes"}
    }
    assert counts["accounts.User"] > 50
    assert seed_demo() is None
    again = {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.app_label not in {"sessions", "axes"}
    }
    assert again == counts


def test_package_ships_templates_and_static():
    root = Path(__import__("tongqi").__file__).parent
    assert (root / "web" / "static" / "tongqi" / "css" / "app.css").exists()
    assert (root / "web" / "templates" / "web" / "base.html").exists()


@pytest.mark.django_db
def test_models_and_migrations_agree():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exc:
        pytest.fail(
            f"models changed without a migration (run tongqi makemigrations):\n"
            f"{out.getvalue()} exit {exc.code}"
        )
