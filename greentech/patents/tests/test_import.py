"""The streaming import: PatentsView tables and the JSONL/CSV schema, green labels, re-import, bad files, resume."""

import datetime
import shutil

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from greentech.core.imports import ImportFileError
from greentech.patents import importing, labels
from greentech.patents.models import GreenLabel, Patent, PatentApplicant, PatentCode, PatentImport
from greentech.patents.tests.conftest import CN_SAMPLE, PATENTSVIEW

pytestmark = pytest.mark.django_db

GOOD = {
    "number": "CN 112345678 A",
    "title": "一种退役动力锂电池梯次利用方法",
    "abstract": "本发明公开了一种退役动力电池健康状态评估与分选重组方法。",
    "first_claim": "1. 一种梯次利用方法，其特征在于，包括健康状态评估步骤。",
    "applicants": "沈阳某新能源科技有限公司; 东北大学",
    "ipc": ["h01m10/54", "H01M 10/44"],
    "cpc": "Y02W30/84",
    "application_date": "20200105",
    "publication_date": "2020-06-30",
    "legal_status": "审中",
    "region": "沈阳",
}


def counts():
    return (
        Patent.objects.count(),
        PatentCode.objects.count(),
        PatentApplicant.objects.count(),
        GreenLabel.objects.count(),
    )


def test_patentsview_tables_are_joined_and_classified():
    report = importing.run(PATENTSVIEW, "patentsview")
    assert report.ok, [e.as_dict() for e in report.errors]
    assert (report.rows, report.created) == (2, 2)
    pv = Patent.objects.get(number="US10134923")
    assert pv.kind == "B2" and pv.office == "US" and pv.patent_type == "invention" and pv.language == "en"
    assert pv.grant_date == datetime.date(2018, 11, 20) and pv.application_date == datetime.date(2018, 4, 27)
    assert pv.legal_status == "granted"
    assert pv.ipc_list == ["H01L 31/0216", "H01L 31/0224", "H01L 31/054"]
    assert pv.cpc_list == ["H01L 31/02168", "H01L 31/022433", "H01L 31/0547"]
    assert pv.applicant_list == ["Global Solar Energy, Inc."] and pv.inventor_list == ["Scot P. Albright"]
    assert pv.abstract.startswith("PV devices including bi-layer pixels")
    # green by its IPC code: H01L 31/0216 lies in the IPC Green Inventory range H01L 31/00 … H01L 31/078
    assert pv.green and pv.green_by == "code"
    reasons = [label.reason for label in pv.labels.filter(source="code")]
    assert any("H01L 31/0216" in reason and "H01L 31/00" in reason for reason in reasons), reasons
    # no codes at all: the text classifier labels it (small imports label at once)
    bare = Patent.objects.get(number="US9099595")
    assert bare.ipc == "" and bare.cpc == ""
    assert bare.green_by == "text" and bare.labelled_version == labels.current_version()
    text_labels = list(bare.labels.filter(source="text"))
    assert text_labels and all(label.scheme == "gic2019" and label.reason for label in text_labels)


def test_y02_patent_is_green_by_code_with_the_reason_and_codeless_gets_a_text_label():
    report = importing.run(CN_SAMPLE)
    assert report.ok and report.created == 2
    battery = Patent.objects.get(number="CN213546432")
    assert battery.kind == "U" and battery.patent_type == "utility_model"
    assert battery.green and battery.green_by == "code" and battery.green_score == 1.0
    label = battery.labels.get(source="code", scheme="cpc-y02")
    assert "Y02E 60/10" in label.reason and label.group == "cpc-y02:Y02E"
    vibration = Patent.objects.get(number="CN108757359")
    assert vibration.language == "zh" and vibration.inventor_list[0] == "肖平"
    assert vibration.labels.filter(source="text").exists() and vibration.green_by == "text"


