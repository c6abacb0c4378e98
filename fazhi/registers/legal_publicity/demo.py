"""普法 in the demo district: each department's 普法责任清单 for the year, the activities it recorded
against it (a few off-list, a few withdrawn as recorded twice), the 法律明白人 of the subdistricts'
villages and communities, and the district's 民主法治示范村（社区）.

Drawn from its own random.Random (seeded by the caller), so the registers built before keep their data."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model

from fazhi.core.demo import DemoOrg
from fazhi.registers.framework.demo import department_staff, prior_share, stepper, weighted_picker
from fazhi.registers.framework.services import matter_create
from fazhi.registers.legal_publicity import services

LAWS = {
    "司法局": [("《法律援助法》", "困难群众、农民工"), ("《人民调解法》", "人民调解员、村（居）民")],
    "市场监督管理局": [("《食品安全法》及其实施条例", "食品生产经营者"), ("《消费者权益保护法》", "消费者")],
    "城市管理执法局": [("《城市市容和环境卫生管理条例》", "沿街商户"), ("《城乡规划法》", "居民、建设单位")],
    "生态环境分局": [("《环境保护法》", "排污单位"), ("《固体废物污染环境防治法》", "企业、居民")],
    "住房和城乡建设局": [("《建筑法》", "建筑施工企业"), ("《物业管理条例》", "业主、物业服务企业")],
    "交通运输局": [("《道路运输条例》", "道路运输经营者"), ("《道路交通安全法》", "驾驶人、学生")],
    "农业农村局": [("《农产品质量安全法》", "农业生产经营者"), ("《农村土地承包法》", "农户")],
    "应急管理局": [("《安全生产法》", "生产经营单位负责人"), ("《消防法》", "人员密集场所管理者")],
    "人力资源和社会保障局": [("《保障农民工工资支付条例》", "用人单位、农民工"), ("《劳动合同法》", "劳动者")],
    "教育局": [("《未成年人保护法》", "中小学生、家长"), ("《预防未成年人犯罪法》", "中小学生")],
    "卫生健康局": [("《基本医疗卫生与健康促进法》", "医疗机构"), ("《传染病防治法》", "居民")],
    "公安分局": [("《反电信网络诈骗法》", "老年人、学生"), ("《治安管理处罚法》", "居民")],
}
COMMON = [
    ("《宪法》（国家宪法日、宪法宣传周）", "国家工作人员、社会公众", "12月集中宣传"),
    ("《民法典》", "社会公众", "5月民法典宣传月"),
    ("习近平法治思想和本系统新颁布法律法规", "本单位干部职工", "全年"),
]
MEASURES = "执法过程中普法、集中宣传、以案释法"
KINDS = {"lecture": 25, "campaign": 30, "case": 18, "culture": 7, "new_media": 17, "other": 3}
PLACES = {
    "lecture": ["单位会议室", "街道党群服务中心", "区行政服务中心", "明德中学报告厅"],
    "campaign": ["明德广场", "长青社区", "江城农贸市场", "区人民公园"],
    "case": ["执法现场", "涉案企业会议室", "社区议事厅"],
    "culture": ["明德区法治文化公园", "长青社区法治长廊"],
    "new_media": ["本单位微信公众号", "本单位抖音号", "区融媒体中心"],
    "other": ["区文化馆", "明德剧场"],
}
TITLES = {
    "lecture": "{law}专题讲座",
    "campaign": "{law}集中宣传",
    "case": "{law}以案释法",
    "culture": "法治文化阵地{law}宣传",
    "new_media": "{law}普法短视频",
    "other": "{law}法治文艺汇演",
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐"
GIVEN = ["建国", "秀英", "桂兰", "志强", "海燕", "国华", "丽娟", "卫东", "春梅", "德明", "晓红", "长青", "玉兰", "文斌", "红霞"]
VILLAGES = ["村", "社区"]


def _participants(rng: random.Random, kind: str) -> tuple[int, bool]:
    if kind == "new_media":
        return rng.randint(800, 12000), True
    if kind in ("campaign", "culture"):
        return rng.randint(150, 1500), rng.random() < 0.8
    if kind == "other":
        return rng.randint(200, 600), True
    return rng.randint(25, 180), False


def build(org: DemoOrg, rng: random.Random, today: dt.date, progress: Callable[[int], None], n: int = 160) -> dict[str, int]:
    staff = department_staff(org)
    units = list(staff)
    kind_of = weighted_picker(rng, KINDS)
    activities = n_lists = 0
    # the year before (a full year, at about this year's volume) and this year so far
    n_prior = round(n * prior_share() * rng.uniform(0.85, 1.1))
    for year, until, count in ((today.year - 1, dt.date(today.year - 1, 12, 28), n_prior), (today.year, today, n)):
        lists = _duty_lists(units, staff, rng, year, today)
        n_lists += len(lists)
        activities += _activities(units, staff, lists, kind_of, rng, dt.date(year, 1, 5), until, count, today, progress)
    return {"activities": activities, "lists": n_lists, "liaisons": _liaisons(org, rng, today), "villages": _villages(org, rng, today)}


def _duty_lists(units: list[Any], staff: dict[Any, tuple[Any, Any]], rng: random.Random, year: int, today: dt.date) -> dict[Any, list[Any]]:
    lists: dict[Any, list[Any]] = {}
    for unit in units:
        clerk, _reviewer = staff[unit]
        issued = dt.date(year, 2, 1) + dt.timedelta(days=rng.randint(0, 30))
        if issued >= today:
            continue
        duty_list = services.list_create(unit=unit, actor=clerk, year=year, issued_on=issued)
        own = LAWS.get(unit.name.removeprefix("明德区"), [])
        chosen = [(law, who, rng.choice(["全年", "上半年", "下半年", "3月", "6月", "9月"])) for law, who in own] + rng.sample(COMMON, rng.randint(1, 3))
        lists[unit] = [
            services.item_add(duty_list=duty_list, actor=clerk, content=law, target_groups=who, planned_activities=MEASURES, timing=when)
            for law, who, when in chosen
        ]
    return lists


def _activities(
    units: list[Any],
    staff: dict[Any, tuple[Any, Any]],
    lists: dict[Any, list[Any]],
    kind_of: Callable[[], str],
    rng: random.Random,
    start: dt.date,
    until: dt.date,
    n: int,
    today: dt.date,
    progress: Callable[[int], None],
) -> int:
    span = max((until - start).days, 1)
    activities = 0
    for i in range(n):
        held = start + dt.timedelta(days=(i * span) // n + rng.randint(0, 3))
        if held >= today:
            continue
        # the larger enforcement departments publicise more; a few units carry out only part of their list
        unit = units[min(int(rng.triangular(0, len(units), 0)), len(units) - 1)]
        clerk, reviewer = staff[unit]
        kind = kind_of()
        items = [it for it in lists.get(unit, []) if it.duty_list.year == held.year]
        item = rng.choice(items) if items and rng.random() < 0.85 else None
        law = item.content.split("（")[0] if item else rng.choice(["《民法典》", "《宪法》", "《反有组织犯罪法》"])
        participants, estimated = _participants(rng, kind)
        data = {
            "received_on": held,
            "kind": kind,
            "title": TITLES[kind].format(law=law),
            "place": rng.choice(PLACES[kind]),
            "audience": item.target_groups if item else "社会公众",
            "participants": participants,
            "participants_estimated": estimated,
            "materials": 0 if kind == "new_media" else rng.choice([0, 100, 200, 300, 500, 800]),
            "duty_item": item.pk if item else None,
        }
        if kind == "other":
            data["kind_detail"] = "法治文艺汇演"
        matter = matter_create(register="legal_publicity", unit=unit, actor=clerk, data=data)
        activities += 1
        step = stepper(matter, today)
        if i % 40 == 17:
            on = held + dt.timedelta(days=rng.randint(1, 5))
            step("withdraw", reviewer, on, withdrawn_on=on, withdrawal_reason="与同一活动的另一条登记重复")
        elif rng.random() < 0.75:
            on = held + dt.timedelta(days=rng.randint(1, 10))
            step("confirm", reviewer, on, confirmed_on=on)
        progress(1)
    return activities


def _clerk(unit: Any) -> Any:
    code = unit.code.lower().replace("-", "_")
    return get_user_model().objects.filter(username=f"{code}_clerk1").first()


def _liaisons(org: DemoOrg, rng: random.Random, today: dt.date) -> int:
    from fazhi.core.models import Unit

    count = 0
    for sub in org.subdistricts:
        station = Unit.objects.filter(code=f"{sub.code}-SF").first()
        clerk = _clerk(station) if station else None
        if station is None or clerk is None:
            continue
        places = [f"{sub.short_name}{k}{rng.choice(VILLAGES)}" for k in "一二三四五"[: rng.randint(3, 5)]]
        for k in range(rng.randint(8, 14)):
            selected = dt.date(today.year - rng.randint(0, 3), rng.randint(1, 12), rng.randint(1, 28))
            if selected >= today:
                selected = dt.date(today.year - 1, selected.month, selected.day)
            trained = min(today - dt.timedelta(days=1), dt.date(today.year, rng.randint(3, 10), rng.randint(1, 28)))
            trainings = rng.randint(0, 4) if trained >= selected else 0
            left = None
            if rng.random() < 0.06 and selected.year < today.year:
                left = dt.date(today.year, rng.randint(1, max(today.month - 1, 1)), 15)
                if left >= today or left < selected:
                    left = None
            values = {
                "unit": station,
                "code": f"{station.code}-MB{k + 1:03d}",
                "name": rng.choice(SURNAMES) + rng.choice(GIVEN),
                "phone": f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
                "village": rng.choice(places),
                "selected_on": selected,
                "trainings": trainings,
                "last_trained_on": trained if trainings else None,
                "left_on": left,
            }
            services.table_save("legal_liaison", actor=clerk, values=values)
            count += 1
    return count


def _villages(org: DemoOrg, rng: random.Random, today: dt.date) -> int:
    justice = org.departments[0]
    clerk = _clerk(justice)
    levels = ["national"] + ["provincial"] * 2 + ["municipal"] * 5
    count = 0
    for k, level in enumerate(levels, start=1):
        sub = org.subdistricts[(k - 1) % len(org.subdistricts)]
        named_year = today.year - rng.randint(0, 6) if level != "municipal" or k % 2 else today.year
        named = dt.date(named_year, rng.randint(1, 11), rng.randint(1, 28))
        if named >= today:
            named = dt.date(named_year - 1, named.month, named.day)
        values = {
            "unit": justice,
            "code": f"SFC-{k:03d}",
            "name": f"{sub.short_name}{'一二三四五六七八'[k - 1]}{'村' if k % 2 else '社区'}",
            "level": level,
            "named_year": named.year,
            "named_on": named,
            "revoked_on": None,
        }
        services.table_save("model_village", actor=clerk, values=values)
        count += 1
    return count
