"""Shared pieces of the platform's commands: acting as a user, progress, one-line summaries."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console

from greentech.core.permissions import SYSTEM


class PlatformCommand(BaseCommand):
    """A command that acts for the operator (the platform itself) unless --user names an account."""

    acts_as_user = False

    def add_arguments(self, parser):
        if self.acts_as_user:
            parser.add_argument(
                "--user",
                help="Act as this account, with its permissions (default: the platform operator, unrestricted).",
            )

    def acting_user(self, options):
        username = options.get("user")
        if not username:
            return SYSTEM
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist as error:
            raise CommandError(f"No account named {username!r}. / 没有名为 {username!r} 的账户。") from error

    @staticmethod
    def today(options):
        """The date of --today (YYYY-MM-DD), None when not given: jobs compute as of that day (tests, catch-up runs)."""
        import datetime

        if not options.get("today"):
            return None
        try:
            return datetime.date.fromisoformat(options["today"])
        except ValueError:
            raise CommandError(
                f"--today {options['today']!r} is not a date like 2026-12-31. / --today 须为 2026-12-31 这样的日期。"
            ) from None

    def run_job(self, name: str, options, params: dict | None = None) -> dict | None:
        """Run a declared job (core.jobs) here and return its result, or with --enqueue only queue it for a worker.
        Either way the run is in the job ledger (`greentech jobs list`)."""
        from greentech.core import jobs

        if options.get("enqueue"):
            row = jobs.enqueue(name, params=params)
            self.stdout.write(f"queued / 已排队: job {row.pk} ({name})")
            return None
        row = jobs.run_now(name, params=params)
        if row.status != "succeeded":
            raise CommandError(f"job {row.pk} ({name}) {row.status}:\n{row.error}")
        return row.result

    @staticmethod
    def add_enqueue(parser) -> None:
        parser.add_argument(
            "--enqueue", action="store_true", help="Queue the job for a worker instead of running it here."
        )

    @property
    def console(self) -> Console:
        return Console(file=self.stderr._out, highlight=False)


class DatasetCommand(PlatformCommand):
    """A command on one of the registered datasets: lists them under --help and checks the name."""

    acts_as_user = True

    def create_parser(self, prog_name, subcommand, **kwargs):
        from greentech.core import datasets

        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.epilog = "Datasets / 数据集: " + "; ".join(
            f"{info.name}: {info.description}" for info in datasets.all_datasets()
        )
        return parser

    def dataset(self, name: str):
        from greentech.core import datasets

        try:
            return datasets.get(name)
        except KeyError as error:
            raise CommandError(str(error.args[0])) from None