def test_jsonl_record_is_normalised_and_reimport_updates_instead_of_duplicating(write_jsonl, member_org):
    record = dict(GOOD, applicants=f"{member_org.name}; 东北大学")
    path = write_jsonl([record])
    first = importing.run(path, label_text=False)
    assert first.ok and first.created == 1
    patent = Patent.objects.get()
    assert (patent.office, patent.number, patent.kind) == ("CN", "CN112345678", "A")
    assert patent.codes.filter(system="ipc").count() == 2
    assert sorted(patent.ipc_list) == ["H01M 10/44", "H01M 10/54"] and patent.cpc_list == ["Y02W 30/84"]
    assert patent.legal_status == "pending" and patent.application_date == datetime.date(2020, 1, 5)
    assert patent.region.name == "沈阳市"
    applicants = list(patent.applicant_rows.order_by("position"))
    assert applicants[0].organization == member_org and applicants[1].organization is None
    assert patent.green and patent.green_by == "code"
    before = counts()
    changed = write_jsonl(
        [dict(record, title="一种退役动力锂电池梯次利用方法（修订）", kind="B", legal_status="授权")], "again.jsonl"
    )
    second = importing.run(changed, label_text=False)
    assert second.ok and (second.created, second.updated) == (0, 1)
    assert counts() == before
    patent.refresh_from_db()
    assert patent.title.endswith("（修订）") and patent.kind == "B" and patent.legal_status == "granted"
    # the index follows the update
    from greentech.core.permissions import SYSTEM
    from greentech.patents import queries

    assert queries.find(SYSTEM, {"q": "修订"}).total == 1


def test_applicant_matched_by_credit_code(write_jsonl, member_org):
    assert member_org.credit_code
    path = write_jsonl([dict(GOOD, applicants=["某个不同的写法"], applicant_credit_codes=[member_org.credit_code])])
    assert importing.run(path, label_text=False).ok
    assert PatentApplicant.objects.get().organization == member_org


def test_bad_file_reports_every_bad_line_and_writes_nothing(write_jsonl):
    importing.run(write_jsonl([GOOD], "first.jsonl"), label_text=False)
    before = counts()
    rows = [
        dict(GOOD, number="CN100000001A"),
        "{not json",
        dict(GOOD, number="CN100000003A", ipc=["H01M 10/"], publication_date="2020-13-40"),
        dict(GOOD, number="", title=""),
        dict(GOOD, number="CN100000005A", legal_status="sleeping", region="北京"),
        dict(GOOD, number="CN100000006A", colour="green"),
    ]
    report = importing.run(write_jsonl(rows, "bad.jsonl"))
    assert not report.ok and report.created == 0
    lines = sorted({error.row for error in report.errors})
    assert lines == [2, 3, 4, 5, 6]
    fields = {(error.row, error.column) for error in report.errors}
    assert {
        (3, "ipc"),
        (3, "publication_date"),
        (4, "number"),
        (4, "title"),
        (5, "legal_status"),
        (5, "region"),
    } <= fields
    texts = [error.as_dict() for error in report.errors]
    assert any(t["zh"].startswith("第 2 行") and "JSON" in t["en"] and t["en"].startswith("line 2") for t in texts)
    assert "nothing was written" in report.summary("en")
    assert counts() == before
    assert PatentImport.objects.filter(status=PatentImport.Status.REJECTED).count() == 1


