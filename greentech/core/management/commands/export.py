"""greentech export DATASET: the rows you may see, in the import format."""

import sys
from importlib import import_module
from pathlib import Path

from django.core.management.base import CommandError

from greentech.core import datasets, imports
from greentech.core.management.base import PlatformCommand

dataset_help = import_module("greentech.core.management.commands.import").dataset_help


class Command(PlatformCommand):
    help = "Export a dataset as CSV, XLSX or JSON Lines (re-importable). / 导出数据集。"
    acts_as_user = True

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.epilog = "Datasets / 数据集: " + dataset_help()
        return parser

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("dataset")
        parser.add_argument("--format", choices=["csv", "xlsx", "jsonl"], default="csv")
        parser.add_argument("--output", "-o", help="File to write (default: standard output; required for xlsx).")

    def handle(self, *args, **options):
        try:
            datasets.get(options["dataset"])
        except KeyError as error:
            raise CommandError(str(error.args[0])) from None
        if options["format"] == "xlsx" and not options["output"]:
            raise CommandError("XLSX needs --output FILE. / XLSX 格式需要 --output 指定文件。")
        table = imports.export_table(options["dataset"], user=self.acting_user(options))
        content = imports.render_table(table, options["format"])
        if options["output"]:
            Path(options["output"]).write_bytes(content)
            self.stderr.write(f"{options['dataset']}: {len(table)} rows written to {options['output']}")
        else:
            sys.stdout.buffer.write(content)
            sys.stdout.flush()
