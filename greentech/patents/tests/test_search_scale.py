"""The large-result paths of patents.queries at small scale, with the caps lowered: a capped count shown as
capped (page, API, CLI), the date-index walk and the whole sort agreeing with the ORM on every page, facets from
the cube equal to exact counts, and the facets of a large result labelled as a sample."""

import json
from collections import Counter

import pytest
from django.core.management import call_command
from django.db.models import Count

from greentech.bench.synthetic import patents as synthetic
from greentech.core.permissions import SYSTEM
from greentech.patents import importing, queries
from greentech.patents.filtersets import code_prefix_q
from greentech.patents.models import GreenLabel, Patent

pytestmark = pytest.mark.django_db

N = 240


@pytest.fixture
def corpus(write_jsonl):
    report = importing.run(write_jsonl(list(synthetic.records(N, seed=11))), label_text=False)
    assert report.ok and Patent.objects.count() == N


def _common_code() -> str:
    counts = Counter(code[:1] for code in Patent.objects.values_list("codes__code", flat=True) if code)
    return counts.most_common(1)[0][0]


def _common_word() -> str:
    """A word in many titles (from the synthetic vocabulary), so its result set is wider than the lowered caps."""
    best = None
    for patent in Patent.objects.all()[:40]:
        for token in queries.search.query_tokens(patent.title):
            n = queries.driver_head(queries.keyword_driver([token], "all"), cap=N).count
            if best is None or n > best[1]:
                best = (token, n)
    assert best[1] >= 25, best
    return best[0]


@pytest.mark.parametrize("sort_whole, count_cap", [(5, 100_000), (100_000, 100_000), (5, 10), (12, 10), (100_000, 10)])
def test_date_sorted_pages_agree_with_the_orm(corpus, monkeypatch, sort_whole, count_cap):
    monkeypatch.setattr(queries, "SORT_WHOLE", sort_whole)  # 5: the date-index walk; 100,000: the whole sort
    monkeypatch.setattr(queries, "COUNT_CAP", count_cap)  # 10: fewer counted than matched (the sort sees them all)
    code, word = _common_code(), _common_word()
    cases = [
        ({"code": code}, Patent.objects.filter(pk__in=code_prefix_q(code))),
        ({"q": word}, Patent.objects.filter(pk__in=queries.match_subquery([word], "all"))),
    ]
    for params, expected in cases:
        for sort, order in (("newest", ("-publication_date", "-pk")), ("oldest", ("publication_date", "pk"))):
            everything = list(expected.order_by(*order).values_list("pk", flat=True))
            assert len(everything) > 10
            for offset in (0, 7, len(everything) - 3):
                found = queries.find(SYSTEM, {**params, "sort": sort}, limit=5, offset=offset)
                assert [item.object.pk for item in found.items] == everything[offset : offset + 5], (params, sort)
                capped = len(everything) > count_cap
                assert found.total == min(len(everything), count_cap) and found.total_exact is not capped


def test_a_capped_count_is_shown_as_capped(corpus, monkeypatch, client, api_client, capsys):
    monkeypatch.setattr(queries, "COUNT_CAP", 10)
    code = _common_code()
    assert Patent.objects.filter(pk__in=code_prefix_q(code)).count() > 10
    found = queries.find(SYSTEM, {"code": code})
    assert (found.total, found.total_exact, found.total_display) == (10, False, "10+")
    word = _common_word()
    found = queries.find(SYSTEM, {"q": word}, limit=5)  # the ranking window holds every match: known exactly
    assert found.total > 10 and found.total_exact and len(found.items) == 5
    monkeypatch.setattr(queries, "RANK_WINDOW", 8)  # more matches than the window: counted up to the cap
    found = queries.find(SYSTEM, {"q": word}, limit=5)
    assert (found.total, found.total_exact) == (10, False) and len(found.items) == 5
    assert queries.find(SYSTEM, {"code": "A01B 1/02"}).total_exact  # few or none: exact
    html = client.get("/patents/", {"code": code}).content.decode()
    assert 'id="count-capped"' in html and "10+ 件专利（计数上限 10）" in html
    body = api_client().get("/api/v1/patents/search/", {"code": code}).json()
    assert body["total"] == 10 and body["total_exact"] is False and body["total_display"] == "10+"
    call_command("search", "patents", "--code", code, "--format", "json")
    payload = json.loads(capsys.readouterr().out)
    assert payload["total"] == 10 and payload["total_exact"] is False
    call_command("search", "patents", "--code", code)
    assert capsys.readouterr().out.startswith("10+ found")