def test_csv_import_with_line_numbers(tmp_path):
    path = tmp_path / "patents.csv"
    path.write_text(
        "number,title,ipc,publication_date,type\n"
        "CN200000001A,一种光伏组件回收方法,H01L 31/18;C22B 7/00,2021-01-01,发明\n"
        '"US11000000B2","Method for recycling solar panels, with silver recovery",Y02W30/82,2021-02-02,utility\n',
        encoding="utf-8",
    )
    report = importing.run(path, label_text=False)
    assert report.ok and report.created == 2
    assert Patent.objects.get(number="US11000000").title.endswith("silver recovery")
    bad = tmp_path / "bad.csv"
    bad.write_text("number,title\nCN200000009A,好的\nCN2,\n", encoding="utf-8")
    report = importing.run(bad)
    assert {(e.row, e.column) for e in report.errors} == {(3, "number"), (3, "title")}
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("number,titel\nCN1A,x\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="titel"):
        importing.run(unknown)


def test_interrupted_import_leaves_the_database_unchanged_and_resumes(write_jsonl, monkeypatch):
    importing.run(write_jsonl([GOOD], "first.jsonl"), label_text=False)
    before = counts()
    title_before = Patent.objects.get(number="CN112345678").title
    rows = [dict(GOOD, number=f"CN30000{i:04d}A", title=f"一种余热回收装置 {i}") for i in range(25)]
    rows.append(dict(GOOD, title="一种被中断的更新"))  # an update of the patent already there
    path = write_jsonl(rows)
    real = importing.write_batch
    calls = {"n": 0}

    def failing(batch):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(batch)

    monkeypatch.setattr(importing, "write_batch", failing)
    with pytest.raises(KeyboardInterrupt):
        importing.run(path, batch_size=5, label_text=False)
    assert calls["n"] == 3  # two batches were written before the interruption, in the import's transaction
    assert counts() == before  # and rolled back with it: a killed run leaves the database as it was
    assert Patent.objects.get(number="CN112345678").title == title_before
    run = PatentImport.objects.get(path=str(path))
    assert (run.status, run.committed) == (PatentImport.Status.INTERRUPTED, 0)
    monkeypatch.setattr(importing, "write_batch", real)
    report = importing.run(path, batch_size=5, resume=True, label_text=False)
    assert report.ok and (report.created, report.updated, report.rows) == (25, 1, 26)
    assert Patent.objects.count() == 26
    assert Patent.objects.get(number="CN112345678").title == "一种被中断的更新"
    run.refresh_from_db()
    assert (run.status, run.committed, run.records) == (PatentImport.Status.DONE, 26, 26)
    assert PatentImport.objects.filter(path=str(path)).count() == 1  # the resumed run is the same run


def test_resume_honours_the_resume_point_of_an_earlier_batch_committed_run(write_jsonl):
    rows = [dict(GOOD, number=f"CN31000{i:04d}A", title=f"一种余热锅炉 {i}") for i in range(12)]
    path = write_jsonl(rows)
    importing.run(write_jsonl(rows[:5], "prefix.jsonl"), label_text=False)  # as if 5 had been committed
    PatentImport.objects.create(
        path=str(path),
        format="jsonl",
        fingerprint=importing.fingerprint(path, "jsonl"),
        records=12,
        committed=5,
        created_count=5,
        status=PatentImport.Status.INTERRUPTED,
    )
    report = importing.run(path, resume=True, label_text=False)
    assert report.ok and report.rows == 12 and report.created == 12  # 5 before the interruption, 7 now
    assert Patent.objects.filter(number__startswith="CN31000").count() == 12


def test_a_bad_line_at_the_end_of_a_big_file_leaves_the_database_unchanged(write_jsonl, monkeypatch):
    importing.run(write_jsonl([GOOD], "first.jsonl"), label_text=False)
    before = counts()
    documents = search_rows()
    rows = [dict(GOOD, number=f"CN32000{i:04d}A", title=f"一种光伏组件 {i}") for i in range(40)]
    rows.insert(20, dict(GOOD, title="已有专利的新标题", ipc=[], cpc=[]))  # updates the patent already there
    rows.append(dict(GOOD, number="CN320009999A", publication_date="2021-02-30"))  # line 42
    monkeypatch.setattr(importing, "PARALLEL_BYTES", 0)
    monkeypatch.setenv("GREENTECH_IMPORT_WORKERS", "2")
    written = {"batches": 0}
    real = importing.write_batch

    def counting(batch):
        written["batches"] += 1
        return real(batch)

    monkeypatch.setattr(importing, "write_batch", counting)
    report = importing.run(write_jsonl(rows, "late-bad.jsonl"), batch_size=4)
    assert written["batches"] >= 5  # the good records before the bad line were written...
    assert not report.ok and report.created == 0 and report.rows == 42
    assert [(e.row, e.column) for e in report.errors] == [(42, "publication_date")]
    assert counts() == before  # ...and rolled back
    assert search_rows() == documents
    patent = Patent.objects.get(number="CN112345678")
    assert patent.title == GOOD["title"] and patent.codes.count() == 3
    assert PatentImport.objects.filter(status=PatentImport.Status.REJECTED, records=42).count() == 1


def search_rows():
    from django.db import connection

    from greentech.patents.search import INDEX

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {INDEX.table}")
        return cursor.fetchone()[0]


def test_parallel_preparation_gives_the_same_result(write_jsonl, monkeypatch):
    rows = [dict(GOOD, number=f"CN40000{i:04d}A", title=f"一种光伏逆变器 {i}") for i in range(30)]
    path = write_jsonl(rows)
    monkeypatch.setattr(importing, "PARALLEL_BYTES", 0)
    monkeypatch.setenv("GREENTECH_IMPORT_WORKERS", "2")
    report = importing.run(path, batch_size=7, label_text=False)
    assert report.ok and report.created == 30
    assert PatentCode.objects.count() == 90 and GreenLabel.objects.filter(source="code").exists()
    from greentech.core.permissions import SYSTEM
    from greentech.patents import queries

    assert queries.find(SYSTEM, {"q": "逆变器"}).total == 30


def test_only_administrators_and_the_operator_import(write_jsonl, member, admin):
    path = write_jsonl([GOOD])
    with pytest.raises(PermissionDenied):
        importing.run(path, user=member)
    assert Patent.objects.count() == 0
    assert importing.run(path, user=admin, label_text=False).created == 1


def test_the_import_command(write_jsonl, tmp_path, capsys):
    call_command("import", "patents", str(PATENTSVIEW), "--format", "patentsview")
    assert "2 created" in capsys.readouterr().out
    bad = write_jsonl([dict(GOOD, number="nope")], "bad.jsonl")
    with pytest.raises(SystemExit):
        call_command("import", "patents", str(bad))
    err = capsys.readouterr().err
    assert "第 1 行" in err and "line 1" in err and "CN112345678A" in err
    copy = tmp_path / "pv"
    shutil.copytree(PATENTSVIEW, copy)
    (copy / "g_patent.tsv").write_text("patent_id\tpatent_title\n1\tx\n", encoding="utf-8")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="patent_date"):
        call_command("import", "patents", str(copy), "--format", "patentsview")


