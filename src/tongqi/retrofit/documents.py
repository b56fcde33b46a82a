"""Notices of rights and duties as PDF: one notice, or a whole building's in one file.

Rendering reuses one ``Document`` for a batch, because loading the embedded CJK font is the
slow part (seconds), while each further page costs milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import timezone

from tongqi.web.pdf import FONT, Document, cn_date, verification_token, verification_url

from .models import RightsNotice
from .notice_text import TITLE


class NoticeDocument(Document):
    """A ``Document`` whose footer numbers pages per notice, so a batch prints like a stack."""

    def __init__(self, *, number: str):
        self.notice_first_page = 1
        super().__init__(title=TITLE, number=number)

    def footer(self):
        self.set_y(-12)
        self.set_font(FONT, "", 8)
        self.set_text_color(120, 120, 120)
        page = self.page_no() - self.notice_first_page + 1
        self.cell(0, 6, f"{self.doc_title}  编号 {self.doc_number}  第 {page} 页", align="C")

    def paragraph(self, text: str, size: float = 10) -> None:
        """Chinese has no spaces to break at: wrap at any character, not at words."""
        self.set_font(FONT, "", size)
        self.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT", wrapmode="CHAR", align="L")
        self.ln(1)

    def start_notice(self, number: str, first: bool) -> None:
        if not first:
            self.add_page()
        self.doc_number = number
        self.notice_first_page = self.page_no()


def notice_token(notice: RightsNotice) -> str:
    """The QR's signed summary: no personal data (the flat, not the resident's name)."""
    return verification_token(
        kind="rights_notice",
        number=notice.number,
        title=TITLE,
        summary={
            "项目": f"{notice.project.number} {notice.project.name}",
            "住户": notice.household_label,
            "版本": notice.edition,
            "生成日期": timezone.localtime(notice.generated_at).date().isoformat(),
        },
    )


def _draw(doc: NoticeDocument, notice: RightsNotice) -> None:
    doc.title_block(f"{notice.project.name} · {notice.household_label}")
    for heading, text in notice.sections:
        if heading:
            doc.heading(heading)
        doc.paragraph(text)
    doc.ln(2)
    qr_size = 26
    if doc.get_y() + qr_size + 8 > doc.h - 18:
        doc.add_page()
    top = doc.get_y()
    doc.qr(verification_url(notice_token(notice)), size=qr_size)
    doc.paragraph(f"{doc.company}\n{cn_date(notice.generated_at)}")
    doc.set_y(max(doc.get_y(), top + qr_size + 8))
    # The receipt: the delivering staff member brings it back signed (签收回执).
    if doc.get_y() > doc.h - 70:
        doc.add_page()
    doc.ln(4)
    doc.set_draw_color(160, 160, 160)
    doc.set_dash_pattern(dash=2, gap=2)
    doc.line(doc.l_margin, doc.get_y(), doc.w - doc.r_margin, doc.get_y())
    doc.set_dash_pattern()
    doc.ln(3)
    doc.heading("签收回执")
    doc.paragraph(
        f"本户已收到{notice.project.name}《{TITLE}》（编号 {notice.number}），并知悉其内容。"
    )
    doc.key_values(
        [
            ("住户", f"{notice.project.name}{notice.household_label}"),
            ("住户签字", "____________________    日期：______年____月____日"),
            ("送达方式", "□ 当面送达    □ 张贴 / 邮寄    □ 社区居委会转交"),
            ("送达人", "____________________"),
        ],
        label_width=28,
    )


def render_notices(notices: Sequence[RightsNotice]) -> bytes:
    """One PDF with each notice starting on a new page (and its own page numbers)."""
    if not notices:
        raise ValueError("no notices to render")
    doc = NoticeDocument(number=notices[0].number)
    for i, notice in enumerate(notices):
        doc.start_notice(notice.number, first=(i == 0))
        _draw(doc, notice)
    return doc.render()