def _orm_facets(queryset) -> dict:
    ids = queryset.values("pk")
    result = {
        name: dict(queryset.order_by().values_list(name).annotate(n=Count("pk")))
        for name in ("office", "legal_status", "patent_type", "green")
    }
    result["city"] = dict(queryset.exclude(region=None).order_by().values_list("region__name").annotate(n=Count("pk")))
    years = Counter(d.year for d in queryset.exclude(publication_date=None).values_list("publication_date", flat=True))
    result["year"] = dict(years)
    labels = GreenLabel.objects.filter(patent__in=ids).order_by().values_list("group")
    result["category"] = dict(labels.annotate(n=Count("patent", distinct=True)))
    return result


def _as_dicts(facets: dict) -> dict:
    return {name: {row["value"]: row["count"] for row in rows} for name, rows in facets.items()}


def _top(expected: dict, limit: int = queries.FACET_LIMIT) -> dict:
    """The counts a facet shows: all of them when there are at most FACET_LIMIT values."""
    return {name: counts for name, counts in expected.items() if len(counts) <= limit}


def test_code_pages_by_date_follow_the_patents_dates(corpus):
    import datetime

    from greentech.patents.filtersets import code_range
    from greentech.patents.models import PatentCode

    code = _common_code()
    patents = Patent.objects.filter(pk__in=code_prefix_q(code))
    low, high = code_range(code)
    # patents with several codes under the prefix: their rows repeat in the (code, date, patent) index
    assert PatentCode.objects.filter(code__gte=low, code__lt=high).count() > patents.count()
    # one patent loses its date and one gets a new one, saved on the platform: their codes follow
    undated, moved = list(patents.order_by("pk")[:2])
    undated.publication_date = None
    undated.save()
    moved.publication_date = datetime.date(2031, 1, 1)
    moved.save()
    assert set(PatentCode.objects.filter(patent=moved).values_list("publication_date", flat=True)) == {
        datetime.date(2031, 1, 1)
    }
    assert set(PatentCode.objects.filter(patent=undated).values_list("publication_date", flat=True)) == {None}
    for sort, order in (("newest", ("-publication_date", "-pk")), ("oldest", ("publication_date", "pk"))):
        everything = list(patents.order_by(*order).values_list("pk", flat=True))
        for offset in (0, 3, len(everything) - 2):
            found = queries.find(SYSTEM, {"code": code, "sort": sort}, limit=4, offset=offset)
            assert [item.object.pk for item in found.items] == everything[offset : offset + 4], (sort, offset)


def test_facets_from_the_cube_are_exact(corpus):
    region = Patent.objects.exclude(region=None).values_list("region__name", flat=True).first()
    year = Patent.objects.exclude(publication_date=None).first().publication_date.year
    for params, queryset in [
        ({}, Patent.objects.all()),
        ({"green": "true"}, Patent.objects.filter(green=True)),
        ({"office": "CN"}, Patent.objects.filter(office="CN")),
        ({"green": "true", "office": "US"}, Patent.objects.filter(green=True, office="US")),
        (
            {"city": region, "legal_status": "granted"},
            Patent.objects.filter(region__name=region, legal_status="granted"),
        ),
        ({"year": str(year)}, Patent.objects.filter(publication_date__year=year)),
    ]:
        found = queries.find(SYSTEM, params, facets=True)
        assert found.facets_mode == "exact" and found.total == queryset.count() and found.total_exact
        got, expected = _as_dicts(found.facets), _orm_facets(queryset)
        for name, counts in _top(expected).items():
            assert got[name] == counts, (params, name)
    # the cube's rows are what the ORM gives (it runs as raw SQL: an index hint and the year as text on SQLite)
    from django.db.models.functions import ExtractYear

    orm = (
        Patent.objects.order_by()
        .annotate(year=ExtractYear("publication_date"))
        .values_list("office", "legal_status", "patent_type", "green", "region", "year")
        .annotate(n=Count("pk"))
    )
    labels = (
        GreenLabel.objects.order_by()
        .annotate(year=ExtractYear("patent__publication_date"))
        .values_list(
            "group", "patent__office", "patent__legal_status", "patent__patent_type", "patent__green",
            "patent__region", "year",
        )
        .annotate(n=Count("patent", distinct=True))
    )  # fmt: skip
    patent_rows, label_rows = queries.cube()
    assert sorted(patent_rows, key=repr) == sorted((tuple(row) for row in orm), key=repr)
    assert sorted(label_rows, key=repr) == sorted((tuple(row) for row in labels), key=repr)
    assert label_rows and all(type(row[3]) is bool for row in patent_rows)
    assert all(type(row[4]) is bool for row in label_rows)


