"""Figures, labels and metadata read from the five seed reports against their hand annotations."""

from __future__ import annotations

import pytest

from fazhi.reader import scoring
from fazhi.reader.document import outline, read_text
from fazhi.reader.figures import extract
from fazhi.reader.labels import definitions_dir, load_labels, load_rules


def _read(name: str):  # type: ignore[no-untyped-def]
    return read_text((scoring.SEEDS / f"{name}.txt").read_text(encoding="utf-8"), name=name)


@pytest.mark.parametrize("name", scoring.TUNING + scoring.HELD_OUT)
def test_every_annotation_points_at_its_quote_and_uses_a_known_label(name: str) -> None:
    report = _read(name)
    gold = scoring.load_gold(name, report.text)
    labels = load_labels()
    assert len(gold) >= 30
    for g in gold:
        assert report.text[g.start : g.end] == g.quote
        assert g.metric in labels, g.metric


def test_the_extractor_matches_the_hand_annotations_on_tuning_and_held_out_seeds() -> None:
    for names, floor, label_floor in ((scoring.TUNING, 1.0, 0.98), (scoring.HELD_OUT, 0.95, 0.8)):
        total = None
        for name in names:
            report = _read(name)
            s, _problems = scoring.score(report, scoring.load_gold(name, report.text))
            total = s if total is None else total + s
        assert total is not None
        assert total.precision >= floor and total.recall >= floor, (names, total)
        assert total.label_accuracy >= label_floor, (names, total)
        assert total.approx_ok == total.matched


def test_every_quote_is_the_exact_substring_of_the_clean_text() -> None:
    for name in scoring.TUNING + scoring.HELD_OUT:
        report = _read(name)
        for f in report.figures:
            assert report.text[f.start : f.end] == f.quote


@pytest.mark.parametrize(
    "text, expected",
    [
        ("全市受理各类法律援助案件1.7万余件。", [("1.7万余件", 17000, "件", True)]),
        ("为农民工讨回劳动报酬共73.5万余元。", [("73.5万余元", 73.5, "万元", True)]),
        ("累计服务企业融资71.6亿元，参加人员29.5万余人次。", [("71.6亿元", 71.6, "亿元", False), ("29.5万余人次", 295000, "人次", True)]),
        ("新收行政复议申请31件，其中受理29件，不予受理2件。", [("31件", 31, "件", False), ("29件", 29, "件", False), ("2件", 2, "件", False)]),
        ("出台三件规范性文件，解答咨询问题近万条，耗时近15天。", [("三件", 3, "件", False), ("近万条", 10000, "条", True), ("近15天", 15, "天", True)]),
        (
            "“最多跑一次”事项接近90%，满意率95%以上，不超过30分钟。",
            [("接近90%", 90, "%", True), ("95%以上", 95, "%", True), ("不超过30分钟", 30, "分钟", True)],
        ),
        ("每月调解10至15件。", [("10", 10, "件", False), ("15件", 15, "件", False)]),
        ("归集执法案件数据600余万件。", [("600余万件", 6000000, "件", True)]),
    ],
)
def test_values_units_and_approximate_markers(text: str, expected: list[tuple[str, float, str, bool]]) -> None:
    assert [(f.quote, f.value, f.unit, f.approx) for f in extract(text)] == expected


@pytest.mark.parametrize(
    "text",
    [
        "2019年8月和12月，我区先后召开了第一次、第二次会议。",
        "印发《中共东西湖区委全面依法治区委员会2019年工作要点》（东法发〔2019〕1号）。",
        "依据《行政复议法》第二十三条、第3款，居全市第2名，排名全省第19位。",
        "落实“三项制度”和“四十五证合一”，实现“210”，开展“12·4”宪法宣传，2020年1月16日。",
        "一是强化统筹。二是三项制度落实到位，发布日期:2023-02-21 10:00，省政务服务3.0平台。",
        "2019年地区生产总值增长8%，5项重点经济绩效指标位列第一。",
        "为75岁以上老年人办理，周六节假日正常办公，五年来成效明显。",
    ],
)
def test_dates_document_numbers_ordinals_names_and_economy_are_not_figures(text: str) -> None:
    assert extract(text) == []


def test_metadata_of_each_seed() -> None:
    expected = {
        "000_3377e9b10d40cdb1": ("东西湖区", 2019, "2020-01-16", "东西湖区人民政府"),
        "001_88355d0e2550c175": ("洪山区", 2020, "2021-02-18", "中共洪山区委全面依法治区委员会办公室"),
        "002_a7e8ed6e7fa55bf6": ("下陆区", 2024, "2025-02-28", "下陆区司法局"),
        "003_3df3524417f8c2a8": ("武汉市", 2022, "2023-02-20", "武汉市人民政府"),
        "004_857e671b3a9549fe": ("云溪区", 2019, None, "中共岳阳市云溪区委"),
    }
    for name, (place, year, date, body) in expected.items():
        report = _read(name)
        assert (report.jurisdiction, report.year, report.date, report.body) == (place, year, date, body), name
        assert "法治政府建设" in report.title
    assert _read("004_857e671b3a9549fe").header["doc_number"] == "岳云委〔2020〕6号"


def test_furniture_is_removed_and_broken_lines_are_rejoined() -> None:
    report = _read("001_88355d0e2550c175")
    assert "版权所有" not in report.text and "网站标识码" not in report.text and "文 号" not in report.text
    seed = _read("000_3377e9b10d40cdb1")
    assert "咨询3190场次" in seed.text  # "咨询3190" / "场次" were split by a page break
    assert "高于市级标准23个百分点" in seed.text
    assert _read("002_a7e8ed6e7fa55bf6").text.split("\n")[0] == "下陆区2024年法治政府建设工作报告"
    assert "设为首页" not in _read("002_a7e8ed6e7fa55bf6").text


def test_a_sentence_of_the_report_naming_a_wechat_account_is_not_furniture() -> None:
    text = (
        "2023年区政府办主动公开信息158条，其中：政府网站发布信息50条，“彤心向阳”微信公众号发布信息108条。\n"
        "微信公众号\n联系电话：0731-12345678\n浏览次数：1234次"
    )
    report = read_text(text, with_checks=False)
    assert [(f.value, f.unit) for f in report.figures] == [(158, "条"), (50, "条"), (108, "条")]
    assert "联系电话" not in report.text and "浏览次数" not in report.text and "\n微信公众号" not in report.text


def test_outline_levels_follow_the_markers() -> None:
    items = outline(_read("000_3377e9b10d40cdb1").text)
    kinds = [(o.level, o.marker) for o in items[:4]]
    assert kinds == [(1, "一、"), (2, "（一）"), (3, "1."), (3, "2.")]
    assert items[0].title == "各项工作基本情况"
    inline = [o for o in items if o.kind == "一是"]
    assert inline and all(o.level == 4 for o in inline if o.start < 3000)
    tops = [o.title for o in items if o.level == 1]
    assert tops == ["各项工作基本情况", "存在的主要问题和不足", "2020年工作思路"]


def test_label_files_parse_and_every_rule_names_a_label() -> None:
    labels = load_labels()
    assert len(labels) > 400 and "行政机关负责人出庭应诉率" in labels
    added = load_labels(definitions_dir() / "LABELS_ADDED.md")
    assert all(rule.metric in labels or rule.metric in added for rule in load_rules())
    assert any(rule.metric in added and rule.metric not in labels for rule in load_rules())  # 行政事业性收费金额 of the 政府信息公开 tables
