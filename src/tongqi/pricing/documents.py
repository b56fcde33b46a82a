"""Customer documents as PDF: the quote (报价单), the notice of rights and duties (权益告知书)
and the acceptance and gas-on certificate (验收通气单). Each carries the application number and
a QR code that opens the platform's verification page (``tongqi.web.pdf``).

Documents are in Chinese whatever the reader's UI language: they are the utility's paper.
Personal data (mobile, ID numbers) is not printed; the account manager's service phone is.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from fpdf import FPDF
from fpdf.enums import WrapMode

from tongqi.applications.choices import UsageType
from tongqi.applications.models import AcceptanceRecord, Application
from tongqi.core.money import format_yuan, upper_case_rmb
from tongqi.web.pdf import FONT, Document, cn_date, verification_token, verification_url

from . import calc
from .choices import QuoteKind, QuoteStatus, Section
from .models import Quote

NEEDS_TEXT = {
    calc.REGISTRATION: "燃气工程质量监督登记",
    calc.PERMIT: "燃气工程施工许可",
}
PART_TEXT = {"customer_works": "用气工程（红线内）", "gas_source_works": "气源工程（红线外）"}


def _qty(d: Decimal) -> str:
    return format(Decimal(d).normalize(), "f")


def _wrapped(doc: Document, text: str, size: float = 10, bold: bool = False) -> None:
    """A paragraph that wraps anywhere (Chinese has no spaces to wrap at)."""
    doc.set_font(FONT, "B" if bold else "", size)
    doc.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT", wrapmode=WrapMode.CHAR)
    doc.ln(1)


def _grid(doc: Document, headers, rows, widths, align) -> None:
    """A table whose cells wrap (long item names), headings repeated on each page."""
    doc.set_font(FONT, "", 9.5)
    with FPDF.table(
        doc,
        col_widths=widths,
        text_align=align,
        wrapmode=WrapMode.CHAR,
        line_height=6,
        width=sum(widths),
    ) as table:
        head = table.row()
        for h in headers:
            head.cell(h)
        for r in rows:
            row = table.row()
            for value in r:
                row.cell(str(value))
    doc.ln(3)


def _manager(app: Application) -> str:
    am = app.account_manager
    if am is None:
        return "—"
    phone = am.mobile or (app.org_unit.phone if app.org_unit_id else "")
    return f"{am.display_name}  {phone}".strip()


def _address(app: Application) -> str:
    return f"武汉市{app.district.name}{app.street}{app.address_detail}"


def _qr(doc: Document, *, kind: str, number: str, title: str, summary: dict) -> None:
    token = verification_token(kind=kind, number=number, title=title, summary=summary)
    doc.ln(4)
    doc.qr(verification_url(token))
    doc.set_font(FONT, "", 8)
    doc.set_text_color(120, 120, 120)
    doc.multi_cell(
        doc.w - doc.l_margin - doc.r_margin - 34,
        5,
        "扫描右侧二维码可在平台核验本文件的真实性和主要内容。",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    doc.set_text_color(0, 0, 0)


# --- 报价单 ------------------------------------------------------------------------------------


def quote_pdf(quote: Quote) -> bytes:
    """The quote of one version as the customer receives it (the utility's own investment in
    the gas-source works is internal and not printed)."""
    app = quote.application
    draft = quote.status == QuoteStatus.DRAFT
    title = "报价单（草稿）" if draft else "报价单"
    doc = Document(title=title, number=quote.number)
    doc.title_block(app.enterprise.name)
    plan = (
        f"{quote.package.name}（{quote.package.meter_rating} 燃气表）"
        if quote.kind == QuoteKind.PACKAGE and quote.package
        else "非标方案（逐项报价）"
    )
    rows = [
        ("申请编号", app.number or ""),
        ("报价单号", f"{quote.number}（第 {quote.version} 版）"),
        ("用气企业", app.enterprise.name),
        ("统一社会信用代码", app.enterprise.uscc),
        ("用气地址", _address(app)),
        (
            "用气类型",
            str(UsageType(app.usage_type).label)
            if app.usage_type in UsageType.values
            else app.usage_type,
        ),
        ("峰值负荷", f"{_qty(quote.peak_load)} m³/h"),
        ("方案", plan),
        ("红线内管道长度", f"{_qty(quote.pipe_length_m)} 米"),
    ]
    if quote.kind == QuoteKind.PACKAGE:
        rows.append(
            (
                "超出部分 N",
                f"{quote.extra_units} 个单位（套餐含 {_qty(quote.included_length_m)} 米，"
                f"每单位 {_qty(quote.extra_unit_m)} 米，不足一个单位按一个单位计）",
            )
        )
    if quote.price_list_id:
        pl = quote.price_list
        rows.append(("价格依据", f"{pl.name}（{cn_date(pl.effective_from)}起执行）"))
    rows += [
        ("出具日期", cn_date(quote.issued_at) if quote.issued_at else "（草稿，未出具）"),
        ("客户经理", _manager(app)),
    ]
    doc.key_values(rows, label_width=36)
    doc.heading("报价明细")
    lines = list(quote.lines.all())
    table_rows = []
    for i, line in enumerate(lines, 1):
        desc = line.description
        if line.section == Section.GAS_SOURCE:
            desc = f"{desc}（红线外，零费用）"
        table_rows.append(
            (
                i,
                desc,
                line.unit,
                _qty(line.quantity),
                format_yuan(line.unit_price),
                format_yuan(line.amount),
            )
        )
    _grid(
        doc,
        ["序号", "项目", "单位", "数量", "单价", "金额"],
        table_rows,
        widths=(12, 76, 14, 20, 26, 26),
        align=("C", "L", "C", "R", "R", "R"),
    )
    doc.key_values(
        [
            ("用户应付合计", format_yuan(quote.customer_total)),
            ("人民币大写", upper_case_rmb(quote.customer_total)),
            ("红线外气源工程", "由供气企业投资建设，用户零费用：¥0.00"),
        ],
        label_width=36,
    )
    doc.heading("零审批")
    if quote.approval_exempt is None:
        _wrapped(doc, "出具报价时按当时有效的规定确定。")
    elif quote.approval_exempt:
        _wrapped(
            doc,
            f"依据{quote.approval_document}，本项目用气工程及气源工程投资额均不超过"
            f"{format_yuan(quote.approval_threshold)}，无需办理燃气工程质量监督登记和燃气工程施工许可。",
        )
    else:
        parts = "；".join(
            f"{PART_TEXT.get(n['part'], n['part'])}投资额 {format_yuan(n['amount'])}，需办理"
            + "、".join(NEEDS_TEXT.get(x, x) for x in n["needs"])
            for n in quote.approval_needs
        )
        _wrapped(
            doc,
            f"依据{quote.approval_document}，投资额超过{format_yuan(quote.approval_threshold)}"
            f"的部分仍需办理审批：{parts}。",
        )
    doc.heading("说明")
    notes = [
        "1. 红线外气源工程由供气企业全资投资建设，用户不承担费用（零费用）。",
        "2. 红线内用气工程的设计、施工、监理单位由用户自主选择具备相应资质的单位，供气企业不指定。",
        "3. 本公司实行“先通气、后缴费”：用户应付款项于通气后按约定期限缴纳，缴费不影响通气。",
        "4. 报价如有变更，将以新版本报价单重新提交用户确认，以用户最后确认的版本为准。",
    ]
    if quote.note:
        notes.append(f"5. {quote.note}")
    for n in notes:
        _wrapped(doc, n, size=9.5)
    if quote.confirmed_at:
        _wrapped(doc, f"用户已于{cn_date(quote.confirmed_at)}在线确认本报价及图纸。", bold=True)
    elif quote.status == QuoteStatus.ISSUED:
        _wrapped(doc, "请登录通气平台在线确认图纸与报价（图纸报价确认）。", bold=True)
    elif quote.status == QuoteStatus.SUPERSEDED:
        _wrapped(doc, "本版本已被新版本替代，仅供查阅。", bold=True)
    doc.signature_lines(["供气单位", "用气企业"], cn_date(quote.issued_at or timezone.now()))
    _qr(
        doc,
        kind="quote",
        number=quote.number,
        title="报价单",
        summary={
            "申请编号": app.number or "",
            "用气企业": app.enterprise.name,
            "版本": f"第 {quote.version} 版",
            "用户应付合计": format_yuan(quote.customer_total),
            "状态": str(QuoteStatus(quote.status).label),
        },
    )
    return doc.render()


# --- 权益告知书 ----------------------------------------------------------------------------------


def _rights(app: Application, policy) -> list[str]:
    hotline = _hotline(app)
    threshold = format_yuan(policy.approval_threshold)
    from tongqi.applications.choices import Category
    from tongqi.applications.services.actions import category_limit

    limits = {
        "standard": category_limit(Category.STANDARD_PACKAGE),
        "no_external": category_limit(Category.NO_EXTERNAL_WORKS),
        "with_external": category_limit(Category.WITH_EXTERNAL_WORKS),
    }
    return [
        line.format(
            threshold=threshold, document=policy.approval_document, hotline=hotline, **limits
        )
        for line in RIGHTS
    ]


def _hotline(app: Application) -> str:
    unit = app.org_unit
    while unit is not None:
        if unit.phone:
            return f"{unit.phone} 服务热线、"
        unit = unit.parent
    return ""


RIGHTS = [
    "两个环节：您只需办理“用气申请”和“验收通气”两个环节，其余踏勘、设计、报价、工程等工作由我公司主动完成。",
    "办理时限：自受理次日起，标准制式（定型套餐）项目 {standard} 个工作日、无外线工程接入项目 {no_external} 个工作日、有外线工程接入项目 {with_external} 个工作日内通气；因您自身原因暂停的时间不计入时限，暂停原因会在平台上告知您。",
    "零费用：红线外与用气工程相关的市政燃气管道（气源工程）由我公司全资投资建设，您不承担任何费用。",
    "零审批：投资额不超过 {threshold} 的用气工程和气源工程，依照{document}，无需办理燃气工程质量监督登记和燃气工程施工许可。",
    "自主选择：红线内用气工程的设计、施工、监理单位，由您在具备相应资质的单位中自主选择；我公司的下属单位只是可选单位之一，绝不强制指定。",
    "零跑腿：您可通过网上、手机、自助终端办理，也可预约上门服务或快递送达材料，无需往返营业厅。",
    "先通气、后缴费：验收合格即点火通气，红线内工程费用于通气后按约定期限缴纳。",
    "管家服务：我公司为您指定专属客户经理全程服务；通气后由指定的抄表员、安检员为您提供服务。",
    "监督投诉：您可在平台上对服务进行评价，也可通过{hotline}12345 市长专线、12319 城管热线等渠道反映问题，我公司日清日结。",
]

DUTIES = [
    "如实填报用气申请信息，按承诺期限补交容缺受理的材料。",
    "选择具备相应资质的设计、施工、监理单位建设红线内用气工程，并对工程质量负责。",
    "用气场所应符合安全用气条件：通风良好，安装燃气泄漏报警及切断装置，不私自改装、拆除燃气设施。",
    "配合验收、点火和此后的抄表、安全检查工作。",
    "在约定期限内缴纳红线内工程费用及燃气费。",
    "保护燃气管道设施，在燃气设施保护范围内施工前告知我公司。",
]


def rights_notice_pdf(application: Application) -> bytes:
    """权益告知书: the commercial customer's rights and duties in getting gas (our own text)."""
    app = application
    number = f"{app.number}-QY"
    doc = Document(title="权益告知书", number=number)
    doc.title_block(app.enterprise.name)
    doc.key_values(
        [
            ("申请编号", app.number or ""),
            ("用气企业", app.enterprise.name),
            ("用气地址", _address(app)),
            ("客户经理", _manager(app)),
        ],
        label_width=30,
    )
    doc.ln(2)
    _wrapped(
        doc,
        f"尊敬的{app.enterprise.name}：感谢您选择管道天然气。为保障您在获得用气过程中的合法权益，"
        "现将您享有的权利和应履行的义务告知如下。",
    )
    doc.heading("一、您享有的权利")
    from .services.catalogue import policy_in_force

    for i, text in enumerate(_rights(app, policy_in_force()), 1):
        _wrapped(doc, f"{i}. {text}", size=9.5)
    doc.heading("二、您应履行的义务")
    for i, text in enumerate(DUTIES, 1):
        _wrapped(doc, f"{i}. {text}", size=9.5)
    _wrapped(doc, "本告知书一式两份，供气企业和用气企业各执一份。", size=9.5)
    doc.signature_lines(["供气单位", "用气企业"], cn_date(timezone.now()))
    _qr(
        doc,
        kind="rights",
        number=number,
        title="权益告知书",
        summary={"申请编号": app.number or "", "用气企业": app.enterprise.name},
    )
    return doc.render()


