"""``tongqi i18n [APP ...]``: refresh each app's zh_Hans catalogue and compile it.

Each app keeps its own ``locale/zh_Hans/LC_MESSAGES/django.po`` (so areas can be worked on in
parallel without merge fights). ``--check`` reports untranslated or fuzzy entries and fails.
Needs GNU gettext (xgettext, msgfmt) on the developer's machine; the compiled ``.mo`` files are
committed so a user's machine needs nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

LANG = "zh_Hans"


def app_dir(app: str) -> Path:
    module = __import__(app, fromlist=["__file__"])
    return Path(module.__file__).parent


def untranslated(po_path: Path) -> list[str]:
    """msgids with an empty msgstr or marked fuzzy (a tiny reader; enough for our catalogues)."""
    problems, msgid, fuzzy, state = [], None, False, None
    entries = []
    text = po_path.read_text(encoding="utf-8")
    for line in [*text.splitlines(), ""]:
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("msgid "):
            msgid, state = [line[6:].strip('"')], "id"
            msgstr = []
        elif line.startswith("msgid_plural"):
            state = "plural"
        elif line.startswith("msgstr"):
            state = "str"
            msgstr.append(line.split(" ", 1)[1].strip('"'))
        elif line.startswith('"') and state == "id":
            msgid.append(line.strip('"'))
        elif line.startswith('"') and state == "str":
            msgstr.append(line.strip('"'))
        elif not line.strip() and msgid is not None:
            entries.append(("".join(msgid), "".join(msgstr), fuzzy))
            msgid, fuzzy, state = None, False, None
    for mid, mstr, fz in entries:
        if mid and (not mstr or fz):
            problems.append(mid)
    return problems


class Command(BaseCommand):
    help = "Refresh and compile the zh_Hans catalogues of our apps."

    def add_arguments(self, parser):
        parser.add_argument("apps", nargs="*", help="app labels (default: all)")
        parser.add_argument("--check", action="store_true", help="fail on untranslated entries")
        parser.add_argument("--compile-only", action="store_true")

    def handle(self, *args, apps=(), check=False, compile_only=False, **options):
        labels = apps or [a.rsplit(".", 1)[-1] for a in settings.TONGQI_APPS]
        missing: dict[str, list[str]] = {}
        cwd = os.getcwd()
        for label in labels:
            path = app_dir(f"tongqi.{label}")
            (path / "locale").mkdir(exist_ok=True)
            os.chdir(path)
            try:
                if not compile_only:
                    call_command(
                        "makemessages",
                        locale=[LANG],
                        no_location=True,
                        no_obsolete=True,
                        verbosity=0,
                        ignore_patterns=["tests/*"],
                    )
                po = path / "locale" / LANG / "LC_MESSAGES" / "django.po"
                if po.exists():
                    call_command("compilemessages", locale=[LANG], verbosity=0)
                    bad = untranslated(po)
                    if bad:
                        missing[label] = bad
            finally:
                os.chdir(cwd)
        for label, ids in missing.items():
            self.stdout.write(f"{label}: {len(ids)} untranslated")
            for mid in ids[:50]:
                self.stdout.write(f"    {mid}")
        if check and missing:
            raise CommandError("untranslated catalogue entries (see above)")
