"""Charts of the dashboard, drawn server-side as SVG by pygal (a package: no CDN, no script).

The SVG is served as an image (``<img src=…>``): the page keeps its strict CSP, and pygal's own
style sheet lives inside the SVG document, whose response allows exactly that (see views).
"""

from __future__ import annotations

import re

import pygal
from django.utils.translation import gettext as _
from pygal.style import Style

from tongqi.applications.choices import Category, Channel

from .choices import Sla

FONT = '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif'
STYLE = Style(
    font_family=FONT,
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1f1f1f",
    foreground_strong="#1f1f1f",
    foreground_subtle="#8c8c8c",
    colors=("#1677ff", "#52c41a", "#faad14", "#ff4d4f", "#8c8c8c", "#13c2c2"),
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=12,
    title_font_size=14,
    value_font_size=11,
)
_SCRIPT = re.compile(rb"<script.*?</script>", re.S)


def _config(**kw):
    return dict(
        js=[],
        style=STYLE,
        width=640,
        height=300,
        legend_at_bottom=True,
        print_values=False,
        show_y_guides=True,
        disable_xml_declaration=False,
        no_data_text=_("No data"),
        **kw,
    )


def _render(chart) -> bytes:
    return _SCRIPT.sub(b"", chart.render())


def trend(months) -> bytes:
    """Applications submitted and gas-on per month, with the within-limit rate."""
    chart = pygal.Bar(**_config(title=_("Applications per month"), x_label_rotation=0))
    chart.x_labels = [m.strftime("%Y-%m") for m, _label, _f in months]
    chart.add(_("Submitted"), [f.n for _m, _label, f in months])
    chart.add(_("Gas on"), [f.done for _m, _label, f in months])
    chart.add(
        _("Within the time limit (%)"),
        [None if f.within_rate is None else round(f.within_rate, 1) for _m, _l, f in months],
        secondary=True,
    )
    return _render(chart)


def days_by_category(categories) -> bytes:
    """Average working days used (gas-on applications) against each category's limit."""
    limits = {Category.STANDARD_PACKAGE: 3, Category.NO_EXTERNAL_WORKS: 8}
    limits[Category.WITH_EXTERNAL_WORKS] = 16
    chart = pygal.Bar(**_config(title=_("Average working days by project category")))
    shown = [(k, label, f) for k, label, f in categories if k]
    chart.x_labels = [str(label) for _k, label, _f in shown]
    chart.add(_("Average working days"), [float(f.avg_days or 0) for _k, _l, f in shown])
    chart.add(_("Time limit"), [limits.get(k) for k, _l, _f in shown])
    return _render(chart)


def sla(total) -> bytes:
    chart = pygal.Pie(**_config(title=_("Time-limit compliance"), inner_radius=0.45))
    chart.add(str(Sla.ON_TIME.label), total.on_time)
    chart.add(str(Sla.WARNED.label), total.warned)
    chart.add(str(Sla.OVERDUE.label), total.overdue)
    return _render(chart)


def channels(rows) -> bytes:
    chart = pygal.Pie(**_config(title=_("Applications by channel"), inner_radius=0.45))
    labels = dict(Channel.choices)
    for key, _label, f in rows:
        chart.add(str(labels.get(key, key)), f.n)
    return _render(chart)


CHARTS = {"trend", "days", "sla", "channels"}
