"""The dashboard's breakdown tables, prepared in Python: a few hundred rows of linked figures
render several times faster than the same loops of template tags (see bench/bench_dashboards)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from tongqi.web.templatetags.tongqi import yuan


@dataclass(frozen=True)
class Cell:
    text: str
    href: str = ""


def _pct(v) -> str:
    return "—" if v is None else f"{v:.1f}%"


def _dash(v) -> str:
    return "—" if v is None else str(v)


def columns() -> list[str]:
    return [
        _("Applications"),
        _("Gas on"),
        _("Average working days"),
        _("Within the time limit"),
        _("Overdue"),
        _("Online ratio"),
        _("Customer came in person"),
        _("Satisfaction"),
        _("Open commitments (容缺)"),
        _("Receivables"),
    ]


def breakdown(rows, dim: str, base: dict) -> list[tuple[str, list[Cell]]]:
    """(label, cells) per row; each counted figure links to the applications behind it."""
    url = reverse("reports:applications")
    common = {k: v for k, v in base.items() if v not in (None, "")}

    def link(key, flag: str = "") -> str:
        if key is None:
            return ""
        value = key.strftime("%Y-%m") if hasattr(key, "strftime") else key
        params = {**common, dim: value}
        if flag:
            params["flag"] = flag
        return url + "?" + urlencode(sorted(params.items()))

    out = []
    for key, label, f in rows:
        out.append(
            (
                str(label),
                [
                    Cell(str(f.n), link(key)),
                    Cell(str(f.done), link(key, "done")),
                    Cell(_dash(f.avg_days)),
                    Cell(_pct(f.within_rate), link(key, "within")),
                    Cell(str(f.overdue), link(key, "overdue")),
                    Cell(_pct(f.online_rate), link(key, "online")),
                    Cell(str(f.visited), link(key, "visited")),
                    Cell(_dash(f.satisfaction)),
                    Cell(str(f.commitments_sum), link(key, "commitments")),
                    Cell(yuan(f.receivable_sum), link(key, "receivable")),
                ],
            )
        )
    return out
