"""The patent database's rows of the role matrix (greentech/core/tests/test_permissions.py merges them).

The scenario: a patent whose matched applicant is the member's organization. Patents and transfer records are
public; administrators (and the import operator) write them; the applicant's members keep the patent's
translation fields (patents.services.save_translation; the matrix's change is a translation). Import runs are
administration records."""

from __future__ import annotations

import datetime

EVERYONE = frozenset(
    ["visitor", "member", "other_member", "broker", "evaluator", "finance_officer", "department_officer", "admin"]
)
ADMIN = frozenset({"admin"})

EXPECTED = {
    "Patent": {"view": EVERYONE, "add": ADMIN, "change": frozenset({"member", "admin"}), "delete": ADMIN},
    "PatentTransfer": {"view": EVERYONE, "add": ADMIN, "change": ADMIN, "delete": ADMIN},
    "PatentImport": {"view": ADMIN, "add": ADMIN, "change": ADMIN, "delete": ADMIN},
}


def _patent(get, number="CN112345678", organization=None):
    from greentech.patents.models import Patent, PatentApplicant

    patent = Patent.objects.create(
        office="CN",
        number=number,
        kind="A",
        title="一种退役动力电池梯次利用方法",
        abstract="健康状态评估、分选重组。",
        applicants=(organization or get("member_org")).name,
        publication_date=datetime.date(2021, 3, 5),
    )
    PatentApplicant.objects.create(
        patent=patent, position=0, name=patent.applicants, organization=organization or get("member_org")
    )
    return patent


def _patent_scenario(get):
    from greentech.patents.models import Patent

    target = _patent(get)
    new = Patent(office="CN", number="CN113000001", kind="A", title="一种光伏组件回收方法")
    return target, new, {"title_translation": "Method for cascade use of retired traction batteries"}


def _transfer_scenario(get):
    from greentech.patents.models import PatentTransfer

    patent = _patent(get)
    target = PatentTransfer.objects.create(
        patent=patent, kind="licence_ordinary", assignor=patent.applicants, assignee="大连某新能源公司",
        registered_on=datetime.date(2022, 6, 1),
    )  # fmt: skip
    new = PatentTransfer(patent=patent, kind="transfer", assignor=patent.applicants, assignee="鞍山某公司")
    return target, new, {"note": "备案号已更正。"}


def _import_scenario(get):
    from greentech.patents.models import PatentImport

    target = PatentImport.objects.create(path="/data/patents.jsonl", format="jsonl", fingerprint="a" * 40, records=3)
    new = PatentImport(path="/data/more.jsonl", format="jsonl", fingerprint="b" * 40)
    return target, new, {"status": PatentImport.Status.DONE}


SCENARIOS = {"Patent": _patent_scenario, "PatentTransfer": _transfer_scenario, "PatentImport": _import_scenario}
