"""The job system (core.jobs): ledger, idempotency, retries, cancel, recovery, schedules, the CLI and the back office
in this process; then the real engines (Huey on SQLite and on Redis) with real worker processes, a worker killed
with kill -9 in the middle of a job, and two workers sharing one queue."""

from __future__ import annotations

import datetime
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from greentech.core import jobs
from greentech.core.models import Job

CALLS: list = []


@jobs.job("tests.record", retries=2, backoff=10)
def _record(context, value=None):
    CALLS.append(value)
    return {"value": value}


@jobs.job("tests.flaky", retries=2, backoff=10)
def _flaky(context, fail_times: int = 1):
    CALLS.append(context.attempt)
    if context.attempt <= fail_times:
        raise RuntimeError(f"attempt {context.attempt} fails")
    return "ok"


@jobs.job("tests.cancellable")
def _cancellable(context):
    Job.objects.filter(pk=context.job.pk).update(cancel_requested=True)  # somebody cancels while it runs
    context.progress(1, 2, "half")
    CALLS.append("not reached")


@pytest.fixture(autouse=True)
def _calls():
    CALLS.clear()
    yield
    CALLS.clear()


pytestmark = pytest.mark.django_db


# --- the ledger in this process (the immediate engine) --------------------------------------------------------------


def test_enqueue_runs_after_commit_and_once_per_key(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = jobs.enqueue("tests.record", key="same", params={"value": 1})
        second = jobs.enqueue("tests.record", key="same", params={"value": 2})
    assert first.pk == second.pk
    assert len(callbacks) == 1  # dispatched once, and only at the commit
    first.refresh_from_db()
    assert first.status == Job.Status.QUEUED and CALLS == []
    callbacks[0]()
    first.refresh_from_db()
    assert first.status == Job.Status.SUCCEEDED
    assert first.result == {"value": 1} and CALLS == [1]
    assert first.attempts == 1 and first.started and first.finished and first.worker


def test_failure_is_retried_with_growing_backoff_then_recorded():
    row = jobs.enqueue_without_dispatch("tests.flaky", params={"fail_times": 5})
    before = timezone.now()
    assert jobs.execute(row.pk) == Job.Status.QUEUED
    row.refresh_from_db()
    first_wait = (row.run_after - before).total_seconds()
    assert 9 <= first_wait <= 12 and "attempt 1 fails" in row.error
    assert jobs.execute(row.pk) == Job.Status.QUEUED
    row.refresh_from_db()
    assert 19 <= (row.run_after - before).total_seconds() <= 23  # 10 s, then 20 s
    assert jobs.execute(row.pk) == Job.Status.FAILED  # 3 attempts = 1 + retries 2
    row.refresh_from_db()
    assert row.status == Job.Status.FAILED and row.attempts == 3 and "RuntimeError" in row.error
    assert jobs.execute(row.pk) is None  # nothing left to run
    assert CALLS == [1, 2, 3]

    assert jobs.retry(row.pk)
    row.refresh_from_db()
    assert row.status == Job.Status.QUEUED and row.attempts == 0 and row.error == ""


def test_a_retry_that_succeeds():
    row = jobs.enqueue_without_dispatch("tests.flaky", params={"fail_times": 1})
    jobs.execute(row.pk)
    assert jobs.execute(row.pk) == Job.Status.SUCCEEDED
    row.refresh_from_db()
    assert row.attempts == 2 and row.result == "ok" and row.error == ""


def test_cancel_queued_and_running_jobs():
    queued = jobs.enqueue_without_dispatch("tests.record")
    assert jobs.cancel(queued.pk) == "cancelled"
    assert jobs.execute(queued.pk) is None and CALLS == []
    assert jobs.cancel(queued.pk) is None  # already ended
    running = jobs.enqueue_without_dispatch("tests.cancellable")
    assert jobs.execute(running.pk) == Job.Status.CANCELLED
    assert "not reached" not in CALLS
    running.refresh_from_db()
    assert running.progress_done == 1 and running.progress_message == "half"


def test_unknown_job_names_are_refused_and_recorded_failures():
    with pytest.raises(Exception, match="No job named"):
        jobs.enqueue("tests.nothing")
    row = Job.objects.create(name="gone.job", key="gone", max_attempts=1)
    assert jobs.execute(row.pk) == Job.Status.FAILED
    row.refresh_from_db()
    assert "no job named" in row.error


def _running(key, *, attempts=1, worker="elsewhere:1", lease_seconds=-1):
    """A job some worker took: `lease_seconds` from now until its lease runs out (negative: already out)."""
    return Job.objects.create(
        name="tests.record",
        key=key,
        status=Job.Status.RUNNING,
        attempts=attempts,
        max_attempts=3,
        worker=worker,
        lease_until=timezone.now() + datetime.timedelta(seconds=lease_seconds),
    )


def test_recover_requeues_lost_workers_and_fails_exhausted_ones():
    expired = _running("expired")
    exhausted = _running("exhausted", attempts=3)
    dead_here = _running("dead-here", worker=f"{socket.gethostname()}:{_dead_pid()}", lease_seconds=3600)
    alive = _running("alive", lease_seconds=3600)
    counts = jobs.recover()
    assert counts["requeued"] == 2 and counts["failed"] == 1
    statuses = dict(Job.objects.values_list("key", "status"))
    # the immediate engine ran the two requeued jobs at once
    assert statuses == {"expired": "succeeded", "exhausted": "failed", "dead-here": "succeeded", "alive": "running"}
    assert Job.objects.get(pk=expired.pk).attempts == 2
    assert "lost" in Job.objects.get(pk=exhausted.pk).error
    assert dead_here.pk and alive.pk


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_schedule_slot_enqueues_once_however_many_schedulers_fire(django_capture_on_commit_callbacks):
    assert jobs._scheduler_for("tests.record").__name__ == "schedule_tests_record"
    with django_capture_on_commit_callbacks(execute=True):
        jobs.enqueue_slot("tests.record")
        jobs.enqueue_slot("tests.record")  # a second worker's scheduler in the same minute
    rows = Job.objects.filter(name="tests.record")
    assert rows.count() == 1 and rows.get().key.startswith("tests.record@")
    assert CALLS == [None]


def test_schedules_are_read_in_beijing_time():
    validate = jobs.spec_for("market.expire").schedule  # "10 0 * * *"
    assert validate(datetime.datetime(2026, 12, 1, 16, 10))  # 16:10 UTC is 00:10 in Beijing
    assert not validate(datetime.datetime(2026, 12, 1, 0, 10))
    with pytest.raises(Exception, match="five fields"):
        jobs._crontab("every day")


def test_every_module_job_is_declared():
    assert {
        "market.expire",
        "market.notify_matches",
        "market.notify_all",
        "market.index_vectors",
        "deals.overdue",
        "roadmap.warn",
        "patents.label",
    } <= set(jobs.registered())
    scheduled = {name for name, spec in jobs.registered().items() if spec.schedule}
    assert {"market.expire", "deals.overdue", "roadmap.warn", "patents.label", "market.index_vectors"} <= scheduled


# --- the CLI and the back office ------------------------------------------------------------------------------------


def _call(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_cli_list_show_run_retry_cancel():
    out = _call("jobs", "run", "tests.record", "--param", "value=7", "--now")
    done = json.loads(out)
    assert done["status"] == "succeeded" and done["result"] == {"value": 7}
    assert "tests.record" in _call("jobs", "list") and "succeeded" in _call("jobs", "list", "--status", "succeeded")
    shown = json.loads(_call("jobs", "show", str(done["id"])))
    assert shown["params"] == {"value": 7}
    lines = [json.loads(line) for line in _call("jobs", "list", "--json").splitlines()]
    assert lines[0]["id"] == done["id"]
    with pytest.raises(CommandError, match="only failed or cancelled"):
        _call("jobs", "retry", str(done["id"]))
    with pytest.raises(CommandError, match="already ended"):
        _call("jobs", "cancel", str(done["id"]))
    with pytest.raises(CommandError, match="No job 999999"):
        _call("jobs", "show", "999999")
    with pytest.raises(CommandError, match="Declared jobs"):
        _call("jobs", "run", "tests.nothing")
    with pytest.raises(CommandError, match="NAME=VALUE"):
        _call("jobs", "run", "tests.record", "--param", "novalue")
    queued = Job.objects.create(name="tests.record", key="to-cancel", max_attempts=1)
    assert "cancelled" in _call("jobs", "cancel", str(queued.pk))
    assert "queued again" in _call("jobs", "retry", str(queued.pk))


def test_the_commands_that_stay_run_the_jobs_and_record_them():
    out = _call("market", "expire", "--today", "2026-12-01")
    assert "expired" in out
    row = Job.objects.get(name="market.expire")
    assert row.status == Job.Status.SUCCEEDED and row.params == {"today": "2026-12-01"}
    assert "queued" in _call("deals", "overdue", "--enqueue")
    assert Job.objects.filter(name="deals.overdue").exists()
    _call("roadmap", "warn", "--today", "2026-12-01")
    assert Job.objects.get(name="roadmap.warn").status == Job.Status.SUCCEEDED


def test_who_sees_jobs(client, admin, member, other_member, visitor):
    from greentech.core.permissions import SYSTEM

    mine = jobs.enqueue_without_dispatch("tests.record", user=member)
    other = jobs.enqueue_without_dispatch("tests.record", user=SYSTEM)
    assert set(Job.objects.restrict(admin)) >= {mine, other}
    assert list(Job.objects.restrict(member)) == [mine]
    assert list(Job.objects.restrict(other_member)) == []
    assert list(Job.objects.restrict(visitor)) == []
    assert not Job.objects.restrict(member, "change").exists()
    client.force_login(admin)
    page = client.get("/admin/core/job/")
    assert page.status_code == 200 and "tests.record" in page.content.decode()
    client.force_login(member)
    assert client.get("/admin/core/job/").status_code in (302, 403)


# --- the real engines with real worker processes --------------------------------------------------------------------

REDIS_URL = os.environ.get("GREENTECH_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


def _redis_ready() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except redis.RedisError as error:
        pytest.fail(
            f"the job tests need Redis at {REDIS_URL} (GREENTECH_TEST_REDIS_URL): {error}. Start it with "
            "redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no",
            pytrace=False,
        )


class Platform:
    """A scratch platform (its own database and job engine) driven through `greentech` subprocesses, as in
    production; the test reads its database directly."""

    def __init__(self, root: Path, engine: str, database: Platform | None = None):
        from django.conf import settings

        self.root = root
        self.env = dict(os.environ)
        self.env.pop("DJANGO_SETTINGS_MODULE", None)
        self.env["GREENTECH_VAR_DIR"] = str(root)
        self.env["PYTHONUNBUFFERED"] = "1"
        self.postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
        self.owns_database = database is None
        if database is not None:
            self.env["GREENTECH_DATABASE_URL"] = database.env["GREENTECH_DATABASE_URL"]
            if self.postgres:
                self.dbname, self.dsn = database.dbname, database.dsn
        elif self.postgres:
            base = settings.DATABASES["default"]
            self.dbname = f"gt_jobs_{uuid.uuid4().hex[:10]}"
            self.dsn = dict(host=base["HOST"] or "127.0.0.1", port=base["PORT"] or 5432, user=base["USER"])
            self._admin(f'CREATE DATABASE "{self.dbname}"')
            user = base["USER"] + (f":{base['PASSWORD']}" if base.get("PASSWORD") else "")
            url = f"postgresql://{user}@{self.dsn['host']}:{self.dsn['port']}/{self.dbname}"
            self.env["GREENTECH_DATABASE_URL"] = url
        else:
            self.env["GREENTECH_DATABASE_URL"] = f"sqlite:///{root / 'platform.sqlite3'}"
        if engine == "redis":
            self.env["GREENTECH_JOBS_URL"] = REDIS_URL
        else:
            self.env["GREENTECH_JOBS_URL"] = f"sqlite:///{root / 'jobs.sqlite3'}"
        self.workers: list[subprocess.Popen] = []
        self.logs = root / f"logs-{uuid.uuid4().hex[:8]}"
        self.logs.mkdir()

    def _admin(self, sql):
        import psycopg

        with psycopg.connect(dbname="postgres", autocommit=True, **self.dsn) as connection:
            connection.execute(sql)

    def greentech(self, *args, check=True) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, "-m", "greentech", *args], env=self.env, capture_output=True, text=True, timeout=300
        )
        if check and result.returncode != 0:
            pytest.fail(f"greentech {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}", pytrace=False)
        return result

    def jobs(self, *args) -> subprocess.CompletedProcess:
        return self.greentech("jobs", "--import", "greentech.testing.jobs", *args)

    def enqueue_steps(self, keys, *, steps=1, pause=0.0):
        """Queue testing.steps once per key from one `greentech shell` (a subprocess start costs seconds)."""
        code = (
            "import greentech.testing.jobs\nfrom greentech.core import jobs\n"
            f"for key in {list(keys)!r}:\n"
            f"    jobs.enqueue('testing.steps', key=key, params={{'steps': {steps}, 'pause': {pause}, "
            "'username': 'probe'})\n"
        )
        self.greentech("shell", "-c", code)

    def start_worker(self, threads=2) -> subprocess.Popen:
        log = (self.logs / f"worker-{len(self.workers)}.log").open("w")
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "greentech",
                "jobs",
                "--import",
                "greentech.testing.jobs",
                "worker",
                "--threads",
                str(threads),
            ],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.workers.append(process)
        return process

    def query(self, sql, *params):
        if self.postgres:
            import psycopg

            with psycopg.connect(dbname=self.dbname, autocommit=True, **self.dsn) as connection:
                return connection.execute(sql.replace("?", "%s"), params).fetchall()
        import sqlite3

        connection = sqlite3.connect(self.root / "platform.sqlite3", timeout=30)
        try:
            return connection.execute(sql, params).fetchall()
        finally:
            connection.close()

    def job(self, key):
        rows = self.query("SELECT status, attempts, progress_done, error FROM core_job WHERE key = ?", key)
        return rows[0] if rows else None

    def wait(self, condition, timeout=90, what=""):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = condition()
            if value:
                return value
            time.sleep(0.2)
        logs = "\n".join(path.read_text()[-3000:] for path in sorted(self.logs.glob("worker-*.log")))
        pytest.fail(f"timed out waiting for {what}\n{logs}", pytrace=False)

    def close(self):
        for process in self.workers:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
        if self.postgres and self.owns_database:
            self._admin(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)')


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """One migrated scratch database for the engine tests (migrating is the slow part)."""
    root = tmp_path_factory.mktemp("jobs-platform")
    platform = Platform(root, "sqlite")
    platform.greentech("migrate", "--no-input", "-v", "0")
    platform.greentech("createadmin", "--username", "probe", "--password", "probe-password-123", "--email", "p@x.cn")
    yield platform
    platform.close()


