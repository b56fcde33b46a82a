"""Every app's zh_Hans catalogue is complete and its compiled .mo matches the .po."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest

ROOT = Path(__import__("tongqi").__file__).parent
CATALOGUES = sorted(ROOT.glob("*/locale/zh_Hans/LC_MESSAGES/django.po"))


def test_there_are_catalogues():
    assert len(CATALOGUES) >= 4


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: p.parts[-5])
def test_catalogue_is_complete_and_compiled(po_path):
    po = polib.pofile(str(po_path))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"untranslated in {po_path}: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy in {po_path}: {fuzzy[:10]}"
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"run `tongqi i18n` to compile {po_path}"
    mo = polib.mofile(str(mo_path))
    compiled = {(e.msgctxt, e.msgid): (e.msgstr or e.msgstr_plural) for e in mo}
    for e in po.translated_entries():
        key = (e.msgctxt, e.msgid)
        assert key in compiled, f"{e.msgid!r} missing from {mo_path}: recompile"
        want = e.msgstr or {int(k): v for k, v in e.msgstr_plural.items()}
        got = compiled[key]
        if isinstance(got, dict):
            got = {int(k): v for k, v in got.items()}
        assert got == want, f"{e.msgid!r} differs in {mo_path}: recompile"
