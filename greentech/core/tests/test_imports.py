"""The import pipeline (`greentech.core.imports.run_import`) and the `import`/`export` commands: all rows or
none, row-level errors with spreadsheet row numbers (header = row 1) in Chinese and English, re-imports that
change nothing, CSV (UTF-8 or GB18030) and XLSX, templates, permissions and the audit trail."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re

import pytest
import tablib
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from openpyxl import Workbook, load_workbook

from greentech.core import imports
from greentech.core.permissions import SYSTEM
from greentech.recognitions.models import Recognition
from greentech.registry.models import CreditRecord, Organization, Person, Platform, PlatformMember
from greentech.taxonomy.models import Category
from greentech.testing import factories

pytestmark = pytest.mark.django_db

CODES = [factories.credit_code(n) for n in (800001, 800002, 800003)]
HEADERS = ["name", "kind", "credit_code", "region", "industry", "green_categories"]
GOOD_ROWS = [
    ["沈阳导入节能设备有限公司", "enterprise", CODES[0], "沈阳市", "节能装备", "1.1.1|1.1.2"],
    ["大连导入新能源有限公司", "企业", CODES[1], "210200", "新能源", ""],
    ["鞍山导入环保科技有限公司", "Enterprise", CODES[2].lower(), "鞍山", "环保", "1.1.3"],
]


def wrong_check_digit(code: str) -> str:
    return code[:17] + ("0" if code[17] != "0" else "1")


def write_csv(path, headers, rows, encoding="utf-8-sig"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path, headers, rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def fingerprint() -> tuple:
    """Counts and a checksum of every value the organizations dataset can touch (rows, categories, history)."""
    tables = [
        Organization.objects.order_by("pk").values_list(),
        Organization.green_categories.through.objects.order_by("pk").values_list(),
        Organization.history.order_by("pk").values_list(),
        apps.get_model("registry", "HistoricalOrganization_green_categories").objects.order_by("pk").values_list(),
        CreditRecord.objects.order_by("pk").values_list(),
        CreditRecord.history.order_by("pk").values_list(),
    ]
    rows = [list(table) for table in tables]
    return [len(table) for table in rows], hashlib.sha256(repr(rows).encode()).hexdigest()


def located(report) -> list[tuple]:
    return [(error.row, error.column) for error in report.errors]


# --- good files ------------------------------------------------------------------------------------------------


def test_good_csv_creates_rows_then_reimport_is_unchanged(tmp_path):
    path = write_csv(tmp_path / "orgs.csv", HEADERS, GOOD_ROWS)
    before = Organization.objects.count()
    report = imports.run_import("organizations", path, user=SYSTEM)
    assert report.ok, [e.as_dict() for e in report.errors]
    assert (report.rows, report.created, report.updated, report.unchanged) == (3, 3, 0, 0)
    assert Organization.objects.count() == before + 3
    first = Organization.objects.get(name=GOOD_ROWS[0][0])
    assert (first.kind, first.credit_code, first.region.code) == ("enterprise", CODES[0], "210100")
    assert sorted(first.green_categories.values_list("code", flat=True)) == ["1.1.1", "1.1.2"]
    assert Organization.objects.get(name=GOOD_ROWS[1][0]).kind == "enterprise"  # 企业: the Chinese label
    assert Organization.objects.get(name=GOOD_ROWS[2][0]).credit_code == CODES[2]  # stored upper-case
    assert Organization.objects.get(name=GOOD_ROWS[2][0]).region.code == "210300"  # 鞍山: the short name

    fingerprint_after_first = fingerprint()
    again = imports.run_import("organizations", path, user=SYSTEM)
    assert (again.ok, again.created, again.updated, again.unchanged) == (True, 0, 0, 3)
    assert fingerprint() == fingerprint_after_first
    assert "3" in again.summary("en") and "unchanged" in again.summary("en")


def test_reimporting_rows_with_empty_optional_cells_is_unchanged(tmp_path):
    """Empty cells (no credit code, no categories) must compare equal to what the first import stored."""
    rows = [
        ["铁岭导入无代码企业", "enterprise", "", "铁岭市", "", ""],
        ["盘锦导入无代码企业", "enterprise", "", "", "", ""],
    ]
    path = write_csv(tmp_path / "orgs.csv", HEADERS, rows)
    assert imports.run_import("organizations", path, user=SYSTEM).created == 2
    snapshot = fingerprint()
    again = imports.run_import("organizations", path, user=SYSTEM)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert fingerprint() == snapshot


def test_a_changed_cell_updates_the_row(tmp_path):
    path = write_csv(tmp_path / "orgs.csv", HEADERS, GOOD_ROWS)
    imports.run_import("organizations", path, user=SYSTEM)
    changed = [row[:] for row in GOOD_ROWS]
    changed[1][4] = "氢能"
    report = imports.run_import("organizations", write_csv(tmp_path / "v2.csv", HEADERS, changed), user=SYSTEM)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    assert Organization.objects.get(name=GOOD_ROWS[1][0]).industry == "氢能"


def test_import_history_is_attributed_to_the_import(tmp_path, department_officer, member_org, gxt):
    write_csv(tmp_path / "orgs.csv", HEADERS, GOOD_ROWS[:1])
    imports.run_import("organizations", tmp_path / "orgs.csv", user=SYSTEM)
    history = Organization.objects.get(name=GOOD_ROWS[0][0]).history.all()
    assert history.earliest().history_type == "+"
    assert {(record.history_source, record.history_user) for record in history} == {("import", None)}

    path = write_csv(
        tmp_path / "credit.csv",
        ["organization", "kind", "date", "authority", "effect", "reference"],
        [[member_org.name, "environmental_violation", "2025-02-03", "gxt", "warning", "辽工信〔2025〕3号"]],
    )
    report = imports.run_import("credit-records", path, user=department_officer)
    assert report.ok, [e.as_dict() for e in report.errors]
    record = CreditRecord.objects.get(reference="辽工信〔2025〕3号").history.latest()
    assert (record.history_source, record.history_user) == ("import", department_officer)


def test_xlsx_import(tmp_path):
    path = write_xlsx(tmp_path / "orgs.xlsx", HEADERS, GOOD_ROWS)
    report = imports.run_import("organizations", path, user=SYSTEM)
    assert (report.ok, report.created) == (True, 3), [e.as_dict() for e in report.errors]
    assert set(Organization.objects.filter(name__in=[r[0] for r in GOOD_ROWS]).values_list("name", flat=True)) == {
        r[0] for r in GOOD_ROWS
    }


def test_gb18030_csv_import(tmp_path):
    path = write_csv(tmp_path / "orgs.csv", HEADERS, GOOD_ROWS, encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    report = imports.run_import("organizations", path, user=SYSTEM)
    assert (report.ok, report.created) == (True, 3), [e.as_dict() for e in report.errors]
    assert Organization.objects.get(credit_code=CODES[0]).name == "沈阳导入节能设备有限公司"


def test_headers_may_be_the_english_verbose_names(tmp_path):
    headers = ["name", "English name", "kind", "unified social credit code", "region"]
    rows = [["葫芦岛导入锌业有限公司", "Huludao Import Zinc Co.", "enterprise", CODES[0], "葫芦岛市"]]
    report = imports.run_import("organizations", write_csv(tmp_path / "en.csv", headers, rows), user=SYSTEM)
    assert report.ok, [e.as_dict() for e in report.errors]
    created = Organization.objects.get(name=rows[0][0])
    assert (created.name_en, created.credit_code, created.region.code) == (rows[0][1], CODES[0], "211400")


def test_headers_may_be_the_chinese_verbose_names(tmp_path):
    fields = ["name", "name_en", "kind", "credit_code", "region"]
    with translation.override("zh-hans"):
        headers = [str(Organization._meta.get_field(name).verbose_name) for name in fields]
    assert headers[0] == "名称"
    assert headers[3] == "统一社会信用代码"
    rows = [["本溪导入钢铁有限公司", "Benxi Import Steel Co.", "企业", CODES[1], "本溪市"]]
    report = imports.run_import("organizations", write_csv(tmp_path / "zh.csv", headers, rows), user=SYSTEM)
    assert report.ok, [e.as_dict() for e in report.errors]
    created = Organization.objects.get(name=rows[0][0])
    assert (created.name_en, created.kind, created.credit_code) == (rows[0][1], "enterprise", CODES[1])


# --- bad files: every error located, nothing written -----------------------------------------------------------


BAD_ROWS = [
    GOOD_ROWS[0],  # row 2: good, and written before the bad rows are met
    ["营口导入公司", "factory", "", "营口市", "", ""],  # row 3: not a kind
    ["阜新导入公司", "enterprise", "", "火星市", "", ""],  # row 4: no such region
    ["朝阳导入公司", "enterprise", wrong_check_digit(CODES[1]), "朝阳市", "", ""],  # row 5: check digit
    ["", "enterprise", "", "沈阳市", "", ""],  # row 6: no name
    ["丹东导入公司", "enterprise", "", "丹东市", "", "9.9.9"],  # row 7: unknown category code
]
BAD_LOCATIONS = [(3, "kind"), (4, "region"), (5, "credit_code"), (6, "name"), (7, "green_categories")]


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_bad_rows_are_located_and_nothing_is_written(tmp_path, suffix):
    writer = write_csv if suffix == "csv" else write_xlsx
    path = writer(tmp_path / f"bad.{suffix}", HEADERS, BAD_ROWS)
    before = fingerprint()
    report = imports.run_import("organizations", path, user=SYSTEM)
    assert not report.ok
    assert located(report) == BAD_LOCATIONS
    assert (report.rows, report.created, report.updated, report.unchanged) == (6, 0, 0, 0)
    assert fingerprint() == before
    assert not Organization.objects.filter(name=GOOD_ROWS[0][0]).exists()
    assert "nothing was written" in report.summary("en")
    for error in report.errors:
        texts = error.as_dict()
        assert texts["zh"].startswith(f"第 {error.row} 行"), texts
        assert f"“{error.column}”列" in texts["zh"], texts
        assert texts["en"].startswith(f"row {error.row}, column {error.column}: "), texts


def test_error_texts_are_given_in_chinese_and_in_english(tmp_path):
    """Each error reads in both languages, whatever language is active when the file is imported."""
    path = write_csv(tmp_path / "bad.csv", HEADERS, BAD_ROWS)
    report = imports.run_import("organizations", path, user=SYSTEM)
    english = {(e.row, e.column): e.as_dict()["en"] for e in report.errors}
    chinese = {(e.row, e.column): e.as_dict()["zh"] for e in report.errors}
    assert "factory is not one of" in english[3, "kind"]
    assert "No region matches 火星市" in english[4, "region"]
    assert "fails the check digit" in english[5, "credit_code"]
    assert "This field cannot be blank." in english[6, "name"]
    assert "Unknown category codes: 9.9.9" in english[7, "green_categories"]
    assert "校验码" in chinese[5, "credit_code"]
    assert "此字段不能为空" in chinese[6, "name"]
    for key, text in english.items():
        assert not re.search(r"[\u4e00-\u9fff]", text.replace("火星市", "")), (key, text)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (HEADERS + ["colour"], [(1, "colour")]),
        (["kind", "credit_code", "region"], [(1, "name")]),
        (["name", "名称", "kind"], [(1, "name")]),
    ],
    ids=["unknown-column", "missing-id-column", "duplicate-column"],
)
def test_header_errors(tmp_path, headers, expected):
    rows = [[GOOD_ROWS[0][HEADERS.index(h)] if h in HEADERS else "x" for h in headers]]
    before = fingerprint()
    report = imports.run_import("organizations", write_csv(tmp_path / "h.csv", headers, rows), user=SYSTEM)
    assert located(report) == expected
    assert report.created == 0
    assert fingerprint() == before


def test_unknown_column_message_lists_the_columns(tmp_path):
    report = imports.run_import(
        "organizations", write_csv(tmp_path / "h.csv", ["name", "colour"], [["x", "y"]]), user=SYSTEM
    )
    english = report.errors[0].as_dict()["en"]
    assert english.startswith("row 1, column colour: unknown column; the columns are: name, name_en, kind")


def test_an_unknown_key_in_an_id_column_names_that_column(tmp_path, department_officer):
    headers = ["organization", "kind", "date", "authority", "reference"]
    path = write_csv(tmp_path / "credit.csv", headers, [["不存在的公司", "other", "2025-01-01", "gxt", "x"]])
    before = fingerprint()
    report = imports.run_import("credit-records", path, user=department_officer)
    assert located(report) == [(2, "organization")]
    assert fingerprint() == before


def test_a_duplicate_credit_code_in_other_letter_case_is_a_located_error(tmp_path):
    """`Organization.save()` upper-cases the code: validation must compare it the same way, or the database's
    unique constraint fails mid-import and every later row is reported with a broken-transaction error."""
    existing = next(factories.credit_code(n) for n in range(810000, 810100) if factories.credit_code(n)[-1].isalpha())
    factories.OrganizationFactory(name="已登记的企业", credit_code=existing)
    rows = [["同码不同写法企业", "enterprise", existing.lower(), "沈阳市", "", ""], GOOD_ROWS[1]]
    before = fingerprint()
    report = imports.run_import("organizations", write_csv(tmp_path / "dup.csv", HEADERS, rows), user=SYSTEM)
    assert located(report) == [(2, "credit_code")]
    assert fingerprint() == before


def test_without_permission_every_row_is_refused_and_nothing_written(tmp_path, member, member_org, other_org):
    headers = ["organization", "kind", "date", "authority", "reference"]
    rows = [
        [member_org.name, "other", "2025-01-01", "gxt", "A-1"],
        [other_org.name, "other", "2025-01-02", "gxt", "A-2"],
    ]
    path = write_csv(tmp_path / "credit.csv", headers, rows)
    before = fingerprint()
    report = imports.run_import("credit-records", path, user=member)
    assert [error.row for error in report.errors] == [2, 3]
    for error in report.errors:
        with translation.override("zh-hans"):
            assert str(CreditRecord._meta.verbose_name) in error.as_dict()["zh"]
    assert fingerprint() == before


def test_permission_refusals_read_in_english_too(tmp_path, member, member_org):
    path = write_csv(
        tmp_path / "credit.csv",
        ["organization", "kind", "date", "authority", "reference"],
        [[member_org.name, "other", "2025-01-01", "gxt", "A-1"]],
    )
    report = imports.run_import("credit-records", path, user=member)
    assert report.errors[0].as_dict()["en"] == "row 2: You may not add this credit record."


# --- files that are not tables --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("damaged.xlsx", b"PK\x03\x04 this is not a workbook", "damaged.xlsx"),
        ("notes.json", b"{}", "notes.json"),
        ("binary.csv", b"name\n\xff\xfe\xff", "binary.csv"),
        ("empty.csv", b"", "empty.csv"),
    ],
)
def test_unreadable_files_give_a_readable_error(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(imports.ImportFileError, match=re.escape(message)):
        imports.run_import("organizations", path, user=SYSTEM)
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("import", "organizations", str(path), stdout=io.StringIO(), stderr=io.StringIO())


def test_missing_file(tmp_path):
    with pytest.raises(imports.ImportFileError, match="missing.csv"):
        imports.run_import("organizations", tmp_path / "missing.csv", user=SYSTEM)


# --- export: re-imports unchanged -----------------------------------------------------------------------------


@pytest.fixture
def registry_rows(member_org, other_org, gxt):
    platform = factories.PlatformFactory(organization=member_org, recognized_by=gxt)
    platform.green_categories.set(Category.objects.filter(scheme__slug="gic2019", code__in=["1.1.1", "2.1"]))
    factories.PlatformMemberFactory(platform=platform, organization=other_org)
    factories.PersonFactory(organization=member_org, is_public=True, is_broker=True, broker_licence_number="LN-1")
    factories.CreditRecordFactory(organization=member_org, authority=gxt)
    factories.RecognitionFactory(organization=other_org, granting_department=gxt)
    member_org.green_categories.set(Category.objects.filter(scheme__slug="gic2019", code="1.1.1"))


@pytest.mark.parametrize(
    ("dataset", "model"),
    [
        ("regions", None),
        ("departments", None),
        ("schemes", None),
        ("catalogue", None),
        ("code-patterns", None),
        ("recognitions", Recognition),
        ("people", Person),
        ("platforms", Platform),
        ("platform-members", PlatformMember),
        ("credit-records", CreditRecord),
        ("organizations", Organization),
    ],
)
def test_an_export_reimports_unchanged(dataset, model, registry_rows, tmp_path):
    table = imports.export_table(dataset, user=SYSTEM)
    assert len(table) > 0
    path = tmp_path / f"{dataset}.csv"
    path.write_bytes(imports.render_table(table, "csv"))
    report = imports.run_import(dataset, path, user=SYSTEM)
    assert report.ok, [e.as_dict() for e in report.errors[:3]]
    assert (report.created, report.updated, report.unchanged) == (0, 0, len(table))


def test_export_shows_only_what_the_user_may_see(registry_rows, member, member_org):
    assert len(imports.export_table("credit-records", user=SYSTEM)) == 1
    assert len(imports.export_table("credit-records", user=None)) == 0
    assert [row[0] for row in imports.export_table("credit-records", user=member)] == [member_org.name]
    hidden = factories.PersonFactory(organization=member_org, is_public=False)
    assert hidden.external_id not in [row[0] for row in imports.export_table("people", user=None)]


# --- the commands ---------------------------------------------------------------------------------------------


def run(*args, **options):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_import_command_reports_counts_in_both_languages(tmp_path):
    path = write_csv(tmp_path / "orgs.csv", HEADERS, GOOD_ROWS)
    out, _err = run("import", "organizations", str(path))
    assert "3 created" in out
    assert Organization.objects.filter(credit_code__in=CODES).count() == 3
    out, _err = run("import", "organizations", str(path), json=True)
    report = json.loads(out)
    assert (report["ok"], report["created"], report["unchanged"]) == (True, 0, 3)


def test_import_command_exits_1_on_errors_and_writes_nothing(tmp_path):
    path = write_csv(tmp_path / "bad.csv", HEADERS, BAD_ROWS)
    before = fingerprint()
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("import", "organizations", str(path), stdout=out, stderr=err)
    assert exit_info.value.code == 1
    assert fingerprint() == before
    for row, column in BAD_LOCATIONS:
        assert f"row {row}, column {column}:" in err.getvalue()
        assert f"第 {row} 行" in err.getvalue()


def test_import_command_as_a_user_without_permission(tmp_path, member, member_org):
    path = write_csv(
        tmp_path / "credit.csv",
        ["organization", "kind", "date", "authority", "reference"],
        [[member_org.name, "other", "2025-01-01", "gxt", "A-1"]],
    )
    before = fingerprint()
    with pytest.raises(SystemExit) as exit_info:
        run("import", "credit-records", str(path), user="member", json=False)
    assert exit_info.value.code == 1
    assert fingerprint() == before
    with pytest.raises(CommandError, match="nobody"):
        run("import", "credit-records", str(path), user="nobody")


def test_import_command_rejects_an_unknown_dataset_and_a_missing_file():
    with pytest.raises(CommandError, match="organizations"):
        run("import", "no-such-dataset", "x.csv")
    with pytest.raises(CommandError):
        run("import", "organizations")


def test_template_has_the_columns_and_a_sheet_describing_them(tmp_path):
    path = tmp_path / "template.xlsx"
    out, _err = run("import", "organizations", template=str(path))
    assert str(path) in out
    workbook = load_workbook(path)
    data, guide = workbook.worksheets
    columns = [cell.value for cell in data[1]]
    assert columns == [
        "name",
        "name_en",
        "kind",
        "credit_code",
        "region",
        "department",
        "industry",
        "green_categories",
        "address",
        "website",
        "description",
        "source",
        "is_demo",
    ]
    assert data.max_row == 1
    rows = {row[0]: row for row in guide.iter_rows(min_row=2, values_only=True)}
    assert list(rows) == columns
    assert rows["name"][1:4] == ("名称", "name", "是 yes")
    assert rows["kind"][3] == "是 yes"
    assert not rows["industry"][3]
    assert "enterprise" in rows["kind"][4]
    assert rows["credit_code"][1] == "统一社会信用代码"
    # the template itself imports (as an empty file)
    assert imports.run_import("organizations", path, user=SYSTEM).ok


def test_export_command_round_trip(tmp_path):
    path = tmp_path / "regions.csv"
    _out, err = run("export", "regions", output=str(path))
    assert "115" in err
    out, _err = run("import", "regions", str(path))
    assert "115 unchanged" in out
    xlsx = tmp_path / "regions.xlsx"
    run("export", "regions", format="xlsx", output=str(xlsx))
    assert imports.run_import("regions", xlsx, user=SYSTEM).unchanged == 115
    jsonl = tmp_path / "regions.jsonl"
    run("export", "regions", format="jsonl", output=str(jsonl))
    lines = jsonl.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 115
    assert json.loads(lines[0])["code"] == "210000"


def test_export_command_errors(tmp_path):
    with pytest.raises(CommandError, match="--output"):
        run("export", "regions", format="xlsx")
    with pytest.raises(CommandError):
        run("export", "no-such-dataset", output=str(tmp_path / "x.csv"))


def test_export_command_as_a_user(tmp_path, registry_rows, other_member):
    path = tmp_path / "credit.csv"
    run("export", "credit-records", output=str(path), user="other_member")
    assert len(imports.read_table(path)) == 0
    run("export", "credit-records", output=str(path))
    assert len(imports.read_table(path)) == 1


def test_reading_an_uploaded_file():
    content = "\ufeffname,kind\n测试,enterprise\n".encode()
    table = imports.read_bytes(content, "upload.csv")
    assert (table.headers, list(table[0])) == (["name", "kind"], ["测试", "enterprise"])
    assert isinstance(table, tablib.Dataset)