def test_relabel_job_runs_on_stale_patents_only(write_jsonl):
    importing.run(write_jsonl([GOOD, dict(GOOD, number="CN500000001A", ipc=[], cpc=[])]), label_text=False)
    assert Patent.objects.filter(labelled_version="").count() == 2
    first = labels.relabel()
    assert first["labelled"] == 2
    assert labels.relabel()["labelled"] == 0  # nothing stale
    codeless = Patent.objects.get(number="CN500000001")
    assert codeless.green_by == "text" and codeless.labels.filter(source="text").exists()
    coded = Patent.objects.get(number="CN112345678")
    assert coded.green_by == "code" and coded.labels.filter(source="code").exists()
    # a taxonomy change makes every patent stale again
    from greentech.taxonomy.models import Category

    category = Category.objects.filter(scheme__slug="gic2019", level=3).first()
    category.keywords += " | 梯次利用"
    category.save()
    assert labels.relabel()["labelled"] == 2


def test_export_writes_the_import_schema_and_reimports(tmp_path):
    from greentech.core.imports import export_table, render_table

    importing.run(CN_SAMPLE)
    table = export_table("patents")
    assert "number" in table.headers and "cpc" in table.headers
    path = tmp_path / "export.jsonl"
    path.write_bytes(render_table(table, "jsonl"))
    before = counts()
    report = importing.run(path, label_text=False)
    assert report.ok, [e.as_dict() for e in report.errors]
    assert (report.created, report.updated) == (0, 2)
    assert counts()[:3] == before[:3]
    battery = Patent.objects.get(number="CN213546432")
    assert battery.kind == "U" and battery.cpc_list == ["Y02E 60/10"] and battery.green_by == "code"


