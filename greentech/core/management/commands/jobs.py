"""greentech jobs list|show|run|retry|cancel|recover|schedule|worker: the platform's background jobs (core.jobs)."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading

from django.core.management.base import CommandError

from greentech.core import jobs
from greentech.core.management.base import PlatformCommand


class Command(PlatformCommand):
    help = "Background jobs: list, show, run, retry, cancel, recover, schedule, worker. / 后台任务。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--import", dest="modules", action="append", metavar="MODULE", help="Also load the jobs declared in MODULE."
        )
        commands = parser.add_subparsers(dest="action", required=True)
        listing = commands.add_parser("list", help="Recent jobs, newest first.")
        listing.add_argument("--status", choices=[choice for choice, _label in _statuses()])
        listing.add_argument("--name", help="Only jobs of this name.")
        listing.add_argument("--limit", type=int, default=50)
        listing.add_argument("--json", action="store_true", help="JSON Lines instead of a table.")
        show = commands.add_parser("show", help="One job with its parameters, progress, result and error.")
        show.add_argument("id", type=int)
        run = commands.add_parser("run", help="Queue a declared job (or run it here with --now).")
        run.add_argument("name")
        run.add_argument(
            "--param", action="append", default=[], metavar="NAME=VALUE", help="A parameter (JSON value or text)."
        )
        run.add_argument("--key", help="Idempotency key: a job already recorded under it is not queued again.")
        run.add_argument("--now", action="store_true", help="Run it in this process and wait for the outcome.")
        retry = commands.add_parser("retry", help="Queue a failed or cancelled job again.")
        retry.add_argument("id", type=int)
        cancel = commands.add_parser("cancel", help="Cancel a queued job, or ask a running one to stop.")
        cancel.add_argument("id", type=int)
        commands.add_parser(
            "recover", help="Queue again what lost workers left running (workers do this every minute)."
        )
        commands.add_parser("schedule", help="The declared jobs and their schedules.")
        worker = commands.add_parser("worker", help="Run a worker: takes jobs from the engine, runs the schedules.")
        worker.add_argument("--threads", type=int, default=int(os.environ.get("GREENTECH_JOB_THREADS", "2")))
        worker.add_argument(
            "--parent-pid", type=int, help="Stop when this process is gone (greentech serve --with-worker)."
        )
        worker.add_argument("--no-periodic", action="store_true", help="Do not run the schedules in this worker.")

    def handle(self, *args, **options):
        from importlib import import_module

        for module in options.get("modules") or []:
            import_module(module)  # jobs declared outside the apps' jobs.py (extensions, the test suite's probes)
        getattr(self, f"do_{options['action']}")(options)

    def do_list(self, options):
        from greentech.core.models import Job

        rows = Job.objects.all()
        if options["status"]:
            rows = rows.filter(status=options["status"])
        if options["name"]:
            rows = rows.filter(name=options["name"])
        rows = list(rows[: options["limit"]])
        if options["json"]:
            for row in rows:
                self.stdout.write(json.dumps(_summary(row), ensure_ascii=False))
            return
        self.stdout.write(f"{'id':>6}  {'job':<24} {'status':<10} {'tries':>5}  {'progress':<18} {'created':<19}  key")
        for row in rows:
            progress = (
                f"{row.progress_done}/{row.progress_total}" if row.progress_total else str(row.progress_done or "")
            )
            self.stdout.write(
                f"{row.pk:>6}  {row.name:<24} {row.status:<10} {row.attempts:>2}/{row.max_attempts:<2}  "
                f"{progress:<18} {row.created:%Y-%m-%d %H:%M:%S}  {row.key}"
            )

    def do_show(self, options):
        row = _get(options["id"])
        data = _summary(row)
        data.update({"params": row.params, "result": row.result, "error": row.error, "worker": row.worker})
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str))

    def do_run(self, options):
        params = {}
        for item in options["param"]:
            name, sep, value = item.partition("=")
            if not sep or not name:
                raise CommandError(f"--param {item!r}: write NAME=VALUE. / 参数须写作 名称=值。")
            try:
                params[name] = json.loads(value)
            except json.JSONDecodeError:
                params[name] = value
        try:
            jobs.spec_for(options["name"])
        except Exception as error:
            known = ", ".join(jobs.registered())
            raise CommandError(f"{error} Declared jobs: {known}. / 没有这个任务。") from None
        if options["now"]:
            row = jobs.run_now(options["name"], params=params, key=options["key"])
            self.stdout.write(json.dumps(_summary(row) | {"result": row.result}, ensure_ascii=False, default=str))
            if row.status != "succeeded":
                self.stderr.write(row.error)
                raise SystemExit(1)
            return
        row = jobs.enqueue(options["name"], params=params, key=options["key"])
        self.stdout.write(f"queued / 已排队: job {row.pk} ({row.name}, {row.status}, key {row.key})")

    def do_retry(self, options):
        row = _get(options["id"])
        if not jobs.retry(row.pk):
            raise CommandError(
                f"job {row.pk} is {row.status}: only failed or cancelled jobs can be retried. "
                "/ 只能重试失败或已取消的任务。"
            )
        self.stdout.write(f"queued again / 已重新排队: job {row.pk}")

    def do_cancel(self, options):
        row = _get(options["id"])
        outcome = jobs.cancel(row.pk)
        if outcome is None:
            raise CommandError(f"job {row.pk} has already ended ({row.status}). / 任务已结束。")
        self.stdout.write(f"job {row.pk}: {outcome}")

    def do_recover(self, options):
        self.stdout.write(json.dumps(jobs.recover()))

    def do_schedule(self, options):
        for name, spec in jobs.registered().items():
            self.stdout.write(
                f"{name:<26} {spec.schedule_text or 'on demand':<16} retries {spec.retries}  {spec.description}"
            )

    def do_worker(self, options):
        from huey.consumer import Consumer

        engine = jobs.engine()
        if engine.immediate:
            raise CommandError("GREENTECH_JOBS_URL=immediate runs jobs where they are queued: no worker to start.")
        recovered = jobs.recover()
        self.stdout.write(f"job worker / 任务进程 {jobs.worker_name()} on {engine.url} (recovered: {recovered})")
        sys.stdout.flush()
        consumer = Consumer(
            engine.huey,
            workers=max(1, options["threads"]),
            worker_type="thread",
            periodic=not options["no_periodic"],
            check_worker_health=True,
            scheduler_interval=1,
        )
        parent = options.get("parent_pid")
        if parent:
            threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
        consumer.run()


def _watch_parent(pid: int) -> None:
    import time

    while True:
        time.sleep(1)
        if os.getppid() != pid:
            os.kill(os.getpid(), signal.SIGTERM)
            return


def _statuses():
    from greentech.core.models import Job

    return Job.Status.choices


def _get(job_id: int):
    from greentech.core.models import Job

    try:
        return Job.objects.get(pk=job_id)
    except Job.DoesNotExist:
        raise CommandError(f"No job {job_id}. / 没有编号为 {job_id} 的任务。") from None


def _summary(row) -> dict:
    return {
        "id": row.pk,
        "name": row.name,
        "key": row.key,
        "status": row.status,
        "attempts": row.attempts,
        "max_attempts": row.max_attempts,
        "progress": [row.progress_done, row.progress_total, row.progress_message],
        "created": row.created.isoformat() if row.created else None,
        "started": row.started.isoformat() if row.started else None,
        "finished": row.finished.isoformat() if row.finished else None,
    }