# --- 验收通气单 ----------------------------------------------------------------------------------


def _survey_url(app: Application) -> str | None:
    """The satisfaction survey's link (SPEC §8: a QR code on the acceptance certificate)."""
    try:
        from tongqi.service.selectors import survey_url_for
    except ImportError:  # pragma: no cover - the service app is not installed
        return None
    return survey_url_for(app)


def _ok(flag: bool) -> str:
    return "合格" if flag else "不合格"


def gas_on_certificate_pdf(application: Application, record: AcceptanceRecord) -> bytes:
    """验收通气单: acceptance, connection and ignition recorded as one visit."""
    app = application
    number = f"{app.number}-TQ"
    doc = Document(title="验收通气单", number=number)
    doc.title_block(app.enterprise.name)
    doc.key_values(
        [
            ("申请编号", app.number or ""),
            ("用气企业", app.enterprise.name),
            ("统一社会信用代码", app.enterprise.uscc),
            ("用气地址", _address(app)),
            ("验收时间", timezone.localtime(record.at).strftime("%Y-%m-%d %H:%M")),
            ("验收人员", record.inspector.display_name if record.inspector else "—"),
        ],
        label_width=36,
    )
    doc.heading("验收项目")
    _grid(
        doc,
        ["项目", "结果"],
        [
            ("管道强度及严密性（压力）试验", _ok(record.pressure_test_ok)),
            ("泄漏检测", _ok(record.leak_test_ok)),
            ("燃具及通风条件", _ok(record.appliances_ok)),
            ("碰头接入及点火", "已完成" if record.ignited else "未完成"),
        ],
        widths=(120, 54),
        align=("L", "C"),
    )
    doc.key_values(
        [
            ("验收结论", "合格，准予通气" if record.passed else "不合格，需整改"),
            ("燃气表编号", record.meter_number or "—"),
            (
                "通气起始读数",
                f"{_qty(record.meter_reading)} m³" if record.meter_reading is not None else "—",
            ),
            (
                "通气时间",
                timezone.localtime(app.gas_on_at).strftime("%Y-%m-%d %H:%M")
                if app.gas_on_at
                else "—",
            ),
        ],
        label_width=36,
    )
    if record.note:
        _wrapped(doc, f"备注：{record.note}", size=9.5)
    _wrapped(
        doc,
        "验收、碰头、点火、送气一次完成（验收点火碰头送气一体化）。通气后请按《权益告知书》安全用气，"
        "如发现燃气异味，请立即关闭阀门、开窗通风，到室外拨打抢修电话。",
        size=9.5,
    )
    doc.signature_lines(["验收单位", "用气企业"], cn_date(record.at))
    survey = _survey_url(app)
    if survey:
        doc.ln(4)
        doc.qr(survey, caption="扫码评价本次服务", left=True)
    _qr(
        doc,
        kind="gas_on",
        number=number,
        title="验收通气单",
        summary={
            "申请编号": app.number or "",
            "用气企业": app.enterprise.name,
            "燃气表编号": record.meter_number or "",
            "通气时间": timezone.localtime(app.gas_on_at).strftime("%Y-%m-%d %H:%M")
            if app.gas_on_at
            else "",
        },
    )
    return doc.render()
