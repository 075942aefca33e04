"""`greentech bench market`: the technology market at scale, on a synthetic corpus in a scratch database.

The run never touches the user's database: it creates a throwaway var dir (SQLite) or a scratch PostgreSQL
database (`--database postgresql://…`, created next to the named one and dropped afterwards), then runs itself
again in a child process pointed at it. The child migrates, loads the reference data (`greentech init`), writes
the synthetic corpus (`bench.synthetic.market`: 100,000 offers and 20,000 needs by default) and runs the sections.

Sections are named and extensible (`@section("match", …)` in another module, e.g. `bench.match`, which is
imported when present); `--only search,bm25s` runs some of them (plus what they require):

- index: the full-text index built in one pass (`core.search.reindex`), timed apart from the bulk insert;
- search: a fixed set of queries (Chinese and English, one to three words, common and rare, with and without
  filters, and plain list pages without a query) through `market.queries.find`, exactly as the API and the
  pages call it, as an anonymous visitor: p50/p95 overall and by group, plus checks that it finds what it should
  (known-item search by title, filters obeyed, only published listings, English queries find English listings);
- bm25s: the same queries on the same tokens with bm25s (an in-memory BM25 library), its p50/p95 and the ratio;
- embedding: `core.embeddings` throughput on the corpus' offers.

Peak memory is the child's maximum RSS (`resource.getrusage`) after each section.
"""

from __future__ import annotations

import importlib
import importlib.util
import io
import json
import os
import random
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import numpy as np
from django.core.management.base import CommandError
from django.db import DatabaseError, connection

from greentech.bench import registry

WORKER_ENV = "GREENTECH_BENCH_MARKET_REPORT"
DATABASE_ENV = "GREENTECH_BENCH_MARKET_DATABASE"
OPTIONS_ENV = "GREENTECH_BENCH_MARKET_OPTIONS"
EXTENSION_MODULES = ("greentech.bench.match",)
DEFAULTS = {"offers": 100_000, "needs": 20_000, "seed": 2026, "repeat": 3, "only": "", "database": "", "keep": ""}
SEARCH_TARGET_P95_MS = 50.0


# ---------------------------------------------------------------------------------------------------------------
# Sections


@dataclass
class Section:
    name: str
    description: str
    function: Callable
    requires: tuple[str, ...] = ()


SECTIONS: dict[str, Section] = {}


def section(name: str, description: str, *, requires: tuple[str, ...] = ()):
    """Register a section: `function(context) -> dict` runs on the corpus; its dict goes under `name` in the
    report. Sections run in registration order; `requires` names sections that must run first."""

    def decorator(function):
        SECTIONS[name] = Section(name, description, function, tuple(requires))
        return function

    return decorator


@dataclass
class Context:
    """What a section gets: the options, the corpus written, the report so far and a console."""

    options: dict
    corpus: object
    console: object
    report: dict = field(default_factory=dict)

    def progress(self, message: str) -> None:
        self.console.print(f"[dim]bench market:[/] {message}")


def peak_rss_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _load_extensions() -> None:
    for module in EXTENSION_MODULES:
        if importlib.util.find_spec(module) is not None:
            importlib.import_module(module)


def selected_sections(only: str | list[str] | None) -> list[str]:
    """The sections to run, in order: all of them, or those named (comma-separated) and what they require."""
    _load_extensions()
    names = [n.strip() for n in (only.split(",") if isinstance(only, str) else only or []) if n.strip()]
    unknown = [n for n in names if n not in SECTIONS]
    if unknown:
        raise CommandError(
            f"Unknown section(s) {', '.join(unknown)}; available: {', '.join(SECTIONS)}. / "
            f"未知的基准测试部分：{', '.join(unknown)}。"
        )
    if not names:
        return list(SECTIONS)
    wanted: set[str] = set()

    def add(name):
        if name not in wanted:
            wanted.add(name)
            for required in SECTIONS[name].requires:
                add(required)

    for name in names:
        add(name)
    return [name for name in SECTIONS if name in wanted]


