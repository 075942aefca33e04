"""The streaming patent import behind `greentech import patents FILE [--format jsonl|csv|patentsview] [--resume]`.

The shared pipeline (core.imports.run_import) validates a whole table in memory and writes it in one
transaction; a million patents do not fit that. This path keeps its contract (the same command, the same
report: line numbers, Chinese and English reasons, nothing written for a bad file) with constant memory:

1. validation pass: the file is streamed record by record through `records.prepare` (every check the write
   would make: number, dates, codes, statuses, region...). Nothing is kept but the errors. Any error → the
   import is refused, the report lists each bad line, and the database is untouched.
2. write pass: the file is streamed again and written in batches (default 2,000 records), each batch in one
   transaction with set-based SQL (bulk insert/update of patents, their codes, applicants, code labels and
   search-index rows). The run's `PatentImport` row is advanced in the same transaction, so it always says
   exactly how many records are in the database.
3. resume: if the write pass stops (killed, power cut), `--resume` on the same file (same path, size and
   modification time) skips the validation pass and the records already written. Re-importing is always safe
   anyway: records are matched on their publication number, so a second import updates and never duplicates.

Text labels (the classifier's text model, ~1 ms per patent) run as a separate job (`greentech patents label`);
small imports (≤ TEXT_INLINE_LIMIT records) run it at once for the patents they wrote.
"""

from __future__ import annotations

import datetime
import hashlib
import os
from collections.abc import Callable
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from greentech.core import audit
from greentech.core.i18n import lazy
from greentech.core.imports import ImportFileError, ImportReport, RowError
from greentech.core.permissions import SYSTEM, Action, can
from greentech.patents import labels as labellib
from greentech.patents import records
from greentech.patents.models import GreenLabel, Patent, PatentApplicant, PatentCode, PatentImport
from greentech.patents.search import INDEX

BATCH = 2000
MAX_REPORTED = 1000
TEXT_INLINE_LIMIT = 2000
PARALLEL_BYTES = 4 * 2**20  # files bigger than this are prepared in worker processes
IN_FLIGHT = 3  # chunks read ahead per worker process


class LineError(RowError):
    """An error at a line of the file (JSONL/CSV/TSV lines count from 1, the header included)."""

    def text(self, language: str) -> str:
        from django.utils import translation
        from django.utils.encoding import force_str

        with translation.override(language):
            where = []
            if self.row is not None:
                where.append(force_str(_("line %(line)d") % {"line": self.row}))
            if self.column:
                where.append(force_str(_("field %(field)s") % {"field": self.column}))
            message = force_str(self.message)
            return f"{', '.join(where)}: {message}" if where else message


