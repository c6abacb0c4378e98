"""The demo district's adviser directory and a year of contract reviews and legal opinions.

The district government retains a law firm's team (as the seeds' 区政府法律顾问团队) serving every
unit; most departments have their own 法律顾问 or 公职律师, two have none (coverage below 100%);
one adviser's term ended the year before. Reviews spread over the year so far, the last few open.
"""

from __future__ import annotations

import datetime as dt
import decimal
import random
from collections.abc import Callable
from typing import Any

from fazhi.core.demo import DemoOrg
from fazhi.registers.contract_review.models import LegalAdviser
from fazhi.registers.contract_review.services import adviser_save
from fazhi.registers.framework.demo import department_staff, stepper, weighted_picker, workdays_after
from fazhi.registers.framework.services import matter_create

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦"
GIVEN = "明华强军平伟芳娜敏静丽涛超斌刚杰磊洋勇艳军峰辉婷玲雪梅慧鹏飞浩宇欣然晨阳"
FIRMS = ["江城明德律师事务所", "江城正衡律师事务所", "江城法汇律师事务所", "江城致远律师事务所"]
CONTRACTS = {
    "procurement": ["执法记录仪采购合同", "办公设备采购合同", "快检设备采购合同", "信息化平台建设采购合同"],
    "construction": ["办公楼维修改造工程施工合同", "农贸市场提质改造工程合同", "道路排水管网修复工程合同"],
    "assets": ["国有门面房租赁合同", "办公用房租赁合同", "闲置资产转让合同"],
    "resources": ["国有建设用地使用权出让合同", "河道砂石资源出让合同"],
    "concession": ["城区停车场特许经营协议", "污水处理厂特许经营协议"],
    "expropriation": ["国有土地上房屋征收补偿协议", "集体土地征收补偿安置协议"],
    "investment_contract": ["智能制造产业园项目投资合同", "文旅综合体项目招商引资合同"],
    "service": ["法律顾问服务合同", "物业管理服务合同", "第三方检测委托服务合同", "信息系统运维服务合同"],
    "other_contract": ["战略合作框架协议", "共建共享合作协议"],
}
OPINIONS = {
    "major_legal": ["关于历史遗留项目处置方案的法律意见", "关于国有企业改制方案的法律意见", "关于重大行政执法决定的法律意见"],
    "petition": ["关于拆迁补偿信访诉求的法律意见", "关于劳动报酬信访事项的法律意见", "关于历史用地信访问题的法律意见"],
    "investment": ["关于招商引资优惠政策兑现的法律意见", "关于投资项目履约争议的法律意见"],
    "other_matter": ["关于合同纠纷应诉方案的法律意见", "关于政府信息公开答复的法律意见"],
}
COMPANIES = ["江城建工集团有限公司", "明德科技有限公司", "江城城市运营有限公司", "明德物业服务有限公司", "江城检测技术有限公司", "江城文旅发展集团有限公司"]
OUTCOMES = {"agree": 58, "agree_modified": 34, "disagree": 8}
OPINION_TEXT = {
    "agree": "合同主体适格，条款合法，同意签订。",
    "agree_modified": "违约责任条款约定不对等，争议解决条款应约定由本地人民法院管辖，修改后同意签订。",
    "disagree": "相对方不具备相应资质，且付款条款违反财政资金管理规定，不同意签订。",
}


def _name(rng: random.Random, used: set[str]) -> str:
    while True:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
        if name not in used:
            used.add(name)
            return name


