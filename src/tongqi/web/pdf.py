"""Customer documents as PDF with correct Chinese glyphs (fpdf2 + an embedded Noto Sans SC).

Every document carries its number and a QR code that points back to the platform's verification
page (``/verify/<token>``), where a signed summary shows whether the paper is genuine.
Why fpdf2 and this font: docs/adr/0005-pdf.md.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from pathlib import Path

import segno
from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from fpdf import FPDF

FONT = "NotoSansSC"
SIGNING_SALT = "tongqi.documents"


@cache
def font_path() -> Path:
    """The CJK font: ``TONGQI_PDF_FONT`` if set, else Noto Sans SC from its PyPI package."""
    override = os.environ.get("TONGQI_PDF_FONT")
    if override:
        return Path(override)
    import justmytype_intl_cjk

    root = Path(justmytype_intl_cjk.__file__).parent
    return next(root.rglob("NotoSansSC*.ttf"))


_font_lock = threading.Lock()


def static_font(weight: int) -> Path:
    """A static instance of the variable font at ``weight`` (400 regular, 700 bold), made once
    and kept under DATA_DIR/cache: instancing a CJK variable font takes tens of seconds, while
    loading the static result takes a fraction of one. A plain (non-variable) font is used as is.
    """
    source = font_path()
    stat = source.stat()
    cache_dir = Path(settings.DATA_DIR) / "cache" / "fonts"
    target = cache_dir / f"{source.stem.split('[')[0]}-{weight}-{stat.st_size}.ttf"
    if target.exists():
        return target
    with _font_lock:
        if target.exists():
            return target
        from fontTools.ttLib import TTFont
        from fontTools.varLib.instancer import instantiateVariableFont

        font = TTFont(str(source))
        if "fvar" not in font:
            return source
        static = instantiateVariableFont(font, {"wght": weight})
        cache_dir.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(f".{os.getpid()}.part")
        static.save(str(partial))
        partial.replace(target)
    return target


def verification_token(*, kind: str, number: str, title: str, summary: dict) -> str:
    """A signed, self-describing token for the QR code: no lookup needed to verify it."""
    return signing.dumps(
        {
            "k": kind,
            "n": number,
            "t": title,
            "s": summary,
            "at": timezone.localtime().isoformat(timespec="minutes"),
        },
        salt=SIGNING_SALT,
        compress=True,
    )


def verification_url(token: str) -> str:
    return settings.TONGQI_PUBLIC_URL.rstrip("/") + reverse("web:verify", args=[token])


def read_token(token: str) -> dict | None:
    try:
        return signing.loads(token, salt=SIGNING_SALT)
    except signing.BadSignature:
        return None


class Document(FPDF):
    """An A4 document in the company's layout: header, title, number, footer with page numbers."""

    def __init__(self, *, title: str, number: str, company: str | None = None):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.doc_title = title
        self.doc_number = number
        self.company = company or settings.TONGQI_COMPANY_NAME
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(18, 16, 18)
        self.add_font(FONT, "", str(static_font(400)))
        self.add_font(FONT, "B", str(static_font(700)))
        self.set_title(title)
        self.set_creator("TongQi")
        self.set_author(self.company)
        self.add_page()

    # layout -------------------------------------------------------------------------------
    def header(self):
        self.set_font(FONT, "", 9)
        self.set_text_color(120, 120, 120)
        self.cell(0, 6, self.company, new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(22, 119, 255)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(4)
        self.set_text_color(0, 0, 0)

    def footer(self):
        self.set_y(-12)
        self.set_font(FONT, "", 8)
        self.set_text_color(120, 120, 120)
        self.cell(
            0, 6, f"{self.doc_title}  编号 {self.doc_number}  第 {self.page_no()} 页", align="C"
        )

    # building blocks ----------------------------------------------------------------------
    def title_block(self, subtitle: str = "") -> None:
        self.set_font(FONT, "B", 18)
        self.cell(0, 12, self.doc_title, align="C", new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, "", 10)
        line = f"编号：{self.doc_number}" + (f"    {subtitle}" if subtitle else "")
        self.cell(0, 7, line, align="C", new_x="LMARGIN", new_y="NEXT")
        self.ln(3)

    def heading(self, text: str) -> None:
        self.ln(2)
        self.set_font(FONT, "B", 12)
        self.cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, "", 10)

    def paragraph(self, text: str, size: float = 10) -> None:
        self.set_font(FONT, "", size)
        self.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def key_values(self, rows: Sequence[tuple[str, str]], label_width: float = 40) -> None:
        self.set_font(FONT, "", 10)
        for label, value in rows:
            self.set_text_color(90, 90, 90)
            self.cell(label_width, 7, str(label))
            self.set_text_color(0, 0, 0)
            self.multi_cell(0, 7, str(value), new_x="LMARGIN", new_y="NEXT")

    def table(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[str]],
        widths: Sequence[float] | None = None,
        align: Sequence[str] | None = None,
    ) -> None:
        usable = self.w - self.l_margin - self.r_margin
        widths = list(widths or [usable / len(headers)] * len(headers))
        align = list(align or ["L"] * len(headers))
        self.set_font(FONT, "B", 9.5)
        self.set_fill_color(240, 245, 255)
        for h, w in zip(headers, widths, strict=True):
            self.cell(w, 8, str(h), border=1, fill=True, align="C")
        self.ln()
        self.set_font(FONT, "", 9.5)
        for row in rows:
            if self.get_y() > self.h - 30:
                self.add_page()
            for value, w, a in zip(row, widths, align, strict=True):
                self.cell(w, 7.5, str(value), border=1, align=a)
            self.ln()
        self.ln(2)

    def qr(
        self, url: str, size: float = 28, caption: str = "扫码验证真伪", left: bool = False
    ) -> None:
        """Draw a QR code of ``url`` at the right (or left) margin, as vector squares."""
        code = segno.make(url, error="m")
        matrix = list(code.matrix_iter(border=2))
        n = len(matrix)
        cell = size / n
        x0 = self.l_margin + 10 if left else self.w - self.r_margin - size
        y0 = self.get_y()
        if y0 + size + 8 > self.h - 18:
            self.add_page()
            y0 = self.get_y()
        self.set_fill_color(0, 0, 0)
        for r, row in enumerate(matrix):
            for c, dark in enumerate(row):
                if dark:
                    self.rect(x0 + c * cell, y0 + r * cell, cell, cell, style="F")
        self.set_xy(x0 - 10, y0 + size)
        self.set_font(FONT, "", 8)
        self.cell(size + 20, 5, caption, align="C")
        self.set_xy(self.l_margin, y0)

    def signature_lines(self, parties: Sequence[str], date_text: str = "") -> None:
        self.ln(8)
        usable = self.w - self.l_margin - self.r_margin
        w = usable / max(len(parties), 1)
        self.set_font(FONT, "", 10)
        for p in parties:
            self.cell(w, 8, f"{p}（签章）：")
        self.ln(12)
        if date_text:
            self.cell(0, 8, date_text, align="R", new_x="LMARGIN", new_y="NEXT")

    def render(self) -> bytes:
        return bytes(self.output())


def cn_date(value: datetime | None) -> str:
    """``2026年11月27日`` (documents and letters)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{value.year}年{value.month}月{value.day}日"