def test_cube_follows_imports_and_updates(corpus, write_jsonl):
    before = _as_dicts(queries.find(SYSTEM, {}, facets=True).facets)
    record = {"number": "CN999000001A", "title": "一种风力发电机叶片", "publication_date": "2024-01-02"}
    assert importing.run(write_jsonl([record]), label_text=False).ok
    after = _as_dicts(queries.find(SYSTEM, {}, facets=True).facets)
    assert after["office"]["CN"] == before["office"]["CN"] + 1
    record["legal_status"] = "withdrawn"  # a re-import updates the patent: its `updated` moves the cube's key
    assert importing.run(write_jsonl([record], name="again.jsonl"), label_text=False).ok
    again = _as_dicts(queries.find(SYSTEM, {}, facets=True).facets)
    assert again["legal_status"].get("withdrawn", 0) == after["legal_status"].get("withdrawn", 0) + 1


def test_facets_of_a_large_result_are_a_labelled_sample(corpus, monkeypatch, client):
    code = _common_code()
    queryset = Patent.objects.filter(pk__in=code_prefix_q(code))
    exact = queries.find(SYSTEM, {"code": code}, facets=True)
    assert exact.facets_mode == "exact"
    for name, counts in _top(_orm_facets(queryset)).items():
        assert _as_dicts(exact.facets)[name] == counts, name
    monkeypatch.setattr(queries, "FACET_CAP", 12)
    sample = queries.find(SYSTEM, {"code": code}, facets=True)
    # the first 13 index rows of the prefix: at most 13 patents (fewer when a patent has several codes in it)
    assert sample.facets_mode == "sample" and 0 < sample.facets_basis <= 13 < queryset.count()
    assert sum(row["count"] for row in sample.facets["office"]) == sample.facets_basis
    html = client.get("/patents/", {"code": code}).content.decode()
    assert 'id="facets-sample"' in html


def test_the_cube_is_stored_for_the_other_processes(corpus, monkeypatch, write_jsonl):
    from greentech.patents.models import FacetCube

    queries._CUBE.clear()
    first = queries.find(SYSTEM, {"green": "true"}, facets=True).facets
    stored = FacetCube.objects.get()
    assert stored.key == queries.data_version()
    computed = queries.compute_cube()
    # another process: nothing in its memory, and it reads the stored cells instead of grouping every patent
    queries._CUBE.clear()
    monkeypatch.setattr(queries, "compute_cube", lambda: pytest.fail("the stored cube was not used"))
    assert queries.find(SYSTEM, {"green": "true"}, facets=True).facets == first
    assert [sorted(cells, key=repr) for cells in queries.cube()] == [sorted(cells, key=repr) for cells in computed]
    monkeypatch.undo()
    # new data gives a new key: the cube is counted again and replaces the old row
    record = {"number": "CN999000002A", "title": "一种光伏组件清洗装置", "publication_date": "2024-03-04"}
    assert importing.run(write_jsonl([record], name="one.jsonl"), label_text=False).ok
    assert queries.find(SYSTEM, {}, facets=True).total == N + 1
    assert list(FacetCube.objects.values_list("key", flat=True)) == [queries.data_version()] != [stored.key]


def test_a_cube_that_cannot_be_stored_is_still_served(corpus, monkeypatch):
    from django.db import OperationalError

    from greentech.patents.models import FacetCube

    def busy(*args, **kwargs):
        raise OperationalError("database is locked")

    queries._CUBE.clear()
    monkeypatch.setattr(FacetCube.objects, "update_or_create", busy)
    found = queries.find(SYSTEM, {"office": "CN"}, facets=True)
    assert found.total == Patent.objects.filter(office="CN").count() and found.facets["office"]
    assert not FacetCube.objects.exists()
    assert Patent.objects.count() == N  # the caller's transaction goes on


def test_a_big_import_stores_the_cube_of_its_data_and_a_rejected_one_keeps_the_old(write_jsonl):
    from greentech.patents.models import FacetCube

    rows = list(synthetic.records(30, seed=5))
    assert importing.run(write_jsonl(rows), label_text=False, rebuild_indexes=True).ok
    stored = FacetCube.objects.get()
    assert stored.key == queries.data_version()
    fresh = queries.compute_cube()
    assert (sorted(map(tuple, stored.patents), key=repr), sorted(map(tuple, stored.labels), key=repr)) == (
        sorted(fresh[0], key=repr),
        sorted(fresh[1], key=repr),
    )
    assert sum(row[-1] for row in stored.patents) == 30
    bad = [*synthetic.records(10, seed=6), {"number": "nonsense"}]
    assert not importing.run(write_jsonl(bad, name="bad.jsonl"), label_text=False, rebuild_indexes=True).ok
    assert list(FacetCube.objects.values_list("key", flat=True)) == [stored.key]
