"""`greentech bench patents --n N [--backend sqlite|postgresql]`: the patent database at scale, on a scratch
database (never the user's).

The command creates a scratch database (a temporary SQLite file, or a PostgreSQL database `gt_bench_<pid>`
created and dropped), runs `greentech init` on it (reference data), then re-runs itself inside it
(`--inside`), where `measure()` does the work:

1. writes N synthetic records (bench.synthetic.patents) to a JSONL file (timed apart: not part of the import);
2. imports them through the real streaming import (one pass, all or nothing, including segmentation
   into the search index and code labels): records per second, peak memory of the process (ru_maxrss);
3. text-labels a sample through the classification service (the later job): patents per second;
4. keyword searches (Chinese and English words from the catalogue, 1–2 words), code-prefix searches (subclass,
   main group and subgroup, with and without the space), facet counts (unfiltered, by green, office, code),
   each repeated, timed per query: p50 / p95 in milliseconds;
5. the database's size on disk.

Tests call `measure()` at tiny scale on the test database (structure, not timing).
"""

from __future__ import annotations

import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from greentech.bench import registry


def _percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return {"p50_ms": round(statistics.median(ordered) * 1000, 2), "p95_ms": round(p95 * 1000, 2), "n": len(ordered)}


def _time(function, arguments_list, repeat: int = 1) -> dict:
    samples = []
    for _round in range(repeat):
        for arguments in arguments_list:
            started = time.perf_counter()
            function(arguments)
            samples.append(time.perf_counter() - started)
    return _percentiles(samples)


def _database_size() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database())")
            return int(cursor.fetchone()[0])
        cursor.execute("PRAGMA page_count")
        pages = cursor.fetchone()[0]
        cursor.execute("PRAGMA page_size")
        return int(pages * cursor.fetchone()[0])


def measure(n: int, *, workdir: Path | None = None, label_sample: int = 1000, repeat: int = 3, console=None) -> dict:
    """Generate, import, label, query; return the figures (on whatever database Django is connected to)."""
    own_workdir = workdir is None
    workdir = Path(workdir or tempfile.mkdtemp(prefix="greentech-bench-patents-"))
    try:
        return _measure(n, workdir, label_sample=label_sample, repeat=repeat, console=console)
    finally:
        if own_workdir:
            import shutil

            shutil.rmtree(workdir, ignore_errors=True)  # the generated file (about 1 GB per million records)


