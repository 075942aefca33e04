"""Full-text search over Chinese and English text, on the shared database: one interface, two backends.

Text is segmented by the platform (`core.text`: rjieba for Chinese in search mode, so 锂电池 is found by 锂电
and by 电池; English words lower-cased and lightly stemmed) and stored space-separated in a per-index table:

- SQLite: an FTS5 virtual table `search_<name>(title, body)` whose rowid is the object's primary key, ranked
  by bm25 with the title weighted 3:1;
- PostgreSQL: a table `search_<name>(id, document tsvector)` with a GIN index, the title as weight A and the
  body as weight B ('simple' configuration, since the words are already segmented), ranked by ts_rank_cd.

Every app server sees the same index because it lives in the database. Filters stay ordinary Django
querysets (the one permission mechanism included): the search runs inside them, then pages and counts.

An index is declared once (`register(SearchIndex(...))`); saving or deleting an object keeps its row
current through signals; `greentech search reindex NAME` rebuilds an index from the table.

Apps query through the public functions only, never the index tables' SQL: `search` (ranked inside a queryset),
`matching_sql`/`matching_ids` (the keys having the words), `ranked_window` (ranked over the whole index), `highlight`;
finders return `Found` with `Item`s.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import connection, models, transaction
from django.db.models.expressions import RawSQL
from django.db.models.signals import post_delete, post_save
from django.utils.safestring import mark_safe

from greentech.core import text as textlib

# Tokens: core.text (index_tokens for what is stored, query_tokens for what is asked); re-exported here

index_tokens = textlib.index_tokens
query_tokens = textlib.query_tokens


# ---------------------------------------------------------------------------------------------------------------
# Index declaration


@dataclass
class SearchIndex:
    """What to index for one model: `title` and `body` give the two weighted texts of an object; `include`
    decides whether an object is indexed at all (e.g. only published offers need not be: visibility is the
    permission mechanism's job, so by default everything is indexed)."""

    name: str
    model: type[models.Model]
    title: Callable[[models.Model], str]
    body: Callable[[models.Model], str]
    include: Callable[[models.Model], bool] = field(default=lambda obj: True)
    # the relations `title`/`body` read, joined when rebuilding (one query per batch, not one per object)
    related: tuple[str, ...] = ()

    @property
    def table(self) -> str:
        return f"search_{self.name}"

    def document(self, obj) -> tuple[str, str]:
        return " ".join(index_tokens(self.title(obj))), " ".join(index_tokens(self.body(obj)))


_indexes: dict[str, SearchIndex] = {}


def register(index: SearchIndex) -> SearchIndex:
    _indexes[index.name] = index
    post_save.connect(_saved, sender=index.model, weak=False, dispatch_uid=f"search-{index.name}-save")
    post_delete.connect(_deleted, sender=index.model, weak=False, dispatch_uid=f"search-{index.name}-delete")
    return index


def get(name: str) -> SearchIndex:
    try:
        return _indexes[name]
    except KeyError:
        raise KeyError(f"no search index {name!r}; known: {', '.join(sorted(_indexes))}") from None


def all_indexes() -> list[SearchIndex]:
    return [_indexes[name] for name in sorted(_indexes)]


def _for_model(model) -> list[SearchIndex]:
    return [index for index in _indexes.values() if index.model is model]


def _saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    for index in _for_model(sender):
        update(index, [instance])


def _deleted(sender, instance, **kwargs):
    for index in _for_model(sender):
        remove(index, [instance.pk])


# ---------------------------------------------------------------------------------------------------------------
# Storage (used by migrations) and maintenance


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def create_sql(name: str, vendor: str) -> list[str]:
    table = f"search_{name}"
    if vendor == "postgresql":
        return [
            f"CREATE TABLE IF NOT EXISTS {table} (id bigint PRIMARY KEY, document tsvector NOT NULL)",
            f"CREATE INDEX IF NOT EXISTS {table}_document ON {table} USING gin (document)",
        ]
    return [f"CREATE VIRTUAL TABLE IF NOT EXISTS {table} USING fts5(title, body, tokenize = 'unicode61')"]


def drop_sql(name: str, vendor: str) -> list[str]:
    return [f"DROP TABLE IF EXISTS search_{name}"]


def operation(name: str):
    """A migration operation creating (and on reverse dropping) the storage of index `name`."""
    from django.db import migrations

    def forward(apps, schema_editor):
        for statement in create_sql(name, schema_editor.connection.vendor):
            schema_editor.execute(statement)

    def backward(apps, schema_editor):
        for statement in drop_sql(name, schema_editor.connection.vendor):
            schema_editor.execute(statement)

    return migrations.RunPython(forward, backward, elidable=False)


def update(index: SearchIndex, objects: Iterable) -> int:
    """Write (or remove, when `include` says no) the rows of these objects; returns how many were written."""
    rows, gone = [], []
    for obj in objects:
        if index.include(obj):
            rows.append((obj.pk, *index.document(obj)))
        else:
            gone.append(obj.pk)
    with connection.cursor() as cursor:
        if _postgres():
            cursor.executemany(
                f"INSERT INTO {index.table} (id, document) VALUES "
                f"(%s, setweight(to_tsvector('simple', %s), 'A') || setweight(to_tsvector('simple', %s), 'B')) "
                f"ON CONFLICT (id) DO UPDATE SET document = EXCLUDED.document",
                rows,
            )
        else:
            cursor.executemany(f"DELETE FROM {index.table} WHERE rowid = %s", [(row[0],) for row in rows])
            cursor.executemany(f"INSERT INTO {index.table} (rowid, title, body) VALUES (%s, %s, %s)", rows)
    if gone:
        remove(index, gone)
    return len(rows)


def remove(index: SearchIndex, pks: Iterable) -> None:
    column = "id" if _postgres() else "rowid"
    with connection.cursor() as cursor:
        cursor.executemany(f"DELETE FROM {index.table} WHERE {column} = %s", [(pk,) for pk in pks])


def reindex(index: SearchIndex, *, batch: int = 2000) -> int:
    """Rebuild the index from the model's table; returns the number of rows indexed."""
    count = 0
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {index.table}")
        chunk = []
        rows = index.model._default_manager.select_related(*index.related).order_by("pk")
        for obj in rows.iterator(chunk_size=batch):
            chunk.append(obj)
            if len(chunk) >= batch:
                count += update(index, chunk)
                chunk = []
        count += update(index, chunk)
    if not _postgres():
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {index.table}({index.table}) VALUES ('optimize')")
    return count


# ---------------------------------------------------------------------------------------------------------------
# Querying


# Ranking scores the newest RANK_WINDOW matches in scope (the highest keys: listings are numbered as they come);
# a query matching fewer is ranked exactly. Scoring every match of a common word (节能 is in 43% of 100,000
# offers) cost more than the whole latency budget. Counting stops at COUNT_CAP: beyond it the total is a lower
# bound (`Result.total_exact` is False) and pages say "1,000+". Counting on to 10,000 past the window cost
# 10 ms on SQLite and 60 ms on PostgreSQL for 节能, and a window of 2,000 twice what 1,000 costs where the
# matches are sparse in the newest keys (see bench_market), so the cap is the window.
RANK_WINDOW = 1000
COUNT_CAP = 1000


class CappedTotal:
    """How a finder's `total` / `total_exact` is shown: "1,234", or "1,000+" when counting stopped at a cap
    (then `total` is the cap, which `count_cap` names)."""

    total: int
    total_exact: bool

    @property
    def total_display(self) -> str:
        return f"{self.total:,}" if self.total_exact else f"{self.total:,}+"

    @property
    def count_cap(self) -> str:
        return f"{self.total:,}"


@dataclass
class Hit:
    pk: int
    score: float
    object: object = None
    snippet: str = ""


@dataclass
class Result:
    query: str
    tokens: list[str]
    total: int
    hits: list[Hit]
    mode: str = "all"  # "all" words matched, or "any" when no object had them all
    total_exact: bool = True  # False: more than COUNT_CAP matched and `total` is COUNT_CAP


@dataclass
class Item:
    """One object a finder found: the object, its highlighted snippet, and its score (None when not ranked)."""

    object: object
    snippet: str
    score: float | None = None


@dataclass
class Found(CappedTotal):
    """What a finder (`queries.find` of the market and the patents) returns to pages, the API and the CLI."""

    total: int
    items: list[Item]
    tokens: list[str] = field(default_factory=list)
    mode: str = "all"  # "all" words matched, or "any"
    sort: str = "newest"
    # False when more matched than a cap (COUNT_CAP, or a finder's sort window): `total` is then a lower bound
    total_exact: bool = True
    # facet name → [{"value", "label", "count"}], for finders that count facets (patents)
    facets: dict = field(default_factory=dict)
    # how the facets were counted: "exact", or "sample" (over the first `facets_basis` results)
    facets_mode: str = "exact"
    facets_basis: int | None = None


@dataclass
class Window:
    """The ranked window over a whole index (`ranked_window`): the page of best matches, how many matches the
    window held (every match when fewer than the window), and how many matched in all where the database counted
    them in the same scan (PostgreSQL; None on SQLite, whose walk stops at the window)."""

    hits: list[Hit]
    held: int
    matches: int | None = None


def _match_expression(tokens: list[str], mode: str) -> tuple[str, str]:
    if _postgres():
        quoted = ["'" + token.replace("'", "").replace("\\", "") + "'" for token in tokens]
        return "to_tsquery('simple', %s)", (" & " if mode == "all" else " | ").join(quoted)
    quoted = ['"' + token.replace('"', "") + '"' for token in tokens]
    return "%s", (" AND " if mode == "all" else " OR ").join(quoted)


def _window_sql(index: SearchIndex, scope_sql: str, match: str) -> str:
    """SQL selecting (id, score, how many matches were read) of the best matches in scope among the newest `window`
    of them; params: match, *scope, window + 1, window, limit, offset.

    SQLite: the full-text table drives (MATCH, newest key first, which FTS5 reads in order without sorting) and
    each match is checked against the scope by a correlated EXISTS on its key; bm25 is computed only for the
    rows that pass. `rowid IN (scope)` instead made SQLite walk the whole scope and probe the index per row.
    PostgreSQL: the GIN index finds the matches, the scope is a semi-join, and only the window's keys are sorted
    (carrying the documents through that sort took twice as long); ts_rank_cd then reads the window's documents.
    """
    table = index.table
    # the inner query reads one row past the window (`held` then says whether the window holds every match);
    # only the newest `window` are ranked
    ranked = "SELECT id, score, held FROM ({}) AS r WHERE newest <= %s ORDER BY score DESC, id DESC LIMIT %s OFFSET %s"
    if _postgres():
        return ranked.format(
            f"SELECT w.id, ts_rank_cd(d.document, {match}) AS score, count(*) OVER () AS held, "
            f"row_number() OVER (ORDER BY w.id DESC) AS newest FROM (SELECT s.id FROM {table} s "
            f"WHERE s.document @@ {match} AND s.id IN ({scope_sql}) ORDER BY s.id DESC LIMIT %s) AS w "
            f"JOIN {table} d ON d.id = w.id"
        )
    return ranked.format(
        f"SELECT id, score, count(*) OVER () AS held, row_number() OVER (ORDER BY id DESC) AS newest FROM "
        f"(SELECT {table}.rowid AS id, -bm25({table}, 3.0, 1.0) AS score FROM {table} WHERE {table} MATCH {match} "
        f"AND EXISTS ({scope_sql}) ORDER BY {table}.rowid DESC LIMIT %s)"
    )


def _count_sql(index: SearchIndex, scope_sql: str, match: str) -> str:
    """SQL counting the matches in scope, stopping after `cap` of them; params: match, *scope, cap."""
    table = index.table
    if _postgres():
        return (
            f"SELECT count(*) FROM (SELECT 1 FROM {table} s WHERE s.document @@ {match} "
            f"AND s.id IN ({scope_sql}) LIMIT %s) AS c"
        )
    return f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {table} MATCH {match} AND EXISTS ({scope_sql}) LIMIT %s)"