def percentiles(samples_ms: list[float]) -> dict:
    if not samples_ms:
        return {"n": 0, "p50_ms": None, "p95_ms": None, "max_ms": None}
    values = np.asarray(samples_ms)
    return {
        "n": len(samples_ms),
        "p50_ms": round(float(np.percentile(values, 50)), 2),
        "p95_ms": round(float(np.percentile(values, 95)), 2),
        "max_ms": round(float(values.max()), 2),
    }


# ---------------------------------------------------------------------------------------------------------------
# index


@section("index", "Full-text index built in one pass (core.search.reindex)")
def index_section(context: Context) -> dict:
    from greentech.core import search
    from greentech.market.search import NEEDS, OFFERS

    figures = {}
    for index in (OFFERS, NEEDS):
        started = time.perf_counter()
        rows = search.reindex(index)
        seconds = time.perf_counter() - started
        figures[index.name] = {"rows": rows, "seconds": round(seconds, 2), "rows_per_second": round(rows / seconds)}
        context.progress(f"indexed {rows} rows of {index.name} in {seconds:.1f} s")
    figures["seconds"] = round(sum(v["seconds"] for v in figures.values()), 2)
    figures["analyze_seconds"] = analyze()
    return figures


# ---------------------------------------------------------------------------------------------------------------
# search

# kind, q, filters, expected catalogue code prefix of the hits (None: no expectation)
QUERIES: list[tuple[str, str, dict, str | None]] = [
    # Chinese, one word
    ("offers", "光伏", {}, None),
    ("offers", "锅炉", {}, None),
    ("offers", "污水处理", {}, None),
    ("offers", "燃料电池", {}, None),
    ("offers", "充电桩", {}, None),
    ("offers", "煤层气", {}, None),
    ("offers", "油烟净化器", {}, "1.6.7"),
    ("offers", "稻渔综合种养", {}, "4.1.9"),
    ("offers", "量子通信", {}, None),  # no listing has it
    # Chinese, two and three words
    ("offers", "余热回收 锅炉", {}, None),
    ("offers", "风电 叶片", {}, None),
    ("offers", "污水处理 再生利用", {}, None),
    ("offers", "储能 电站 调峰", {}, None),
    ("offers", "工业锅炉 余热回收 节能改造", {}, None),
    ("offers", "有机食品 风力发电机组", {}, None),  # no listing has both: any-word fallback
    # English
    ("offers", "wind turbine", {}, None),
    ("offers", "fuel cell", {}, None),
    ("offers", "sewage treatment", {}, None),
    ("offers", "energy storage", {}, None),
    ("offers", "charging station", {}, None),
    ("offers", "organic certification", {}, "6.5.5"),
    ("offers", "coal mine methane drainage", {}, None),
    ("offers", "heat", {}, None),
    # with filters
    ("offers", "光伏", {"region": "沈阳市"}, None),
    ("offers", "锅炉", {"mode": "transfer"}, None),
    ("offers", "污水处理", {"readiness_min": "6"}, None),
    ("offers", "节能", {"price_max": "500"}, None),
    ("offers", "储能", {"category": "3"}, "3"),
    ("offers", "energy", {"language": "en"}, None),
    ("offers", "余热回收", {"region": "大连市", "mode": "licence_ordinary", "readiness_min": "5"}, None),
    ("offers", "wind", {"sort": "newest"}, None),
    ("offers", "光伏", {"sort": "price"}, None),
    # needs
    ("needs", "污水处理", {}, None),
    ("needs", "余热回收 技术", {}, None),
    ("needs", "energy storage", {}, None),
    ("needs", "锅炉", {"region": "鞍山市"}, None),
    # list pages: no query
    ("offers", "", {}, None),
    ("offers", "", {"region": "大连市"}, None),
    ("offers", "", {"category": "1.2"}, "1.2"),
    ("offers", "", {"mode": "equity", "readiness_min": "7"}, None),
    ("offers", "", {"sort": "price"}, None),
    ("needs", "", {}, None),
    ("needs", "", {"sort": "deadline"}, None),
]
KNOWN_ITEMS = 40


def _group(kind: str, q: str, filters: dict) -> str:
    if not q:
        return "list (no query)"
    language = "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in q) else "en"
    words = min(len(q.split()), 3)  # the terms as typed (an English term is one word or two)
    filtered = "filtered" if any(k != "sort" for k in filters) else "text"
    return f"{kind} {language} {words}w {filtered}"


