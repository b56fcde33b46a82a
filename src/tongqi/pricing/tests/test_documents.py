"""The three customer documents: Chinese text extractable, a page that is not blank, the
application number, amounts in figures and in 大写, a QR code that verifies."""

from __future__ import annotations

import io
import re

import pypdfium2 as pdfium
import pytest
from django.test import Client
from pypdf import PdfReader

from tongqi.applications.models import AcceptanceRecord
from tongqi.pricing import documents
from tongqi.pricing import services as svc
from tongqi.pricing.choices import Section
from tongqi.web.pdf import read_token

from .helpers import issue, package_input, to_gas_on

pytestmark = pytest.mark.django_db


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def assert_not_blank(pdf: bytes) -> None:
    bitmap = pdfium.PdfDocument(pdf)[0].render(scale=2).to_numpy()
    dark = (bitmap[:, :, :3].mean(axis=2) < 128).sum()
    assert dark > 3000


def squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def test_quote_pdf(surveyed, people, catalogue):
    data = package_input(
        catalogue,
        external="80",
        items=[svc.ItemInput(Section.CUSTOMER, "厨房支管延伸", "项", "1", "1600.00")],
    )
    q = issue(surveyed, people.am_a, data)
    pdf = documents.quote_pdf(q)
    text = squash(text_of(pdf))
    for s in (
        "报价单",
        surveyed.number,
        q.number,
        surveyed.enterprise.name,
        "10+N定型套餐",
        "¥26,940.00",  # 23,800 + 7 × 220 + 1,600
        "贰万陆仟玖佰肆拾元整",
        "零费用",
        "武城管办〔2019〕15号",
        "无需办理燃气工程质量监督登记",
        "先通气、后缴费",
    ):
        assert squash(s) in text, s
    assert "68,000" not in text  # the utility's own investment (80 m × 850) is internal
    assert_not_blank(pdf)


def test_rights_notice_pdf(surveyed):
    pdf = documents.rights_notice_pdf(surveyed)
    text = squash(text_of(pdf))
    for s in (
        "权益告知书",
        surveyed.number,
        "零费用",
        "零审批",
        "自主选择",
        "先通气、后缴费",
        "¥300,000.00",
    ):
        assert s in text, s
    assert_not_blank(pdf)


def test_gas_on_certificate_pdf(surveyed, people, catalogue):
    q = issue(surveyed, people.am_a, package_input(catalogue))
    svc.quote_confirm(quote=q, actor=people.customer)
    to_gas_on(surveyed, people)
    record = AcceptanceRecord.objects.get(application=surveyed)
    pdf = documents.gas_on_certificate_pdf(surveyed, record)
    text = squash(text_of(pdf))
    for s in (
        "验收通气单",
        surveyed.number,
        "G10-2026-0001",
        "合格，准予通气",
        "泄漏检测",
        "扫码评价本次服务",
    ):
        assert s in text, s
    assert_not_blank(pdf)


def test_documents_download_and_qr_verifies(surveyed, people, catalogue):
    q = issue(surveyed, people.am_a, package_input(catalogue))
    c = Client()
    c.force_login(people.customer)
    resp = c.get(f"/pricing/quotes/{q.pk}/pdf/")
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    assert resp.content.startswith(b"%PDF")
    # the QR code carries a signed token: the verification page shows the summary
    from tongqi.web.pdf import verification_token

    token = verification_token(kind="quote", number=q.number, title="报价单", summary={"x": "y"})
    assert read_token(token)["n"] == q.number
    resp = Client().get(f"/verify/{token}")
    assert resp.status_code == 200 and q.number in resp.content.decode()
    # no certificate before gas-on
    assert c.get(f"/pricing/applications/{surveyed.pk}/gas-on-certificate.pdf").status_code == 404
    assert c.get(f"/pricing/applications/{surveyed.pk}/rights-notice.pdf").status_code == 200
