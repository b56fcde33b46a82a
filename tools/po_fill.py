#!/usr/bin/env python3
"""Fill untranslated entries of a .po catalogue from a JSON file {msgid: msgstr | [forms]}.

    python tools/po_fill.py src/tongqi/web/locale/zh_Hans/LC_MESSAGES/django.po zh.json
    python tools/po_fill.py --list src/tongqi/web/locale/zh_Hans/LC_MESSAGES/django.po

Then ``tongqi i18n --compile-only APP`` (or plain ``tongqi i18n APP``) compiles the .mo.
"""

import json
import sys

import polib


def main(argv):
    if argv and argv[0] == "--list":
        po = polib.pofile(argv[1])
        for e in po.untranslated_entries() + po.fuzzy_entries():
            print(json.dumps(e.msgid, ensure_ascii=False))
        return 0
    path, table_path = argv
    table = json.load(open(table_path, encoding="utf-8"))
    po = polib.pofile(path)
    filled = 0
    for e in po:
        if e.msgid in table and (not e.translated() or "fuzzy" in e.flags):
            value = table[e.msgid]
            if e.msgid_plural:
                forms = value if isinstance(value, list) else [value]
                e.msgstr_plural = {
                    i: forms[min(i, len(forms) - 1)] for i in range(max(1, len(forms)))
                }
            else:
                e.msgstr = value
            if "fuzzy" in e.flags:
                e.flags.remove("fuzzy")
            filled += 1
    po.save(path)
    left = len(po.untranslated_entries())
    print(f"filled {filled}, untranslated left {left}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