def _scope(queryset, index: SearchIndex, correlated: bool) -> tuple[str, tuple]:
    """The queryset's keys as SQL; `correlated`: restricted to the key of the outer full-text row (SQLite)."""
    keys = queryset.order_by()
    if correlated:
        keys = keys.filter(pk=RawSQL(f"{index.table}.rowid", ()))
    return keys.values("pk").query.sql_with_params()


def matching_sql(index: SearchIndex | str, tokens: list[str], mode: str = "all") -> tuple[str, list]:
    """SQL selecting the keys (one column, `id`) of the objects whose index row holds all the tokens (`mode`
    "all") or any of them ("any"), and its parameters: for `pk__in`, a probe (`p.id IN (…)`) or a driving set.
    `tokens` come from query_tokens. On SQLite the FTS5 table answers it, on PostgreSQL the GIN index."""
    index = get(index) if isinstance(index, str) else index
    match, argument = _match_expression(tokens, mode)
    if _postgres():
        return f"SELECT id FROM {index.table} WHERE document @@ {match}", [argument]
    return f"SELECT rowid AS id FROM {index.table} WHERE {index.table} MATCH {match}", [argument]


def matching_ids(index: SearchIndex | str, tokens: list[str], mode: str = "all") -> RawSQL:
    """matching_sql as an expression: `queryset.filter(pk__in=matching_ids(index, tokens))`."""
    return RawSQL(*matching_sql(index, tokens, mode))


