"""The streaming patent import behind `greentech import patents FILE [--format jsonl|csv|patentsview] [--resume]`.

The shared pipeline (core.imports.run_import) validates a whole table in memory and writes it in one
transaction; a million patents do not fit that. This path keeps its contract (the same command, the same
report: line numbers, Chinese and English reasons, nothing written for a bad file) with constant memory and
one pass over the file (docs/PATENTS.md, "Design"):

1. the file is streamed in chunks to forked worker processes, which decode, validate and normalise each record
   (`records.prepare`), compute its code labels and segment its search text, once;
2. the parent writes them in batches (default 2,000) with set-based SQL (COPY on PostgreSQL) inside ONE
   transaction for the whole file; the run's `PatentImport` row becomes done in the same transaction;
3. the first bad record stops the writing, the rest of the file is still checked (every bad line reported),
   and the transaction rolls back: the database is as it was. A killed run never commits either; `--resume`
   takes its run up again from the first record (or from the resume point a run of the earlier
   batch-committing version left). Records are matched on their publication number, so a re-import updates
   and never duplicates.

Text labels (the classifier's text model, ~1 ms per patent) run as a separate job (`greentech patents label`);
small imports (≤ TEXT_INLINE_LIMIT records) run it at once for the patents they wrote.
"""

from __future__ import annotations

import datetime
import functools
import gc
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
from greentech.patents import queries, records
from greentech.patents.models import GreenLabel, Patent, PatentApplicant, PatentCode, PatentImport
from greentech.patents.search import INDEX

BATCH = 2000
MAX_REPORTED = 1000
TEXT_INLINE_LIMIT = 2000
PARALLEL_BYTES = 4 * 2**20  # files bigger than this are prepared in worker processes
IN_FLIGHT = 3  # chunks read ahead per worker process
SQLITE_CACHE_KIB = 256 * 1024  # page cache of the import's SQLite connection while it writes
FTS_HASH_BYTES = 64 * 2**20  # FTS5 pending terms held in memory while the import writes (default 1 MiB)
FTS_HASH_DEFAULT = 2**20
BULK_BYTES = 64 * 2**20  # a file this big (~64,000 records) that at least doubles the table rebuilds its indexes
BULK_BYTES_PER_ROW = 1024  # what a patent already there counts for in that comparison


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
_now = None  # the run's timestamp (created / updated of the rows it writes), set with _context

_COLUMNS = [f for f in Patent._meta.concrete_fields]
_FIELDS = [f for f in _COLUMNS if f.attname not in ("id", "created")]  # what a row carries; an update sets these
_NAMES = [f.attname for f in _FIELDS]
_PUBLISHED = _NAMES.index("publication_date")


def _converters(fields) -> list:
    """Per column, how a value goes to the database: PostgreSQL takes the Python objects; on SQLite dates and
    times are text as Django stores them (times naive UTC). Only the backend's class is read, so workers
    (which never connect) can call it."""
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


class _View:
    """The attributes the search index reads from a patent (a model instance per record costs ~30 µs)."""

    def __init__(self, values: dict):
        self.__dict__.update(values)


def _constant(value):
    return lambda _value: value


def _without_gc(function):
    """Runs `function` with the cyclic garbage collector paused: the import makes millions of short-lived
    tuples and no cycles, and each collection pass would walk them all (JSON decoding and unpickling took 3x as
    long with it on). What is freed is freed by reference counting as before."""

    @functools.wraps(function)
    def paused(*args, **kwargs):
        enabled = gc.isenabled()
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return paused