def _timed_find(kind, params, limit=20):
    from django.contrib.auth.models import AnonymousUser

    from greentech.market import queries

    started = time.perf_counter()
    found = queries.find(kind, AnonymousUser(), params, limit=limit)
    return found, (time.perf_counter() - started) * 1000


def _violations(kind: str, found, filters: dict, rows: dict) -> list[str]:
    """Hits that break the query's filters or are not published (checked against what the generator wrote)."""
    from greentech.registry.models import Region

    problems = []
    region_ids = None
    if "region" in filters:
        region = Region.objects.get(name=filters["region"])
        region_ids = {region.pk, *region.children.values_list("pk", flat=True)}
    for item in found.items:
        obj = item.object
        row = rows.get(obj.pk)
        if row is None:
            continue  # a listing that is not synthetic (none in a scratch database)
        if row["status"] != "published":
            problems.append(f"{obj.pk}: status {row['status']}")
        if region_ids is not None and row["region"] not in region_ids:
            problems.append(f"{obj.pk}: region {row['region']}")
        if "mode" in filters and filters["mode"] not in row["modes"].split(","):
            problems.append(f"{obj.pk}: modes {row['modes']}")
        if "readiness_min" in filters and (row["readiness"] or 0) < int(filters["readiness_min"]):
            problems.append(f"{obj.pk}: readiness {row['readiness']}")
        if "language" in filters and row["language"] != filters["language"]:
            problems.append(f"{obj.pk}: language {row['language']}")
        if "category" in filters and not (row["category"] + ".").startswith(filters["category"] + "."):
            problems.append(f"{obj.pk}: category {row['category']}")
        if "price_max" in filters and (obj.price is None or obj.price > int(filters["price_max"])):
            problems.append(f"{obj.pk}: price {obj.price}")
    return problems


@section(
    "search", "Search p50/p95 through market.queries.find (SQLite FTS5 or PostgreSQL tsvector)", requires=("index",)
)
def search_section(context: Context) -> dict:
    repeat = max(1, int(context.options.get("repeat") or 1))
    corpus = context.corpus
    rows = {"offers": corpus.offer_rows, "needs": corpus.need_rows}
    samples: list[float] = []
    by_group: dict[str, list[float]] = {}
    per_query, violations = [], []
    english_hits = english_total = 0
    for kind, q, filters, expected in QUERIES:
        params = {**filters, **({"q": q} if q else {})}
        found, _ms = _timed_find(kind, params)  # warm: the first run of a query reads pages into the cache
        timings = []
        for _ in range(repeat):
            found, ms = _timed_find(kind, params)
            timings.append(ms)
        samples.extend(timings)
        by_group.setdefault(_group(kind, q, filters), []).extend(timings)
        problems = _violations(kind, found, filters, rows[kind])
        violations.extend(f"{kind} {params}: {p}" for p in problems)
        entry = {
            "kind": kind,
            "q": q,
            "filters": filters,
            "total": found.total,
            "mode": found.mode,
            "returned": len(found.items),
            "median_ms": round(float(np.median(timings)), 2),
        }
        if expected is not None and found.items:
            codes = [rows[kind].get(item.object.pk, {}).get("category", "") for item in found.items[:10]]
            entry["expected_category"] = expected
            entry["precision_at_10"] = round(
                sum((code + ".").startswith(expected + ".") for code in codes) / len(codes), 3
            )
        if q and not any("\u4e00" <= ch <= "\u9fff" for ch in q) and "language" not in filters:
            english_total += len(found.items)
            english_hits += sum(rows[kind].get(i.object.pk, {}).get("language") == "en" for i in found.items)
        per_query.append(entry)
    known = _known_items(corpus)
    return {
        "queries": len(QUERIES),
        "repeat": repeat,
        "backend": connection.vendor,
        "all": percentiles(samples),
        "text_queries": percentiles([s for g, v in by_group.items() if not g.startswith("list") for s in v]),
        "by_group": {group: percentiles(values) for group, values in sorted(by_group.items())},
        "target_p95_ms": SEARCH_TARGET_P95_MS,
        "per_query": per_query,
        "checks": {
            "filter_or_status_violations": len(violations),
            "violation_examples": violations[:10],
            "english_queries_english_hits": round(english_hits / english_total, 3) if english_total else None,
            **known,
        },
    }