def ranked_window(
    index: SearchIndex | str,
    tokens: list[str],
    mode: str = "all",
    *,
    window: int = RANK_WINDOW,
    limit: int = 20,
    offset: int = 0,
) -> Window:
    """The best matches over the whole index (no queryset: for data everyone may see, such as patents), ranked
    among the `window` highest keys that match; one query answers the ranking, the window's size and whether
    anything matched.

    Scoring costs per match (bm25 reads each match's positions and sizes, ~40 µs a match on SQLite at a million
    rows), so ranking every match of a common word took seconds; the window bounds it, and a query matching fewer
    is ranked exactly. On PostgreSQL the GIN scan yields every match anyway (to find the highest keys), so it
    counts them there (`Window.matches`), saving the second scan a capped count would make; only the window's
    documents are read back for ts_rank_cd."""
    index = get(index) if isinstance(index, str) else index
    match, argument = _match_expression(tokens, mode)
    table = index.table
    with connection.cursor() as cursor:
        if _postgres():
            cursor.execute(
                f"SELECT r.id, ts_rank_cd(s.document, {match}) AS score, r.matches FROM "
                f"(SELECT id, count(*) OVER () AS matches FROM {table} WHERE document @@ {match} "
                f"ORDER BY id DESC LIMIT %s) AS r JOIN {table} s ON s.id = r.id "
                "ORDER BY score DESC, r.id DESC LIMIT %s OFFSET %s",
                [argument, argument, window, limit, offset],
            )
            rows = cursor.fetchall()
            hits = [Hit(pk, float(score)) for pk, score, _matches in rows]
            matches = rows[0][2] if rows else None
            return Window(hits, min(matches, window) if rows else 0, matches)
        cursor.execute(
            f"SELECT id, score, count(*) OVER () FROM (SELECT rowid AS id, -bm25({table}, 3.0, 1.0) AS score "
            f"FROM {table} WHERE {table} MATCH {match} ORDER BY rowid DESC LIMIT %s) "
            "ORDER BY score DESC, id DESC LIMIT %s OFFSET %s",
            [argument, window, limit, offset],
        )
        rows = cursor.fetchall()
    return Window([Hit(pk, float(score)) for pk, score, _held in rows], rows[0][2] if rows else 0)