@_without_gc
def _prepare_chunk(chunk: list, tokens: bool) -> tuple[int, list]:
    """The chunk's size and (line, row or RecordInvalid) for each (line, raw) of it. A row is what the writer
    stores, ready for SQL: (number, column values in `_FIELDS` order, codes, applicants, label rows, title
    tokens, body tokens). With `tokens=False` (once the file is known to be bad) only the bad records come
    back."""
    out = []
    converters = _converters(_FIELDS)
    now = _now or timezone.now()
    extra = {"updated": now, "labelled_version": ""}
    for position, name in enumerate(_NAMES):  # the run's timestamp is converted once, not per row
        if name in extra and converters[position] is not None:
            converters[position] = _constant(converters[position](extra[name]))
    for line, raw in chunk:
        if isinstance(raw, str):
            raw = records.parse_json_line(raw)
        if isinstance(raw, records.RecordInvalid):
            out.append((line, raw))
            continue
        try:
            prepared = records.prepare(raw, _context)
        except records.RecordInvalid as invalid:
            out.append((line, invalid))
            continue
        if not tokens:
            continue
        values = {**prepared.values, **extra}
        title, body = INDEX.document(_View(values))
        row = tuple(
            values[name] if convert is None else convert(values[name])
            for name, convert in zip(_NAMES, converters, strict=True)
        )
        labels = [
            (r["source"], r["scheme"], r["code"], r["name"], r["score"], r["reason"], r["group"])
            for r in prepared.labels
        ]
        out.append((line, (values["number"], row, prepared.codes, prepared.applicants, labels, title, body)))
    return len(chunk), out


def _chunks(path, fmt, skip: int, size: int):
    chunk, count = [], 0
    for line, raw in records.read_raw(path, fmt):
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
    """Maps chunks of raw records to prepared rows, in order: in this process for small files, in a pool of
    forked worker processes (GREENTECH_IMPORT_WORKERS, default: one per core) for big ones. `tokens` is read
    as each chunk is handed out: set it to False to stop segmenting once the file is known to be bad."""

    def __init__(self, path, fmt, context, *, parallel: bool):
        global _context, _now
        _context, _now = context, timezone.now()
        self.path, self.fmt = path, fmt
        self.tokens = True
        self.pool = None
        if parallel:
            import multiprocessing

            workers = int(os.environ.get("GREENTECH_IMPORT_WORKERS") or os.cpu_count() or 1)
            if not connection.in_atomic_block:
                # a connection should not cross fork(); Django reopens it here on demand. Inside a transaction (the
                # tests) it stays open: the workers never touch it and leave by os._exit, which closes nothing.
                connection.close()
            self.pool = multiprocessing.get_context("fork").Pool(workers)

    def map(self, *, skip: int = 0, size: int = 500):
        """Results in file order. At most `IN_FLIGHT` chunks per worker are read ahead (Pool.imap would read
        the whole file into its task queue when the writer is slower than the workers: memory would grow)."""
        chunks = _chunks(self.path, self.fmt, skip, size)
        if self.pool is None:
            for chunk in chunks:
                yield _prepare_chunk(chunk, self.tokens)
            return
        import collections

        pending: collections.deque = collections.deque()
        limit = IN_FLIGHT * self.pool._processes
        for chunk in chunks:
            pending.append(self.pool.apply_async(_prepare_chunk, (chunk, self.tokens)))
            if len(pending) >= limit:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()

    def close(self):
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None


# --- writing ---------------------------------------------------------------------------------------------------


def _new_ids(count: int) -> list[int]:
    """Primary keys for `count` new patents, taken inside the import's transaction (after its first write, so
    on SQLite the write lock is held)."""
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


def _insert_rows(rows: list[tuple]) -> None:
    """(id, created, *values) per new patent."""
    quoted = [connection.ops.quote_name(f.column) for f in [Patent._meta.pk, _created, *_FIELDS]]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _copy(cursor, Patent._meta.db_table, quoted, rows)
            return
        marks = ", ".join(["%s"] * len(quoted))
        cursor.executemany(f"INSERT INTO {Patent._meta.db_table} ({', '.join(quoted)}) VALUES ({marks})", rows)


_created = Patent._meta.get_field("created")


