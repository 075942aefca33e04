"""greentech restore FILE: replace the database's content with a backup made by `greentech backup`."""

import subprocess
from importlib import import_module
from pathlib import Path

from django.core.management.base import CommandError
from django.db import connection

from greentech.core.management.base import PlatformCommand

pg_environment = import_module("greentech.core.management.commands.backup").pg_environment


class Command(PlatformCommand):
    help = "Restore the database from a backup FILE (replaces the current content). / 从备份恢复数据库。"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, **options):
        source = Path(options["file"]).resolve()
        if not source.exists():
            raise CommandError(f"No such backup file: {source} / 备份文件不存在")
        if not options["yes"] and input("Replace the current database? / 覆盖当前数据库? [y/N] ").lower() != "y":
            raise CommandError("Cancelled. / 已取消。")
        if connection.vendor == "sqlite":
            import sqlite3

            try:
                origin = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
                origin.execute("PRAGMA schema_version").fetchone()
            except sqlite3.DatabaseError as error:
                raise CommandError(f"{source.name} is not an SQLite backup: {error}") from None
            connection.ensure_connection()
            try:
                origin.backup(connection.connection)
            finally:
                origin.close()
        elif connection.vendor == "postgresql":
            args, env = pg_environment()
            result = subprocess.run(
                ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", *args, str(source)],
                env=env,
                capture_output=True,
                text=True,
            )
            if result.returncode != 0:
                raise CommandError(f"pg_restore failed: {result.stderr.strip()}")
        else:  # pragma: no cover
            raise CommandError(f"No restore method for {connection.vendor}.")
        self.stdout.write(f"restored / 已恢复: {source}")
