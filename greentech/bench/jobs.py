"""`greentech bench jobs`: the job system's throughput and latency on each engine, on a scratch platform.

A scratch var dir with its own SQLite database is migrated once; for each engine (the embedded SQLite storage, Redis)
N trivial jobs are queued through the ledger (`core.jobs.enqueue`, one transaction each, as modules do), W worker
processes (`greentech jobs worker`, one thread each) drain them, and the figures come from the ledger's own
timestamps: enqueue rate, drain throughput (first start to last end) and the median time a job spends in the runner
(claim, run, record). Nothing touches your database.
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from greentech.bench import registry

ENQUEUE = """
import time
import greentech.testing.jobs
from greentech.core import jobs
started = time.perf_counter()
for n in range({n}):
    jobs.enqueue("testing.noop", key="{prefix}-%d" % n)
print("ENQUEUE_SECONDS", time.perf_counter() - started)
"""


def add_options(parser) -> None:
    parser.add_argument("--jobs-n", type=int, default=500, help="jobs: how many jobs per engine (default 500).")
    parser.add_argument("--jobs-workers", type=int, default=2, help="jobs: worker processes (default 2).")
    parser.add_argument(
        "--jobs-engines",
        default="sqlite,redis",
        help="jobs: engines to measure, comma-separated: sqlite, redis (default both).",
    )
    parser.add_argument("--jobs-redis", default="redis://127.0.0.1:6379/13", help="jobs: the Redis database to use.")


@registry.register("jobs", "Job system: enqueue rate, throughput and latency per engine", arguments=add_options)
def run(options, console) -> dict:
    n, workers = options["jobs_n"], options["jobs_workers"]
    root = Path(tempfile.mkdtemp(prefix="greentech-bench-jobs-"))
    env = dict(os.environ)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(
        GREENTECH_VAR_DIR=str(root),
        GREENTECH_DATABASE_URL=f"sqlite:///{root / 'platform.sqlite3'}",
        PYTHONUNBUFFERED="1",
    )

    def greentech(*args, **kwargs):
        return subprocess.run(
            [sys.executable, "-m", "greentech", *args],
            env=kwargs.pop("env", env),
            capture_output=True,
            text=True,
            check=True,
            **kwargs,
        )

    console.print(f"migrating a scratch database in {root}")
    greentech("migrate", "--no-input", "-v", "0")
    report = {"jobs": n, "workers": workers, "engines": {}}
    for engine in [name.strip() for name in options["jobs_engines"].split(",") if name.strip()]:
        url = {"sqlite": f"sqlite:///{root / f'jobs-{time.time_ns()}.sqlite3'}", "redis": options["jobs_redis"]}[engine]
        if engine == "redis":
            import redis

            redis.Redis.from_url(url).flushdb()
        engine_env = dict(env, GREENTECH_JOBS_URL=url)
        prefix = f"{engine}-{time.time_ns()}"
        enqueued = greentech("shell", "-c", ENQUEUE.format(n=n, prefix=prefix), env=engine_env)
        enqueue_seconds = float(enqueued.stdout.split("ENQUEUE_SECONDS")[1].split()[0])
        started = time.perf_counter()
        processes = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "greentech",
                    "jobs",
                    "--import",
                    "greentech.testing.jobs",
                    "worker",
                    "--threads",
                    "1",
                ],
                env=engine_env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(workers)
        ]
        try:
            while _count(root, prefix, "succeeded") < n:
                if time.perf_counter() - started > 600:
                    raise RuntimeError(f"{engine}: the workers did not finish {n} jobs in 10 minutes")
                time.sleep(0.2)
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=30)
        rows = _times(root, prefix)
        first_start = min(start for start, _end, _created in rows)
        last_end = max(end for _start, end, _created in rows)
        runs = sorted(end - start for start, end, _created in rows)
        report["engines"][engine] = {
            "enqueue_per_second": round(n / enqueue_seconds, 1),
            "throughput_per_second": round(n / (last_end - first_start), 1),
            "run_ms_p50": round(1000 * statistics.median(runs), 2),
            "attempts_above_one": _count(root, prefix, "succeeded", "attempts > 1"),
        }
        console.print(f"{engine}: {report['engines'][engine]}")
    report["latency_note"] = (
        "throughput from the first job's start to the last one's end in the ledger; each worker process has one "
        "thread; worker start-up (Django, about 2 s) is outside the figure"
    )
    return report


def _query(root: Path, sql: str, *params):
    connection = sqlite3.connect(root / "platform.sqlite3", timeout=30)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


def _count(root: Path, prefix: str, status: str, extra: str = "1 = 1") -> int:
    return _query(
        root, f"SELECT count(*) FROM core_job WHERE key LIKE ? AND status = ? AND {extra}", f"{prefix}-%", status
    )[0][0]


def _times(root: Path, prefix: str) -> list[tuple[float, float, float]]:
    rows = _query(
        root,
        "SELECT julianday(started), julianday(finished), julianday(created) FROM core_job WHERE key LIKE ?",
        f"{prefix}-%",
    )
    return [(start * 86400, end * 86400, created * 86400) for start, end, created in rows]
