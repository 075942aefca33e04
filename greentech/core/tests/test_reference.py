"""The reference data `greentech init` loads (the test database ran it once, see greentech/conftest.py),
checked against the source files in greentech/data, and the idempotence of a second run."""

from __future__ import annotations

import csv
import io

import pytest
from django.apps import apps
from django.core.management import call_command

from greentech.core.reference import DATA_DIR
from greentech.recognitions.models import Recognition
from greentech.registry.models import Department, Organization, Region
from greentech.taxonomy.codes import normalize_symbol
from greentech.taxonomy.models import Category, CodePattern, Scheme

pytestmark = pytest.mark.django_db

MIIT = DATA_DIR / "miit-green-manufacturing-lists"
MIIT_FILES = {
    "green_factory": ("green_factories.csv", "工厂名称"),
    "green_design_product": ("green_design_products.csv", "企业名称"),
    "green_park": ("green_industrial_parks.csv", "园区"),
    "green_supply_chain": ("green_supply_chain_enterprises.csv", "企业名称"),
}


def read(relative: str) -> list[dict]:
    with (DATA_DIR / relative).open(encoding="utf-8-sig", newline="") as handle:
        return [{key: (value or "").strip() for key, value in row.items()} for row in csv.DictReader(handle)]


def liaoning_rows(filename: str) -> list[dict]:
    return [row for row in read(f"miit-green-manufacturing-lists/{filename}") if row["地区"] in {"辽宁", "大连"}]


def test_regions_province_cities_and_counties():
    province = Region.objects.get(level=Region.Level.PROVINCE)
    assert (province.code, province.name, province.parent) == ("210000", "辽宁省", None)
    cities = Region.objects.filter(level=Region.Level.CITY)
    assert cities.count() == 14
    assert set(cities.values_list("parent", flat=True)) == {province.pk}
    cities_csv = read("liaoning-admin-divisions/liaoning_cities.csv")
    source_cities = {row["city_code_6"]: row["city_name"] for row in cities_csv}
    assert dict(cities.values_list("code", "name")) == source_cities
    assert Region.objects.get(code="210100").short_name == "沈阳"
    counties = Region.objects.filter(level=Region.Level.COUNTY).select_related("parent")
    assert counties.count() == 100
    source_counties = read("liaoning-admin-divisions/liaoning_counties.csv")
    assert {county.code: (county.name, county.parent.code) for county in counties} == {
        row["county_code"]: (row["county_name"], f"{row['city_code']}00") for row in source_counties
    }
    assert all(county.parent.level == Region.Level.CITY for county in counties)
    assert Region.objects.get(code="210102").city().code == "210100"
    assert Region.objects.count() == 115


def test_green_industry_catalogue_2019():
    scheme = Scheme.objects.get(slug="gic2019")
    assert (scheme.kind, scheme.complete, scheme.document_number) == ("catalogue", True, "发改环资〔2019〕293号")
    items = Category.objects.filter(scheme=scheme)
    counts = {level: items.filter(level=level).count() for level in (1, 2, 3)}
    assert counts == {1: 6, 2: 30, 3: 211}
    assert items.count() == 247
    catalogue_csv = read("green-industry-catalogue-2019/green_industry_catalogue_2019.csv")
    source = {row["level3_code"]: row for row in catalogue_csv}
    leaves = {category.code: category for category in items.filter(level=3).select_related("parent__parent")}
    assert set(leaves) == set(source)
    for code, category in leaves.items():
        row = source[code]
        assert category.name == row["level3_name"]
        assert category.description == row["description"] != ""
        assert category.standards == row["standards"]
        assert (category.parent.code, category.parent.parent.code) == (row["level2_code"], row["level1_code"])
        assert category.parent.parent.parent is None
    boiler = leaves["1.1.1"]
    assert boiler.name == "节能锅炉制造"
    assert "GB24500" in " ".join(boiler.standard_list)
    assert [c.code for c in items.filter(level=2, parent__code="1")][:3] == ["1.1", "1.2", "1.3"]


