"""greentech roadmap load FILE | export [--plan SLUG] [--format json|xlsx]: plans as data."""

import json
import sys
from pathlib import Path

import yaml
from django.core.management.base import CommandError

from greentech.core import imports
from greentech.core.management.base import PlatformCommand
from greentech.roadmap.datasets import plan_table
from greentech.roadmap.models import Deliverable, Plan


class Command(PlatformCommand):
    help = "Load a plan (YAML or XLSX) or export one (JSON or XLSX). / 加载或导出路线图。"
    acts_as_user = True

    def add_arguments(self, parser):
        super().add_arguments(parser)
        commands = parser.add_subparsers(dest="action", required=True)
        load = commands.add_parser("load", help="Load or update a plan from a YAML or XLSX file.")
        load.add_argument("file")
        load.add_argument("--user")
        export = commands.add_parser("export", help="Export a plan's tree.")
        export.add_argument("--plan", help="The plan's code (default: the only plan, or the newest).")
        export.add_argument("--format", choices=["json", "xlsx"], default="json")
        export.add_argument("--output", "-o", help="File to write (default: standard output; required for xlsx).")
        warn = commands.add_parser("warn", help="Post overdue / due-soon / missing-report warnings to officers.")
        warn.add_argument("--today", help="Compute as of this date (YYYY-MM-DD); default: today.")
        self.add_enqueue(warn)

    def handle(self, *args, **options):
        if options["action"] == "load":
            return self.load(options)
        if options["action"] == "warn":
            return self.warn(options)
        return self.export(options)

    def warn(self, options):
        today = self.today(options)
        result = self.run_job("roadmap.warn", options, {"today": today.isoformat() if today else None})
        if result is None:
            return
        posted = result["posted"]
        self.stdout.write(f"roadmap warnings posted / 已发送提醒: {posted}")

    def load(self, options):
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"File not found: {path} / 文件不存在")
        if path.suffix.lower() in {".yaml", ".yml"}:
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
                table = plan_table(data)
            except yaml.YAMLError as error:
                raise CommandError(f"{path.name} is not valid YAML: {error}") from None
            except (KeyError, TypeError) as error:
                raise CommandError(
                    f"{path.name}: missing or malformed key {error} (expected plan → parts → tasks → deliverables)"
                ) from None
            source = table
        else:
            source = path
        try:
            report = imports.run_import("roadmap", source, user=self.acting_user(options))
        except imports.ImportFileError as error:
            raise CommandError(str(error)) from None
        for error in report.errors:
            self.stderr.write(f"{error.text('zh-hans')}\n    {error.text('en')}")
        self.stdout.write(report.summary("zh-hans"))
        if not report.ok:
            raise SystemExit(1)

    def export(self, options):
        plans = Plan.objects.restrict(self.acting_user(options))
        plan = plans.filter(slug=options["plan"]).first() if options["plan"] else plans.first()
        if plan is None:
            raise CommandError(f"No plan {options['plan'] or ''} / 没有该规划".strip())
        if options["format"] == "xlsx":
            if not options["output"]:
                raise CommandError("XLSX needs --output FILE.")
            queryset = Deliverable.objects.filter(plan=plan)
            content = imports.render_table(imports.export_table("roadmap", queryset=queryset), "xlsx")
            Path(options["output"]).write_bytes(content)
            return
        content = json.dumps(plan_tree(plan), ensure_ascii=False, indent=2) + "\n"
        if options["output"]:
            Path(options["output"]).write_text(content, encoding="utf-8")
        else:
            sys.stdout.write(content)


def plan_tree(plan: Plan) -> dict:
    deliverables = (
        Deliverable.objects.filter(plan=plan)
        .select_related("task", "task__part")
        .prefetch_related("leads__department", "participating_departments")
        .order_by("number")
    )
    return {
        "plan": {
            "slug": plan.slug,
            "title": plan.title,
            "title_en": plan.title_en,
            "issuer": plan.issuer,
            "document_number": plan.document_number,
            "parent": plan.parent_reference,
            "start_year": plan.start_year,
            "end_year": plan.end_year,
        },
        "deliverables": [
            {
                "number": item.number,
                "part": {"number": item.task.part.number, "title": item.task.part.title},
                "task": {"number": item.task.number, "title": item.task.title},
                "text": item.text,
                "start_year": item.start_year,
                "end_year": item.end_year,
                "lead_departments": [lead.department.short_name for lead in item.leads.all()],
                "participating_departments": [d.short_name for d in item.participating_departments.all()],
                "target": (
                    {
                        "value": float(item.target_value),
                        "unit": item.target_unit,
                        "comparison": item.target_comparison,
                        "text": item.target_text,
                    }
                    if item.target_value is not None
                    else None
                ),
            }
            for item in deliverables
        ],
    }
