"""The text of the notice of rights and duties (权益告知书) for residents getting piped gas.

The 3.0 方案 (五(九)) asks that every household willing to sign up knows "燃气企业以及自身的
责任和义务"; action-plan task 14 revises the notice. The text is our own wording, grounded in
《城镇燃气管理条例》 (State Council order 583, revised 2016) and 国办函〔2020〕129号 (which
abolished connection fees). Each issued notice stores the sections it was issued with, so a
revised edition never changes a notice already delivered. Change ``EDITION`` with the text.
"""

from __future__ import annotations

from django.conf import settings

EDITION = "2026-1"
TITLE = "管道天然气用户权益告知书"


def service_hotline(project) -> str:
    """The phone of the project's unit, or of the nearest unit above it that has one."""
    unit = project.org_unit
    while unit is not None:
        if unit.phone:
            return unit.phone
        unit = unit.parent
    return ""


def build_sections(*, project, household, company: str | None = None) -> list[list[str]]:
    """``[[heading, paragraph], …]`` for one household. Chinese only: it is a letter to residents."""
    company = company or settings.TONGQI_COMPANY_NAME
    hotline = service_hotline(project) or "（见营业厅公示）"
    place = f"{project.district.name}{project.street_office}{project.community_committee}"
    return [
        [
            "",
            f"尊敬的{household.contact_name}（{project.name}{household.label}）：\n"
            f"为改善老旧小区居民用气条件，{company}在{place}的支持下，"
            f"对{project.name}（{project.address}）实施管道天然气改造。"
            "依据《城镇燃气管理条例》等规定，现将您作为管道天然气用户享有的权利和应当履行的义务"
            "告知如下。请您仔细阅读，有疑问可随时向改造专班或社区居委会咨询。",
        ],
        [
            "一、自愿报装与撤回",
            "1. 是否报装管道天然气由您自愿决定，任何单位和个人不得强制。\n"
            "2. 签署报装意愿后、通气点火前，您可以随时向改造专班、社区居委会或拨打服务热线提出撤回；"
            "户内施工开始前撤回的，不产生任何费用。户内设施已安装的，专班将与您协商已安装设施的保留"
            "或拆除，不另行收费。\n"
            "3. 暂不报装的，日后仍可申请；届时按当时的报装规定办理。",
        ],
        [
            "二、费用由谁承担",
            "1. 小区庭院管网、楼栋立管、表前阀门及燃气表由本公司（含政府老旧小区改造资金）投资建设，"
            "不向居民收取费用；燃气表由本公司免费提供、安装和周期检定更换。\n"
            "2. 本公司不收取初装费、开户费等国家已明令取消的费用（国办函〔2020〕129号）。\n"
            "3. 燃气灶具、热水器等用气设备及其连接软管由您自行选购，请选购符合国家标准、"
            "适用天然气并带熄火保护装置的产品；表后户内管道需改动的，按公示的收费标准收取，"
            "事先出具明细，经您确认后施工。\n"
            "4. 通气后按物价部门核定的居民气价和阶梯价格缴纳燃气费。",
        ],
        [
            "三、您享有的权利",
            "1. 获得持续、稳定、安全并符合国家质量标准的燃气供应。\n"
            "2. 了解工程进度、收费标准、服务承诺和安全用气知识；本公司在营业厅和社区公示上述信息。\n"
            "3. 因施工、检修需要停气或降压的，本公司提前公告或书面通知，并尽快恢复供气。\n"
            "4. 本公司对户内燃气设施提供定期免费入户安全检查；检查人员佩戴工作证件，"
            "您有权查验证件，并可拨打服务热线核实身份。检查不收取任何费用，也不推销产品。\n"
            "5. 对服务质量、收费等事项进行查询、投诉和监督，本公司在规定时限内答复。",
        ],
        [
            "四、您应当履行的义务",
            "1. 遵守安全用气规则，在具备安全条件的场所使用燃气，使用时保持通风，人离火灭。\n"
            "2. 不得擅自安装、改装、拆除或迁移户内燃气设施和燃气计量装置，不得擅自操作公用燃气阀门，"
            "不得将燃气管道作为负重支架或接地引线，不得包封、遮挡燃气管道和表具，"
            "不得盗用燃气或改变燃气用途（《城镇燃气管理条例》禁止行为）。\n"
            "3. 配合本公司对燃气设施进行的施工、安全检查、维护、抢修和抄表。\n"
            "4. 按时缴纳燃气费。\n"
            "5. 发现燃气泄漏，立即关闭阀门、开窗通风，严禁开关电器和使用明火，"
            "到室外安全处拨打抢修电话。",
        ],
        [
            "五、联系我们",
            f"服务热线（24 小时报修、抢修）：{hotline}\n"
            f"项目：{project.name}改造工程，编号 {project.number}\n"
            f"街道办事处：{project.street_office}；社区居委会：{project.community_committee}\n"
            "本告知书一式两份，住户与本公司各执一份。签收仅表示您已收到并知悉本告知书内容，"
            "不代表同意报装。",
        ],
    ]