def fingerprint(path: Path, fmt: str) -> str:
    path = Path(path).resolve()
    target = path
    if path.is_dir():
        target = records._table_path(path, "g_patent") or path
    stat = target.stat()
    return hashlib.sha1(f"{fmt}|{target}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()


# --- preparing records (in worker processes for big files) -----------------------------------------------------

_context: records.Context | None = None  # set in the parent before the pool forks; workers inherit it


def _prepare_chunk(chunk: list, tokens: bool) -> list:
    """(line, Prepared or RecordInvalid, title tokens, body tokens) for each (line, raw) of a chunk; in the
    validation pass (`tokens=False`) only the bad records come back."""
    out = []
    for line, raw in chunk:
        if isinstance(raw, records.RecordInvalid):
            out.append((line, raw, "", ""))
            continue
        try:
            prepared = records.prepare(raw, _context)
        except records.RecordInvalid as invalid:
            out.append((line, invalid, "", ""))
            continue
        if tokens:
            view = Patent(**prepared.values)
            out.append((line, prepared, *INDEX.document(view)))
    return out


def _validate_chunk(chunk):
    return len(chunk), _prepare_chunk(chunk, False)


def _write_chunk(chunk):
    return _prepare_chunk(chunk, True)


def _chunks(path, fmt, skip: int, size: int):
    chunk, count = [], 0
    for line, raw in records.read(path, fmt):
        count += 1
        if count <= skip:
            continue
        chunk.append((line, raw))
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class Preparer:
    """Maps chunks of raw records to prepared ones, in order: in this process for small files, in a pool of
    forked worker processes (GREENTECH_IMPORT_WORKERS, default: one per core) for big ones."""

    def __init__(self, path, fmt, context, *, parallel: bool):
        global _context
        _context = context
        self.path, self.fmt = path, fmt
        self.pool = None
        if parallel:
            import multiprocessing

            workers = int(os.environ.get("GREENTECH_IMPORT_WORKERS") or os.cpu_count() or 1)
            if not connection.in_atomic_block:
                # a connection should not cross fork(); Django reopens it here on demand. Inside a transaction (the
                # tests) it stays open: the workers never touch it and leave by os._exit, which closes nothing.
                connection.close()
            self.pool = multiprocessing.get_context("fork").Pool(workers)

    def map(self, function, *, skip: int = 0, size: int = 500):
        """Results in file order. At most `IN_FLIGHT` chunks per worker are read ahead (Pool.imap would read
        the whole file into its task queue when the writer is slower than the workers: memory would grow)."""
        chunks = _chunks(self.path, self.fmt, skip, size)
        if self.pool is None:
            for chunk in chunks:
                yield function(chunk)
            return
        import collections

        pending: collections.deque = collections.deque()
        limit = IN_FLIGHT * self.pool._processes
        for chunk in chunks:
            pending.append(self.pool.apply_async(function, (chunk,)))
            if len(pending) >= limit:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()

    def close(self):
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None


def validate(preparer: Preparer, report: ImportReport, progress=None) -> int:
    """The validation pass: count the records, collect the errors (the first MAX_REPORTED of them)."""
    total = bad = 0
    for count, invalid_records in preparer.map(_validate_chunk, size=1000):
        total += count
        for line, invalid, _title, _body in invalid_records:
            bad += 1
            for name, message in invalid.errors:
                if len(report.errors) < MAX_REPORTED:
                    report.errors.append(LineError(line, name, message))
        if progress:
            progress("validate", total)
    if bad and len(report.errors) >= MAX_REPORTED:
        report.errors.append(
            LineError(
                None,
                "",
                lazy(
                    _("%(count)d bad records in all; the first %(shown)d problems are listed."),
                    count=bad,
                    shown=MAX_REPORTED,
                ),
            )
        )
    return total


# --- writing ---------------------------------------------------------------------------------------------------

_COLUMNS = [f for f in Patent._meta.concrete_fields]


def _new_ids(count: int) -> list[int]:
    """Primary keys for `count` new patents, taken inside the batch's transaction (after its first write, so on
    SQLite the write lock is held)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [Patent._meta.db_table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {Patent._meta.db_table}")
        first = cursor.fetchone()[0] + 1
        return list(range(first, first + count))


def _converters(fields) -> list:
    """Per column, how a value goes to the database: PostgreSQL takes the Python objects; on SQLite dates and
    times are text as Django stores them (times naive UTC)."""
    if connection.vendor == "postgresql":
        return [None] * len(fields)

    def when(value):
        if value is None:
            return None
        return (timezone.make_naive(value, datetime.UTC) if timezone.is_aware(value) else value).isoformat(" ")

    def day(value):
        return None if value is None else value.isoformat()

    return [
        when if f.get_internal_type() == "DateTimeField" else day if f.get_internal_type() == "DateField" else None
        for f in fields
    ]


def _values(rows: list[dict], fields, tail_pk: bool) -> list[list]:
    names = [f.attname for f in fields]
    converters = _converters(fields)
    out = []
    for row in rows:
        values = [
            row[name] if convert is None else convert(row[name])
            for name, convert in zip(names, converters, strict=True)
        ]
        if tail_pk:
            values.append(row["id"])
        out.append(values)
    return out


def _insert_rows(rows: list[dict]) -> None:
    columns = ", ".join(connection.ops.quote_name(f.column) for f in _COLUMNS)
    marks = ", ".join(["%s"] * len(_COLUMNS))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {Patent._meta.db_table} ({columns}) VALUES ({marks})", _values(rows, _COLUMNS, False)
        )


def _update_rows(rows: list[dict]) -> None:
    """UPDATE … WHERE id = %s for each patent in one executemany (Django's bulk_update builds a CASE per field
    and row, ~40x slower at this size). Labels are recomputed, so the text-label cursor is reset."""
    fields = [f for f in _COLUMNS if f.attname not in ("id", "created")]
    assignments = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {Patent._meta.db_table} SET {assignments} WHERE id = %s", _values(rows, fields, True)
        )


def _write_documents(rows: list[tuple], replace: set[int]) -> None:
    """The search index rows, segmented by the workers; the same storage core.search writes (FTS5 rowid, title,
    body / tsvector with title weight A, body weight B)."""
    table = INDEX.table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.executemany(
                f"INSERT INTO {table} (id, document) VALUES "
                "(%s, setweight(to_tsvector('simple', %s), 'A') || setweight(to_tsvector('simple', %s), 'B')) "
                "ON CONFLICT (id) DO UPDATE SET document = EXCLUDED.document",
                rows,
            )
            return
        if replace:
            cursor.executemany(f"DELETE FROM {table} WHERE rowid = %s", [(pk,) for pk in replace])
        cursor.executemany(f"INSERT INTO {table} (rowid, title, body) VALUES (%s, %s, %s)", rows)


def write_batch(batch: list) -> tuple[int, int, list[int]]:
    """Insert or update one batch of (Prepared, title tokens, body tokens) (the caller holds the transaction);
    returns (created, updated, ids)."""
    unique = {}
    for item in batch:
        unique[item[0].values["number"]] = item  # a number twice in a batch: the later record wins
    batch = list(unique.values())
    existing = dict(Patent.objects.filter(number__in=list(unique)).values_list("number", "pk"))
    now = timezone.now()
    new_rows, old_rows = [], []
    for prepared, _title, _body in batch:
        # plain dicts of column values (a model instance per row costs more than the row's SQL)
        row = {**prepared.values, "updated": now, "labelled_version": ""}
        if row["number"] in existing:
            row["id"] = existing[row["number"]]
            old_rows.append(row)
        else:
            row["created"] = now
            new_rows.append(row)
    old_ids = [row["id"] for row in old_rows]
    if old_rows:
        _update_rows(old_rows)
        PatentCode.objects.filter(patent_id__in=old_ids).delete()
        PatentApplicant.objects.filter(patent_id__in=old_ids).delete()
        GreenLabel.objects.filter(patent_id__in=old_ids).delete()
    if new_rows:
        for row, pk in zip(new_rows, _new_ids(len(new_rows)), strict=True):
            row["id"] = pk
        _insert_rows(new_rows)
    patents = {row["number"]: row["id"] for row in (*new_rows, *old_rows)}
    codes, applicants, label_pairs, documents = [], [], [], []
    for prepared, title, body in batch:
        pk = patents[prepared.values["number"]]
        codes.extend((pk, system, code) for system, code in prepared.codes)
        applicants.extend(
            (pk, position, name, organization) for position, (name, organization) in enumerate(prepared.applicants)
        )
        if prepared.labels:
            label_pairs.append((pk, prepared.labels))
        documents.append((pk, title, body))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {PatentCode._meta.db_table} (patent_id, system, code) VALUES (%s, %s, %s)", codes
        )
        cursor.executemany(
            f"INSERT INTO {PatentApplicant._meta.db_table} (patent_id, position, name, organization_id) "
            "VALUES (%s, %s, %s, %s)",
            applicants,
        )
    labellib.write_labels(label_pairs, replace_sources=())
    _write_documents(documents, set(old_ids))
    return len(new_rows), len(old_rows), list(patents.values())


def run(
    path,
    fmt: str | None = None,
    *,
    user=None,
    resume: bool = False,
    batch_size: int = BATCH,
    label_text: bool | None = None,
    progress: Callable | None = None,
) -> ImportReport:
    """Import a patent file (see the module docstring); returns the pipeline's ImportReport."""
    user = user or SYSTEM
    path = Path(path)
    fmt = fmt or records.guess_format(path)
    if fmt not in records.FORMATS:
        raise ImportFileError(_("Unknown format %(format)s: use jsonl, csv or patentsview.") % {"format": fmt})
    if not path.exists():
        raise ImportFileError(_("File not found: %(path)s") % {"path": path})
    if not can(user, Action.ADD, Patent(number="", title="")):
        raise PermissionDenied(_("Only administrators and the import operator import patents."))
    report = ImportReport(dataset="patents")
    key = fingerprint(path, fmt)
    account = user if getattr(user, "pk", None) else None
    previous = None
    if resume:
        previous = (
            PatentImport.objects.filter(
                fingerprint=key, status__in=[PatentImport.Status.RUNNING, PatentImport.Status.INTERRUPTED]
            )
            .order_by("-created")
            .first()
        )
    size = path.stat().st_size if path.is_file() else sum(f.stat().st_size for f in path.iterdir() if f.is_file())
    preparer = Preparer(path, fmt, records.Context(), parallel=size > PARALLEL_BYTES)
    try:
        if previous is not None:
            run_row, total, skip = previous, previous.records, previous.committed
            report.created, report.updated = previous.created_count, previous.updated_count
        else:
            total = validate(preparer, report, progress)
            run_row = PatentImport.objects.create(
                path=str(path)[:500], format=fmt, fingerprint=key, user=account, records=total
            )
            skip = 0
            if report.errors:
                run_row.status = PatentImport.Status.REJECTED
                run_row.errors = [error.as_dict() for error in report.errors[:100]]
                run_row.finished = timezone.now()
                run_row.save()
                report.rows = total
                return report
        report.rows = total
        written_ids = _write(
            preparer, run_row, report, user, skip, batch_size, keep_ids=total <= TEXT_INLINE_LIMIT, progress=progress
        )
    finally:
        preparer.close()
    PatentImport.objects.filter(pk=run_row.pk).update(status=PatentImport.Status.DONE, finished=timezone.now())
    if label_text is None:
        label_text = total <= TEXT_INLINE_LIMIT
    if label_text and written_ids:
        labellib.relabel(ids=written_ids)
    return report


def _write(preparer, run_row, report, user, skip, batch_size, *, keep_ids, progress) -> list[int]:
    """The write pass: batches of prepared records, each with the run's resume point in one transaction."""
    written_ids: list[int] = []
    committed = skip
    batch: list = []

    def flush():
        nonlocal committed, batch
        with transaction.atomic(), audit.acting_as(user, audit.Source.IMPORT):
            # the checkpoint first: on SQLite this takes the write lock before new ids are chosen
            PatentImport.objects.filter(pk=run_row.pk).update(committed=committed + len(batch), updated=timezone.now())
            created, updated, ids = write_batch(batch)
            committed += len(batch)
            report.created += created
            report.updated += updated
            PatentImport.objects.filter(pk=run_row.pk).update(
                created_count=report.created, updated_count=report.updated
            )
        if keep_ids:
            written_ids.extend(ids)
        batch = []
        if progress:
            progress("write", committed)

    try:
        for chunk in preparer.map(_write_chunk, skip=skip):
            for line, item, title, body in chunk:
                if isinstance(item, records.RecordInvalid):  # the file changed since it was validated
                    raise ImportFileError(
                        lazy(_("line %(line)d became invalid during the import: %(error)s"), line=line, error=item)
                    )
                batch.append((item, title, body))
                if len(batch) >= batch_size:
                    flush()
        if batch:
            flush()
    except BaseException:
        PatentImport.objects.filter(pk=run_row.pk).update(status=PatentImport.Status.INTERRUPTED)
        raise
    return written_ids


def command_import(path, *, fmt=None, user=None, resume=False, console=None) -> ImportReport:
    """What `greentech import patents` calls (the dataset's `streaming_import`)."""
    status = console.status("…") if console is not None else None

    def progress(stage, count):
        if status is not None:
            status.update(f"{stage} / {'校验' if stage == 'validate' else '写入'}: {count:,}")

    if status is None:
        return run(path, fmt, user=user, resume=resume)
    with status:
        return run(path, fmt, user=user, resume=resume, progress=progress)
