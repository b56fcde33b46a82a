#!/usr/bin/env python3
"""One entry point for the routine jobs: set up, run the demo, test, lint, benchmark.

    python3 run.py demo [--port 8000]   set up .venv, then `tongqi demo`
    python3 run.py test [pytest args]   set up .venv with the test extras, then pytest
    python3 run.py lint                 ruff check + makemigrations --check
    python3 run.py bench [NAME ...]     the benchmark suite (bench/run)
    python3 run.py tongqi ARGS...       any `tongqi` command inside the virtualenv

Only the Python standard library is used here, so a machine with Python 3.11+ needs nothing else.
The virtualenv is rebuilt when pyproject.toml changes (a hash is kept beside it).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("TONGQI_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")


def _stamp(extras: str) -> str:
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:16]
    return f"{digest}:{extras}"


def ensure_venv(extras: str = "") -> None:
    """Create .venv and install the package (editable) with the given extras, once per change."""
    if sys.version_info < (3, 11):  # noqa: UP036 - run.py may be started by an older python3
        sys.exit(f"TongQi needs Python 3.11 or newer (found {sys.version.split()[0]}).")
    stamp_file = VENV / ".tongqi-stamp"
    wanted = _stamp(extras)
    have = stamp_file.read_text().split() if stamp_file.exists() else []
    if wanted in have:
        return
    if not PY.exists():
        print(f"[run.py] creating virtualenv in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True, upgrade_deps=False).create(VENV)
    target = f".[{extras}]" if extras else "."
    print(f"[run.py] installing TongQi and its dependencies ({target})", flush=True)
    subprocess.run(
        [str(PY), "-m", "pip", "install", "--disable-pip-version-check", "-q", "-e", target],
        cwd=ROOT,
        check=True,
    )
    # A test install also satisfies a plain one.
    keep = [wanted] + ([_stamp("")] if extras else [])
    stamp_file.write_text(" ".join(keep))


def run(cmd: list[str], env: dict[str, str] | None = None) -> int:
    return subprocess.call(cmd, cwd=ROOT, env={**os.environ, **(env or {})})


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return 0
    job, rest = argv[0], argv[1:]
    if job == "demo":
        ensure_venv()
        return run([str(BIN / "tongqi"), "demo", *rest])
    if job == "test":
        ensure_venv("test")
        return run([str(PY), "-m", "pytest", *rest])
    if job == "lint":
        ensure_venv("test")
        rc = run([str(PY), "-m", "ruff", "check", "."])
        return rc or run([str(BIN / "tongqi"), "makemigrations", "--check", "--dry-run"])
    if job == "bench":
        ensure_venv("test")
        return run([str(PY), str(ROOT / "bench" / "run"), *rest])
    if job == "tongqi":
        ensure_venv()
        return run([str(BIN / "tongqi"), *rest])
    print(f"unknown job {job!r}; try: python3 run.py help", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