def search(
    index: SearchIndex | str,
    query: str,
    queryset=None,
    *,
    limit: int = 20,
    offset: int = 0,
    count: bool = True,
    load: bool = True,
) -> Result:
    """Objects of `queryset` (default: all) matching `query`, best first.

    All the query's words must match; when no object has them all, objects with any of them are ranked
    instead (`Result.mode` says which). The queryset carries the caller's filters and permission scope.
    The best matches are ranked among the newest RANK_WINDOW in scope (or as many as the page needs); the total
    is exact up to COUNT_CAP (`total_exact`). `load=False` returns the hits' keys and scores without fetching
    the objects; `count=False` skips counting beyond the window (`total` is then what the window holds).
    """
    index = get(index) if isinstance(index, str) else index
    tokens = query_tokens(query)
    queryset = index.model._default_manager.all() if queryset is None else queryset
    if not tokens:
        return Result(query, tokens, 0, [])
    scope_sql, scope_params = _scope(queryset, index, correlated=not _postgres())
    window = max(RANK_WINDOW, offset + limit)
    rows, total, exact, mode = [], 0, True, "all"
    for mode in ("all", "any") if len(tokens) > 1 else ("all",):
        match, argument = _match_expression(tokens, mode)
        matches = [argument, argument] if _postgres() else [argument]  # PostgreSQL names the query twice
        with connection.cursor() as cursor:
            # one row past the window: whether the window holds every match in scope (then the total is known)
            cursor.execute(
                _window_sql(index, scope_sql, match), [*matches, *scope_params, window + 1, window, limit, offset]
            )
            rows = cursor.fetchall()
            held = rows[0][2] if rows else 0
            if (not rows and offset) or (held > window and count and COUNT_CAP > window):
                # past the last page, or more than the window: count on, up to the cap
                cursor.execute(_count_sql(index, scope_sql, match), [argument, *scope_params, COUNT_CAP + 1])
                found = cursor.fetchone()[0]
                total, exact = min(found, COUNT_CAP), found <= COUNT_CAP
            else:
                total, exact = min(held, window, COUNT_CAP), held <= min(window, COUNT_CAP)
        if total:
            break  # some listing has all the words (a page past the end stays empty rather than switching mode)
    rows = [(pk, score) for pk, score, _held in rows]
    hits = [Hit(pk, float(score)) for pk, score in rows]
    if not load:
        return Result(query, tokens, total, hits, mode, exact)
    # unordered: the hits are in rank order already, and the model's default ordering would let the database
    # walk its whole (status, published_at) index to fetch 20 rows by key
    objects = queryset.order_by().in_bulk([hit.pk for hit in hits])
    hits = [hit for hit in hits if hit.pk in objects]
    for hit in hits:
        hit.object = objects[hit.pk]
    return Result(query, tokens, total, hits, mode, exact)


