"""The monthly service briefing (工作简报) as a PDF, in the company's document layout."""

from __future__ import annotations

from django.utils import timezone

from tongqi.web.pdf import Document, cn_date

from .briefing import Briefing
from .choices import Aspect


def _v(value, suffix: str = "") -> str:
    return "—" if value is None else f"{value}{suffix}"


def briefing_pdf(b: Briefing, *, scope: str = "") -> bytes:
    """Render ``b``; every number printed is a field of ``b`` (the page shows the same)."""
    title = f"优化营商环境（获得用气）服务工作简报 {b.month.year}年{b.month.month}月"
    doc = Document(title=title, number=f"JB-{b.month:%Y%m}")
    doc.title_block(subtitle=scope)
    doc.paragraph(
        f"统计期间：{b.month.year}年{b.month.month}月；状态类数据截至{cn_date(b.as_of)}。"
    )

    doc.heading("一、报装办理")
    doc.key_values(
        [
            (
                "受理申请（提交）",
                f"{b.submitted} 件（网上办 {b.submitted_online} 件，网上办比例 {_v(b.online_ratio, '%')}）",
            ),
            ("受理", f"{b.accepted} 件"),
            ("通气", f"{b.gas_on} 件，按时 {b.on_time} 件，按时率 {_v(b.on_time_rate, '%')}"),
            ("平均用时", f"{_v(b.average_days)} 个工作日"),
        ],
        label_width=42,
    )
    doc.table(
        ["项目类别", "时限（工作日）", "通气件数", "平均用时（工作日）", "按时件数", "按时率"],
        [
            [
                c.label,
                str(c.limit),
                str(c.gas_on),
                _v(c.average_days),
                str(c.on_time),
                _v(c.on_time_rate, "%"),
            ]
            for c in b.by_category
        ],
        widths=[48, 24, 20, 32, 20, 30],
        align=["L", "R", "R", "R", "R", "R"],
    )

    doc.heading("二、满意度与回访")
    doc.key_values(
        [
            ("线上满意度调查", f"回复 {b.answers} 份，总体满意度 {_v(b.satisfaction)} / 5"),
            (
                "回访",
                f"完成 {b.callbacks_done} 次，未能联系 {b.callbacks_unreachable} 次，待回访 {b.callbacks_open} 次",
            ),
        ],
        label_width=42,
    )
    doc.table(
        ["评价方面", "平均分（满分 5）"],
        [[str(label), _v(b.aspects.get(value))] for value, label in Aspect.choices],
        widths=[120, 54],
        align=["L", "R"],
    )

    doc.heading("三、诉求办理（日清日结）")
    doc.key_values(
        [
            (
                "受理诉求",
                f"{b.complaints.arrived} 件，当日办结 {b.complaints.same_day} 件，当日办结率 {_v(b.complaints.rate, '%')}",
            ),
            ("仍未办结", f"{b.complaints_open} 件"),
        ],
        label_width=42,
    )
    if b.by_source:
        doc.table(
            ["来源", "件数", "当日办结"],
            [[s.label, str(s.received), str(s.same_day)] for s in b.by_source],
            widths=[100, 37, 37],
            align=["L", "R", "R"],
        )

    doc.heading("四、监督检查")
    doc.key_values(
        [
            ("检查", f"{b.inspections} 次，发现问题 {b.findings} 个"),
            ("整改", f"未完成 {b.rectifications_open} 项，其中逾期 {b.rectifications_overdue} 项"),
        ],
        label_width=42,
    )

    doc.heading("五、行动方案进展")
    doc.key_values(
        [
            (
                "任务",
                f"共 {b.plan_tasks} 项：已完成 {b.plan_done} 项，推进中 {b.plan_in_progress} 项，未启动 {b.plan_not_started} 项",
            ),
            ("本月节点", f"{b.plan_due_in_month} 个，已完成 {b.plan_done_in_month} 个"),
            ("逾期节点", f"{b.plan_overdue} 个"),
        ],
        label_width=42,
    )
    doc.ln(6)
    doc.paragraph(f"服务管理部    {cn_date(timezone.localdate())}", size=10)
    return doc.render()
