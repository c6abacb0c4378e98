"""以罚代刑 thresholds: dated values (刑法修正案（十一）, the IP interpretations) and the IP rule of
国务院令第310号 (2020) art.3(2): a reasonable suspicion is enough for a transfer."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from conftest import Org, do
from fazhi.core.errors import DefinitionError
from fazhi.registers.enforcement import rules
from fazhi.registers.enforcement.models import EnforcementCase, ImpunityFlag, PowerItem
from fazhi.registers.enforcement.tests.fixtures import Agency, make_agency, open_case

D = dt.date


def test_each_threshold_holds_from_its_date_and_an_old_case_keeps_the_figure_of_its_day() -> None:
    copies = "selling_infringing_copies"
    before, after = rules.threshold_for(copies, "natural_person", D(2025, 4, 25)), rules.threshold_for(copies, "natural_person", D(2025, 4, 26))
    assert before is not None and after is not None
    assert (before.amount, after.amount) == (Decimal("100000"), Decimal("50000"))  # 法释〔2025〕5号 lowered it
    assert "法释〔2025〕5号" in after.reference and "法释〔2025〕5号" not in before.reference
    secrets = [rules.threshold_for("trade_secrets", "legal_person", d) for d in (D(2020, 9, 16), D(2020, 9, 17))]
    assert [t.amount for t in secrets if t] == [Decimal("500000"), Decimal("300000")]
    goods = [rules.threshold_for("counterfeit_trademark_goods", "natural_person", d) for d in (D(2021, 2, 28), D(2021, 3, 1))]
    assert [t.amount for t in goods if t] == [Decimal("50000"), Decimal("50000")]
    assert goods[0] is not None and goods[1] is not None
    assert "第七十条" in goods[0].reference and "刑法修正案（十一）" in goods[1].reference and "刑法修正案（十一）" not in goods[0].reference
    assert rules.threshold_for("counterfeit_trademark", "natural_person", D(2009, 1, 1)) is None  # no figure before its first value


def test_only_ip_offences_carry_the_reasonable_suspicion_rule_from_the_2020_revision() -> None:
    mark = rules.threshold_for("counterfeit_trademark", "natural_person", D(2025, 3, 20))
    assert mark is not None and mark.suspicion_amount == Decimal("25000.00") and "第三条第二款" in mark.suspicion_reference
    early = rules.threshold_for("counterfeit_trademark", "natural_person", D(2020, 8, 6))
    assert early is not None and early.suspicion_amount is None  # before the 2020 revision: the threshold alone
    fake = rules.threshold_for("fake_products", "natural_person", D(2025, 3, 20))
    assert fake is not None and fake.suspicion_amount is None


def _decided_penalty(agency: Agency, item: PowerItem, amount: str, n: int) -> EnforcementCase:
    case = open_case(agency, item=item, amount_involved=Decimal(amount), facts="销售假冒注册商标的运动鞋")
    do(case, "notify", agency.clerk, notified_on=D(2025, 3, 10), proposed_fine="5000")
    do(case, "decide", agency.head, decided_on=D(2025, 3, 20), outcome="penalty_imposed", decision_number=f"罚{n}", fine_amount="5000")
    return case


@pytest.mark.django_db
def test_an_ip_penalty_on_a_reasonable_suspicion_is_flagged_below_the_threshold(org: Org) -> None:
    agency = make_agency(org)
    item = PowerItem.objects.create(
        unit=org.dept, code="SJ-CF-009", name="对侵犯注册商标专用权的处罚", kind="penalty", legal_basis="《商标法》第六十条", offence="counterfeit_trademark"
    )
    suspected = _decided_penalty(agency, item, "30000", 1)
    flag = ImpunityFlag.objects.get(case=suspected)
    assert flag.threshold == Decimal("25000.00") and flag.amount == Decimal("30000.00")
    assert "第三条第二款" in flag.citation and "50000" in flag.citation and "第二百一十三条" in flag.offence_label
    assert not ImpunityFlag.objects.filter(case=_decided_penalty(agency, item, "20000", 2)).exists()
    over = _decided_penalty(agency, item, "60000", 3)
    assert ImpunityFlag.objects.get(case=over).threshold == Decimal("50000")
    # outside the IP field the threshold alone counts (第三条第一款)
    assert not ImpunityFlag.objects.filter(case=_decided_penalty(agency, agency.penalty, "30000", 4)).exists()


def test_a_share_outside_0_to_1_is_refused_on_load(settings: Any, tmp_path: Path) -> None:
    root = Path(settings.FAZHI_DEFINITIONS_DIR)
    shutil.copytree(root / "enforcement", tmp_path / "enforcement")
    path = tmp_path / "enforcement" / "criminal_thresholds.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("share: 0.5", "share: 1.5", 1), encoding="utf-8")
    settings.FAZHI_DEFINITIONS_DIR = tmp_path
    rules._threshold_entries.cache_clear()
    rules._thresholds.cache_clear()
    try:
        with pytest.raises(DefinitionError, match="share"):
            rules._thresholds()
    finally:
        settings.FAZHI_DEFINITIONS_DIR = root
        rules._threshold_entries.cache_clear()
        rules._thresholds.cache_clear()
