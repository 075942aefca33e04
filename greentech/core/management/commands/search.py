"""greentech search KIND QUERY [--top N] [--format json] | greentech search reindex [NAME ...]"""

import json

from django.core.management.base import CommandError

from greentech.core import datasets, search
from greentech.core.management.base import PlatformCommand


def natural_key_field(model) -> str:
    """The field that names a row outside the database: the key its import dataset matches rows on (a listing's
    `reference`, a patent's publication `number`), else its first unique field, else the id."""
    for info in datasets.all_datasets():
        resource_meta = getattr(info.resource, "_meta", None)
        if getattr(resource_meta, "model", None) is model:
            keys = tuple(getattr(resource_meta, "import_id_fields", ()) or ())
            if len(keys) == 1 and keys[0] != "id":
                return keys[0]
    for field in model._meta.concrete_fields:
        if field.unique and not field.primary_key:
            return field.name
    return "pk"


def natural_key(obj) -> tuple[str, object]:
    name = natural_key_field(type(obj))
    return name, getattr(obj, name)


class Command(PlatformCommand):
    help = (
        "Search offers, needs (and what other modules register) in Chinese or English; or rebuild indexes. / 全文检索。"
    )
    acts_as_user = True

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("kind", help=f"What to search: {', '.join(sorted(search.finders))}; or 'reindex'.")
        parser.add_argument("query", nargs="*", help="The words to find (or, after reindex, the index names).")
        parser.add_argument("--top", type=int, default=10, help="How many results (default 10).")
        parser.add_argument("--format", choices=["table", "json"], default="table")
        parser.add_argument(
            "--filter",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="A filter as on the list page, e.g. --filter category=3.2 --filter region=沈阳市 (repeatable).",
        )
        parser.add_argument(
            "--sort", help="relevance (default with a query), newest, price, -price, readiness, deadline"
        )
        parser.add_argument("--code", metavar="PREFIX", help="patents: IPC/CPC code prefix (H01M, Y02E 10/50).")
        parser.add_argument("--green", action="store_true", help="patents: green patents only.")

    def handle(self, *args, **options):
        if options["kind"] == "reindex":
            return self.reindex(options["query"])
        finder = search.finders.get(options["kind"])
        if finder is None:
            raise CommandError(
                f"Unknown kind {options['kind']!r}; choose from: {', '.join(sorted(search.finders))}, reindex"
            )
        if options["top"] < 1:
            raise CommandError("--top must be at least 1")
        params = {"q": " ".join(options["query"])}
        for item in options["filter"]:
            name, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"--filter {item!r}: write NAME=VALUE")
            params[name.strip()] = value.strip()
        if options.get("sort"):
            params["sort"] = options["sort"]
        if options.get("code"):
            params["code"] = options["code"]
        if options.get("green"):
            params["green"] = "true"
        from django.core.exceptions import ValidationError

        try:
            found = finder(self.acting_user(options), params, limit=options["top"], offset=0)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        if options["format"] == "json":
            rows = [
                {
                    "rank": rank,
                    "id": item.object.pk,
                    "key": natural_key(item.object)[1],
                    "key_field": natural_key(item.object)[0],
                    "reference": getattr(item.object, "reference", None),
                    "title": str(getattr(item.object, "title", item.object)),
                    "score": None if item.score is None else round(item.score, 4),
                    "snippet": str(item.snippet),
                }
                for rank, item in enumerate(found.items, 1)
            ]
            exact = getattr(found, "total_exact", True)
            payload = {
                "total": found.total,
                "total_exact": exact,
                "mode": found.mode,
                "tokens": found.tokens,
                "results": rows,
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        total = f"{found.total}" if getattr(found, "total_exact", True) else f"{found.total}+"
        self.stdout.write(f"{total} found / 共 {total} 条 (words: {' '.join(found.tokens)}; match: {found.mode})")
        for rank, item in enumerate(found.items, 1):
            score = "" if item.score is None else f"{item.score:8.3f}"
            self.stdout.write(f"{rank:3d} {score} {natural_key(item.object)[1]} {item.object}")

    def reindex(self, names):
        try:
            indexes = [search.get(name) for name in names] if names else search.all_indexes()
        except KeyError as error:
            raise CommandError(str(error.args[0])) from None
        for index in indexes:
            count = search.reindex(index)
            self.stdout.write(f"{index.name}: {count} indexed / 已索引")
