"""The extraction rules learnt from the development corpus (issue 25, part 2): tables flattened to
text, ratios, traditional characters, Chinese fractions and shares, figures written with a space,
and numbers that are no figures."""

from __future__ import annotations

import re

import pytest

from fazhi.reader import scoring
from fazhi.reader.cleaning import clean, simplified
from fazhi.reader.document import read_text
from fazhi.reader.figures import MASK, extract, mask_spans


def _figures(text: str) -> list[tuple[str, float, str, bool]]:
    return [(f.quote, f.value, f.unit, f.approx) for f in extract(text)]


def test_a_table_flattened_to_one_cell_per_line_keeps_its_small_cells() -> None:
    raw = "二、主动公开政府信息情况\n信息内容\n本年制发件数\n本年废止件数\n现行有效件数\n规章\n0\n0\n0\n行政规范性文件\n3\n0\n7\n行政许可\n3606\n"
    cleaned = clean(raw)
    assert cleaned.dropped == []
    lines = cleaned.text.split("\n")
    assert lines[5:9] == ["规章", "0", "0", "0"]  # the cells are neither dropped nor run together
    assert _figures(cleaned.text) == [("0", 0, "", False)] * 3 + [("3", 3, "", False), ("0", 0, "", False), ("7", 7, "", False), ("3606", 3606, "", False)]


def test_a_page_number_between_paragraphs_is_still_dropped() -> None:
    raw = (
        "某区2023年法治政府建设情况报告\n全年共受理行政复议申请案件，依法审查后作出决定，办理了大量的工作，取得了明显成效\n12\n"
        "并进一步规范了行政执法行为，全年共办理各类案件31件。\n第13页\n"
    )
    cleaned = clean(raw)
    assert cleaned.dropped == ["12", "第13页"]
    assert "成效并进一步" in cleaned.text  # the sentence broken by the page is joined again
    assert _figures(cleaned.text) == [("31件", 31, "件", False)]


def test_a_table_flattened_to_bars_gives_each_cell() -> None:
    text = "信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量 | |规章 | 0 | 2 | 15 | |规范性文件 | 4 | 4 | 120 |"
    assert _figures(text) == [(q, int(q), "", False) for q in ("0", "2", "15", "4", "4", "120")]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("全市行政复议与行政诉讼案件比为1.04:1，上年为2.12：1。", [("1.04:1", 1.04, ":1", False), ("2.12：1", 2.12, ":1", False)]),
        ("收案与结案之比约3:2。", [("约3:2", 1.5, ":1", True)]),
    ],
)
def test_ratios(text: str, expected: list[tuple[str, float, str, bool]]) -> None:
    assert _figures(text) == expected


def test_a_clock_time_is_no_ratio() -> None:
    assert _figures("会议于9:30召开。") == []


def test_traditional_characters_are_read_and_quoted_as_written() -> None:
    text = "推動六個試點城市建設，完成75項任務，最快30分鍾辦結，開展活動8100余場(次)，服務1.2萬余次，辦理800餘項。"
    assert _figures(text) == [
        ("六個", 6, "个", False),
        ("75項", 75, "项", False),
        ("30分鍾", 30, "分钟", False),
        ("8100余場(次)", 8100, "场次", True),
        ("1.2萬余次", 12000, "次", True),
        ("800餘項", 800, "项", True),
    ]
    assert len(simplified(text)) == len(text)
    assert simplified("個萬億項條") == "个万亿项条"


def test_a_simplified_text_is_left_as_it_is() -> None:
    text = "全年受理案件31件。"
    assert simplified(text) is text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("近六成事项实现网上办理。", [("近六成", 60, "%", True)]),
        ("三分之二的案件当场办结。", [("三分之二", 66.67, "%", False)]),
        ("满意率达到百分之九十五点五以上。", [("百分之九十五点五以上", 95.5, "%", True)]),
        ("超过7成的企业参与。", [("超过7成", 70, "%", True)]),
    ],
)
def test_chinese_fractions_and_shares_are_percentages(text: str, expected: list[tuple[str, float, str, bool]]) -> None:
    assert _figures(text) == expected


def test_shares_do_not_take_words_with_cheng() -> None:
    assert _figures("一成不变，完成任务，三成立了工作专班。") == []


def test_a_figure_written_with_a_space_before_its_unit() -> None:
    report = read_text("表决结果为赞成 25 票，反对 0 票。")
    assert [(f.quote, f.value, f.unit) for f in report.figures] == [("25票", 25, "票"), ("0票", 0, "票")]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("打好法治思维、法治满意度等5大攻坚战，压实责任。", [("5大攻坚战", 5, "大攻坚战", False)]),
        ("推动农业等5大领域综合执法改革。", [("5大领域", 5, "大领域", False)]),
        ("经常出现的两大问题：一是错字。", [("两大问题", 2, "大问题", False)]),
        (
            "共抽查执法案卷120卷，覆盖企业1500余家次，分为六部分。",
            [("120卷", 120, "卷", False), ("1500余家次", 1500, "家次", True), ("六部分", 6, "部分", False)],
        ),
    ],
)
def test_counted_nouns_without_a_measure_word_and_new_units(text: str, expected: list[tuple[str, float, str, bool]]) -> None:
    assert _figures(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "认真学习贯彻党的二十大精神和党的十九大和十九届历次全会精神。",  # party congresses
        "各区政府集中管辖受案排名前五位分别为浦东新区。",  # a rank
        "作为江源区未来五年法治政府建设的施工图，落实法治政府建设三年行动计划。",  # a horizon, a plan's name
        "区委常委会每季度至少听取1次法治建设工作汇报。",  # a standing schedule
        "打造15分钟政务服务圈。",  # a named service radius
        "贯彻落实“辽宁省2022年推进法治政府建设十项重点任务”。",  # a quoted title
        "联系地址:厦门市湖里区枋湖南路161号722室,邮编:361009。",  # an address
        "自治区人民政府办公厅2022政府信息公开工作年度报告。",  # a year whose 年 was lost
        "2025730日,该清单正式对外公布，20256月启动。",  # a date whose separators were lost
    ],
)
def test_numbers_that_are_not_figures(text: str) -> None:
    assert extract(text) == []


def test_a_hundred_percent_inside_a_slogan_is_one_figure() -> None:
    assert _figures("实现认领率、发布率“四个100%”。") == [("100%", 100, "%", False)]


def test_a_number_cut_off_at_the_end_of_the_text_is_kept_bare() -> None:
    assert _figures("2021年度，我县主动公开政府信息34152") == [("34152", 34152, "", False)]


def test_the_fast_mask_scan_finds_what_the_mask_pattern_finds() -> None:
    for name in scoring.TUNING + scoring.HELD_OUT:
        text = simplified(read_text((scoring.SEEDS / f"{name}.txt").read_text(encoding="utf-8"), with_checks=False).text)
        expected = [m.span() for m in MASK.finditer(text) if m.end() > m.start()]
        assert mask_spans(text) == expected
        assert len(expected) > 20


def test_quotes_are_substrings_of_the_original_text() -> None:
    text = "辦理800餘項，受理政府信息公開申請13件。"
    for f in extract(text):
        assert text[f.start : f.end] == f.quote
        assert re.search(r"\d", f.quote)
