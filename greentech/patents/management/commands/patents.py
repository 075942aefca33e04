"""greentech patents label [--all] [--limit N] | greentech patents generate FILE --n N"""

import json

from django.core.management.base import CommandError

from greentech.core.management.base import PlatformCommand


class Command(PlatformCommand):
    help = (
        "Patent database jobs: 'label' runs the text classification on patents labelled at an older taxonomy "
        "version (run it from cron, or after a taxonomy change); 'generate' writes synthetic records. / 专利库任务。"
    )

    def add_arguments(self, parser):
        parser.add_argument("job", choices=["label", "generate"])
        parser.add_argument("file", nargs="?", help="generate: the JSONL file to write.")
        parser.add_argument("--all", action="store_true", help="label: relabel every patent, not only stale ones.")
        parser.add_argument("--limit", type=int, help="label: at most this many patents in this run.")
        parser.add_argument("--n", type=int, default=1000, help="generate: how many records (default 1,000).")
        parser.add_argument("--seed", type=int, default=5, help="generate: random seed (same seed, same records).")
        self.add_enqueue(parser)

    def handle(self, *args, **options):
        if options["job"] == "generate":
            from greentech.bench.synthetic import patents as synthetic

            if not options["file"]:
                raise CommandError("Give the FILE to write. / 请指定输出文件。")
            path = synthetic.write(options["file"], options["n"], seed=options["seed"])
            self.stdout.write(f"{options['n']} records written / 已生成: {path}")
            return
        result = self.run_job("patents.label", options, {"limit": options["limit"], "everything": options["all"]})
        if result is not None:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
