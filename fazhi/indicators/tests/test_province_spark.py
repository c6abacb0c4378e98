"""The province's job: two cities export, the exports verify, and Spark (local mode) and DuckDB
compute the catalogue from them equal to the engine's own values, unit for unit.

Every Spark test of the suite is in this file (one JVM, one session for the module)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from fazhi.audit.signing import key_generate, verifier_key
from fazhi.core.models import Unit
from fazhi.indicators.engine import Computation, Period
from fazhi.indicators.export import ExportError, export_parquet, export_verify
from fazhi.indicators.province import PROVINCE, DuckDBBackend, Province, SparkBackend, local_session
from fazhi.indicators.tests.conftest import request_

CODES = ["gk.received", "gk.replied", "gk.on_time_rate", "gk.disclosed_share", "gk.carried_in", "gk.carried_out", "gk.received.yoy"]
CODES += ["zf.median_days", "zf.fines", "zf.publicity_on_time"]


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    session = local_session()
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture
def signed(settings: Any, tmp_path: Path) -> str:
    settings.FAZHI_CHECKPOINT_KEY_FILE = tmp_path / "key.pem"
    settings.FAZHI_WITNESS_DIR = tmp_path / "witness"
    key_generate(settings.FAZHI_CHECKPOINT_KEY_FILE)
    key = verifier_key()
    assert key is not None
    return key


def _export(folder: Path) -> dict[str, Any]:
    return export_parquet(folder, lambda label, total: lambda n: None)


@pytest.fixture
def two_cities(org: Any, requests: Any, signed: str, tmp_path: Path) -> dict[str, Any]:
    """The fixture's city exported as "T"; then, with one more request and its top unit renamed,
    as a second city "T2" (the same unit ids: a province keys units by city). Returns each
    city's engine values (every unit, the whole catalogue, 2025 and 2026) taken at its export."""
    units = list(Unit.objects.values_list("pk", flat=True))
    expected: dict[str, Any] = {}
    _export(tmp_path / "t")
    expected["T"] = {y: Computation(Period.year(y)).values(units) for y in (2025, 2026)}
    request_(org, org.other_body, org.frank, "2025-06-01", name="韩梅梅")
    Unit.objects.filter(pk=org.city.pk).update(code="T2")
    _export(tmp_path / "t2")
    expected["T2"] = {y: Computation(Period.year(y)).values(units) for y in (2025, 2026)}
    return {"folders": [tmp_path / "t", tmp_path / "t2"], "expected": expected, "key": signed, "top": org.city.pk}


def _same(got: dict[str, Any], expected: dict[str, Any], codes: list[str] | None = None) -> int:
    n = 0
    for code, column in expected.items():
        if codes is not None and code not in codes:
            continue
        for unit, value in column.items():
            assert got[code][unit] == value, (code, unit)
            n += 1
    return n


def test_duckdb_computes_the_catalogue_of_many_cities_equal_to_the_engine(two_cities: Any) -> None:
    folders, expected, top = two_cities["folders"], two_cities["expected"], two_cities["top"]
    for folder in folders:
        assert export_verify(folder, two_cities["key"]).key_given
    duck = Province(folders, DuckDBBackend())
    for year in (2025, 2026):
        got = duck.values(Period.year(year))
        assert sum(_same(got[city], expected[city][year]) for city in ("T", "T2")) > 2000
    assert expected["T2"][2025]["gk.received"][top].value == expected["T"][2025]["gk.received"][top].value + 1
    # the on-time share counts the request still open and overdue in 2026 as late, from the export too
    assert expected["T"][2026]["gk.on_time_rate"][top].denominator > expected["T"][2026]["gk.on_time_rate"][top].numerator


def test_spark_computes_the_catalogue_of_many_cities_and_the_province_equal_to_the_engine(two_cities: Any, spark: Any) -> None:
    """The same SQL on Spark (local mode: a JVM and Spark's fixed cost per query, ~1 min): in CI
    in the PostgreSQL half only (conftest.py), the DuckDB test above runs on both databases."""
    folders, expected, top = two_cities["folders"], two_cities["expected"], two_cities["top"]
    on_spark = Province(folders, SparkBackend(spark))
    for year in (2026,):  # the year with a request open and overdue at the export (one Spark job)
        got = on_spark.values(Period.year(year), CODES)
        for city in ("T", "T2"):
            _same(got[city], expected[city][year], CODES)
        # the province: the two cities' top units added before the values are made
        province = got["province"]
        t, t2 = expected["T"][year], expected["T2"][year]
        assert province["gk.received"][PROVINCE].value == t["gk.received"][top].value + t2["gk.received"][top].value
        share = province["gk.on_time_rate"][PROVINCE]
        assert share.numerator == t["gk.on_time_rate"][top].numerator + t2["gk.on_time_rate"][top].numerator
        assert share.denominator == t["gk.on_time_rate"][top].denominator + t2["gk.on_time_rate"][top].denominator


def test_the_export_holds_no_personal_data_and_says_what_it_holds(two_cities: Any) -> None:
    folder = two_cities["folders"][1]
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["instance"]["code"] == "T2" and dt.date.fromisoformat(manifest["as_of"])
    assert manifest["files"]["disclosure.parquet"]["rows"] == 6
    table = pq.read_table(folder / "disclosure.parquet")
    assert "applicant_name" not in table.column_names and "applicant_phone" not in table.column_names
    for path in folder.glob("*.parquet"):
        for row in pq.read_table(path).to_pylist():
            for value in row.values():
                assert not (isinstance(value, str) and ("李雷" in value or "韩梅梅" in value or "13800001234" in value)), path.name


def _tamper_byte(path: Path) -> None:
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    path.write_bytes(bytes(raw))


def test_verify_refuses_a_changed_file_a_changed_manifest_an_extra_file_and_another_key(two_cities: Any, tmp_path: Path) -> None:
    folder = two_cities["folders"][0]
    key = two_cities["key"]
    _tamper_byte(folder / "disclosure.parquet")
    with pytest.raises(ExportError, match=r"disclosure\.parquet 的校验值与清单不符"):
        export_verify(folder, key)
    with pytest.raises(ExportError, match="校验值与清单不符"):
        Province([folder], DuckDBBackend())

    other = two_cities["folders"][1]
    manifest = json.loads((other / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"]["disclosure.parquet"]["rows"] = 600
    (other / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
    with pytest.raises(ExportError, match="清单在签名后被改动"):
        export_verify(other, key)

    fresh = tmp_path / "fresh"
    _export(fresh)
    export_verify(fresh, key)
    (fresh / "extra.parquet").write_bytes(b"x")
    with pytest.raises(ExportError, match=r"extra\.parquet 不在导出清单中"):
        export_verify(fresh, key)
    (fresh / "extra.parquet").unlink()
    key_generate(tmp_path / "other.pem")
    from django.conf import settings

    settings.FAZHI_CHECKPOINT_KEY_FILE = tmp_path / "other.pem"
    stranger = verifier_key()
    assert stranger is not None
    with pytest.raises(ExportError, match="签名核验未通过"):
        export_verify(fresh, stranger)


def test_export_refuses_a_folder_that_is_not_empty_and_needs_the_signing_key(org: Any, settings: Any, tmp_path: Path) -> None:
    settings.FAZHI_CHECKPOINT_KEY_FILE = tmp_path / "none.pem"
    with pytest.raises(ExportError, match="未配置检查点签名密钥"):
        _export(tmp_path / "a")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "x").write_text("x")
    with pytest.raises(ExportError, match="不是空目录"):
        _export(tmp_path / "b")