def schema():
    """The patent tables' secondary indexes and (PostgreSQL) foreign keys, as the database describes them."""
    from django.db import connection

    with connection.cursor() as cursor:
        keys = importing.foreign_keys(cursor) if connection.vendor == "postgresql" else []
        return importing.secondary_indexes(cursor), keys


def test_a_big_import_rebuilds_the_indexes_it_dropped(write_jsonl):
    from django.db import connection

    before = schema()
    names = {name for name, _sql in before[0]}
    assert {"patentcode_code_date", "patent_green_date", "greenlabel_patent_group"} <= names
    assert not any(sql.upper().startswith("CREATE UNIQUE") for _name, sql in before[0])  # unique ones stay
    if connection.vendor == "postgresql":
        assert all(definition.startswith("FOREIGN KEY") for _table, _name, definition in before[1])
        assert len(before[1]) >= 5  # patent → region; code, applicant, label → patent; applicant → organization
    rows = [dict(GOOD, number=f"CN51000{i:04d}A", title=f"一种风力发电机叶片 {i}") for i in range(25)]
    report = importing.run(write_jsonl(rows), batch_size=4, label_text=False, rebuild_indexes=True)
    assert report.ok and report.created == 25
    assert schema() == before  # the same indexes and keys, defined the same way
    # SQLite: the import's 64 MiB FTS5 setting was set back within its transaction
    assert fts_hashsize() == (importing.FTS_HASH_DEFAULT if connection.vendor == "sqlite" else None)
    from greentech.core.permissions import SYSTEM
    from greentech.patents import queries

    assert queries.find(SYSTEM, {"q": "叶片"}).total == 25
    assert queries.find(SYSTEM, {"code": "H01M 10"}).total == 25
    assert PatentCode.objects.filter(patent__number="CN510000007").count() == 3


def test_a_rejected_big_import_keeps_the_indexes_and_the_data(write_jsonl):
    importing.run(write_jsonl([GOOD], "first.jsonl"), label_text=False)
    before, data = schema(), counts()
    rows = [dict(GOOD, number=f"CN52000{i:04d}A") for i in range(10)] + [dict(GOOD, number="nonsense")]
    report = importing.run(write_jsonl(rows), batch_size=3, label_text=False, rebuild_indexes=True)
    assert not report.ok and [(e.row, e.column) for e in report.errors] == [(11, "number")]
    assert schema() == before and counts() == data


def test_big_files_that_at_least_double_the_table_rebuild_the_indexes(write_jsonl, monkeypatch):
    monkeypatch.setattr(importing, "BULK_BYTES", 1000)
    monkeypatch.setattr(importing, "BULK_BYTES_PER_ROW", 1000)
    assert not importing._bulk_wanted(999)  # small file
    assert importing._bulk_wanted(1000)  # empty table
    importing.run(write_jsonl([GOOD, dict(GOOD, number="CN 112345679 A")]), label_text=False)
    assert not importing._bulk_wanted(1999)  # two patents there: the file must be worth two rows or more
    assert importing._bulk_wanted(2000)
    seen = []
    real = importing._drop_indexes
    monkeypatch.setattr(importing, "_drop_indexes", lambda cursor: seen.append(1) or real(cursor))
    path = write_jsonl([dict(GOOD, number=f"CN53000{i:04d}A") for i in range(30)], "more.jsonl")
    assert path.stat().st_size > 2000
    report = importing.run(path, label_text=False)
    assert report.ok and report.created == 30 and seen == [1]


def fts_hashsize():
    """SQLite: the FTS5 hashsize stored in the patents index's config table (None: not set, or PostgreSQL)."""
    from django.db import connection

    from greentech.patents.search import INDEX

    if connection.vendor != "sqlite":
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT v FROM {INDEX.table}_config WHERE k = 'hashsize'")
        row = cursor.fetchone()
    return row and row[0]
