"""greentech serve: the production server (gunicorn), static files served by WhiteNoise."""

import os
import sys

from django.conf import settings
from django.core.management import call_command

from greentech.core.management.base import PlatformCommand


class Command(PlatformCommand):
    help = "Serve the platform with gunicorn (collects static files first). / 启动生产服务器。"

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("GREENTECH_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("GREENTECH_PORT", "8000")))
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("GREENTECH_WORKERS", "0")) or None,
            help="Worker processes (default: 2 x CPU cores + 1).",
        )
        # one thread per worker (gunicorn's sync worker): with 2 threads the list API's p99 under wrk -c8 varied
        # from 39 to 285 ms between runs (requests queued behind a busy thread of the same worker); with 1 it was
        # 17-23 ms at a higher rate (scripts/bench-lists.sh). A proxy in front buffers slow clients.
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("GREENTECH_THREADS", "1")),
            help="Threads per worker (default 1: the sync worker).",
        )
        parser.add_argument(
            "--with-worker",
            action="store_true",
            help="Also start a job worker (greentech jobs worker) that stops with the server (make run does this).",
        )

    def start_job_worker(self):
        """One `greentech jobs worker` beside the server, so that a platform started with `make run` runs its jobs;
        it stops when this process ends (it watches its parent) and is terminated at exit."""
        import atexit
        import subprocess

        from greentech.core import jobs

        if jobs.engine().immediate:
            return
        worker = subprocess.Popen(
            [sys.executable, "-m", "greentech", "jobs", "worker", "--parent-pid", str(os.getpid())],
        )
        self.stdout.write(f"job worker / 任务进程 pid {worker.pid} ({jobs.engine().url})")
        atexit.register(worker.terminate)

    def handle(self, *args, **options):
        call_command("collectstatic", interactive=False, verbosity=0)
        workers = options["workers"] or (2 * (os.cpu_count() or 1) + 1)
        bind = f"{options['host']}:{options['port']}"
        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        self.stdout.write(f"serving / 服务地址 http://{bind}/ with {workers} workers (database: {engine})")
        from gunicorn.app.wsgiapp import WSGIApplication

        argv = [
            "gunicorn",
            "greentech.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--threads",
            str(options["threads"]),
            "--access-logfile",
            "-",
            "--timeout",
            "120",
        ]
        if options["with_worker"]:
            self.start_job_worker()
        sys.argv = argv
        WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").run()
