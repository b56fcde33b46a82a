"""PDF documents render Chinese glyphs (text extractable, page not blank) and verify by QR."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
from django.test import Client
from pypdf import PdfReader

from tongqi.web.pdf import Document, read_token, verification_token, verification_url


def test_document_renders_chinese_text_and_a_non_blank_page():
    doc = Document(title="报价单", number="TQ-2026-000001")
    doc.title_block("武汉示例餐饮有限公司")
    doc.key_values([("用气地址", "武汉市洪山区关山大道1号"), ("合计", "¥12,345.00")])
    doc.table(["项目", "数量", "金额"], [["燃气表 G4", "1", "¥800.00"]], align=["L", "R", "R"])
    doc.qr("http://127.0.0.1:8000/verify/x")
    pdf = doc.render()
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    for s in ("报价单", "武汉示例餐饮有限公司", "关山大道", "燃气表", "¥12,345.00"):
        assert s in text
    bitmap = pdfium.PdfDocument(pdf)[0].render(scale=1).to_numpy()
    dark = (bitmap[:, :, :3].mean(axis=2) < 128).sum()
    assert dark > 2000  # glyphs and the QR code are drawn, not boxes of nothing


def test_verification_token_round_trip_and_tamper():
    token = verification_token(
        kind="quote", number="Q-1", title="报价单", summary={"合计": "¥1.00"}
    )
    data = read_token(token)
    assert data["n"] == "Q-1" and data["s"] == {"合计": "¥1.00"}
    assert read_token(token[:-2] + ("AA" if not token.endswith("AA") else "BB")) is None
    assert "/verify/" in verification_url(token)


def test_verification_page(db):
    token = verification_token(kind="quote", number="Q-9", title="报价单", summary={})
    resp = Client().get(f"/verify/{token}")
    assert resp.status_code == 200 and "Q-9" in resp.content.decode()
    assert Client().get("/verify/forged-token").status_code == 404