def _known_items(corpus) -> dict:
    """Known-item search: a published offer's own title finds it (or a listing with the same title) in the top 10."""
    published = [pk for pk, row in corpus.offer_rows.items() if row["status"] == "published"]
    sample = random.Random(corpus.seed).sample(published, min(KNOWN_ITEMS, len(published)))
    found_top10, reciprocal, timings = 0, 0.0, []
    misses = []
    for pk in sample:
        title = corpus.offer_rows[pk]["title"]
        found, ms = _timed_find("offers", {"q": title}, limit=10)
        timings.append(ms)
        ranks = [rank for rank, item in enumerate(found.items, 1) if item.object.pk == pk or item.object.title == title]
        if ranks:
            found_top10 += 1
            reciprocal += 1 / ranks[0]
        else:
            misses.append(title)
    n = len(sample) or 1
    return {
        "known_items": len(sample),
        "known_item_found_top10": round(found_top10 / n, 3),
        "known_item_mrr": round(reciprocal / n, 3),
        "known_item_misses": misses[:5],
        "known_item_latency": percentiles(timings),
    }


# ---------------------------------------------------------------------------------------------------------------
# bm25s


@section(
    "bm25s", "The same queries with bm25s (in-memory BM25) on the same tokens, and the ratio", requires=("search",)
)
def bm25s_section(context: Context) -> dict:
    import bm25s

    from greentech.core import search
    from greentech.market.search import NEEDS, OFFERS

    corpus = context.corpus
    repeat = max(1, int(context.options.get("repeat") or 1))
    figures: dict = {"version": bm25s.__version__}
    retrievers, ids = {}, {}
    tokenize_seconds = index_seconds = 0.0
    for kind, index in (("offers", OFFERS), ("needs", NEEDS)):
        started = time.perf_counter()
        documents, keys = [], []
        queryset = index.model.objects.filter(status="published").select_related("organization").order_by("pk")
        for obj in queryset.iterator(chunk_size=2000):
            title, body = index.document(obj)
            # bm25s has no fields: the title counts three times, as the FTS5 / tsvector ranking weights it
            documents.append(((title + " ") * 3 + body).split())
            keys.append(obj.pk)
        tokenize_seconds += time.perf_counter() - started
        started = time.perf_counter()
        retriever = bm25s.BM25()
        retriever.index(documents, show_progress=False)
        index_seconds += time.perf_counter() - started
        retrievers[kind], ids[kind] = retriever, np.asarray(keys)
    figures["tokenize_seconds"] = round(tokenize_seconds, 2)
    figures["index_seconds"] = round(index_seconds, 2)
    samples = []
    for kind, q, filters, _expected in QUERIES:
        if not q:
            continue  # a list page without a query is not a ranking problem
        tokens = [t for t in search.query_tokens(q) if t in retrievers[kind].vocab_dict]
        if not tokens:
            continue
        mask = _mask(kind, filters, ids[kind], corpus)
        for _ in range(repeat + 1):
            started = time.perf_counter()
            _results, _scores = retrievers[kind].retrieve(
                [tokens], k=min(20, len(ids[kind])), show_progress=False, weight_mask=mask
            )
            elapsed = (time.perf_counter() - started) * 1000
        samples.append(elapsed)
    figures["queries"] = len(samples)
    figures["latency"] = percentiles(samples)
    search_p95 = context.report["search"]["text_queries"]["p95_ms"]
    if figures["latency"]["p95_ms"]:
        figures["ratio_p95_ours_to_bm25s"] = round(search_p95 / figures["latency"]["p95_ms"], 2)
        figures["ratio_p50_ours_to_bm25s"] = round(
            context.report["search"]["text_queries"]["p50_ms"] / figures["latency"]["p50_ms"], 2
        )
    figures["note"] = (
        "bm25s: in-process numpy over the published listings only, filters as a precomputed weight mask; "
        "ours: SQL through the permission scope, filters, counting and snippets, objects loaded."
    )
    return figures


