"""A simple map drawn on the server as SVG: grid polygons, application points, projects and the
radius circle. No tile server and no script (utility intranets have no internet; the CSP allows
no inline style), only SVG presentation attributes. Every mark has a shape and a number as well
as a colour, and the page repeats the data in a table."""

from __future__ import annotations

import math
from collections.abc import Iterable

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from tongqi.core.geo import BBox, MapFrame

from .choices import STAGE_GROUPS, ProjectStatus
from .geometry import grid_area
from .planning import Demand

GROUP_STYLE = {key: (colour, shape) for key, _label, colour, shape, _s in STAGE_GROUPS}
PROJECT_COLOUR = "#a8071a"
DASHED_STATUSES = {ProjectStatus.PLANNED, ProjectStatus.APPROVALS}
NICE_LENGTHS = (50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000)


def _num(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def marker(shape: str, x: float, y: float, colour: str, size: float = 7.0) -> str:
    """One point mark; the shape carries the stage group as much as the colour does."""
    s = size
    common = f'fill="{colour}" stroke="#ffffff" stroke-width="1.5"'
    if shape == "square":
        return f'<rect x="{_num(x - s)}" y="{_num(y - s)}" width="{_num(2 * s)}" height="{_num(2 * s)}" {common}/>'
    if shape == "triangle":
        pts = [(x, y - 1.25 * s), (x + 1.15 * s, y + 0.85 * s), (x - 1.15 * s, y + 0.85 * s)]
        return f'<polygon points="{_pts(pts)}" {common}/>'
    if shape == "diamond":
        d = 1.35 * s
        pts = [(x, y - d), (x + d, y), (x, y + d), (x - d, y)]
        return f'<polygon points="{_pts(pts)}" {common}/>'
    if shape == "star":
        pts = []
        for i in range(10):
            r = 1.6 * s if i % 2 == 0 else 0.7 * s
            a = math.pi / 2 + i * math.pi / 5
            pts.append((x + r * math.cos(a), y - r * math.sin(a)))
        return f'<polygon points="{_pts(pts)}" fill="{colour}" stroke="#ffffff" stroke-width="1"/>'
    return f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{_num(s)}" {common}/>'


def _pts(points: Iterable[tuple[float, float]]) -> str:
    return " ".join(f"{_num(x)},{_num(y)}" for x, y in points)


def legend_icon(shape: str, colour: str) -> SafeString:
    """A 20 × 20 icon of a legend entry (used beside the legend's text)."""
    return mark_safe(  # noqa: S308 - built from our own constants
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 20 20" width="20" height="20" '
        f'aria-hidden="true" focusable="false">{marker(shape, 10, 10, colour, 6)}</svg>'
    )


def project_icon(dashed: bool) -> SafeString:
    dash = ' stroke-dasharray="6 4"' if dashed else ""
    return mark_safe(  # noqa: S308 - constants only
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 28 20" width="28" height="20" '
        f'aria-hidden="true" focusable="false"><line x1="2" y1="10" x2="26" y2="10" '
        f'stroke="{PROJECT_COLOUR}" stroke-width="4"{dash}/></svg>'
    )


def _scale_bar(frame: MapFrame) -> str:
    length = next(
        (m for m in NICE_LENGTHS if 60 <= frame.pixels(m) <= 180),
        NICE_LENGTHS[0],
    )
    px = frame.pixels(length)
    x0, y0 = 16, frame.height - 16
    label = f"{length // 1000} km" if length >= 1000 else f"{length} m"
    return (
        f'<g aria-hidden="true"><line x1="{x0}" y1="{y0}" x2="{_num(x0 + px)}" y2="{y0}" '
        f'stroke="#262626" stroke-width="2"/>'
        f'<line x1="{x0}" y1="{y0 - 5}" x2="{x0}" y2="{y0}" stroke="#262626" stroke-width="2"/>'
        f'<line x1="{_num(x0 + px)}" y1="{y0 - 5}" x2="{_num(x0 + px)}" y2="{y0}" '
        f'stroke="#262626" stroke-width="2"/>'
        f'<text x="{_num(x0 + px / 2)}" y="{y0 - 6}" font-size="12" text-anchor="middle" '
        f'fill="#262626">{label}</text></g>'
    )


def _north(frame: MapFrame) -> str:
    x = frame.width - 24
    return (
        f'<g aria-hidden="true"><polygon points="{x},14 {x + 7},32 {x},28 {x - 7},32" '
        f'fill="#262626"/><text x="{x}" y="46" font-size="12" text-anchor="middle" '
        f'fill="#262626">N</text></g>'
    )


def render_map(demand: Demand, grids: Iterable, *, title: str) -> SafeString | None:
    """The SVG markup of the planning map, or None when nothing on it has a location."""
    if demand.area is None:
        return None
    box: BBox = demand.area
    frame = MapFrame.fit(box)
    out: list[str] = []
    desc = _("{n} open applications, {p} gas-source projects").format(
        n=demand.count, p=len(demand.projects)
    )
    out.append(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {frame.width} {frame.height}" '
        f'width="100%" role="img" aria-labelledby="works-map-title works-map-desc" '
        f'class="works-map">'
        f'<title id="works-map-title">{escape(title)}</title>'
        f'<desc id="works-map-desc">{escape(desc)}</desc>'
        f'<rect x="0" y="0" width="{frame.width}" height="{frame.height}" fill="#f7f9fc"/>'
    )
    # grids
    selected = demand.grid.pk if demand.grid is not None else None
    labels = []
    for g in grids:
        area = grid_area(g.polygon_wkt)
        if area is None or not area.envelope.intersects(box.expand(2000)):
            continue
        is_sel = g.pk == selected
        fill = "#e6f4ff" if is_sel else "#ffffff"
        stroke = "#1677ff" if is_sel else "#bfbfbf"
        width = "2.5" if is_sel else "1"
        for ring in area.rings:
            d = "M " + " L ".join(_pts([frame.xy(lng, lat)]) for lng, lat in ring) + " Z"
            out.append(
                f'<path d="{d}" fill="{fill}" stroke="{stroke}" stroke-width="{width}">'
                f"<title>{escape(g.unit.name)}</title></path>"
            )
        lx, ly = frame.xy(*area.label_at)
        labels.append(
            f'<text x="{_num(lx)}" y="{_num(ly)}" font-size="13" text-anchor="middle" '
            f'fill="{"#0958d9" if is_sel else "#8c8c8c"}">{escape(g.unit.name)}</text>'
        )
    out.extend(labels)
    # the radius
    if demand.radius_m and demand.path:
        r = frame.pixels(demand.radius_m)
        if len(demand.path) == 1:
            cx, cy = frame.xy(*demand.path[0])
            out.append(
                f'<circle cx="{_num(cx)}" cy="{_num(cy)}" r="{_num(r)}" fill="#1677ff" '
                f'fill-opacity="0.06" stroke="#1677ff" stroke-width="1.5" '
                f'stroke-dasharray="6 4"/>'
            )
        else:  # a corridor around the route: the route drawn as wide as the radius
            pts = _pts(frame.xy(lng, lat) for lng, lat in demand.path)
            out.append(
                f'<polyline points="{pts}" fill="none" stroke="#1677ff" stroke-opacity="0.08" '
                f'stroke-width="{_num(2 * r)}" stroke-linecap="round" stroke-linejoin="round"/>'
            )
    # projects
    drawn = [(n.project, n.coords, False) for n in demand.projects]
    if demand.subject is not None:
        drawn.append((demand.subject, tuple(demand.path), True))
    for p, coords, is_subject in drawn:
        colour = PROJECT_COLOUR
        label = escape(f"{p.number} {p.name}（{p.get_status_display()}）")
        if len(coords) == 1:
            x, y = frame.xy(*coords[0])
            out.append(
                f"<g>{marker('star', x, y, colour, 8 if is_subject else 6)}<title>{label}</title></g>"
            )
        else:
            dash = ' stroke-dasharray="10 6"' if p.status in DASHED_STATUSES else ""
            pts = _pts(frame.xy(lng, lat) for lng, lat in coords)
            out.append(
                f'<polyline points="{pts}" fill="none" stroke="{colour}" '
                f'stroke-width="{6 if is_subject else 4}" stroke-linecap="round" '
                f'stroke-linejoin="round"{dash}><title>{label}</title></polyline>'
            )
    if demand.mode == "point" and demand.path:
        x, y = frame.xy(*demand.path[0])
        out.append(
            f'<g aria-hidden="true"><line x1="{_num(x - 8)}" y1="{_num(y)}" x2="{_num(x + 8)}" '
            f'y2="{_num(y)}" stroke="#262626" stroke-width="2"/><line x1="{_num(x)}" '
            f'y1="{_num(y - 8)}" x2="{_num(x)}" y2="{_num(y + 8)}" stroke="#262626" '
            f'stroke-width="2"/></g>'
        )
    # applications
    for row in demand.rows:
        app = row.application
        if not row.located:
            continue
        colour, shape = GROUP_STYLE.get(row.group, ("#595959", "circle"))
        x, y = frame.xy(float(app.longitude), float(app.latitude))
        label = escape(
            f"{row.index}. {app.number} {app.enterprise.name}（{app.get_status_display()}）"
        )
        out.append(
            f"<g>{marker(shape, x, y, colour)}<title>{label}</title>"
            f'<text x="{_num(x + 10)}" y="{_num(y - 8)}" font-size="11" fill="#262626">'
            f"{row.index}</text></g>"
        )
    out.append(_scale_bar(frame))
    out.append(_north(frame))
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped


def legend() -> list[tuple[SafeString, str]]:
    items = [
        (legend_icon(shape, colour), str(label)) for _k, label, colour, shape, _s in STAGE_GROUPS
    ]
    items.append(
        (project_icon(False), _("Gas-source project: under construction or gas available"))
    )
    items.append((project_icon(True), _("Gas-source project: planned or awaiting approvals")))
    items.append((legend_icon("star", PROJECT_COLOUR), _("Gas-source project at one site")))
    return items
