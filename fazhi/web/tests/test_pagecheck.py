"""The checker of plain Chinese pages: each rule catches its case, clean Chinese passes."""

from __future__ import annotations

from fazhi.web.pagecheck import page_problems


def page(body: str) -> str:
    return f"<html><head><title>页面</title><style>.a {{ color: red }}</style></head><body>{body}</body></html>"


def test_it_passes_plain_chinese_with_the_allowed_abbreviations() -> None:
    html = page("<h1>行政复议案件</h1><p>下载 PDF 或 xlsx；扫描 QR 码；地址 https://example.gov.cn/gongkai/ ，邮箱 zhang@example.com</p>")
    assert page_problems(html) == []


def test_it_ignores_scripts_styles_attributes_and_the_technical_disclosure() -> None:
    html = page(
        '<script>var data = {"reconsideration.decision": "met"};</script>'
        '<a href="/r/reconsideration/" title="reconsideration">行政复议</a>'
        "<details><summary>技术信息</summary>日历版本 2026-50bac2da，摘要 " + "ab12" * 16 + "</details>"
    )
    assert page_problems(html) == []


def test_it_reports_english_words_outside_the_allow_list() -> None:
    problems = page_problems(page("<p>applicant_phone：13800000000</p>"))
    assert any("'applicant'" in p for p in problems) and any("'phone'" in p for p in problems)
    assert page_problems(page("<p>规则 reconsideration.acceptance</p>"))
    assert page_problems(page("<p>单位 x1</p>")) == []  # a single letter is no word
    # codes of records: capitals and digits (统一社会信用代码, 权力事项编码)
    assert page_problems(page("<p>91420102MA4K876780；JC-MD-D03-003；SHA-256</p>")) == []
    assert page_problems(page("<p>MA 4K</p>"))
    # the portal's tracking code, even when it happens to hold no digit (one in thirty)
    assert page_problems(page("<p>您的查询码： AFAB-PWSL-KZTT 查询码只显示这一次</p>")) == []
    assert page_problems(page("<p>AFAB PWSL</p>"))
    # units, and the names of files users uploaded
    assert page_problems(page("<p>不超过 10 MB；佐证：自查报告.pdf、现场照片.JPG</p>")) == []
    assert page_problems(page("<p>见 .txt</p>"))
    assert page_problems(page("<p>Foo</p>"), allow={"Foo"}) == []


def test_it_reports_braces_a_raw_dict_leaves() -> None:
    problems = page_problems(page("<p>期限遵守情况 {}</p>"))
    assert [p.split(":")[0] for p in problems] == ["brace '{'", "brace '}'"] and "期限遵守情况 {}" in problems[0]


def test_it_reports_names_of_the_repositorys_files() -> None:
    problems = page_problems(page("<p>依据 definitions/clocks/reconsideration.yaml 第3条</p>"))
    assert any(p.startswith("repository file 'definitions/clocks/reconsideration.yaml'") for p in problems)
    assert any(p.startswith("repository file 'settings.py'") for p in page_problems(page("<p>见 settings.py</p>")))


def test_it_reports_long_hex_strings_but_not_long_numbers() -> None:
    digest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    problems = page_problems(page(f"<p>查询码摘要 {digest}</p>"))
    assert [p.split(":")[0] for p in problems] == [f"hex string '{digest}'"]
    assert page_problems(page("<p>身份证号 420102198001011234，电话 13800000000</p>")) == []


def test_it_reports_djangos_english_messages() -> None:
    problems = page_problems(page('<ul class="errorlist"><li>This field is required.</li></ul>'))
    assert problems == ["Django English message 'This field is required.'"]


def test_it_reports_the_words_for_what_only_an_auditor_needs() -> None:
    problems = page_problems(page("<p>登记 审计叶子 #91581</p><p>日历版本 2026-50bac2da</p>"))
    assert [p.split(":")[0] for p in problems][:2] == ["developer term '审计叶子'", "developer term '日历版本'"]
    assert page_problems(page("<details><summary>技术信息</summary>审计叶子 #91581</details>")) == []


def test_it_reports_a_label_printed_empty() -> None:
    assert [p.split(":")[0] for p in page_problems(page("<p>其他处理—其他（）</p>"))] == ["empty brackets"]
    assert page_problems(page("<p>其他处理—其他（第三十条）</p>")) == []


def test_a_recorded_digest_goes_behind_the_technical_disclosure() -> None:
    from fazhi.web.templatetags.fazhi import digests_aside

    digest = "25e5e4675855d4e179b297476241db7d3de9a046a9ddc73bca28145287d9b0e7"
    shown = digests_aside(f"方案校验值 SHA-256 {digest}")
    assert shown.startswith("<details") and digest in shown and page_problems(page(shown)) == []
    assert digests_aside("<b>已发布</b>") == "<b>已发布</b>"  # escaped by the template as usual
    assert "&lt;b&gt;" in digests_aside(f"<b> SHA-256 {digest}")