@pytest.fixture(params=["sqlite", "redis"])
def platform(request, migrated):
    if request.param == "redis":
        _redis_ready()
    scratch = Platform(migrated.root, request.param, database=migrated)
    if request.param == "redis":
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
    else:
        (migrated.root / "jobs.sqlite3").unlink(missing_ok=True)
    yield scratch
    for process in scratch.workers:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def test_a_worker_killed_mid_job_loses_and_repeats_nothing(platform):
    key = f"kill-{uuid.uuid4().hex[:8]}"
    platform.jobs(
        "run", "testing.steps", "--key", key, "--param", "steps=6", "--param", "pause=0.4", "--param", "username=probe"
    )
    worker = platform.start_worker()
    platform.wait(lambda: (platform.job(key) or (None, 0, 0))[2] >= 2, what="two steps done")
    os.kill(worker.pid, signal.SIGKILL)  # kill -9 in the middle of the job
    worker.wait(timeout=10)
    status, attempts, done, _error = platform.job(key)
    assert status == "running" and attempts == 1 and 2 <= done < 6  # left behind, half done
    platform.start_worker()  # a new worker recovers it at start: its worker process is gone
    platform.wait(lambda: platform.job(key)[0] == "succeeded", what="the job to finish after the restart")
    status, attempts, done, error = platform.job(key)
    assert attempts == 2 and done == 6 and error == ""
    titles = [
        row[0]
        for row in platform.query(
            "SELECT title_text FROM inbox_notification WHERE kind = 'job_probe' AND once_key LIKE ? "
            "AND recipient_id = (SELECT id FROM auth_user WHERE username = 'probe') ORDER BY title_text",
            f"{key}:%",
        )
    ]
    told = [title for title in titles if title.startswith("step ")]
    assert sorted(told) == [f"step {n}" for n in range(6)]  # every step told exactly once, none twice


def test_two_workers_share_the_queue_and_run_each_job_once(platform):
    prefix = f"many-{uuid.uuid4().hex[:6]}"
    platform.start_worker(threads=1)
    platform.start_worker(threads=1)
    platform.wait(
        lambda: all("consumer started" in path.read_text() for path in platform.logs.glob("worker-*.log")),
        what="both workers to start",
    )
    platform.enqueue_steps([f"{prefix}-{n}" for n in range(8)], pause=0.5)
    platform.wait(
        lambda: (
            platform.query("SELECT count(*) FROM core_job WHERE key LIKE ? AND status = 'succeeded'", f"{prefix}-%")[0][
                0
            ]
            == 8
        ),
        what="eight jobs to succeed",
    )
    attempts = platform.query("SELECT attempts, worker FROM core_job WHERE key LIKE ?", f"{prefix}-%")
    assert all(row[0] == 1 for row in attempts)  # each claimed by exactly one worker
    assert len({row[1] for row in attempts}) == 2  # and both workers took some