def _mask(kind, filters, keys, corpus):
    """The filters as a 0/1 weight per indexed document, from the generator's rows (computed outside timing)."""
    from greentech.registry.models import Region

    rows = corpus.offer_rows if kind == "offers" else corpus.need_rows
    conditions = []
    if "region" in filters:
        region = Region.objects.get(name=filters["region"])
        allowed = {region.pk, *region.children.values_list("pk", flat=True)}
        conditions.append(lambda row: row["region"] in allowed)
    if "mode" in filters:
        conditions.append(lambda row: filters["mode"] in row["modes"].split(","))
    if "readiness_min" in filters:
        conditions.append(lambda row: (row["readiness"] or 0) >= int(filters["readiness_min"]))
    if "language" in filters:
        conditions.append(lambda row: row["language"] == filters["language"])
    if "category" in filters:
        conditions.append(lambda row: (row["category"] + ".").startswith(filters["category"] + "."))
    if "price_max" in filters:
        conditions.append(lambda row: row.get("price") is not None and row["price"] <= float(filters["price_max"]))
    if not conditions:
        return None
    return np.asarray([all(c(rows[int(pk)]) for c in conditions) for pk in keys], dtype=np.float32)


# ---------------------------------------------------------------------------------------------------------------
# embedding


@section("embedding", "core.embeddings throughput (texts/s) on the offers' titles and summaries")
def embedding_section(context: Context) -> dict:
    from greentech.core.embeddings import get_embedder
    from greentech.market.models import Offer

    count = min(2000, max(1, context.corpus.offers))
    texts = [
        f"{title} {summary}" for title, summary in Offer.objects.order_by("pk").values_list("title", "summary")[:count]
    ]
    embedder = get_embedder("use")
    embedder.encode(texts[:1])  # loaded (init has usually loaded it already for the classifier)
    runs = []
    for _ in range(2):
        started = time.perf_counter()
        vectors = embedder.encode(texts)
        runs.append(len(texts) / (time.perf_counter() - started))
    return {
        "embedder": embedder.name,
        "dimension": int(vectors.shape[1]),
        "texts": len(texts),
        "mean_chars": round(sum(map(len, texts)) / len(texts), 1),
        "texts_per_second": round(float(np.median(runs)), 1),
    }


# ---------------------------------------------------------------------------------------------------------------
# Running


def run_here(options: dict, console) -> dict:
    """Write the corpus into the current database and run the selected sections (the scratch child, and the
    tests inside their test database, call this; never point it at a database you keep)."""
    from greentech.bench.synthetic.market import Generator

    options = {**DEFAULTS, **{k: v for k, v in options.items() if v is not None}}
    names = selected_sections(options.get("only"))
    report: dict = {
        "database": connection.vendor,
        "offers": int(options["offers"]),
        "needs": int(options["needs"]),
        "seed": int(options["seed"]),
        "sections": names,
    }
    context = Context(options, None, console, report)
    context.progress(f"writing {options['offers']} offers and {options['needs']} needs (seed {options['seed']})")
    generator = Generator(int(options["seed"]))

    def progress(model, done, total):
        if done == total or done % 20000 == 0:
            context.progress(f"{model}: {done}/{total}")

    corpus = generator.write(int(options["offers"]), int(options["needs"]), progress=progress)
    context.corpus = corpus
    # statistics now, or after the full-text index is built (the index section does it then)
    corpus.timings["analyze_seconds"] = analyze() if "index" not in names else None
    report["corpus"] = {
        "organizations": corpus.organizations,
        "offers": corpus.offers,
        "needs": corpus.needs,
        "published_offers": sum(row["status"] == "published" for row in corpus.offer_rows.values()),
        "insert_seconds": corpus.timings["insert_seconds"],
        "analyze_seconds": corpus.timings["analyze_seconds"],
        "rss_mib": peak_rss_mib(),
    }
    for name in names:
        context.progress(f"section {name}")
        started = time.perf_counter()
        result = SECTIONS[name].function(context)
        result["section_seconds"] = round(time.perf_counter() - started, 2)
        result["rss_mib"] = peak_rss_mib()
        report[name] = result
    report["peak_rss_mib"] = peak_rss_mib()
    return report


