"""The tables of the national format of the 政府信息公开工作年度报告 (国办公开办函〔2021〕30号, and
the 2019 trial format of 国办公开办函〔2019〕60号 for 第二十条), laid out as the format lays them out
(merged cells as colspan/rowspan), filled with given figures: the test input of the reader's
template tables."""

from __future__ import annotations

REQUESTERS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
OUTCOMES: list[tuple[str, list[str]]] = [
    ("（一）予以公开", []),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", []),
    (
        "（三）不予公开",
        [
            "1.属于国家秘密",
            "2.其他法律行政法规禁止公开",
            "3.危及“三安全一稳定”",
            "4.保护第三方合法权益",
            "5.属于三类内部事务信息",
            "6.属于四类过程性信息",
            "7.属于行政执法案卷",
            "8.属于行政查询事项",
        ],
    ),
    ("（四）无法提供", ["1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确"]),
    (
        "（五）不予处理",
        ["1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物", "4.无正当理由大量反复申请", "5.要求行政机关确认或重新出具已获取信息"],
    ),
    (
        "（六）其他处理",
        [
            "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            "3.其他",
        ],
    ),
    ("（七）总计", []),
]


def _row(cells: list[str]) -> str:
    return "<tr>" + "".join(cells) + "</tr>"


def _numbers(values: list[int]) -> list[str]:
    return [f"<td>{v}</td>" for v in values]


def html_2021(first: dict[str, tuple[int, int, int]], decisions: dict[str, int], fee: float, requests: dict[str, list[int]], review: list[int]) -> str:
    """A report in the 2021 format. ``first``: 规章/行政规范性文件 → (本年制发, 本年废止, 现行有效);
    ``decisions``: 行政许可/行政处罚/行政强制 → 本年处理决定数量; ``fee``: 行政事业性收费 in 万元;
    ``requests``: a row name of the request table (本年新收, 上年结转, an outcome as in OUTCOMES, or
    结转下年度) → its seven figures by requester; ``review``: the fifteen figures of the review and
    litigation table."""
    t = ['<table border="1">', _row(['<td colspan="4">第二十条第（一）项</td>'])]
    t.append(_row(["<td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td>"]))
    for name, values in first.items():
        t.append(_row([f"<td>{name}</td>", *_numbers(list(values))]))
    for article, names, heading in (("（五）", ["行政许可"], "本年处理决定数量"), ("（六）", ["行政处罚", "行政强制"], "本年处理决定数量")):
        t.append(_row([f'<td colspan="4">第二十条第{article}项</td>']))
        t.append(_row([f'<td>信息内容</td><td colspan="3">{heading}</td>']))
        t += [_row([f'<td>{n}</td><td colspan="3">{decisions[n]}</td>']) for n in names]
    t.append(_row(['<td colspan="4">第二十条第（八）项</td>']))
    t.append(_row(['<td>信息内容</td><td colspan="3">本年收费金额（单位：万元）</td>']))
    t.append(_row([f'<td>行政事业性收费</td><td colspan="3">{fee}</td>']))
    t.append("</table>")
    r = ['<table border="1">']
    r.append(_row(['<td colspan="3" rowspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td><td colspan="7">申请人情况</td>']))
    r.append(_row(['<td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td>']))
    r.append(_row([f"<td>{n}</td>" for n in REQUESTERS[1:6]]))
    r.append(_row(['<td colspan="3">一、本年新收政府信息公开申请数量</td>', *_numbers(requests["本年新收"])]))
    r.append(_row(['<td colspan="3">二、上年结转政府信息公开申请数量</td>', *_numbers(requests["上年结转"])]))
    total_rows = sum(max(1, len(items)) for _, items in OUTCOMES)
    first_row = True
    for outcome, items in OUTCOMES:
        lead = f'<td rowspan="{total_rows}">三、本年度办理结果</td>' if first_row else ""
        first_row = False
        if not items:
            r.append(_row([lead, f'<td colspan="2">{outcome}</td>', *_numbers(requests.get(outcome, [0] * 7))]))
            continue
        for k, item in enumerate(items):
            head = f'<td rowspan="{len(items)}">{outcome}</td>' if k == 0 else ""
            r.append(_row([lead if k == 0 else "", head, f"<td>{item}</td>", *_numbers(requests.get(item, [0] * 7))]))
    r.append(_row(['<td colspan="3">四、结转下年度继续办理</td>', *_numbers(requests["结转下年度"])]))
    r.append("</table>")
    v = ['<table border="1">', _row(['<td colspan="5">行政复议</td><td colspan="10">行政诉讼</td>'])]
    v.append(
        _row(
            [
                '<td rowspan="2">结果维持</td><td rowspan="2">结果纠正</td><td rowspan="2">其他结果</td><td rowspan="2">尚未审结</td><td rowspan="2">总计</td>'
                '<td colspan="5">未经复议直接起诉</td><td colspan="5">复议后起诉</td>'
            ]
        )
    )
    v.append(_row(["<td>结果维持</td><td>结果纠正</td><td>其他结果</td><td>尚未审结</td><td>总计</td>"] * 2))
    v.append(_row(_numbers(review)))
    v.append("</table>")
    return (
        "<html><body><p>某区人民政府2023年政府信息公开工作年度报告</p><p>一、总体情况</p>"
        "<p>2023年，本机关主动公开政府信息1234条，办理政府信息公开申请46件。</p>"
        "<p>二、主动公开政府信息情况</p>"
        + "".join(t)
        + "<p>三、收到和处理政府信息公开申请情况</p>"
        + "".join(r)
        + "<p>四、政府信息公开行政复议、行政诉讼情况</p>"
        + "".join(v)
        + "<p>五、存在的主要问题及改进情况</p><p>无。</p></body></html>"
    )
