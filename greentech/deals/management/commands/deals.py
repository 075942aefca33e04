"""greentech deals overdue [--today DATE]: jobs of the deal pipeline."""

from greentech.core.management.base import PlatformCommand


class Command(PlatformCommand):
    help = "Deal jobs: tell the parties of payments and milestones past their date. / 交易定时任务。"

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        overdue = commands.add_parser(
            "overdue", help="Notify the parties of overdue payments and milestones (once each)."
        )
        overdue.add_argument("--today", help="Compute as of this date (YYYY-MM-DD); default: today.")
        self.add_enqueue(overdue)

    def handle(self, *args, **options):
        today = self.today(options)
        result = self.run_job("deals.overdue", options, {"today": today.isoformat() if today else None})
        if result is None:
            return
        count = result["notified"]
        self.stdout.write(f"overdue payments and milestones notified / 已提醒逾期款项与里程碑: {count}")
