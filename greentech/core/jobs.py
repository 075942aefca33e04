"""One job system for every module: `@job` declares a job, `enqueue()` queues it after the commit, a worker runs it.

The ledger is the platform's own table, `core.Job`: name, idempotency key, parameters, status, attempts, progress,
lease, result or error. The back office, `greentech jobs` and the API read it. The engine that carries a job's id to
a worker is Huey (docs/ARCHITECTURE.md says why), chosen by GREENTECH_JOBS_URL:

- `sqlite:///PATH` (the embedded default, `var/jobs.sqlite3`): Huey's SQLite storage, no extra service; `make run`
  starts one worker beside the server (`greentech serve --with-worker`).
- `redis://HOST:PORT/DB`: Huey on Redis, the production engine: any number of `greentech jobs worker` processes on
  any number of machines share the queue; every worker runs the periodic scheduler and the ledger's keys make a
  schedule slot enqueue once however many schedulers fire.
- `immediate`: a job runs in the enqueuing process right after the commit (the test suite's default).

Guarantees, each tested (core/tests/test_jobs.py):
- enqueue is idempotent by key, and dispatch happens only after the enclosing transaction commits;
- a failing job is tried again `retries` times, waiting `backoff` × 2^(attempt-1) seconds;
- a worker killed in the middle of a job (kill -9) loses nothing: Huey pops a message when a worker takes it, so the
  ledger's lease covers it: a running job whose lease ran out (or whose worker process on this host is gone) is
  queued again by `recover()`, which every worker runs at start and once a minute. Jobs are written to be run
  again: their writes are idempotent or in one transaction, and they tell people through
  `inbox.services.notify(..., once=KEY)`, so a second run tells nobody twice.
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from django.core.exceptions import ImproperlyConfigured
from django.db import close_old_connections, transaction
from django.db.models import F
from django.utils import timezone

from greentech.core.health import bound_request_id, current_request_id

logger = logging.getLogger("greentech.jobs")

RECOVER_GRACE = datetime.timedelta(minutes=5)  # a queued job not taken this long after dispatch is dispatched again


class JobCancelled(Exception):
    """Raised inside a job by `progress()` once somebody asked to cancel it."""


@dataclass(frozen=True)
class JobSpec:
    """A declared job: its name, the function that does the work, and how it is retried and scheduled."""

    name: str
    function: Callable
    description: str = ""
    retries: int = 3
    backoff: int = 30  # seconds before the first retry; doubled each time
    lease: int = 600  # seconds a worker may go without reporting progress before the job counts as lost
    schedule: object = None  # a huey.crontab(...) for periodic jobs
    schedule_text: str = ""  # the schedule as a person reads it (for `greentech jobs schedule`)


_registry: dict[str, JobSpec] = {}


def job(name: str, *, description: str = "", retries: int = 3, backoff: int = 30, lease: int = 600, schedule=None):
    """Declare a job. The function is called as `function(context, **params)` with a `JobContext` and the
    JSON parameters given to `enqueue`; what it returns (JSON) is stored as the job's result.

    `schedule` is a cron-like string `"minute hour day month day_of_week"` (e.g. `"30 1 * * *"`: daily at
    01:30 Beijing time): each slot enqueues the job once, with the key `NAME@YYYY-MM-DDTHH:MM`."""

    def decorator(function):
        crontab = _crontab(schedule) if schedule else None
        _registry[name] = JobSpec(
            name=name,
            function=function,
            description=description or next(iter((function.__doc__ or "").strip().splitlines()), ""),
            retries=retries,
            backoff=backoff,
            lease=lease,
            schedule=crontab,
            schedule_text=schedule or "",
        )
        return function

    return decorator


def _crontab(text: str):
    """A Huey schedule test for a cron line read in the platform's time zone (Beijing time; Huey's clock is UTC)."""
    from huey import crontab

    parts = text.split()
    if len(parts) != 5:
        raise ImproperlyConfigured(f"job schedule {text!r}: give five fields, 'minute hour day month day_of_week'.")
    minute, hour, day, month, day_of_week = parts
    matches = crontab(minute=minute, hour=hour, day=day, month=month, day_of_week=day_of_week, strict=True)

    def validate(utc_timestamp):
        local = timezone.localtime(utc_timestamp.replace(tzinfo=datetime.UTC)).replace(tzinfo=None)
        return matches(local)

    return validate


def spec_for(name: str) -> JobSpec:
    try:
        return _registry[name]
    except KeyError:
        raise ImproperlyConfigured(
            f"No job named {name!r}: declare it with core.jobs.job in an app's jobs.py."
        ) from None


def registered() -> dict[str, JobSpec]:
    return dict(sorted(_registry.items()))


# --- the ledger -------------------------------------------------------------------------------------------------


def _model():
    from greentech.core.models import Job

    return Job


def _fields(name: str, params: dict | None, user, run_after=None) -> dict:
    """The columns of a new ledger row for the declared job `name`."""
    from greentech.core.services import account_of

    return {
        "request_id": current_request_id(),
        "name": name,
        "params": params or {},
        "max_attempts": spec_for(name).retries + 1,
        "run_after": run_after,
        "requested_by": account_of(user) if user is not None else None,
    }


def _new_key(name: str) -> str:
    return f"{name}:{os.urandom(8).hex()}"


def enqueue(name: str, *, key: str | None = None, params: dict | None = None, user=None, delay: float = 0):
    """Queue the job `name` with JSON `params`; it is handed to the engine after the current transaction commits.

    With a `key`, a job already recorded under that key is returned instead (whatever its state): the same
    work is never queued twice. Returns the `core.Job` row."""
    run_after = timezone.now() + datetime.timedelta(seconds=delay) if delay else None
    defaults = _fields(name, params, user, run_after)
    with transaction.atomic():
        row, created = _model().objects.get_or_create(key=key or _new_key(name), defaults=defaults)
        if created:
            job_id = row.pk
            transaction.on_commit(lambda: dispatch(job_id, eta=run_after))
    return row


def run_now(name: str, *, params: dict | None = None, user=None, key: str | None = None):
    """Record the job and run it in this process at once (the CLI commands that stay beside the jobs), through
    the same runner a worker uses. Returns the finished `core.Job` row."""
    row = enqueue_without_dispatch(name, params=params, user=user, key=key)
    execute(row.pk)
    row.refresh_from_db()
    return row


def enqueue_without_dispatch(name: str, *, params: dict | None = None, user=None, key: str | None = None):
    """Record the job without handing it to the engine (`run_now`, tests)."""
    return _model().objects.create(key=key or _new_key(name), **_fields(name, params, user))


def dispatch(job_id: int, *, eta=None) -> None:
    """Hand a recorded job to the engine (after its row is committed)."""
    Job = _model()
    Job.objects.filter(pk=job_id).update(dispatched_at=timezone.now())
    engine().dispatch(job_id, eta=eta)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class JobContext:
    """What a running job sees: its row, and `progress()` to report how far it got (which also renews its lease
    and is where a cancel request takes effect)."""

    job: object
    spec: JobSpec
    attempt: int
    _last: float = field(default=0.0)

    @property
    def key(self) -> str:
        return self.job.key

    def progress(self, done: int, total: int | None = None, message: str = "") -> None:
        Job = _model()
        now = timezone.now()
        Job.objects.filter(pk=self.job.pk).update(
            progress_done=done,
            progress_total=total,
            progress_message=message[:300],
            lease_until=now + datetime.timedelta(seconds=self.spec.lease),
        )
        if Job.objects.filter(pk=self.job.pk, cancel_requested=True).exists():
            raise JobCancelled


def execute(job_id: int) -> str | None:
    """Run one recorded job if it is still queued: claim it (one worker wins), run it, record the outcome.
    Returns the final status, or None when the job was not there to claim (already taken, finished, cancelled)."""
    Job = _model()
    now = timezone.now()
    started = time.perf_counter()
    row = Job.objects.filter(pk=job_id).first()
    if row is None:
        return None
    spec = _registry.get(row.name)
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED, cancel_requested=False).update(
        status=Job.Status.RUNNING,
        attempts=F("attempts") + 1,
        started=now,
        finished=None,
        worker=worker_name(),
        lease_until=now + datetime.timedelta(seconds=spec.lease if spec else 60),
    )
    if not claimed:
        if Job.objects.filter(pk=job_id, status=Job.Status.QUEUED, cancel_requested=True).update(
            status=Job.Status.CANCELLED, finished=now
        ):
            return Job.Status.CANCELLED
        return None
    row.refresh_from_db()
    mine = Job.objects.filter(pk=job_id, status=Job.Status.RUNNING, attempts=row.attempts)
    if spec is None:
        mine.update(status=Job.Status.FAILED, finished=timezone.now(), error=f"no job named {row.name!r} is declared")
        return Job.Status.FAILED
    context = JobContext(job=row, spec=spec, attempt=row.attempts)
    status = _run(context, row, mine)
    _observe(row.name, status, time.perf_counter() - started)
    return status


def _run(context, row, mine) -> str:
    from greentech.core import audit

    Job, spec, job_id = _model(), context.spec, row.pk
    try:
        with audit.acting_as(row.requested_by, audit.Source.JOB), bound_request_id(row.request_id):
            result = spec.function(context, **(row.params or {}))
    except JobCancelled:
        mine.update(status=Job.Status.CANCELLED, finished=timezone.now(), lease_until=None)
        return Job.Status.CANCELLED
    except Exception:  # noqa: BLE001 - a job's failure is recorded and retried, never lost
        error = traceback.format_exc()[-20000:]
        logger.warning("job %s #%s attempt %s failed:\n%s", row.name, job_id, row.attempts, error)
        if row.attempts < row.max_attempts:
            wait = spec.backoff * 2 ** (row.attempts - 1)
            run_after = timezone.now() + datetime.timedelta(seconds=wait)
            if mine.update(status=Job.Status.QUEUED, run_after=run_after, lease_until=None, error=error):
                transaction.on_commit(lambda: dispatch(job_id, eta=run_after))
            return Job.Status.QUEUED
        mine.update(status=Job.Status.FAILED, finished=timezone.now(), lease_until=None, error=error)
        return Job.Status.FAILED
    mine.update(
        status=Job.Status.SUCCEEDED,
        finished=timezone.now(),
        lease_until=None,
        result=_jsonable(result),
        error="",
    )
    return Job.Status.SUCCEEDED


@lru_cache(maxsize=1)
def _metrics():
    from prometheus_client import Counter, Histogram

    runs = Counter("greentech_job_runs", "Job runs by job and outcome", ["job", "outcome"])
    seconds = Histogram(
        "greentech_job_seconds", "Time a job run took", ["job"], buckets=(0.01, 0.1, 0.5, 1, 5, 30, 120, 600, 3600)
    )
    return runs, seconds


def _observe(name: str, status: str, seconds: float) -> None:
    runs, durations = _metrics()
    runs.labels(job=name, outcome={"queued": "retry"}.get(status, status)).inc()
    durations.labels(job=name).observe(seconds)


def _jsonable(value):
    import json

    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return str(value)
    return value


def retry(job_id: int) -> bool:
    """Queue a failed or cancelled job again (a fresh set of attempts)."""
    Job = _model()
    with transaction.atomic():
        changed = Job.objects.filter(pk=job_id, status__in=[Job.Status.FAILED, Job.Status.CANCELLED]).update(
            status=Job.Status.QUEUED, attempts=0, cancel_requested=False, run_after=None, error="", finished=None
        )
        if changed:
            transaction.on_commit(lambda: dispatch(job_id))
    return bool(changed)


def cancel(job_id: int) -> str | None:
    """Cancel a queued job at once; ask a running one to stop at its next progress report. Returns the new state
    ('cancelled' or 'cancel requested'), None when the job had already ended."""
    Job = _model()
    now = timezone.now()
    if Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.CANCELLED, cancel_requested=True, finished=now
    ):
        return "cancelled"
    if Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).update(cancel_requested=True):
        return "cancel requested"
    return None


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover(now=None) -> dict[str, int]:
    """Queue again what a lost worker left behind: running jobs whose lease ran out or whose worker process on this
    host is gone (a job out of attempts fails instead), and queued jobs handed to the engine long ago but never taken
    (the engine lost the message). Every worker runs this at start and once a minute."""
    Job = _model()
    now = now or timezone.now()
    host = socket.gethostname()
    lost = []
    for row in Job.objects.filter(status=Job.Status.RUNNING).only("pk", "worker", "lease_until", "attempts"):
        worker_host, _sep, pid = row.worker.rpartition(":")
        dead_here = worker_host == host and pid.isdigit() and int(pid) != os.getpid() and not _process_alive(int(pid))
        if dead_here or (row.lease_until is not None and row.lease_until < now):
            lost.append(row)
    requeued = failed = 0
    for row in lost:
        note = f"worker {row.worker} lost during attempt {row.attempts} (noticed {now.isoformat()})"
        base = Job.objects.filter(pk=row.pk, status=Job.Status.RUNNING, attempts=row.attempts)
        if base.filter(attempts__lt=F("max_attempts")).update(
            status=Job.Status.QUEUED, lease_until=None, error=note, worker=""
        ):
            requeued += 1
            dispatch(row.pk)
        elif base.update(status=Job.Status.FAILED, lease_until=None, error=note, finished=now):
            failed += 1
    stale = Job.objects.filter(status=Job.Status.QUEUED, dispatched_at__lt=now - RECOVER_GRACE).exclude(
        run_after__gt=now
    )
    redispatched = 0
    for job_id in stale.values_list("pk", flat=True)[:1000]:
        dispatch(job_id)
        redispatched += 1
    return {"requeued": requeued, "failed": failed, "redispatched": redispatched}


# --- the engine -------------------------------------------------------------------------------------------------


class Engine:
    """Huey configured from GREENTECH_JOBS_URL, with the one task that runs a ledger row and a periodic task per
    scheduled job."""

    def __init__(self, url: str):
        import huey

        self.url = url
        if url == "immediate":
            self.huey = huey.MemoryHuey("greentech", immediate=True)
        elif url.startswith("sqlite:///"):
            path = url[len("sqlite:///") - 1 :]
            os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
            self.huey = huey.SqliteHuey("greentech", filename=path, utc=True)
        elif url.startswith(("redis://", "rediss://")):
            self.huey = huey.PriorityRedisHuey("greentech", url=url, utc=True)
        else:
            raise ImproperlyConfigured(
                f"GREENTECH_JOBS_URL={url!r}: use sqlite:///ABSOLUTE/PATH, redis://HOST:PORT/DB or immediate."
            )
        self._run = self.huey.task(name="greentech.run_job")(_run_task)
        self.huey.periodic_task(_crontab("* * * * *"), name="greentech.recover")(_recover_task)
        for spec in registered().values():
            if spec.schedule is not None:
                self.huey.periodic_task(spec.schedule, name=f"greentech.schedule.{spec.name}")(
                    _scheduler_for(spec.name)
                )

    @property
    def immediate(self) -> bool:
        return self.url == "immediate"

    def dispatch(self, job_id: int, *, eta=None) -> None:
        if self.immediate:
            execute(job_id)
            return
        if eta is not None and eta > timezone.now():
            self._run.schedule(args=(job_id,), eta=eta)
        else:
            self._run(job_id)

    def pending(self) -> int:
        return self.huey.pending_count()


def _run_task(job_id):
    close_old_connections()
    try:
        execute(job_id)
    finally:
        close_old_connections()


def _recover_task():
    close_old_connections()
    try:
        recover()
    finally:
        close_old_connections()


def enqueue_slot(name: str):
    """Queue the scheduled job `name` for the current minute's slot (once, whoever asks)."""
    slot = timezone.localtime().replace(second=0, microsecond=0)
    return enqueue(name, key=f"{name}@{slot:%Y-%m-%dT%H:%M}")


def _scheduler_for(name: str):
    def scheduled():
        close_old_connections()
        try:
            enqueue_slot(name)
        finally:
            close_old_connections()

    scheduled.__name__ = f"schedule_{name.replace('.', '_')}"
    return scheduled


@lru_cache(maxsize=1)
def engine() -> Engine:
    from django.conf import settings

    return Engine(settings.GREENTECH_JOBS_URL)


def reset_engine() -> None:
    engine.cache_clear()


# --- who may see jobs -------------------------------------------------------------------------------------------


def _policy():
    from django.db.models import Q

    from greentech.core.permissions import Action, Policy

    class JobPolicy(Policy):
        """Administrators see and manage every job; a signed-in user sees the jobs they asked for."""

        def scope(self, actor, action):
            if action == Action.VIEW and actor.is_authenticated and getattr(actor.user, "pk", None):
                return Q(requested_by=actor.user.pk)
            return False

    return JobPolicy()


def register_policy() -> None:
    from greentech.core.models import Job
    from greentech.core.permissions import register

    register(Job, _policy())
