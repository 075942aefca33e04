"""greentech backup FILE: a consistent copy of the database while the platform runs."""

import subprocess
from pathlib import Path

from django.core.management.base import CommandError
from django.db import connection

from greentech.core.management.base import PlatformCommand


def pg_environment() -> tuple[list[str], dict]:
    """Connection arguments for pg_dump/pg_restore from Django's settings."""
    import os

    settings = connection.settings_dict
    env = dict(os.environ)
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = settings["PASSWORD"]
    args = ["--dbname", settings["NAME"]]
    if settings.get("HOST"):
        args += ["--host", settings["HOST"]]
    if settings.get("PORT"):
        args += ["--port", str(settings["PORT"])]
    if settings.get("USER"):
        args += ["--username", settings["USER"]]
    return args, env


class Command(PlatformCommand):
    help = "Back up the database to FILE (SQLite online backup, or pg_dump). / 备份数据库。"

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        target = Path(options["file"]).resolve()
        target.parent.mkdir(parents=True, exist_ok=True)
        if connection.vendor == "sqlite":
            import sqlite3

            connection.ensure_connection()
            destination = sqlite3.connect(str(target))
            try:
                connection.connection.backup(destination)
            finally:
                destination.close()
        elif connection.vendor == "postgresql":
            args, env = pg_environment()
            result = subprocess.run(
                ["pg_dump", "--format=custom", "--file", str(target), *args], env=env, capture_output=True, text=True
            )
            if result.returncode != 0:
                raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
        else:  # pragma: no cover
            raise CommandError(f"No backup method for {connection.vendor}.")
        self.stdout.write(f"backup written / 备份完成: {target} ({target.stat().st_size:,} bytes)")