def build_advisers(org: DemoOrg, rng: random.Random, today: dt.date) -> list[LegalAdviser]:
    year = today.year
    used: set[str] = set()
    advisers: list[LegalAdviser] = []
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)

    def add(unit: Any, kind: str, start: dt.date, end: dt.date | None, firm: str, reference: str) -> None:
        number = f"1420{year % 100:02d}{len(advisers) + 1:05d}" if kind == "legal_adviser" else f"G4201{len(advisers) + 1:05d}"
        values: dict[str, Any] = {"name": _name(rng, used), "kind": kind, "licence_number": number, "organisation": firm}
        values |= {"term_start": start, "term_end": end, "appointment_reference": reference}
        advisers.append(adviser_save(actor=None, unit=unit, values=values))

    for i in range(3):  # the district government's team, serving every unit
        add(org.district, "legal_adviser", start, end, FIRMS[0], f"明政法顾〔{year}〕{i + 1}号")
    depts = list(department_staff(org))
    for i, dept in enumerate(depts):
        if i in (3, 7):  # two departments without their own
            continue
        if i % 3 == 0:
            add(dept, "staff_lawyer", dt.date(year - 1 - i % 4, 6, 1), None, dept.name, f"明司公律〔{year - 1 - i % 4}〕{i + 1}号")
        else:
            add(dept, "legal_adviser", start, end, FIRMS[1 + i % 3], f"{dept.short_name}顾〔{year}〕1号")
    if depts:
        add(depts[1], "legal_adviser", dt.date(year - 1, 1, 1), dt.date(year - 1, 12, 31), FIRMS[2], f"{depts[1].short_name}顾〔{year - 1}〕1号")
    return advisers


def build(org: DemoOrg, rng: random.Random, today: dt.date, progress: Callable[[int], None], n: int = 60) -> dict[str, int]:
    advisers = build_advisers(org, rng, today)
    year = today.year
    staff = department_staff(org)
    units = list(staff)
    team = [a for a in advisers if a.unit_id == org.district.pk]
    own = {a.unit_id: a for a in advisers if a.unit_id != org.district.pk and a.serves_on(today)}
    outcome_of = weighted_picker(rng, OUTCOMES)
    kind_of = weighted_picker(rng, {"contract": 70, "opinion": 30})
    created = 0
    start = dt.date(year, 1, 6)
    for i in range(n):
        received = workdays_after(start + dt.timedelta(days=(i * (today - start).days) // n), 0)
        if received >= today:
            continue
        unit = units[i % len(units)]
        clerk, reviewer = staff[unit]
        kind = kind_of()
        data: dict[str, Any] = {"received_on": received, "kind": kind}
        if kind == "contract":
            category = rng.choice(list(CONTRACTS))
            data |= {"category": category, "title": rng.choice(CONTRACTS[category]), "counterparty_type": "organisation"}
            data["counterparty_name"] = rng.choice(COMPANIES)
            if category == "expropriation":
                data |= {"counterparty_type": "natural_person", "counterparty_name": _name(rng, set())}
                born = f"19{rng.randint(50, 99)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
                data["counterparty_id_number"] = f"4201{rng.randint(10, 99)}{born}{rng.randint(1000, 9999)}"
                data["counterparty_phone"] = f"139{rng.randint(10000000, 99999999)}"
            amount = rng.choice([rng.randint(20, 300) * 1000, rng.randint(300, 2000) * 1000, rng.randint(2, 30) * 1_000_000])
            data["amount"] = decimal.Decimal(amount)
            if rng.random() < 0.3:
                data["requested_by"] = workdays_after(received, 3)
        else:
            category = rng.choice(list(OPINIONS))
            data |= {"category": category, "title": rng.choice(OPINIONS[category])}
        case = matter_create(register="contract_review", unit=unit, actor=clerk, data=data)
        created += 1
        who = own[unit.pk] if rng.random() < 0.5 and unit.pk in own else rng.choice(team)
        step = stepper(case, today)
        assigned = workdays_after(received, rng.randint(0, 1))
        if not step("assign", reviewer, assigned, assigned_on=assigned, adviser=who.pk):
            progress(1)
            continue
        limit = 5 if kind == "contract" else 10
        days = rng.randint(limit + 1, limit + 4) if rng.random() < 0.1 else rng.randint(1, limit)
        opinion_on = workdays_after(received, days)
        if opinion_on >= today - dt.timedelta(days=3) or i >= n - 3:  # the last few still under review
            progress(1)
            continue
        if i > 10 and rng.random() < 0.03:
            step("withdraw", clerk, opinion_on, withdrawn_on=opinion_on, withdraw_reason="项目方案调整，合同文本需重新拟订")
        else:
            outcome = outcome_of()
            step("give_opinion", reviewer, opinion_on, opinion_on=opinion_on, outcome=outcome, opinion=OPINION_TEXT[outcome])
        progress(1)
    return {"reviews": created, "advisers": len(advisers)}
