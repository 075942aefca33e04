"""greentech init: migrate the database and load the reference data (and, with --demo, demo data)."""

import time

from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.module_loading import autodiscover_modules
from rich.progress import Progress

from greentech.core import audit, imports, reference
from greentech.core.management.base import PlatformCommand
from greentech.core.permissions import SYSTEM


class Command(PlatformCommand):
    help = (
        "Create or upgrade the database and load the reference data; safe to run again. / 初始化数据库并加载参考数据。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="Also add demonstration data (marked as demo).")
        parser.add_argument("--skip-migrate", action="store_true", help="Do not run database migrations first.")

    def handle(self, *args, **options):
        started = time.monotonic()
        if not options["skip_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        autodiscover_modules("reference")
        totals = {"created": 0, "updated": 0, "unchanged": 0}
        loaders = reference.all_loaders()
        with Progress(console=self.console, transient=True) as progress:
            task = progress.add_task("reference data / 参考数据", total=len(loaders))
            for item in loaders:
                progress.update(task, description=f"{item.name}")
                for dataset, table in item.function():
                    report = imports.run_import(dataset, table, user=SYSTEM, audit_source=audit.Source.INIT)
                    if not report.ok:
                        for error in report.errors[:50]:
                            self.stderr.write(f"  {dataset}: {error.text('zh-hans')} / {error.text('en')}")
                        raise CommandError(f"Reference data {item.name!r} failed: {report.summary('en')}")
                    for key in totals:
                        totals[key] += getattr(report, key)
                progress.advance(task)
        for name, step in reference.after_load_steps():
            with self.console.status(f"{name}…"):
                self.stdout.write(f"{name}: {step()}")
        if options["demo"]:
            from greentech.core.demo import load_demo

            demo = load_demo()
            self.stdout.write(f"demo data / 演示数据: {demo}")
        self.stdout.write(
            f"init: reference data {totals['created']} created, {totals['updated']} updated, "
            f"{totals['unchanged']} unchanged in {time.monotonic() - started:.1f}s."
        )
