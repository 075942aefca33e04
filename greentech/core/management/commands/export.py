"""greentech export DATASET: the rows you may see, in the import format."""

import sys
from pathlib import Path

from django.core.management.base import CommandError

from greentech.core import imports
from greentech.core.management.base import DatasetCommand


class Command(DatasetCommand):
    help = "Export a dataset as CSV, XLSX or JSON Lines (re-importable). / 导出数据集。"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("dataset")
        parser.add_argument("--format", choices=["csv", "xlsx", "jsonl"], default="csv")
        parser.add_argument("--output", "-o", help="File to write (default: standard output; required for xlsx).")

    def handle(self, *args, **options):
        self.dataset(options["dataset"])
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
