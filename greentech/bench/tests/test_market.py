"""`greentech bench market` at tiny scale: the report's structure and that the search finds what it should.

No timing is asserted (the machine is shared); what is asserted is what the figures stand on: the corpus written
from the catalogue, the index, the queries' results obeying their filters, known items found, the scratch guard.
"""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rich.console import Console

from greentech.bench import market as bench_market
from greentech.bench.synthetic.market import SYNTHETIC_MARK, Generator
from greentech.core import search
from greentech.market.models import Need, Offer, Status
from greentech.market.search import OFFERS
from greentech.registry.models import Organization

pytestmark = pytest.mark.django_db


def quiet() -> Console:
    return Console(file=io.StringIO())


@pytest.fixture
def report():
    return bench_market.run_here(
        {"offers": 300, "needs": 60, "repeat": 1, "seed": 11, "only": "bm25s"}, console=quiet()
    )


def test_report_structure_and_checks(report):
    assert report["sections"] == ["index", "search", "bm25s"]  # bm25s requires search, which requires index
    assert report["corpus"]["offers"] == 300 and report["corpus"]["needs"] == 60
    assert report["index"]["market_offer"]["rows"] == 300
    assert report["index"]["market_need"]["rows"] == 60
    searched = report["search"]
    assert searched["all"]["n"] == len(bench_market.QUERIES)
    assert searched["all"]["p95_ms"] >= searched["all"]["p50_ms"] > 0
    groups = set(searched["by_group"])
    assert {"offers zh 1w text", "offers en 2w text", "offers zh 1w filtered", "list (no query)"} <= groups
    checks = searched["checks"]
    assert checks["filter_or_status_violations"] == 0, checks["violation_examples"]
    assert checks["known_items"] == bench_market.KNOWN_ITEMS
    assert checks["known_item_found_top10"] >= 0.9, checks["known_item_misses"]
    assert checks["english_queries_english_hits"] == 1.0
    by_query = {(q["kind"], q["q"], json.dumps(q["filters"])): q for q in searched["per_query"]}
    assert by_query[("offers", "量子通信", "{}")]["total"] == 0  # no listing has it
    newest = by_query[("offers", "", "{}")]
    published = sum(1 for row in Offer.objects.filter(status=Status.PUBLISHED).values("pk"))
    assert newest["total"] == published == report["corpus"]["published_offers"]
    bm25 = report["bm25s"]
    assert bm25["queries"] > 20 and bm25["latency"]["p95_ms"] > 0
    assert bm25["ratio_p95_ours_to_bm25s"] > 0
    assert report["peak_rss_mib"] > 0
    console = quiet()
    bench_market.print_report(report, console)
    printed = console.file.getvalue()
    assert "search latency" in printed and "bm25s" in printed and "known-item top-10" in printed


def test_corpus_is_marked_and_from_the_catalogue(report):
    offers = Offer.objects.filter(reference__startswith="SYN-O")
    assert offers.count() == 300 and not offers.filter(is_demo=False).exists()
    assert Need.objects.filter(reference__startswith="SYN-N", is_demo=True).count() == 60
    assert (
        Organization.objects.filter(name__startswith=SYNTHETIC_MARK, is_demo=True).count()
        == report["corpus"]["organizations"]
    )
    # every listing is in one catalogue item (level 3) and written from its words
    offer = offers.filter(language="zh").select_related("region").prefetch_related("categories").first()
    (category,) = offer.categories.all()
    assert category.level == 3 and category.scheme.slug == "gic2019"
    assert category.name in offer.summary and offer.region is not None
    assert offers.filter(language="en").exists()
    # the index built by the benchmark answers the shared search interface
    result = search.search(OFFERS, offer.title, Offer.objects.filter(pk=offer.pk))
    assert [hit.pk for hit in result.hits] == [offer.pk]


def test_same_seed_same_corpus(db):
    organizations = [Organization(pk=1, name="x")]
    first, second = Generator(5), Generator(5)
    titles = [first.offer(i, organizations)[0].title for i in range(20)]
    assert titles == [second.offer(i, organizations)[0].title for i in range(20)]
    assert titles != [Generator(6).offer(i, organizations)[0].title for i in range(20)]


def test_sections_are_selectable_and_extensible(monkeypatch):
    assert bench_market.selected_sections("search") == ["index", "search"]
    assert bench_market.selected_sections("embedding") == ["embedding"]
    with pytest.raises(CommandError, match="nonsense"):
        bench_market.selected_sections("search,nonsense")
    seen = {}

    def probe(context):
        seen["offers"] = len(context.corpus.offer_rows)
        return {"published": context.report["corpus"]["published_offers"]}

    monkeypatch.setitem(bench_market.SECTIONS, "probe", bench_market.Section("probe", "a test section", probe))
    report = bench_market.run_here({"offers": 40, "needs": 5, "only": "probe"}, console=quiet())
    assert report["sections"] == ["probe"] and seen == {"offers": 40}
    assert report["probe"]["published"] == report["corpus"]["published_offers"]


def test_child_refuses_a_database_that_is_not_the_scratch_one(monkeypatch):
    monkeypatch.setenv(bench_market.WORKER_ENV, "/nonexistent/report.json")
    monkeypatch.setenv(bench_market.DATABASE_ENV, "/tmp/some-other.sqlite3")
    before = Offer.objects.count()
    with pytest.raises(CommandError, match="refusing"):
        call_command("bench", "market", stdout=io.StringIO(), stderr=io.StringIO())
    assert Offer.objects.count() == before


def test_command_runs_in_a_scratch_database_and_leaves_this_one_alone(tmp_path):
    """The real command: a child process on a scratch SQLite file (init included), JSON out."""
    before = Offer.objects.count()
    out = io.StringIO()
    call_command(
        "bench",
        "market",
        "--offers",
        "60",
        "--needs",
        "10",
        "--only",
        "search,embedding",
        "--repeat",
        "1",
        "--json",
        stdout=out,
        stderr=io.StringIO(),
    )
    report = json.loads(out.getvalue())
    assert report["database"] == "sqlite" and report["sections"] == ["index", "search", "embedding"]
    assert report["embedding"]["texts"] == 60 and report["embedding"]["texts_per_second"] > 0
    assert report["corpus"]["offers"] == 60 and report["search"]["checks"]["filter_or_status_violations"] == 0
    assert Offer.objects.count() == before
    with pytest.raises(CommandError, match="not empty"):
        (tmp_path / "x").write_text("keep me")
        call_command("bench", "market", "--keep", str(tmp_path), stdout=io.StringIO(), stderr=io.StringIO())
    assert (tmp_path / "x").read_text() == "keep me"
