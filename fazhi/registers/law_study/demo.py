"""A year (and the one before) of 学法 and 述法 in the demo district, through the same services as
the page: the district government's 常务会议会前学法 and the 中心组's sessions, each department's and
subdistrict's 中心组学法 (a few below the region's minimum), 法治讲座和培训; the leaders' 学法考试 in
October (a few absent, a few failing); last year's 述法 of the district's and the departments' leaders
(held in January, rated; one department's member still owing it)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model

from fazhi.core.demo import DemoOrg, fake_name
from fazhi.core.types import Actor
from fazhi.registers.framework.demo import department_staff
from fazhi.registers.law_study import services

LAWS = [
    ("学习新修订的《行政复议法》", "《中华人民共和国行政复议法》"),
    ("学习《民法典》合同编", "《中华人民共和国民法典》"),
    ("学习《行政处罚法》", "《中华人民共和国行政处罚法》"),
    ("学习《重大行政决策程序暂行条例》", "《重大行政决策程序暂行条例》"),
    ("学习《优化营商环境条例》", "《优化营商环境条例》"),
    ("学习《法治政府建设实施纲要（2021—2025年）》", "《法治政府建设实施纲要（2021—2025年）》"),
    ("学习《政府信息公开条例》", "《中华人民共和国政府信息公开条例》"),
    ("学习《安全生产法》", "《中华人民共和国安全生产法》"),
    ("学习宪法", "《中华人民共和国宪法》"),
    ("学习《法治宣传教育法》", "《中华人民共和国法治宣传教育法》"),
    ("学习《行政复议法实施条例》", "《中华人民共和国行政复议法实施条例》"),
    ("学习《国家赔偿法》", "《中华人民共和国国家赔偿法》"),
]
TRAININGS = [
    "行政执法“三项制度”专题培训",
    "全区法治政府建设专题培训班",
    "行政复议应诉能力提升培训",
    "规范性文件合法性审核培训",
    "党校主体班法治专题",
    "习近平法治思想专题讲座",
]
SPEAKERS = ["区司法局局长", "市委党校教授", "区法院行政庭庭长", "法律顾问（律师）", "区政府法律顾问", "政法大学副教授"]
DISTRICT_LEADERS = [("区委书记", "party"), ("区长", "government")] + [
    (p, "member") for p in ("常务副区长", "副区长", "副区长", "副区长", "区委副书记", "区委常委")
]


def _dates(rng: random.Random, year: int, until: dt.date, n: int) -> list[dt.date]:
    start, end = dt.date(year, 1, 10), min(dt.date(year, 12, 20), until)
    if end <= start:
        return []
    span = (end - start).days
    days = sorted(start + dt.timedelta(days=rng.randrange(span)) for _ in range(n))
    return [d if d.weekday() < 5 else d + dt.timedelta(days=7 - d.weekday()) for d in days if d + dt.timedelta(days=2) <= until]


def build(org: DemoOrg, rng: random.Random, today: dt.date, progress: Callable[[int], None]) -> dict[str, int]:
    office = get_user_model().objects.get(username="office")
    staff = department_staff(org)
    counts = {"sessions": 0, "exams": 0, "reports": 0}

    def session(unit: Any, actor: Actor, day: dt.date, body: str, attendees: int, hours: str, topic: str = "", laws: str = "") -> None:
        if not topic:
            topic, laws = rng.choice(LAWS)
        data = {
            "held_on": day,
            "body": body,
            "topic": topic,
            "laws": laws or "相关法律法规",
            "speaker": rng.choice(SPEAKERS),
            "attendees": attendees,
            "hours": Decimal(hours),
        }
        if services.session_record(unit=unit, actor=actor, data=data)[1] == "created":
            counts["sessions"] += 1
        progress(1)

    for year in (today.year - 1, today.year):
        for day in _dates(rng, year, today, 6):
            session(org.district, office, day, "executive_meeting", rng.randint(16, 24), "1")
        for day in _dates(rng, year, today, 5):
            session(org.district, office, day, "central_group", rng.randint(12, 18), "2")
        for day in _dates(rng, year, today, 2):
            session(org.district, office, day, "decision_study", rng.randint(10, 20), "1")
        for day in _dates(rng, year, today, 8):
            body = rng.choice(["lecture", "training"])
            topic = rng.choice(TRAININGS)
            session(
                org.district,
                office,
                day,
                body,
                rng.randint(60, 320),
                rng.choice(["3", "6", "12"]),
                f"{topic}（{day.month}月）",
                "《法治政府建设实施纲要（2021—2025年）》等",
            )
        for dept, (clerk, _reviewer) in staff.items():
            n = rng.choice([1, 2, 2, 3, 3, 4])  # a few departments below the minimum of 2
            for day in _dates(rng, year, today, n):
                session(dept, clerk, day, "central_group", rng.randint(5, 12), "1.5")
            if rng.random() < 0.3:
                for day in _dates(rng, year, today, 1):
                    session(dept, clerk, day, "training", rng.randint(20, 90), "3", f"{dept.short_name}执法人员法治培训", "本部门执法依据")
        for sd in org.subdistricts:
            for day in _dates(rng, year, today, rng.choice([2, 3])):
                session(sd, office, day, "central_group", rng.randint(6, 11), "1.5")

    # the leaders' 学法考试, held in late October each year
    people: list[tuple[Any, Any, str, str]] = [(org.district, office, fake_name(rng), post) for post, _r in DISTRICT_LEADERS]
    for dept, (clerk, _reviewer) in staff.items():
        people += [(dept, clerk, fake_name(rng), post) for post in ("局长", "副局长", "副局长")[: rng.randint(2, 3)]]
    for year in (today.year - 1, today.year):
        exam_day = dt.date(year, 10, 28)
        if exam_day > today:
            continue
        for unit, actor, name, post in people:
            taken = rng.random() > 0.04
            score = Decimal(rng.choice([rng.randint(61, 100), rng.randint(61, 100), rng.randint(61, 100), rng.randint(45, 100)])) if taken else None
            sat = {"year": year, "name": name, "post": post, "group": "leader", "taken": taken, "score": score, "held_on": exam_day if taken else None}
            if services.exam_record(unit=unit, actor=actor, data=sat)[1] == "created":
                counts["exams"] += 1
            progress(1)

    # last year's 述法, held in January this year at the 依法治区委员会 (principals) or with the year-end 述职
    year = today.year - 1
    ratings = ["good"] * 7 + ["fair_good"] * 2 + ["fair"]
    leaders = [(org.district, office, name, post, role) for (_u, _a, name, post), (_p, role) in zip(people, DISTRICT_LEADERS, strict=False)]
    for dept, (clerk, _reviewer) in staff.items():
        for u, _a, name, post in people:
            if u == dept:
                leaders.append((dept, clerk, name, "党组书记、局长" if post == "局长" else post, "government" if post == "局长" else "member"))
    for i, (unit, actor, name, post, role) in enumerate(leaders):
        data: dict[str, Any] = {"year": year, "name": name, "post": post, "role": role}
        owing = i == len(leaders) - 1  # one member has not yet reported
        reported = dt.date(year + 1, 1, rng.randint(8, 26))
        if not owing and reported <= today:
            principal = role != "member"
            form = "meeting" if principal else rng.choice(["annual", "written"])
            rating = rng.choice(ratings)
            evaluated = reported + dt.timedelta(days=rng.randint(0, 10))
            data |= {
                "reported_on": reported,
                "audience": "区委全面依法治区委员会会议" if principal else "年度述职述廉述法会议",
                "form": form,
                "rating": rating,
                "evaluated_on": evaluated if evaluated <= today else reported,
            }
        if services.report_record(unit=unit, actor=actor, data=data)[1] == "created":
            counts["reports"] += 1
        progress(1)
    return counts
