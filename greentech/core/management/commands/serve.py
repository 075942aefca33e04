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
        parser.add_argument("--threads", type=int, default=int(os.environ.get("GREENTECH_THREADS", "2")))

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
        sys.argv = argv
        WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").run()
