"""Search over the fields a clerk remembers: declared per register, indexed on every write path
(services, bulk writer, ledger import), found by party, number, respondent, a two-character
name, and never beyond what the user may see."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import models

from conftest import Org, do
from fazhi.core.errors import DefinitionError
from fazhi.core.fieldcrypt import index_digest
from fazhi.registers.enforcement.tests.fixtures import Agency, make_agency, open_case
from fazhi.registers.framework.bulk import Planned, Step, bulk_write
from fazhi.registers.framework.definition import load_definition
from fazhi.registers.framework.ledger import ledger_import
from fazhi.registers.framework.models import SearchDigest, SearchEntry
from fazhi.registers.framework.registry import REGISTRY, register_get
from fazhi.registers.framework.search import matters_search, search_index_deferred, search_normalise, search_rebuild
from fazhi.registers.framework.selectors import matters_visible_to
from fazhi.registers.framework.services import matter_amend
from fazhi.registers.framework.tests.test_ledger import ledger_rows, xlsx
from fazhi.registers.reconsideration.models import ReconsiderationCase

pytestmark = pytest.mark.django_db


def found(user: Any, register: str, query: str) -> set[str]:
    reg = register_get(register)
    return set(matters_search(matters_visible_to(user, reg), reg, query).values_list("case_number", flat=True))


@pytest.fixture
def agency(org: Org) -> Agency:
    return make_agency(org)


def test_every_register_declares_what_a_clerk_searches_by() -> None:
    for name, reg in REGISTRY.items():
        assert reg.definition.search, name
        for field in (*reg.definition.search, *([reg.definition.party] if reg.definition.party else [])):
            assert isinstance(reg.model._meta.get_field(field), models.CharField | models.TextField), (name, field)
    assert "decision_number" in REGISTRY["enforcement"].definition.search
    assert "respondent_name" in REGISTRY["reconsideration"].definition.search
    assert REGISTRY["enforcement"].definition.party == "party_name"


def _definition(tmp_path: Path, replace: tuple[str, str] | None = None, append: str = "") -> Path:
    source = Path(settings.FAZHI_DEFINITIONS_DIR) / "registers" / "enforcement.yaml"
    text = source.read_text(encoding="utf-8")
    if replace:
        assert replace[0] in text
        text = text.replace(*replace)
    path = tmp_path / "enforcement.yaml"
    path.write_text(text + append, encoding="utf-8")
    return path


def _load(path: Path) -> Any:
    model = REGISTRY["enforcement"].model
    text = {f.name for f in model._meta.concrete_fields if isinstance(f, models.CharField | models.TextField)}
    return load_definition(path, model_fields={f.name for f in model._meta.get_fields()}, text_fields=text)


def test_the_loader_refuses_unknown_search_fields_and_a_batch_step_that_needs_more_than_a_date(tmp_path: Path) -> None:
    path = _definition(tmp_path, ("search: [party_name, decision_number]", "search: [party_name, no_such_field]"))
    with pytest.raises(DefinitionError, match=r"enforcement\.yaml:\d+: search 引用了模型中不存在的文本字段 'no_such_field'"):
        _load(path)
    path = _definition(tmp_path, ("search: [party_name, decision_number]", "search: [party_name, fine_amount]"))
    with pytest.raises(DefinitionError, match="fine_amount"):  # a number, not a text field
        _load(path)
    path = _definition(tmp_path, ("party: party_name", "party: [party_name]"))
    with pytest.raises(DefinitionError, match=r"enforcement\.yaml:\d+: party 应为一个字段名"):
        _load(path)
    path = _definition(
        tmp_path, ("    fields: [decided_on, outcome, decision_number]\n", "    fields: [decided_on, outcome, decision_number]\n    batch: true\n")
    )
    with pytest.raises(DefinitionError, match=r"enforcement\.yaml:\d+: 批量办理的步骤除 date_field 外不能有必填字段"):
        _load(path)
    assert [t.name for t in _load(_definition(tmp_path)).batch_transitions()] == ["close", "publish"]


def test_enforcement_finds_a_party_a_decision_number_and_a_two_character_name(org: Org, agency: Agency) -> None:
    wang = open_case(agency, party_name="王小明")
    zhang = open_case(agency, party_name="张伟")
    company = open_case(agency, party_type="legal_person", party_name="东湖电器有限公司", party_id_number="91420102MA4K0000X1")
    do(wang, "notify", agency.clerk, notified_on=dt.date(2025, 3, 10), proposed_fine="2000")
    do(
        wang,
        "decide",
        agency.head,
        decided_on=dt.date(2025, 4, 1),
        outcome="penalty_imposed",
        decision_number="东市监罚决字〔2025〕第0017号",
        fine_amount="2000",
    )
    user = agency.clerk
    assert found(user, "enforcement", "王小明") == {wang.case_number}
    assert found(user, "enforcement", " 王 小明 ") == {wang.case_number}  # the whole name, spaces aside
    # a person's name is stored encrypted: found by the whole name (a keyed digest), not by a part
    assert found(user, "enforcement", "小明") == set()
    assert found(user, "enforcement", "张伟") == {zhang.case_number}  # two characters: an indexed equality
    # an organisation (a valid credit code not of a 个体工商户) is public: found by a part of its name
    assert found(user, "enforcement", "电器") == {company.case_number}
    assert found(user, "enforcement", "第0017号") == {wang.case_number}  # set by the decide step
    assert found(user, "enforcement", "罚决字〔2025〕") == {wang.case_number}
    assert found(user, "enforcement", "罚决字[2025]") == set()  # other brackets are other text
    assert found(user, "enforcement", "ＭＡ４Ｋ") == set()  # the credit code is not a search field
    assert found(user, "enforcement", zhang.case_number) == {zhang.case_number}
    assert found(user, "enforcement", "李四") == set()


def test_reconsideration_finds_the_respondent_and_the_applicant_case_insensitively(org: Org, make_case: Any) -> None:
    a = make_case(applicant_name="Li Ming", respondent_name="东湖区市场监督管理局")
    b = make_case(applicant_name="张三", respondent_name="东湖区城市管理执法局")
    assert found(org.alice, "reconsideration", "城市管理") == {b.case_number}
    assert found(org.alice, "reconsideration", "市场监督") == {a.case_number}
    assert found(org.alice, "reconsideration", "li ming") == {a.case_number}
    assert found(org.alice, "reconsideration", "ＬＩ  MING") == {a.case_number}  # full-width, spaces
    assert found(org.alice, "reconsideration", "LiMing") == {a.case_number}
    assert found(org.alice, "reconsideration", "ming") == set()
    assert found(org.alice, "reconsideration", "东湖区") == {a.case_number, b.case_number}
    assert found(org.alice, "reconsideration", "   ") == set()


def test_search_never_reaches_beyond_the_users_units(org: Org, make_case: Any) -> None:
    from fazhi.registers.framework.services import matter_create

    mine = make_case(applicant_name="张三丰")
    theirs = matter_create(register="reconsideration", unit=org.other_body, actor=org.frank, data={**_application(), "applicant_name": "张三丰"})
    assert found(org.alice, "reconsideration", "张三丰") == {mine.case_number}
    assert found(org.frank, "reconsideration", "张三丰") == {theirs.case_number}
    assert found(org.frank, "reconsideration", mine.case_number) == set()


def _application() -> dict[str, Any]:
    from conftest import application

    return application()


def test_the_index_follows_create_amend_and_transition(org: Org, make_case: Any) -> None:
    case = make_case(applicant_name="张三")
    entry = SearchEntry.objects.get(register="reconsideration", matter_id=case.pk)
    # the name is not in the text (personal data), only its digest
    assert "张三" not in entry.text and search_normalise(case.case_number) in entry.text
    assert list(SearchDigest.objects.filter(register="reconsideration", matter_id=case.pk).values_list("digest", flat=True)) == [index_digest("张三")]
    matter_amend(matter=case, actor=org.alice, changes={"applicant_name": "张叁"}, reason="证件姓名")
    assert found(org.alice, "reconsideration", "张叁") == {case.case_number}
    assert found(org.alice, "reconsideration", "张三") == set()
    assert SearchEntry.objects.filter(register="reconsideration", matter_id=case.pk).count() == 1
    assert SearchDigest.objects.filter(register="reconsideration", matter_id=case.pk).count() == 1
    do(case, "accept", org.alice, accepted_on=dt.date(2025, 9, 30), procedure="ordinary")  # no searched field changes
    assert SearchEntry.objects.get(register="reconsideration", matter_id=case.pk).text == search_normalise(case.case_number) + " | " + " | ".join(
        search_normalise(v) for v in (case.respondent_name, case.disputed_act)
    )


def test_the_index_follows_the_bulk_writer_and_the_ledger_import(org: Org) -> None:
    reg = register_get("reconsideration")
    data = _application() | {"applicant_name": "欧阳修远"}
    matter = ReconsiderationCase(unit=org.body, state="received", **data)
    assert bulk_write(reg, [Planned(matter, [Step("register", org.alice, data["received_on"])])]) == 1
    assert found(org.alice, "reconsideration", "欧阳修远") == {matter.case_number}
    result = ledger_import(reg=reg, data=xlsx(ledger_rows()), filename="2025台账.xlsx", actor=org.alice)
    assert result.created == 4
    assert found(org.alice, "reconsideration", "东复〔2025〕5号") == {"东复〔2025〕5号"}
    assert len(found(org.alice, "reconsideration", "张三")) == 4


def test_a_rebuild_writes_the_same_rows_as_the_write_path(org: Org, make_case: Any) -> None:
    cases = [make_case(applicant_name=name) for name in ("甲乙丙", "丁戊")]
    before = dict(SearchEntry.objects.filter(register="reconsideration").values_list("matter_id", "text"))
    digests = set(SearchDigest.objects.filter(register="reconsideration").values_list("matter_id", "digest"))
    assert len(digests) == 2
    assert search_rebuild(register_get("reconsideration")) == 2
    assert dict(SearchEntry.objects.filter(register="reconsideration").values_list("matter_id", "text")) == before
    assert set(SearchDigest.objects.filter(register="reconsideration").values_list("matter_id", "digest")) == digests
    assert found(org.alice, "reconsideration", "甲乙丙") == {cases[0].case_number}


def _index_in_place() -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT count(*) FROM pg_indexes WHERE indexname = 'framework_searchentry_trgm'")
        else:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = 'framework_searchentry_ai'")
        return bool(cursor.fetchone()[0])


def test_rows_written_while_the_index_is_deferred_are_found_after_it_and_the_index_follows_again(org: Org, make_case: Any) -> None:
    before = make_case(applicant_name="张三丰")
    with search_index_deferred():
        during = make_case(applicant_name="李四光")
    assert _index_in_place()
    after = make_case(applicant_name="王五岳")
    assert found(org.alice, "reconsideration", "张三丰") == {before.case_number}
    assert found(org.alice, "reconsideration", "李四光") == {during.case_number}
    assert found(org.alice, "reconsideration", "王五岳") == {after.case_number}
    assert found(org.alice, "reconsideration", during.case_number) == {during.case_number}
    matter_amend(matter=during, actor=org.alice, changes={"applicant_name": "李思光"}, reason="证件姓名")
    assert found(org.alice, "reconsideration", "李四光") == set()
    assert found(org.alice, "reconsideration", "李思光") == {during.case_number}


def test_a_failure_while_the_index_is_deferred_leaves_the_index_in_place(org: Org, make_case: Any) -> None:
    with pytest.raises(RuntimeError), search_index_deferred():
        make_case(applicant_name="李四光")
        raise RuntimeError
    assert _index_in_place()
    case = make_case(applicant_name="王五岳")
    assert found(org.alice, "reconsideration", "王五岳") == {case.case_number}
    assert found(org.alice, "reconsideration", "李四光") == set()
