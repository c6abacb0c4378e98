"""The demo organisation: a city with one fully staffed district and one small neighbour."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from fazhi.core.models import Kind, Level, Membership, Role, Unit
from fazhi.core.services import unit_create

DEMO_PASSWORD = "fazhi-demo-2026"

DEPARTMENTS = [
    ("司法局", "司法"),
    ("市场监督管理局", "市监"),
    ("城市管理执法局", "城管"),
    ("生态环境分局", "环境"),
    ("住房和城乡建设局", "住建"),
    ("交通运输局", "交通"),
    ("农业农村局", "农业"),
    ("文化和旅游局", "文旅"),
    ("卫生健康局", "卫健"),
    ("应急管理局", "应急"),
    ("人力资源和社会保障局", "人社"),
    ("民政局", "民政"),
    ("教育局", "教育"),
    ("自然资源和规划分局", "规划"),
    ("公安分局", "公安"),
    ("财政局", "财政"),
    ("商务局", "商务"),
    ("发展和改革局", "发改"),
    ("医疗保障局", "医保"),
    ("退役军人事务局", "退役"),
    ("水务和湖泊局", "水务"),
    ("园林和林业局", "林业"),
    ("行政审批局", "审批"),
    ("政务服务和大数据管理局", "数据"),
    ("审计局", "审计"),
    ("房屋管理局", "房管"),
    ("统计局", "统计"),
    ("消防救援大队", "消防"),
]
SUBDISTRICTS = ["长青", "滨湖", "文昌", "龙泉", "桂园", "新城", "白鹭", "金桥", "清河", "东岭"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志勇文斌海燕晓东"


def fake_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


@dataclass
class DemoOrg:
    city: Unit
    district: Unit
    office: Unit
    reconsideration_body: Unit
    departments: list[Unit] = field(default_factory=list)
    subdistricts: list[Unit] = field(default_factory=list)
    other_district: Unit | None = None
    other_reconsideration_body: Unit | None = None
    legal_aid_centre: Unit | None = None
    logins: dict[str, tuple[str, str]] = field(default_factory=dict)  # role -> (username, description)


def build_org(rng: random.Random) -> DemoOrg:
    city = unit_create(name="江城市人民政府", short_name="江城", code="JC", level=Level.CITY, kind=Kind.GOVERNMENT)
    district = unit_create(name="江城市明德区人民政府", short_name="明德", code="JC-MD", level=Level.DISTRICT, kind=Kind.GOVERNMENT, parent=city)
    office = unit_create(
        name="中共明德区委全面依法治区委员会办公室",
        short_name="法治办",
        code="JC-MD-FZB",
        level=Level.DISTRICT,
        kind=Kind.COMMITTEE,
        parent=district,
        is_rule_of_law_office=True,
    )
    depts = []
    for i, (name, short) in enumerate(DEPARTMENTS, start=1):
        depts.append(unit_create(name=f"明德区{name}", short_name=short, code=f"JC-MD-D{i:02d}", level=Level.DISTRICT, kind=Kind.DEPARTMENT, parent=district))
    justice = depts[0]
    body = unit_create(
        name="明德区人民政府行政复议办公室",
        short_name="明",
        code="JC-MD-FY",
        level=Level.DISTRICT,
        kind=Kind.SECTION,
        parent=justice,
        is_reconsideration_body=True,
    )
    for j, sec in enumerate(["法治督察科", "普法与依法治理科", "行政执法协调监督科", "公共法律服务管理科"], start=1):
        unit_create(name=f"明德区司法局{sec}", short_name=sec[:2], code=f"JC-MD-D01-S{j}", level=Level.DISTRICT, kind=Kind.SECTION, parent=justice)
    legal_aid = unit_create(name="明德区法律援助中心", short_name="明援", code="JC-MD-D01-LA", level=Level.DISTRICT, kind=Kind.STATION, parent=justice)
    market = depts[1]
    unit_create(name="明德区市场监督管理局执法大队", short_name="市监执法", code="JC-MD-D02-T", level=Level.DISTRICT, kind=Kind.STATION, parent=market)
    subs = []
    for i, name in enumerate(SUBDISTRICTS, start=1):
        sd = unit_create(
            name=f"明德区{name}街道办事处", short_name=name, code=f"JC-MD-J{i:02d}", level=Level.SUBDISTRICT, kind=Kind.GOVERNMENT, parent=district
        )
        unit_create(
            name=f"{name}街道综合行政执法中心", short_name=f"{name}执法", code=f"JC-MD-J{i:02d}-ZF", level=Level.SUBDISTRICT, kind=Kind.STATION, parent=sd
        )
        unit_create(name=f"{name}司法所", short_name=f"{name}所", code=f"JC-MD-J{i:02d}-SF", level=Level.SUBDISTRICT, kind=Kind.STATION, parent=sd)
        if i <= 4:
            unit_create(
                name=f"{name}市场监督管理所", short_name=f"{name}市监", code=f"JC-MD-J{i:02d}-SJ", level=Level.SUBDISTRICT, kind=Kind.STATION, parent=market
            )
        subs.append(sd)
    other = unit_create(name="江城市光华区人民政府", short_name="光华", code="JC-GH", level=Level.DISTRICT, kind=Kind.GOVERNMENT, parent=city)
    other_justice = unit_create(name="光华区司法局", short_name="光司", code="JC-GH-D01", level=Level.DISTRICT, kind=Kind.DEPARTMENT, parent=other)
    other_body = unit_create(
        name="光华区人民政府行政复议办公室",
        short_name="光",
        code="JC-GH-FY",
        level=Level.DISTRICT,
        kind=Kind.SECTION,
        parent=other_justice,
        is_reconsideration_body=True,
    )
    return DemoOrg(
        city=city,
        district=district,
        office=office,
        reconsideration_body=body,
        departments=depts,
        subdistricts=subs,
        other_district=other,
        other_reconsideration_body=other_body,
        legal_aid_centre=legal_aid,
    )


def build_users(org: DemoOrg, rng: random.Random) -> int:
    user_model = get_user_model()
    password = make_password(DEMO_PASSWORD)  # hashed once: a few hundred PBKDF2 runs would take minutes
    users: list[Any] = []
    grants: list[tuple[str, Unit, str]] = []

    def add(username: str, unit: Unit, role: str, full_name: str | None = None) -> None:
        users.append(user_model(username=username, first_name=full_name or fake_name(rng), password=password))
        grants.append((username, unit, role))

    named = [
        ("clerk", org.reconsideration_body, Role.CLERK, "行政复议办经办人"),
        ("reviewer", org.reconsideration_body, Role.REVIEWER, "行政复议办审核人"),
        ("head", org.reconsideration_body, Role.HEAD, "行政复议办负责人"),
        ("office", org.district, Role.RULE_OF_LAW_OFFICE, "依法治区办"),
        ("evaluator", org.district, Role.EVALUATOR, "考核人员"),
        ("checker", org.district, Role.REVIEWER, "区政府办公室审核、保密审查"),
        ("leader", org.district, Role.HEAD, "区长（主要负责人，签发年度报告）"),
        ("admin", org.city, Role.ADMIN, "系统管理员"),
        ("clerk_gh", org.other_reconsideration_body, Role.CLERK, "光华区复议经办人"),
        ("aid_reviewer", org.legal_aid_centre, Role.REVIEWER, "法律援助中心审查人"),
        ("aid_head", org.legal_aid_centre, Role.HEAD, "法律援助中心主任"),
    ]
    for username, maybe_unit, role, desc in named:
        assert maybe_unit is not None
        unit = maybe_unit
        add(username, unit, role, desc)
        key = {
            "clerk_gh": "clerk_other_district",
            "aid_reviewer": "legal_aid_reviewer",
            "aid_head": "legal_aid_head",
            "checker": "report_reviewer",
            "leader": "principal_leader",
        }.get(username, str(role))
        org.logins[key] = (username, f"{desc}（{unit.name}）")
    for i in range(2, 4):
        add(f"clerk{i}", org.reconsideration_body, Role.CLERK)
        add(f"reviewer{i}", org.reconsideration_body, Role.REVIEWER)
    for i in range(2, 5):
        add(f"office{i}", org.district, Role.RULE_OF_LAW_OFFICE)
    for dept in org.departments + org.subdistricts:
        code = dept.code.lower().replace("-", "_")
        add(f"{code}_head", dept, Role.HEAD)
        add(f"{code}_reviewer", dept, Role.REVIEWER)
        for k in range(1, rng.randint(2, 4)):
            add(f"{code}_clerk{k}", dept, Role.CLERK)
    for unit in Unit.objects.filter(kind__in=[Kind.STATION, Kind.SECTION], path__startswith=org.district.path).exclude(pk=org.reconsideration_body.pk):
        code = unit.code.lower().replace("-", "_")
        for k in range(1, rng.randint(2, 3)):
            add(f"{code}_clerk{k}", unit, Role.CLERK)
    user_model.objects.bulk_create(users)
    by_name = dict(user_model.objects.values_list("username", "pk"))
    Membership.objects.bulk_create([Membership(user_id=by_name[u], unit=unit, role=role) for u, unit, role in grants])
    user_model.objects.filter(username="admin").update(is_staff=True, is_superuser=True)
    return len(users)