def test_schemes_from_schemes_csv():
    source = read("schemes.csv")
    assert set(Scheme.objects.values_list("slug", flat=True)) == {row["slug"] for row in source}
    for row in source:
        scheme = Scheme.objects.get(slug=row["slug"])
        assert (scheme.name, scheme.kind, scheme.complete) == (row["name"], row["kind"], row["complete"] == "1")


def test_every_department_of_the_plan():
    source = read("departments/departments.csv")
    assert Department.objects.count() == len(source) == 20
    for row in source:
        department = Department.objects.get(code=row["code"])
        assert (department.short_name, department.full_name, department.name_en, department.level) == (
            row["short_name"],
            row["full_name"],
            row["name_en"],
            row["level"],
        )
    assert Department.objects.get(code="gxt").full_name == "辽宁省工业和信息化厅"


def test_miit_liaoning_recognitions():
    national = Recognition.objects.filter(level=Recognition.Level.NATIONAL, granting_authority="工业和信息化部")
    expected_total = 0
    for kind, (filename, name_column) in MIIT_FILES.items():
        rows = liaoning_rows(filename)
        expected_total += len(rows)
        loaded = national.filter(kind=kind)
        assert loaded.count() == len(rows), kind
        assert set(loaded.values_list("organization__name", flat=True)) == {row[name_column] for row in rows}, kind
    assert national.count() == expected_total == 93
    assert all(r.year and r.batch and r.source_url.startswith("http") for r in national)
    # every organization named in those lists is registered, and each Dalian row is placed in 大连市 (or in one of
    # its county-level divisions when the name says which)
    for row in liaoning_rows("green_factories.csv"):
        organization = Organization.objects.get(name=row["工厂名称"])
        if row["地区"] == "大连":
            assert organization.region.city().code == "210200", organization
    assert Organization.objects.filter(kind=Organization.Kind.EVALUATOR).exists()
    assert not Recognition.objects.filter(is_demo=True).exists()


def test_ipc_green_inventory_patterns_are_normalised():
    scheme = Scheme.objects.get(slug="ipc-green-inventory")
    patterns = CodePattern.objects.filter(scheme=scheme)
    source = read("ipc-green-inventory-codes-partial/green_inventory_ipc_patterns.csv")
    expected = {
        (normalize_symbol(row["code"]), normalize_symbol(row["range_end"]) if row["range_end"] else "")
        for row in source
    }
    assert set(patterns.values_list("code", "range_end")) == expected
    assert patterns.count() == len(expected)
    for pattern in patterns:
        assert normalize_symbol(pattern.code) == pattern.code
        assert pattern.range_end == "" or normalize_symbol(pattern.range_end) == pattern.range_end
        assert pattern.system == "ipc"
    assert patterns.filter(code="H01L 31/00", range_end="H01L 31/078").exists()  # "31/000" in the source
    assert set(CodePattern.objects.filter(scheme__slug="cpc-y02").values_list("code", flat=True)) == {
        "Y02A",
        "Y02B",
        "Y02C",
        "Y02D",
        "Y02E",
        "Y02P",
        "Y02T",
        "Y02W",
        "Y04S",
    }


def test_reference_history_is_attributed_to_init():
    records = Region.history.filter(code="210100")
    assert records.count() == 1
    assert (records[0].history_source, records[0].history_user, records[0].history_type) == ("init", None, "+")


def test_running_init_again_creates_nothing():
    audited = [m for m in apps.get_models() if m.__name__.startswith("Historical")]
    models = [Region, Department, Scheme, Category, CodePattern, Organization, Recognition]
    before = {m._meta.label: m.objects.count() for m in models + audited}
    out = io.StringIO()
    call_command("init", skip_migrate=True, stdout=out, stderr=io.StringIO())
    assert " 0 created, 0 updated" in out.getvalue()
    assert {m._meta.label: m.objects.count() for m in models + audited} == before