def _update_rows(rows: list[tuple]) -> None:
    """(*values, id) per patent already there: UPDATE … WHERE id = %s in one executemany (Django's bulk_update
    builds a CASE per field and row, ~40x slower at this size). Labels are recomputed, so the text-label cursor
    is reset (labelled_version is among the values)."""
    assignments = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in _FIELDS)
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {Patent._meta.db_table} SET {assignments} WHERE id = %s", rows)


def _write_documents(rows: list[tuple], replace: set[int]) -> None:
    """The search index rows, segmented by the workers; the same storage core.search writes (FTS5 rowid, title,
    body / tsvector with title weight A, body weight B)."""
    table = INDEX.table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY the tokens into a scratch table, build the tsvectors in SQL
            cursor.execute(
                "CREATE TEMPORARY TABLE IF NOT EXISTS patent_import_documents (id bigint, title text, body text) "
                "ON COMMIT DROP"
            )
            _copy(cursor, "patent_import_documents", ["id", "title", "body"], rows)
            cursor.execute(
                f"INSERT INTO {table} (id, document) SELECT id, "
                "setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', body), 'B') "
                "FROM patent_import_documents ON CONFLICT (id) DO UPDATE SET document = EXCLUDED.document"
            )
            cursor.execute("TRUNCATE patent_import_documents")
            return
        if replace:
            cursor.executemany(f"DELETE FROM {table} WHERE rowid = %s", [(pk,) for pk in replace])
        cursor.executemany(f"INSERT INTO {table} (rowid, title, body) VALUES (%s, %s, %s)", rows)


def _existing(numbers: list[str]) -> dict[str, int]:
    """number → id of the patents already there (plain SQL: the ORM's IN of 2,000 values cost ~12 µs a record)."""
    table = Patent._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT number, id FROM {table} WHERE number = ANY(%s)", [numbers])
        else:
            found = []
            for start in range(0, len(numbers), 10000):  # within SQLite's limit of bound parameters
                part = numbers[start : start + 10000]
                marks = ", ".join(["%s"] * len(part))
                cursor.execute(f"SELECT number, id FROM {table} WHERE number IN ({marks})", part)
                found.extend(cursor.fetchall())
            return dict(found)
        return dict(cursor.fetchall())


def _copy(cursor, table: str, columns: list[str], rows) -> None:
    """PostgreSQL: rows into a table by COPY (several times faster than executemany of INSERTs)."""
    with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def write_batch(batch: list) -> tuple[int, int, list[int]]:
    """Insert or update one batch of prepared rows (see `_prepare_chunk`; the caller holds the transaction);
    returns (created, updated, ids)."""
    unique = {}
    for item in batch:
        unique[item[0]] = item  # a number twice in a batch: the later record wins
    batch = list(unique.values())
    existing = _existing(list(unique))
    ids: dict[str, int] = {}
    fresh = [item for item in batch if item[0] not in existing]
    old = [item for item in batch if item[0] in existing]
    old_ids = [existing[item[0]] for item in old]
    if old:
        _update_rows([(*item[1], existing[item[0]]) for item in old])
        ids.update(zip((item[0] for item in old), old_ids, strict=True))
        PatentCode.objects.filter(patent_id__in=old_ids).delete()
        PatentApplicant.objects.filter(patent_id__in=old_ids).delete()
        GreenLabel.objects.filter(patent_id__in=old_ids).delete()
    if fresh:
        created = _converters([_created])[0]
        now = created(_now) if created else _now
        new_ids = _new_ids(len(fresh))
        _insert_rows([(pk, now, *item[1]) for pk, item in zip(new_ids, fresh, strict=True)])
        ids.update(zip((item[0] for item in fresh), new_ids, strict=True))
    codes, applicants, labels, documents = [], [], [], []
    for number, row, item_codes, item_applicants, item_labels, title, body in batch:
        pk = ids[number]
        published = row[_PUBLISHED]  # copied to the codes, for the (code, date, patent) index
        codes.extend((pk, system, code, published) for system, code in item_codes)
        applicants.extend(
            (pk, position, name, organization) for position, (name, organization) in enumerate(item_applicants)
        )
        labels.extend((pk, *label) for label in item_labels)
        documents.append((pk, title, body))
    with connection.cursor() as cursor:
        for table, columns, rows in (
            (PatentCode._meta.db_table, ["patent_id", "system", "code", "publication_date"], codes),
            (PatentApplicant._meta.db_table, ["patent_id", "position", "name", "organization_id"], applicants),
            (
                GreenLabel._meta.db_table,
                ["patent_id", "source", "scheme", "code", "name", "score", "reason", '"group"'],
                labels,
            ),
        ):
            if connection.vendor == "postgresql":
                _copy(cursor, table, columns, rows)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
    _write_documents(documents, set(old_ids))
    return len(fresh), len(old), list(ids.values())