def _measure(n: int, workdir: Path, *, label_sample: int, repeat: int, console) -> dict:
    from django.db import connection

    from greentech.bench.synthetic import patents as synthetic
    from greentech.patents import importing, labels
    from greentech.patents.models import Patent

    say = console.print if console is not None else (lambda *a, **k: None)
    report: dict = {"n": n, "backend": connection.vendor, "cpus": os.cpu_count(), "load_before": os.getloadavg()}

    started = time.perf_counter()
    vocabulary = synthetic.Vocabulary()
    path = workdir / "patents.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for record in synthetic.records(n, vocabulary=vocabulary):
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    report["generate_seconds"] = round(time.perf_counter() - started, 2)
    report["file_bytes"] = path.stat().st_size
    say(f"generated {n:,} records in {report['generate_seconds']} s")

    started = time.perf_counter()
    result = importing.run(path, "jsonl", label_text=False)
    elapsed = time.perf_counter() - started
    assert result.ok, [e.as_dict() for e in result.errors[:5]]
    report["import"] = {
        "seconds": round(elapsed, 2),
        "records_per_second": round(n / elapsed, 1),
        "created": result.created,
        "updated": result.updated,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    say(f"imported in {elapsed:.1f} s ({n / elapsed:,.0f}/s)")
    report["green_by_code"] = Patent.objects.filter(green=True).count()

    sample = list(Patent.objects.filter(green_by="").order_by("?").values_list("pk", flat=True)[:label_sample])
    if sample:
        labelled = labels.relabel(ids=sample)
        report["text_labels"] = {"patents": labelled["labelled"], "per_second": labelled["per_second"]}
        say(f"text labels: {labelled['per_second']}/s")

    report["analyze_seconds"] = analyze()
    report.update(measure_queries(vocabulary, repeat=repeat))
    report["database_bytes"] = _database_size()
    report["database_mib"] = round(report["database_bytes"] / 2**20, 1)
    report["load_after"] = os.getloadavg()
    return report


def measure_queries(vocabulary, *, repeat: int = 3) -> dict:
    """p50/p95 of keyword, date-sorted keyword, code-prefix and facet queries over what is in the database."""
    from greentech.core.permissions import SYSTEM
    from greentech.patents import queries

    report: dict = {}
    rng = random.Random(7)
    words_zh = [terms[0] for terms in vocabulary.zh_terms if terms and terms[0]]
    words_en = [terms[0] for terms in vocabulary.en_terms if terms and terms[0]]
    keyword_queries = [rng.choice(words_zh) for _ in range(15)] + [rng.choice(words_en) for _ in range(10)]
    keyword_queries += [f"{rng.choice(words_zh)} {rng.choice(words_zh)}" for _ in range(5)]
    report["keyword_search"] = _time(lambda q: queries.find(SYSTEM, {"q": q}, limit=20), keyword_queries, repeat)
    report["keyword_search_newest"] = _time(
        lambda q: queries.find(SYSTEM, {"q": q, "sort": "newest"}, limit=20), keyword_queries[:10], repeat
    )
    codes = [code for code in vocabulary.green_ipc if "/" in code]
    prefixes = [rng.choice(codes)[:4] for _ in range(5)]
    prefixes += [rng.choice(codes).split("/")[0] for _ in range(5)]
    prefixes += [rng.choice(codes) for _ in range(5)] + [rng.choice(codes).replace(" ", "") for _ in range(5)]
    prefixes += ["Y02E 10/50", "Y02E10/50", "H01M"]
    report["code_prefix_search"] = _time(lambda c: queries.find(SYSTEM, {"code": c}, limit=20), prefixes, repeat)
    facet_params = [
        {},
        {"green": "true"},
        {"office": "CN"},
        {"code": "H01M"},
        {"q": words_zh[0]},
        {"green": "true", "office": "US"},
    ]
    from django.core.cache import cache

    cache.clear()  # the facet cube is built on the first request after a change: timed apart
    started = time.perf_counter()
    queries.find(SYSTEM, {}, limit=20, facets=True)
    report["facets_cold_ms"] = round((time.perf_counter() - started) * 1000, 1)
    report["facets"] = _time(lambda p: queries.find(SYSTEM, p, limit=20, facets=True), facet_params, repeat)
    return report


def _arguments(parser):
    parser.add_argument("--n", type=int, default=10000, help="patents: how many synthetic records (default 10,000).")
    parser.add_argument(
        "--backend", choices=["sqlite", "postgresql"], default="sqlite", help="patents: scratch database kind."
    )
    parser.add_argument(
        "--postgres-url",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help="patents: PostgreSQL server to create the scratch database on.",
    )
    parser.add_argument(
        "--keep-database",
        metavar="TARGET",
        help="patents: keep the scratch database: a new SQLite file at this path, or (with --backend postgresql) a "
        "new database of this name; re-run the queries on it later with --reuse-database.",
    )
    parser.add_argument(
        "--reuse-database",
        metavar="TARGET",
        help="patents: re-run only the query part (migrate, ANALYZE, keyword/code/facet timings) on a database kept "
        "by --keep-database (SQLite path, or PostgreSQL name with --backend postgresql); refuses any other database.",
    )
    parser.add_argument("--inside", action="store_true", help="patents: (internal) run in the current database.")
    parser.add_argument("--queries-only", action="store_true", help="patents: (internal) with --inside.")


MARKER = "greentech_bench_scratch"  # a table in every database the benchmark created (what --reuse-database checks)


def _postgres_base(options) -> str:
    return options.get("postgres_url") or "postgresql://postgres@127.0.0.1:5432/postgres"


def _postgres_url(base: str, name: str) -> str:
    return base.rsplit("/", 1)[0] + "/" + name


def _scratch(options) -> tuple[str, callable]:
    """A scratch database URL and the function that removes it (which does nothing for a kept database)."""
    from django.core.management.base import CommandError

    keep = options.get("keep_database")
    if options.get("backend") == "postgresql":
        import psycopg

        base = _postgres_base(options)
        name = keep or f"gt_bench_{os.getpid()}"
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
            raise CommandError(f"--keep-database {name!r}: a-z, 0-9 and _ only. / 库名仅限小写字母、数字、下划线。")
        with psycopg.connect(base, autocommit=True) as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                raise CommandError(f"--keep-database {name}: the database exists already. / 数据库已存在。")
            conn.execute(
                f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING UTF8 LC_COLLATE "C.UTF-8" LC_CTYPE "C.UTF-8"'
            )

        def drop():
            if keep:
                return
            with psycopg.connect(base, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        return _postgres_url(base, name), drop
    if keep:
        path = Path(keep).resolve()
        if path.exists():
            raise CommandError(f"--keep-database {path}: the file exists already. / 文件已存在。")
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}", lambda: None
    folder = tempfile.mkdtemp(prefix="greentech-bench-")
    path = Path(folder) / "bench.sqlite3"

    def remove():
        import shutil

        shutil.rmtree(folder, ignore_errors=True)

    return f"sqlite:///{path}", remove


def _kept(options) -> str:
    """The URL of a database kept by --keep-database, checked to be one (it has the benchmark's marker table)."""
    from django.core.management.base import CommandError

    target = options["reuse_database"]
    refuse = CommandError(
        f"--reuse-database {target}: not a database kept by `greentech bench patents --keep-database`; "
        "refusing to touch it. / 不是基准测试保留的数据库，拒绝操作。"
    )
    if options.get("backend") == "postgresql":
        import psycopg

        url = _postgres_url(_postgres_base(options), target)
        try:
            with psycopg.connect(url) as conn:
                found = conn.execute("SELECT to_regclass(%s)", [MARKER]).fetchone()[0]
        except psycopg.Error:
            raise refuse from None
        if not found:
            raise refuse
        return url
    import sqlite3

    path = Path(target).resolve()
    if not path.is_file():
        raise refuse
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", [MARKER]).fetchone():
            raise refuse
    return f"sqlite:///{path}"


def _mark() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {MARKER} (created varchar(40))")
        cursor.execute(f"INSERT INTO {MARKER} (created) VALUES (%s)", [time.strftime("%Y-%m-%dT%H:%M:%S")])


def analyze() -> float:
    """Fresh planner statistics (what autovacuum does on PostgreSQL after a bulk load); seconds taken."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")
    return round(time.perf_counter() - started, 2)


def queries_only() -> dict:
    """The query part alone, on the database Django is connected to (a kept benchmark database)."""
    from greentech.bench.synthetic import patents as synthetic
    from greentech.patents.models import Patent

    report: dict = {"backend": connection_vendor(), "cpus": os.cpu_count(), "load_before": os.getloadavg()}
    report["n"] = Patent.objects.count()
    report["analyze_seconds"] = analyze()
    report.update(measure_queries(synthetic.Vocabulary()))
    report["database_mib"] = round(_database_size() / 2**20, 1)
    report["load_after"] = os.getloadavg()
    return report


def connection_vendor() -> str:
    from django.db import connection

    return connection.vendor


@registry.register(
    "patents", "the green patent database at scale: import, labels, search, facets", arguments=_arguments
)
def run(options, console=None) -> dict:
    n = int(options.get("n") or 10000)
    if options.get("inside"):
        if options.get("queries_only"):
            report = queries_only()
        else:
            _mark()
            report = measure(n, console=console)
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return report
    if options.get("reuse_database") and options.get("keep_database"):
        from django.core.management.base import CommandError

        raise CommandError("Give --keep-database or --reuse-database, not both. / 二者只能选其一。")
    if options.get("reuse_database"):
        url, remove = _kept(options), (lambda: None)
        steps = [["migrate", "--no-input"]]
        inside = ["--queries-only"]
    else:
        url, remove = _scratch(options)
        steps = [["init"]]
        inside = ["--n", str(n)]
    env = {**os.environ, "GREENTECH_DATABASE_URL": url}
    try:
        if console is not None:
            kept = options.get("reuse_database") or options.get("keep_database")
            console.print(f"{'kept' if kept else 'scratch'} database: {url}")
        for step in steps:
            subprocess.run([sys.executable, "-m", "greentech", *step], env=env, check=True, stdout=subprocess.DEVNULL)
        done = subprocess.run(
            [sys.executable, "-m", "greentech", "bench", "patents", "--inside", *inside],
            env=env,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
        report = json.loads(done.stdout[done.stdout.index("{") :])
    finally:
        remove()
    if options.get("keep_database") or options.get("reuse_database"):
        report["kept_database"] = url
    if console is not None:
        console.print_json(json.dumps(report, ensure_ascii=False))
    return report