def analyze() -> float:
    """Planner statistics after the bulk load, as an import job or autovacuum would leave them (PostgreSQL plans
    every query as if the tables were empty until then: a page of the list took 0.3 s instead of 30 ms)."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            cursor.execute("VACUUM ANALYZE")  # also the visibility map, so counting can read the index only
            # write the bulk load's dirty pages now, not while the queries are timed (a superuser's command:
            # skipped where the bench's role may not)
            try:
                cursor.execute("CHECKPOINT")
            except DatabaseError:
                pass
        else:
            cursor.execute("ANALYZE")  # (VACUUM cannot run inside a transaction, e.g. in the tests)
    return round(time.perf_counter() - started, 2)


def _arguments(parser) -> None:
    parser.add_argument("--offers", type=int, help=f"market: synthetic offers (default {DEFAULTS['offers']:,}).")
    parser.add_argument("--needs", type=int, help=f"market: synthetic needs (default {DEFAULTS['needs']:,}).")
    parser.add_argument("--seed", type=int, help=f"market: corpus seed (default {DEFAULTS['seed']}).")
    parser.add_argument("--repeat", type=int, help="market: timed runs per query (default 3, after one warm run).")
    parser.add_argument("--only", help="market: comma-separated sections (default all).")
    parser.add_argument(
        "--database",
        help="market: postgresql://USER@HOST:PORT/NAME: a scratch database is created on that server and dropped "
        "(default: a scratch SQLite file).",
    )
    parser.add_argument(
        "--keep", help="market: write the scratch var dir (and database) here and keep it, e.g. to serve it."
    )


def _market_options(options: dict) -> dict:
    return {key: options.get(key) for key in DEFAULTS if options.get(key) not in (None, "")}


@registry.register("market", "Technology market at scale: index, search vs bm25s, embeddings", arguments=_arguments)
def run(options, console) -> dict:
    if os.environ.get(WORKER_ENV):
        return _child(console)
    market_options = {**DEFAULTS, **_market_options(options)}
    selected_sections(market_options["only"])  # unknown names fail before anything is created
    report = _in_scratch(market_options, console)
    print_report(report, console)
    return report


def _child(console) -> dict:
    """Inside the scratch process: refuse anything but the scratch database, then init, write and measure."""
    from django.core.management import call_command

    expected = os.environ.get(DATABASE_ENV, "")
    actual = str(connection.settings_dict["NAME"])
    if not expected or actual != expected:
        raise CommandError(f"bench market: refusing to write into {actual!r} (not the scratch database).")
    options = json.loads(os.environ.get(OPTIONS_ENV) or "{}")
    started = time.perf_counter()
    call_command("init", stdout=io.StringIO(), stderr=io.StringIO())
    setup = round(time.perf_counter() - started, 2)
    report = run_here(options, console)
    report["setup_seconds"] = setup
    Path(os.environ[WORKER_ENV]).write_text(json.dumps(report, ensure_ascii=False, default=str), encoding="utf-8")
    return report


def _scratch_postgres(url: str) -> tuple[str, str, Callable]:
    """Create a scratch database on the server of `url`; returns (child URL, its name, drop function)."""
    import psycopg

    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise CommandError(
            f"--database {url!r}: give a postgresql:// URL (SQLite needs no option). "
            "/ --database 须为 postgresql:// 地址。"
        )
    name = f"greentech_bench_{secrets.token_hex(4)}"
    admin_url = urlunsplit(parts._replace(path="/" + (parts.path.lstrip("/") or "postgres")))
    try:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as error:
        raise CommandError(
            f"Cannot create a scratch database on {parts.hostname}: {error} / 无法创建临时数据库。"
        ) from error

    def drop():
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return urlunsplit(parts._replace(path="/" + name)), name, drop


def _copy_caches(var: Path) -> None:
    """Reuse the model snapshot and catalogue vectors of this installation (read only: copied, keyed by
    hashes), so the scratch `init` does not recompute them; missing caches are simply rebuilt."""
    from greentech.config import var_dir

    source = var_dir() / "cache"
    if source.is_dir():
        shutil.copytree(source, var / "cache", dirs_exist_ok=True)


def _in_scratch(options: dict, console) -> dict:
    keep = options.get("keep")
    if keep:
        var = Path(keep).resolve()
        if var.exists() and any(var.iterdir()):
            raise CommandError(f"--keep {var}: the folder is not empty. / 文件夹非空。")
        var.mkdir(parents=True, exist_ok=True)
    else:
        var = Path(tempfile.mkdtemp(prefix="greentech-bench-market-"))
    drop = None
    try:
        _copy_caches(var)
        if options.get("database"):
            url, name, drop = _scratch_postgres(options["database"])
        else:
            name = str(var / "bench.sqlite3")
            url = f"sqlite:///{name}"
        report_path = var / "bench-market.json"
        env = {
            **os.environ,
            "GREENTECH_VAR_DIR": str(var),
            "GREENTECH_DATABASE_URL": url,
            WORKER_ENV: str(report_path),
            DATABASE_ENV: name,
            OPTIONS_ENV: json.dumps(options),
        }
        console.print(f"bench market: scratch {'PostgreSQL database ' + name if drop else 'SQLite ' + name}")
        process = subprocess.run(
            [sys.executable, "-m", "greentech", "bench", "market"], env=env, stdout=subprocess.DEVNULL
        )
        if process.returncode != 0 or not report_path.exists():
            raise CommandError(f"bench market: the scratch run failed (exit {process.returncode}).")
        report = json.loads(report_path.read_text(encoding="utf-8"))
        if keep:
            report["kept"] = {"var_dir": str(var), "database_url": url}
        return report
    finally:
        if drop is not None and not keep:
            drop()
        if not keep:
            shutil.rmtree(var, ignore_errors=True)


def print_report(report: dict, console) -> None:
    from rich.table import Table

    corpus = report["corpus"]
    console.print(
        f"market benchmark on {report['database']}: {corpus['offers']:,} offers ({corpus['published_offers']:,} "
        f"published), {corpus['needs']:,} needs, {corpus['organizations']:,} organizations; bulk insert "
        f"{corpus['insert_seconds']} s"
    )
    if "index" in report:
        index = report["index"]
        console.print(
            "index: "
            + ", ".join(
                f"{name} {v['rows']:,} rows in {v['seconds']} s" for name, v in index.items() if isinstance(v, dict)
            )
            + f"; planner statistics {index['analyze_seconds']} s"
        )
    if "search" in report:
        search = report["search"]
        table = Table(title=f"search latency ({search['backend']}, {search['repeat']} runs per query after a warm run)")
        for column in ("group", "n", "p50 ms", "p95 ms", "max ms"):
            table.add_column(column)
        for group, figures in [
            ("all", search["all"]),
            ("text queries", search["text_queries"]),
            *search["by_group"].items(),
        ]:
            table.add_row(
                group, str(figures["n"]), str(figures["p50_ms"]), str(figures["p95_ms"]), str(figures["max_ms"])
            )
        console.print(table)
        checks = search["checks"]
        console.print(
            f"checks: known-item top-10 {checks['known_item_found_top10']:.0%} (MRR {checks['known_item_mrr']}), "
            f"filter/status violations {checks['filter_or_status_violations']}, English queries → English hits "
            f"{checks['english_queries_english_hits']}"
        )
    if "bm25s" in report:
        bm = report["bm25s"]
        console.print(
            f"bm25s {bm['version']}: index {bm['index_seconds']} s (+ tokens {bm['tokenize_seconds']} s); "
            f"p50 {bm['latency']['p50_ms']} ms, p95 {bm['latency']['p95_ms']} ms; ours/bm25s p95 "
            f"{bm.get('ratio_p95_ours_to_bm25s')}, p50 {bm.get('ratio_p50_ours_to_bm25s')}"
        )
    if "embedding" in report:
        e = report["embedding"]
        console.print(
            f"embedding ({e['embedder']}, {e['dimension']}-d): {e['texts_per_second']} texts/s on {e['texts']} "
            f"texts (mean {e['mean_chars']} chars)"
        )
    for name in report["sections"]:
        if name not in ("index", "search", "bm25s", "embedding"):
            console.print(f"{name}: {json.dumps(report[name], ensure_ascii=False, default=str)[:500]}")
    console.print(f"peak RSS {report['peak_rss_mib']} MiB")
