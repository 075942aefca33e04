"""greentech classify: JSON Lines in, one classification per line out."""

import json
import sys

from greentech.classification import services
from greentech.core.management.base import PlatformCommand

CHUNK = 256


class Command(PlatformCommand):
    help = (
        'Classify records read as JSON Lines on standard input ({"id", "title", "text", "ipc", "cpc"}) into '
        "the green taxonomies; one JSON line out per line in. / 绿色技术分类。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["jsonl", "table"], default="jsonl")

    def handle(self, *args, **options):
        self.table = options["format"] == "table"
        pending: list[tuple[int, object]] = []  # (line number, Record or error dict), in input order
        bad = 0
        for number, line in enumerate(sys.stdin, 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                pending.append((number, services.Record.from_dict(data)))
            except json.JSONDecodeError as error:
                bad += 1
                pending.append(
                    (
                        number,
                        {"line": number, "id": None, "error": f"not valid JSON: {error.msg} (column {error.colno})"},
                    )
                )
            except services.InputError as error:
                bad += 1
                record_id = data.get("id") if isinstance(data, dict) else None
                pending.append((number, {"line": number, "id": record_id, "error": str(error)}))
            if len(pending) >= CHUNK:
                self._flush(pending)
                pending = []
        if pending:
            self._flush(pending)
        if bad:
            sys.stderr.write(f"classify: {bad} line(s) could not be classified (see their error lines)\n")

    def _flush(self, pending):
        records = [item for _number, item in pending if isinstance(item, services.Record)]
        results = iter(services.get_classifier().classify(records) if records else [])
        for _number, item in pending:
            if isinstance(item, services.Record):
                result = next(results)
                if self.table:
                    self._table_row(result)
                else:
                    sys.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False) + "\n")
            elif self.table:
                sys.stdout.write(f"line {item['line']}: ERROR {item['error']}\n")
            else:
                sys.stdout.write(json.dumps(item, ensure_ascii=False) + "\n")
        sys.stdout.flush()

    def _table_row(self, result):
        verdict = "GREEN 绿色" if result.green else "not green 非绿色"
        sys.stdout.write(f"{result.id}\t{verdict}\tscore {result.score:.2f}\tdecided by {result.decided_by}\n")
        for category in result.categories:
            sys.stdout.write(
                f"\t{category.scheme}\t{category.code}\t{category.name}\t{category.score:.2f}\t{category.reason}\n"
            )
