"""greentech market expire [--today DATE]: jobs of the technology market."""

from greentech.core.management.base import PlatformCommand


class Command(PlatformCommand):
    help = "Market jobs: expire published offers and needs past their date. / 技术市场定时任务。"

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        expire = commands.add_parser("expire", help="Published offers past expiry and needs past deadline expire.")
        expire.add_argument("--today", help="Compute as of this date (YYYY-MM-DD); default: today.")
        self.add_enqueue(expire)

    def handle(self, *args, **options):
        today = self.today(options)
        counts = self.run_job("market.expire", options, {"today": today.isoformat() if today else None})
        if counts is None:
            return
        self.stdout.write(f"expired / 已过期: offers {counts['offer']}, needs {counts['need']}")
