"""greentech bench NAME: measure a module's quality and speed on this machine (figures for the README)."""

import json

from django.core.management.base import CommandError

from greentech.bench import registry as benchmarks
from greentech.core.management.base import PlatformCommand


class Command(PlatformCommand):
    help = "Run a benchmark (quality and speed) and print its figures. / 运行基准测试。"

    def add_arguments(self, parser):
        benchmarks.discover()
        parser.add_argument("name", help="Which benchmark: " + ", ".join(benchmarks.all_benchmarks()) + ".")
        parser.add_argument("--fit", action="store_true", help="classify: refit the model on the dev split first.")
        parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
        parser.add_argument("--skip-speed", action="store_true", help="Quality figures only.")
        benchmarks.add_arguments(parser)

    def handle(self, *args, **options):
        try:
            function = benchmarks.get(options["name"])
        except KeyError:
            raise CommandError(
                f"Unknown benchmark {options['name']!r}; available: {', '.join(benchmarks.all_benchmarks())}"
            ) from None
        report = function(options, console=self.console)
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2, default=str))
