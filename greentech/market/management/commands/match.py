"""greentech match: matching offers for a need (by id or described in words), matching needs for an offer,
and the jobs behind the inbox notifications."""

import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError

from greentech.core.management.base import PlatformCommand


class Command(PlatformCommand):
    help = (
        "Match needs and offers: --need-text TEXT, --need ID, --offer ID; 'notify' tells both sides of new matches, "
        "'index' computes the listings' vectors. / 需求与成果匹配。"
    )
    acts_as_user = True

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "job",
            nargs="?",
            choices=["notify", "index"],
            help="notify: tell both organizations of new matches above the threshold (once per pair); "
            "index: compute missing or stale vectors of all listings.",
        )
        parser.add_argument("--need-text", help="Describe a need in Chinese or English: the best offers for it.")
        parser.add_argument("--need", type=int, help="A need's id: the best published offers for it.")
        parser.add_argument("--offer", type=int, help="An offer's id: the best published needs for it.")
        parser.add_argument("--top", type=int, default=10, help="How many (1-100, default 10).")
        parser.add_argument("--category", action="append", default=[], help="With --need-text: a catalogue code.")
        parser.add_argument("--min-readiness", type=int, help="With --need-text: the minimum readiness level.")
        parser.add_argument("--format", choices=["table", "json"], default="table")
        self.add_enqueue(parser)

    def handle(self, *args, **options):
        from greentech.core.permissions import Action
        from greentech.market import matching
        from greentech.market.models import Need, Offer

        user = self.acting_user(options)
        chosen = [name for name in ("job", "need_text", "need", "offer") if options.get(name) not in (None, "")]
        if len(chosen) != 1:
            raise CommandError(
                "Give exactly one of: notify, index, --need-text TEXT, --need ID, --offer ID. / "
                "请只给出一项：notify、index、--need-text、--need 或 --offer。"
            )
        if options["job"] == "notify":
            counts = self.run_job("market.notify_all", options)
            if counts is None:
                return
            self.stdout.write(
                f"needs {counts['needs']}, offers {counts['offers']}: new matches notified / 新通知匹配 "
                f"{counts['matches']}"
            )
            return
        if options["job"] == "index":
            counts = self.run_job("market.index_vectors", options)
            if counts is None:
                return
            self.stdout.write(f"vectors / 向量: offers {counts['offers']}, needs {counts['needs']}")
            return
        if not 1 <= options["top"] <= 100:
            raise CommandError("--top is a whole number from 1 to 100. / --top 须为 1 到 100 的整数。")
        try:
            if options.get("need_text"):
                suggestions = matching.matches_for_text(
                    user,
                    options["need_text"],
                    top=options["top"],
                    categories=options["category"],
                    min_readiness=options.get("min_readiness"),
                )
            else:
                model, pk = (Need, options["need"]) if options.get("need") else (Offer, options["offer"])
                listing = model.objects.restrict(user, Action.VIEW).filter(pk=pk).first()
                if listing is None:
                    raise CommandError(
                        f"No {model._meta.model_name} {pk} that you may see. / 没有可查看的编号为 {pk} 的记录。"
                    )
                suggestions = matching.matches_for(user, listing, top=options["top"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        except PermissionDenied as denied:
            raise CommandError(str(denied)) from None
        rows = matching.explained(suggestions)
        if options["format"] == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not rows:
            self.stdout.write("No match. / 没有匹配结果。")
            return
        for rank, row in enumerate(rows, 1):
            categories = "、".join(c["name"] or c["code"] for c in row["shared_categories"])
            self.stdout.write(
                f"{rank:>2}. [{row['id']}] {row['title']} · {row['organization']}\n"
                f"    score {row['score']:.3f}  similarity {row['similarity']:.3f}"
                + (f"  categories: {categories}" if categories else "")
                + (f"  terms: {'、'.join(row['shared_terms'])}" if row["shared_terms"] else "")
            )