class _Rejected(Exception):
    """Raised inside the import's transaction when the file had bad records: everything written rolls back."""


def run(
    path,
    fmt: str | None = None,
    *,
    user=None,
    resume: bool = False,
    batch_size: int = BATCH,
    label_text: bool | None = None,
    progress: Callable | None = None,
    rebuild_indexes: bool | None = None,
) -> ImportReport:
    """Import a patent file (see the module docstring); returns the pipeline's ImportReport. `rebuild_indexes`:
    drop the secondary indexes while writing and build them before the commit (default: for a big file that at
    least doubles the table, `_bulk_wanted`)."""
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
    run_row = None
    if resume:
        run_row = (
            PatentImport.objects.filter(
                fingerprint=key, status__in=[PatentImport.Status.RUNNING, PatentImport.Status.INTERRUPTED]
            )
            .order_by("-created")
            .first()
        )
    skip = 0
    if run_row is not None:
        # runs of this version commit all or nothing (committed is 0 until the end); a run of the earlier
        # batch-committing version may have a resume point, which is honoured
        skip = run_row.committed
        report.created, report.updated = run_row.created_count, run_row.updated_count
        PatentImport.objects.filter(pk=run_row.pk).update(status=PatentImport.Status.RUNNING, updated=timezone.now())
    else:
        run_row = PatentImport.objects.create(path=str(path)[:500], format=fmt, fingerprint=key, user=account)
    size = path.stat().st_size if path.is_file() else sum(f.stat().st_size for f in path.iterdir() if f.is_file())
    if rebuild_indexes is None:
        rebuild_indexes = _bulk_wanted(size)
    preparer = Preparer(path, fmt, records.Context(), parallel=size > PARALLEL_BYTES)
    written_ids: list[int] = []
    try:
        total = _import(preparer, run_row, report, user, skip, batch_size, written_ids, progress, rebuild_indexes)
    except _Rejected:
        PatentImport.objects.filter(pk=run_row.pk).update(
            status=PatentImport.Status.REJECTED,
            records=report.rows,
            errors=[error.as_dict() for error in report.errors[:100]],
            finished=timezone.now(),
        )
        report.created = report.updated = 0
        return report
    except BaseException:
        PatentImport.objects.filter(pk=run_row.pk).update(status=PatentImport.Status.INTERRUPTED)
        raise
    finally:
        preparer.close()
    if label_text is None:
        label_text = total <= TEXT_INLINE_LIMIT
    if label_text and written_ids:
        labellib.relabel(ids=written_ids)
    return report


# --- big imports: secondary indexes dropped while writing, rebuilt before the commit ----------------------------


def _bulk_tables() -> list[str]:
    tables = [model._meta.db_table for model in (Patent, PatentCode, PatentApplicant, GreenLabel)]
    if connection.vendor == "postgresql":
        tables.append(INDEX.table)  # the GIN index of the tsvectors (FTS5 on SQLite is a table, not an index)
    return tables


