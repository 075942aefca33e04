"""greentech import DATASET FILE: validate every row, then write all of them or nothing."""

import json

from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError

from greentech.core import imports
from greentech.core.management.base import DatasetCommand


class Command(DatasetCommand):
    help = "Import a CSV or XLSX file into a dataset (all rows or none). / 导入 CSV 或 XLSX 文件。"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("dataset", help="One of the datasets listed below.")
        parser.add_argument("file", nargs="?", help="The .csv or .xlsx file to import.")
        parser.add_argument("--template", metavar="OUT.xlsx", help="Write an empty template for the dataset instead.")
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")
        parser.add_argument(
            "--format",
            choices=["jsonl", "csv", "patentsview"],
            help="Streaming datasets (patents): the file's format (default: from its name).",
        )
        parser.add_argument(
            "--resume", action="store_true", help="Streaming datasets: continue an interrupted import of this file."
        )

    def handle(self, *args, **options):
        name = self.dataset(options["dataset"]).name
        if options["template"]:
            path = imports.write_template(name, options["template"])
            self.stdout.write(f"template written / 模板已生成: {path}")
            return
        if not options["file"]:
            raise CommandError("Give the FILE to import, or --template OUT.xlsx. / 请指定要导入的文件。")
        streaming = getattr(self.dataset(name).resource, "streaming_import", None)
        try:
            if streaming is not None:  # a dataset too big for the in-memory path streams through its own importer
                report = streaming(
                    options["file"],
                    fmt=options["format"],
                    user=self.acting_user(options),
                    resume=options["resume"],
                    console=self.console,
                )
            else:
                with self.console.status(f"importing / 导入中 {options['file']} → {name}"):
                    report = imports.run_import(name, options["file"], user=self.acting_user(options))
        except imports.ImportFileError as error:
            raise CommandError(str(error)) from None
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            for error in report.errors:
                self.stderr.write(f"{error.text('zh-hans')}\n    {error.text('en')}")
            self.stdout.write(report.summary("zh-hans"))
            self.stdout.write(report.summary("en"))
        if not report.ok:
            raise SystemExit(1)