# ---------------------------------------------------------------------------------------------------------------
# Highlighting


def highlight(value: str | None, tokens: list[str], *, width: int = 160) -> str:
    """An HTML-escaped snippet of `value` around the first query word found, with the words in <mark>."""
    value = " ".join((value or "").split())
    if not value:
        return ""
    words = sorted({token for token in tokens if token}, key=len, reverse=True)
    folded = value.lower()
    if words:
        pattern = re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)
        first = pattern.search(folded)
    else:
        pattern, first = None, None
    start = max(0, (first.start() if first else 0) - width // 4)
    if start and not textlib.is_chinese(value[start : start + 1]):
        space = value.find(" ", start, start + 20)  # do not cut an English word in half
        start = space + 1 if space >= 0 else start
    end = min(len(value), start + width)
    piece = value[start:end]
    prefix = "…" if start else ""
    suffix = "…" if end < len(value) else ""
    if pattern is None:
        return html.escape(prefix + piece + suffix)
    out, last = [], 0
    for found in pattern.finditer(piece.lower()):
        out.append(html.escape(piece[last : found.start()]))
        out.append(f"<mark>{html.escape(piece[found.start() : found.end()])}</mark>")
        last = found.end()
    out.append(html.escape(piece[last:]))
    return mark_safe(html.escape(prefix) + "".join(out) + html.escape(suffix))  # noqa: S308 - escaped above


# ---------------------------------------------------------------------------------------------------------------
# Finders: what `greentech search KIND QUERY` and the API search over (modules register theirs)

# kind → function(user, params: dict, limit, offset) returning a Found
finders: dict[str, Callable] = {}


def register_finder(kind: str, function: Callable) -> None:
    finders[kind] = function