def secondary_indexes(cursor) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the indexes of the patent tables that no constraint needs: not the primary
    keys, not the unique ones (the publication number's finds the patents a re-import updates)."""
    tables = _bulk_tables()
    if connection.vendor == "postgresql":
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i "
            "JOIN pg_class c ON c.relname = i.indexname "
            "JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = i.schemaname "
            "JOIN pg_index x ON x.indexrelid = c.oid "
            "WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s) AND NOT x.indisunique "
            "AND NOT x.indisprimary ORDER BY i.tablename, i.indexname",
            [tables],
        )
        return list(cursor.fetchall())
    marks = ", ".join(["%s"] * len(tables))
    cursor.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({marks}) "
        "ORDER BY tbl_name, name",
        tables,
    )
    return [(name, sql) for name, sql in cursor.fetchall() if not sql.lstrip().upper().startswith("CREATE UNIQUE")]


def _bulk_wanted(size: int) -> bool:
    """Whether an import of a file of `size` bytes rebuilds the indexes: when the file is big and at least doubles
    the table, building each index once from sorted keys costs less than growing it row by row."""
    if size < BULK_BYTES:
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {Patent._meta.db_table}")
        existing = cursor.fetchone()[0]
    return size >= existing * BULK_BYTES_PER_ROW


def foreign_keys(cursor) -> list[tuple[str, str, str]]:
    """PostgreSQL: (table, name, definition) of the foreign keys of the patent tables. Django makes them
    DEFERRABLE INITIALLY DEFERRED, so each row inserted queues a check until the commit (and CREATE INDEX
    refuses a table with checks pending)."""
    tables = _bulk_tables()
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s) ORDER BY 1, 2",
        [tables],
    )
    return list(cursor.fetchall())


def _drop_indexes(cursor) -> tuple[list, list]:
    """Inside the import's transaction: drops the secondary indexes (and on PostgreSQL the foreign keys), returns
    how to make them again. A rolled back import gets them back with the rest. On PostgreSQL the tables are
    locked against readers until the commit; on SQLite readers go on with the snapshot before the import."""
    keys = foreign_keys(cursor) if connection.vendor == "postgresql" else []
    if keys:
        # checks queued earlier in an enclosing transaction run now: a table with checks pending can't be altered;
        # then back to deferred, which is how Django declares every foreign key (INITIALLY DEFERRED)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    for table, name, _definition in keys:
        cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
    indexes = secondary_indexes(cursor)
    for name, _sql in indexes:
        cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    return indexes, keys


def _build_indexes(cursor, dropped: tuple[list, list]) -> None:
    """Builds the indexes again, each from one sort, then adds the foreign keys back: one set-based check of
    every row instead of one queued check per row. A row that breaks one fails the import (nothing is kept)."""
    indexes, keys = dropped
    if connection.vendor == "postgresql":
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute("SET LOCAL max_parallel_maintenance_workers = 2")
    else:
        # the sorter of CREATE INDEX may use a helper thread where SQLite is built to allow one (the wheel of
        # pysqlite3-binary 0.5.4 is built with SQLITE_MAX_WORKER_THREADS=0: there this does nothing)
        cursor.execute("PRAGMA threads = 2")
    for _name, sql in indexes:
        cursor.execute(sql)
    for table, name, definition in keys:
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}")
    if connection.vendor == "sqlite":
        cursor.execute("PRAGMA threads = 0")


def _fts_hash(cursor, size: int) -> None:
    """SQLite: how many bytes of new index terms FTS5 gathers in memory before it writes them out as a segment
    (its default, 1 MiB, makes a segment every few hundred patents, and merging them costs more than writing
    them). The setting is stored in the index's config table, so it is set back inside the same transaction."""
    table = INDEX.table
    cursor.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('hashsize', %s)", [size])


