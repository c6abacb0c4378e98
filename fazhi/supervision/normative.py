"""督察 rules over 规范性文件: a document not filed within the period, and a document past its
validity still marked in force (its lapse, repeal or replacement never recorded)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q

IN_FORCE_STATES = ("published", "filed", "correcting", "to_amend")


def candidates(prefix: str, today: dt.date) -> list[dict[str, Any]]:
    from fazhi.registers.normative_docs.models import NormativeDocument
    from fazhi.supervision.models import Source

    out: list[dict[str, Any]] = []
    docs = NormativeDocument.objects.filter(unit__path__startswith=prefix).select_related("unit")
    late = docs.filter(Q(**{"deadlines__normative_docs.filing": "late"}) | Q(state="published", due_on__lt=today))
    for doc in late.order_by("pk"):
        if doc.filed_on:
            what = f"于{doc.published_on:%Y-%m-%d}公布，{doc.filed_on:%Y-%m-%d}才报送备案，超过规定期限"
        else:
            what = f"于{doc.published_on:%Y-%m-%d}公布，报送备案期限{doc.due_on:%Y-%m-%d}已过仍未报送"
        out.append(
            {
                "source": Source.FILING_LATE,
                "key": f"filing:{doc.pk}",
                "unit": doc.unit,
                "register": "normative_docs",
                "matter_id": doc.pk,
                "reference": doc.doc_number or doc.case_number,
                "summary": f"规范性文件《{doc.title}》（{doc.doc_number}）{what}。",
            }
        )
    stale = docs.filter(state__in=IN_FORCE_STATES, valid_until__lt=today)
    for doc in stale.order_by("pk"):
        out.append(
            {
                "source": Source.PAST_VALIDITY,
                "key": f"validity:{doc.pk}",
                "unit": doc.unit,
                "register": "normative_docs",
                "matter_id": doc.pk,
                "reference": doc.doc_number or doc.case_number,
                "summary": (
                    f"规范性文件《{doc.title}》（{doc.doc_number}）有效期至{doc.valid_until:%Y-%m-%d}，已届满仍标为现行有效，应记录失效或经评估后重新公布。"
                ),
            }
        )
    return out