def _sqlite_bulk_settings(cursor, on: bool, saved: dict) -> None:
    """A bigger page cache for the import's connection while it runs (the indexes of a million rows do not fit
    SQLite's default 2 MiB), restored afterwards."""
    if on:
        cursor.execute("PRAGMA cache_size")
        saved["cache_size"] = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")
    elif "cache_size" in saved:
        cursor.execute(f"PRAGMA cache_size = {int(saved['cache_size'])}")


@_without_gc
def _import(preparer, run_row, report, user, skip, batch_size, written_ids, progress, rebuild_indexes=False) -> int:
    """The one pass: records are prepared (in the workers) and written in batches inside ONE transaction; the
    first bad record stops the writing (the rest of the file is still checked, without segmentation, so that
    every bad line is listed) and the transaction rolls back (`_Rejected`). Returns the number of records."""
    total = skip
    bad = 0
    batch: list = []
    saved: dict = {}

    def flush():
        nonlocal batch
        created, updated, ids = write_batch(batch)
        report.created += created
        report.updated += updated
        if len(written_ids) <= TEXT_INLINE_LIMIT:
            written_ids.extend(ids)
        batch = []

    sqlite = connection.vendor == "sqlite"
    try:
        with transaction.atomic(), audit.acting_as(user, audit.Source.IMPORT):
            # the run's row first: on SQLite this takes the write lock before new ids are chosen
            PatentImport.objects.filter(pk=run_row.pk).update(updated=timezone.now())
            indexes = None
            with connection.cursor() as cursor:
                if sqlite:
                    _sqlite_bulk_settings(cursor, True, saved)
                if rebuild_indexes:
                    indexes = _drop_indexes(cursor)
                if sqlite:
                    _fts_hash(cursor, FTS_HASH_BYTES)
            for count, items in preparer.map(skip=skip):
                total += count
                for line, item in items:
                    if isinstance(item, records.RecordInvalid):
                        if not bad:
                            preparer.tokens = False  # the file is bad: check the rest, segment nothing more
                            batch = []
                        bad += 1
                        for name, message in item.errors:
                            if len(report.errors) < MAX_REPORTED:
                                report.errors.append(LineError(line, name, message))
                    elif not bad:
                        batch.append(item)
                        if len(batch) >= batch_size:
                            flush()
                if progress:
                    progress("validate" if bad else "write", total)
            report.rows = total
            if bad:
                if len(report.errors) >= MAX_REPORTED:
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
                raise _Rejected
            if batch:
                flush()
            if sqlite:
                with connection.cursor() as cursor:
                    _fts_hash(cursor, FTS_HASH_DEFAULT)
            if indexes:
                if progress:
                    progress("index", total)
                with connection.cursor() as cursor:
                    _build_indexes(cursor, indexes)
                # the facets' counts cube of the new data, committed with it: no visitor computes it afterwards
                if progress:
                    progress("count", total)
                queries.refresh_cube()
            if total > TEXT_INLINE_LIMIT:
                written_ids.clear()
            PatentImport.objects.filter(pk=run_row.pk).update(
                records=total,
                committed=total,
                created_count=report.created,
                updated_count=report.updated,
                status=PatentImport.Status.DONE,
                finished=timezone.now(),
                updated=timezone.now(),
            )
    finally:
        if sqlite and saved:
            with connection.cursor() as cursor:
                _sqlite_bulk_settings(cursor, False, saved)
    return total


_STAGES = {"validate": "校验", "write": "写入", "index": "建索引", "count": "计数"}


def command_import(path, *, fmt=None, user=None, resume=False, console=None) -> ImportReport:
    """What `greentech import patents` calls (the dataset's `streaming_import`)."""
    status = console.status("…") if console is not None else None

    def progress(stage, count):
        if status is not None:
            status.update(f"{stage} / {_STAGES.get(stage, stage)}: {count:,}")

    if status is None:
        return run(path, fmt, user=user, resume=resume)
    with status:
        return run(path, fmt, user=user, resume=resume, progress=progress)
