"""Finding patents: filters (filtersets.PatentFilterSet), keywords through the search index, sorting, facets and
highlighted snippets; one function for the page, the API and `greentech search patents`.

Keywords: all words first, any word when no patent has them all (core.search's rule). Everything about the
index goes through core.search: relevance ranking (bm25 on SQLite, ts_rank_cd on PostgreSQL) reads the index alone
without other filters (`search.ranked_window`) and runs inside the filtered queryset with them (`search.search`);
date sorting and facets use the matches as a subquery (`search.matching_sql`: `id IN (matches)`), so counts are
exact, not windowed. Totals are exact up to core.search's COUNT_CAP; the results are core.search's Found and Item.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from greentech.core import search
from greentech.core.permissions import Action
from greentech.core.search import COUNT_CAP, Found, Item
from greentech.patents.filtersets import PatentFilterSet
from greentech.patents.models import FacetCube, GreenLabel, LegalStatus, Office, Patent, PatentCode, PatentType
from greentech.patents.search import INDEX

SORTS = {
    "relevance": None,
    "newest": ("-publication_date", "-pk"),
    "oldest": ("publication_date", "pk"),
}
FACET_FIELDS = ("office", "legal_status", "patent_type", "green", "category", "city", "year")
FACET_LIMIT = 12
# matches scored per keyword query over the whole index (search.ranked_window; the market's is 1,000)
RANK_WINDOW = 500
# totals are exact up to COUNT_CAP (core.search's, as in the market); above, the total is shown as "1,000+"
# (Found.total_exact): counting wide code prefixes on to 10,000 was most of their p95 at a million
FACET_CAP = 5_000  # facets of a larger result set are counted over its first FACET_CAP index rows (a sample)
SORT_WHOLE = 5_000  # a keyword or code-prefix result of at most this many is sorted whole; above, the date index
# is walked newest first and each patent probed (see _by_date)


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def match_subquery(tokens: list[str], mode: str) -> RawSQL:
    """The ids of the patents whose index row has all (or any) of the tokens, as a subquery."""
    return search.matching_ids(INDEX, tokens, mode)


@dataclass
class Driver:
    """The set a keyword or code-prefix query starts from, as SQL: `ids` selects the patent ids (an id may repeat:
    a patent with two codes under the prefix), `probe` is a condition on the patent `p` being in the set."""

    ids: str
    ids_params: list
    probe: str
    probe_params: list
    # SQL selecting the set's patent ids in publication-date order (`{direction}`: DESC or ASC, then LIMIT %s) from
    # one covering index, the rows of one patent adjacent (they carry its date); None: sort through patent_facets
    by_date: str | None = None


def keyword_driver(tokens: list[str], mode: str) -> Driver:
    sql, params = search.matching_sql(INDEX, tokens, mode)
    # the probe as `IN`: on SQLite the matches go once into a temporary b-tree (FTS5 answers a per-row probe by
    # reading the whole doclist)
    return Driver(sql, params, f"p.id IN ({sql})", list(params))


def code_driver(value: str) -> Driver:
    from greentech.patents.filtersets import code_range

    low, high = code_range(value)
    table = PatentCode._meta.db_table
    probe = f"SELECT 1 FROM {table} c WHERE c.patent_id = p.id AND c.code >= %s AND c.code < %s"
    # PostgreSQL: a scalar subquery with LIMIT stays a per-row probe; as EXISTS it became a semi-join, and with the
    # range estimated at 261 rows instead of 32,237 (C02F) the planner sorted the whole set (100 ms)
    probe = f"({probe} LIMIT 1) IS NOT NULL" if _postgres() else f"EXISTS ({probe})"
    ids = f"SELECT patent_id AS id FROM {table} WHERE code >= %s AND code < %s"
    hint = "" if _postgres() else " INDEXED BY patentcode_code_date"
    by_date = (
        f"SELECT patent_id FROM {table}{hint} WHERE code >= %s AND code < %s "
        "ORDER BY publication_date {direction}, patent_id {direction} LIMIT %s"
    )
    return Driver(ids, [low, high], probe, [low, high], by_date)


@dataclass
class Head:
    """The first rows of a result set, as SQL: `sql` selects their patent ids (an id may repeat), `count` is how
    many distinct patents they hold, and they are the whole set when `complete`."""

    sql: str
    params: list
    count: int
    complete: bool
    rows: int  # how many rows were read (count plus repeats)


def driver_head(driver: Driver, cap: int | None = None, *, expand: bool = True) -> Head:
    """The driver's first rows holding more than `cap` distinct patents (or all of them), read with LIMIT so a wide
    set costs no more than the cap, and counted in the database (fetching 10,000 ids into Python cost more than
    reading them). SELECT DISTINCT … LIMIT would not do: PostgreSQL hashes the whole range before limiting."""
    cap = COUNT_CAP if cap is None else cap
    limit = cap + 1
    with connection.cursor() as cursor:
        while True:
            sql, params = f"SELECT id FROM ({driver.ids} LIMIT %s) head", [*driver.ids_params, limit]
            cursor.execute(f"SELECT count(DISTINCT id), count(*) FROM ({sql}) counted", params)
            distinct, rows = cursor.fetchone()
            if rows < limit or distinct > cap or not expand:
                return Head(sql, params, distinct, rows < limit, rows)
            limit *= 4  # many repeated ids (patents with several codes under the prefix): read further


def queryset_head(queryset, cap: int) -> Head:
    """The same for any queryset of patents (its first cap + 1 ids). The queryset's own SQL is the head: it selects
    one column, whose name Django chooses (`"pk"` once the query holds a subquery, as a keyword or a category
    filter does), so nothing reads it by name."""
    sql, params = queryset.order_by().values("pk")[: cap + 1].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({sql}) counted", params)
        count = cursor.fetchone()[0]
    return Head(sql, list(params), count, count <= cap, count)


def _facets_index() -> str:
    return "" if _postgres() else " INDEXED BY patent_facets"


def _labels_index() -> str:
    # (patent, group), migration 0006; without statistics SQLite prefers the foreign-key index and reads each row
    return "" if _postgres() else " INDEXED BY greenlabel_patent_group"


def _by_date(driver: Driver, sort: str, limit: int, offset: int) -> tuple[list[int], int, bool]:
    with transaction.atomic():  # SET LOCAL (PostgreSQL) lasts until its end
        return _by_date_in(driver, sort, limit, offset)


def _by_date_in(driver: Driver, sort: str, limit: int, offset: int) -> tuple[list[int], int, bool]:
    """(ids of the page, total, exact) of the driver's set sorted by publication date (newest or oldest first).

    A set of at most SORT_WHOLE patents is sorted whole (dates from the covering index patent_facets). A wider one
    covers at least SORT_WHOLE / N of the database, so walking the publication-date index and probing each patent
    finds a page after about (offset + limit) * N / SORT_WHOLE rows; sorting such a set whole meant reading every
    one of its rows (206 ms p95 for code prefixes at a million on SQLite, 492 ms on PostgreSQL). The total is
    exact up to COUNT_CAP, then COUNT_CAP with exact = False."""
    # the head decides between the two ways, so it reads up to SORT_WHOLE (a head capped at COUNT_CAP sorted only
    # the first COUNT_CAP rows of a wider set in index order: a wrong newest-first page)
    head = driver_head(driver, cap=max(SORT_WHOLE, COUNT_CAP))
    total, exact = min(head.count, COUNT_CAP), head.count <= COUNT_CAP
    direction = "DESC" if sort == "newest" else "ASC"
    # LIMIT offset + limit, no OFFSET: SQLite 3.51 skipped the wrong rows with OFFSET beside EXISTS on the walk
    # (rows that failed the probe counted as skipped; tests/test_search_scale.py checks pages against the ORM)
    order = f"ORDER BY p.publication_date {direction}, p.id {direction} LIMIT %s"
    table = Patent._meta.db_table
    with connection.cursor() as cursor:
        if head.complete and driver.by_date:
            # every patent of the set, in date order from the driver's own index (codes: a range of the (code,
            # date, patent) index and a top-N sort, no lookup per patent); a patent's repeated rows are adjacent,
            # and at most head.rows - head.count rows are repeats
            cursor.execute(
                driver.by_date.format(direction=direction),
                [*driver.ids_params, offset + limit + head.rows - head.count],
            )
            return list(dict.fromkeys(row[0] for row in cursor.fetchall()))[offset : offset + limit], total, exact
        if head.complete:
            cursor.execute(
                f"SELECT p.id FROM {table} p{_facets_index()} WHERE p.id IN ({head.sql}) {order}",
                [*head.params, offset + limit],
            )
        else:
            if _postgres() and connection.in_atomic_block:
                # a parallel plan walked 47,000 rows for a 20-row page (each worker fills its own): one walker
                cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            cursor.execute(
                f"SELECT p.id FROM {table} p{_date_index()} WHERE {driver.probe} {order}",
                [*driver.probe_params, offset + limit],
            )
        return [row[0] for row in cursor.fetchall()][offset:], total, exact


_DATE_INDEX: dict = {}


def _date_index() -> str:
    """` INDEXED BY <the publication_date index>` on SQLite (its planner, seeing `id IN (…)`, would otherwise
    read every match by rowid and sort them, the cost the walk avoids); "" on PostgreSQL."""
    if _postgres():
        return ""
    alias = connection.alias
    if alias not in _DATE_INDEX:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql LIKE %s",
                [Patent._meta.db_table, '%("publication_date")'],
            )
            row = cursor.fetchone()
        _DATE_INDEX[alias] = f' INDEXED BY "{row[0]}"' if row else ""
    return _DATE_INDEX[alias]


def _objects(ids: list[int]) -> list[Patent]:
    objects = Patent.objects.select_related("region").in_bulk(ids)
    return [objects[pk] for pk in ids if pk in objects]


def snippet(patent: Patent, tokens: list[str]) -> str:
    """The abstract around the first query word; the claim, a translation or the title when only they have one."""
    texts = [t for t in (patent.abstract, patent.first_claim, patent.abstract_translation, patent.title) if t]
    lowered = [t.lower() for t in texts]
    chosen = next((t for t, low in zip(texts, lowered, strict=True) if any(w in low for w in tokens)), None)
    return search.highlight(chosen or (texts[0] if texts else ""), tokens)


def find(user, params, *, limit: int = 20, offset: int = 0, facets: bool = False) -> Found:
    """Patents the user may view matching `params` (dict or QueryDict: q, sort and the FilterSet's fields)."""
    data = params.copy() if hasattr(params, "copy") else dict(params)
    base = Patent.objects.restrict(user, Action.VIEW)
    filterset = PatentFilterSet(data, queryset=base)
    if not filterset.is_valid():
        raise ValidationError({name: [str(e) for e in errors] for name, errors in filterset.errors.items()})
    queryset = filterset.qs
    active = [name for name in filterset.filters if data.get(name) not in (None, "")]
    query = (data.get("q") or "").strip()
    sort = data.get("sort") or ("relevance" if query else "newest")
    if sort not in SORTS:
        raise ValidationError({"sort": _("Unknown sort order: %(sort)s") % {"sort": sort}})
    tokens = search.query_tokens(query) if query else []
    if query and not tokens:
        return Found(0, [], [], "all", sort, facets=_facet_dict(_empty_counters(), {}) if facets else {})
    unscoped = not base.query.where  # patents are public: everyone's scope is the whole table
    driver = None  # the keyword matches or code prefix, when nothing else narrows the set (read directly)
    if unscoped and not tokens and active == ["code"]:
        driver = code_driver(data["code"])
    mode = "all"
    scope = queryset
    ranked = None  # the ranking over the whole index (search.Window)
    if tokens:
        for mode in ("all", "any") if len(tokens) > 1 else ("all",):
            scope = queryset.filter(pk__in=match_subquery(tokens, mode))
            if unscoped and not active:
                driver = keyword_driver(tokens, mode)
                if sort == "relevance":  # the ranking query says whether anything matched
                    ranked = search.ranked_window(INDEX, tokens, mode, window=RANK_WINDOW, limit=limit, offset=offset)
                    if ranked.hits or (offset and driver_head(driver, cap=0).count):
                        break
                elif driver_head(driver, cap=0).count:
                    break
            elif scope.exists():
                break
    total_exact = True
    if tokens and sort == "relevance":
        if driver is None:
            result = search.search(INDEX, query, queryset, limit=limit, offset=offset)
            hits = [(hit.object, hit.score) for hit in result.hits]
            total = result.total
        else:
            objects = Patent.objects.select_related("region").in_bulk([hit.pk for hit in ranked.hits])
            hits = [(objects[hit.pk], hit.score) for hit in ranked.hits if hit.pk in objects]
            if ranked.hits and ranked.held < RANK_WINDOW:
                total = ranked.held  # the window held every match
            elif not ranked.hits and not offset:
                total = 0
            elif ranked.matches is not None:
                total, total_exact = min(ranked.matches, COUNT_CAP), ranked.matches <= COUNT_CAP
            else:
                head = driver_head(driver)
                total, total_exact = min(head.count, COUNT_CAP), head.count <= COUNT_CAP
        items = [Item(obj, snippet(obj, tokens), score) for obj, score in hits]
    else:
        if sort == "relevance":
            sort = "newest"
        if driver is not None:
            ids, total, total_exact = _by_date(driver, sort, limit, offset)
            page = _objects(ids)
        else:
            page = list(scope.select_related("region").order_by(*SORTS[sort])[offset : offset + limit])
            if len(page) == limit or offset:
                total = scope.order_by().values("pk")[: COUNT_CAP + 1].count()
                total, total_exact = min(total, COUNT_CAP), total <= COUNT_CAP
            else:
                total = len(page)
        items = [Item(obj, snippet(obj, tokens)) for obj in page]
    found = Found(total, items, tokens, mode, sort, total_exact=total_exact)
    if facets:
        if not tokens and set(active) <= CUBE_FILTERS:
            found.facets, cube_total = cube_facets(filterset.form.cleaned_data)
            if not found.total_exact:  # the cube counts exactly what the capped count stopped at
                found.total, found.total_exact = cube_total, True
        else:
            if driver is not None:  # the first FACET_CAP + 1 index rows (fewer patents when codes repeat)
                head = driver_head(driver, FACET_CAP, expand=False)
            else:
                head = queryset_head(scope, FACET_CAP)
            if not head.complete:
                found.facets_mode, found.facets_basis = "sample", head.count
            found.facets = head_facets(head)
    return found


CUBE_FILTERS = frozenset({"office", "patent_type", "legal_status", "green", "city", "year"})
CUBE_COLUMNS = ("office", "legal_status", "patent_type", "green", "region", "year")


def _labels() -> dict:
    return {
        "office": dict(Office.choices),
        "legal_status": dict(LegalStatus.choices),
        "patent_type": dict(PatentType.choices),
        "green": {True: _("green"), False: _("not green")},
    }


def data_version() -> str:
    """A key that changes whenever patents or labels change, read in O(1) from three indexes: the highest patent
    id (new patents), the latest `updated` (re-imported and edited patents) and the highest label id (every
    labelling replaces a patent's labels). Every app server reads the same key, so none serves stale counts."""
    from django.db.models import Max

    # one MAX per query: SQLite reads a lone MAX from the index, but two in one query scan the table (228 ms)
    patent = Patent.objects.aggregate(value=Max("pk"))["value"]
    updated = Patent.objects.aggregate(value=Max("updated"))["value"]
    label = GreenLabel.objects.aggregate(value=Max("pk"))["value"]
    return f"{patent}:{updated and updated.timestamp()}:{label}"


def _year(column: str) -> str:
    """The year of a date column as an integer, in SQL. SQLite keeps dates as ISO text: its first four characters
    (Django's ExtractYear calls a Python function per row there: the cube's two GROUP BYs took 5.4 s at a million
    instead of 2.6)."""
    if _postgres():
        return f"EXTRACT(YEAR FROM {column})::int"
    return f"CAST(substr({column}, 1, 4) AS int)"


_CUBE: dict = {}


def cube() -> tuple[list[tuple], list[tuple]]:
    """Patent counts per (office, legal status, type, green, region, year), and per label group and the same
    columns (distinct patents), under data_version(). Any combination of the filters in CUBE_FILTERS is then
    counted exactly by summing the cells (about 20,000 rows at a million patents) instead of grouping the filtered
    rows seven times (7.9 s p95 at a million on SQLite). Kept in the process (one per app-server process, without
    decoding it per request) and in the database (FacetCube), so that one process or a big import computes it
    for all of them."""
    key = data_version()
    found = _CUBE.get(key) or _stored_cube(key)
    if found is None:
        return refresh_cube(key)
    _keep(key, found)
    return found


def _keep(key: str, found: tuple[list[tuple], list[tuple]]) -> None:
    _CUBE.clear()
    _CUBE[key] = found


def compute_cube() -> tuple[list[tuple], list[tuple]]:
    """The cube's cells, from two GROUP BYs over every patent and every label (2–3.5 s at a million)."""
    table, labels = Patent._meta.db_table, GreenLabel._meta.db_table
    with connection.cursor() as cursor:
        # SQLite: read the covering index; its planner picked patent_office_date for the GROUP BY's order and
        # fetched every wide row through it (25 s at a million instead of about 1 s)
        cursor.execute(
            f"SELECT office, legal_status, patent_type, green, region_id, {_year('publication_date')}, "
            f"count(*) FROM {table}{_facets_index()} GROUP BY 1, 2, 3, 4, 5, 6"
        )
        # (green comes back from SQLite as 0/1: made a bool as the ORM would)
        patent_rows = [(*row[:3], bool(row[3]), *row[4:]) for row in cursor.fetchall()]
        cursor.execute(
            f'SELECT l."group", p.office, p.legal_status, p.patent_type, p.green, p.region_id, '
            f"{_year('p.publication_date')}, count(DISTINCT l.patent_id) FROM {labels} l "
            f"JOIN {table} p ON p.id = l.patent_id GROUP BY 1, 2, 3, 4, 5, 6, 7"
        )
        label_rows = [(*row[:4], bool(row[4]), *row[5:]) for row in cursor.fetchall()]
    return patent_rows, label_rows


def _stored_cube(key: str) -> tuple[list[tuple], list[tuple]] | None:
    stored = FacetCube.objects.filter(key=key).values_list("patents", "labels").first()
    if stored is None:
        return None
    return [tuple(row) for row in stored[0]], [tuple(row) for row in stored[1]]


def store_cube(key: str, found: tuple[list[tuple], list[tuple]]) -> None:
    """Keeps the cube for the other processes, in place of any older one. It is a cache:
    a write that cannot be made at once (SQLite's write lock held by an import, a concurrent store of the same
    version) is given up, never waited for, and the caller's transaction goes on."""
    postgres = _postgres()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SHOW lock_timeout" if postgres else "PRAGMA busy_timeout")
            waited = cursor.fetchone()[0]
            _wait_for_locks(cursor, "200ms" if postgres else 0)
            try:
                FacetCube.objects.exclude(key=key).delete()
                FacetCube.objects.update_or_create(key=key, defaults={"patents": found[0], "labels": found[1]})
            finally:
                _wait_for_locks(cursor, waited)
    except DatabaseError:
        pass  # the next process to lack it computes it again


def _wait_for_locks(cursor, value) -> None:
    """How long a statement waits for a lock: PostgreSQL's lock_timeout until the transaction ends (SET LOCAL),
    SQLite's busy timeout of the connection (milliseconds)."""
    if _postgres():
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [str(value)])
    else:
        cursor.execute(f"PRAGMA busy_timeout = {int(value)}")


def refresh_cube(key: str | None = None) -> tuple[list[tuple], list[tuple]]:
    """Computes, stores and returns the cube of the data as it is now, under `key` (default: data_version()); a
    big import calls it before its commit."""
    key = key or data_version()
    found = compute_cube()
    store_cube(key, found)
    _keep(key, found)
    return found


def _cube_tests(cleaned: dict) -> list[tuple[int, set]]:
    """(column, allowed values) tests of a cube row (office, status, type, green, region, year) for the filters in
    CUBE_FILTERS (the FilterSet's cleaned values)."""
    from greentech.registry.models import Region

    tests = []
    for name, index in (("office", 0), ("legal_status", 1), ("patent_type", 2), ("green", 3), ("year", 5)):
        if cleaned.get(name) not in (None, ""):
            tests.append((index, {cleaned[name]}))
    if cleaned.get("city"):
        value = cleaned["city"].strip()
        regions = Region.objects.filter(code=value) if value.isdigit() else Region.objects.filter(name=value)
        tests.append((4, set(regions.values_list("pk", flat=True))))
    return tests


def _filtered(rows: list[tuple], tests: list[tuple[int, set]], offset: int = 0) -> list[tuple]:
    for index, allowed in tests:
        rows = [row for row in rows if row[index + offset] in allowed]
    return rows


def _top(counter: dict, label) -> list[dict]:
    rows = sorted(counter.items(), key=lambda item: (-item[1], str(item[0])))[:FACET_LIMIT]
    return [{"value": value, "label": label(value), "count": n} for value, n in rows]


def _facet_dict(counters: dict, groups: dict) -> dict:
    """Facet rows from counters of office, legal_status, patent_type, green, region (ids) and year."""
    from greentech.registry.models import Region

    labels = _labels()
    result = {}
    for name in ("office", "legal_status", "patent_type", "green"):
        result[name] = _top(counters[name], lambda value, name=name: str(labels[name].get(value, value)))
    regions = {r: n for r, n in counters["region"].items() if r is not None}
    names = dict(Region.objects.filter(pk__in=list(regions)).values_list("pk", "name"))
    by_name: dict = {}
    for region, n in regions.items():
        by_name[names.get(region, str(region))] = by_name.get(names.get(region, str(region)), 0) + n
    result["city"] = _top(by_name, str)
    years = sorted(((y, n) for y, n in counters["year"].items() if y is not None), reverse=True)[:FACET_LIMIT]
    result["year"] = [{"value": y, "label": str(y), "count": n} for y, n in years]
    top = dict(sorted(groups.items(), key=lambda item: (-item[1], str(item[0])))[:FACET_LIMIT])
    names = category_labels(list(top))
    result["category"] = _top(top, lambda group: names[group])
    return result


def _empty_counters() -> dict:
    return {name: {} for name in CUBE_COLUMNS}


def _add(counters: dict, row: tuple, n: int = 1) -> None:
    for name, value in zip(CUBE_COLUMNS, row, strict=True):
        bucket = counters[name]
        bucket[value] = bucket.get(value, 0) + n


def cube_facets(cleaned: dict) -> tuple[dict, int]:
    """Exact facets and total of a query whose only filters are in CUBE_FILTERS, from the cube."""
    patents, labels = cube()
    tests = _cube_tests(cleaned)
    rows = _filtered(patents, tests)
    counters = {}
    for index, name in enumerate(CUBE_COLUMNS):
        counter: dict = {}
        for row in rows:
            counter[row[index]] = counter.get(row[index], 0) + row[-1]
        counters[name] = counter
    groups: dict = {}
    for row in _filtered(labels, tests, offset=1):
        groups[row[0]] = groups.get(row[0], 0) + row[-1]
    return _facet_dict(counters, groups), sum(row[-1] for row in rows)


def head_facets(head: Head) -> dict:
    """Facets of these patents in one pass: one GROUP BY over their facet columns, read from the covering index
    patent_facets, and one over their label groups from greenlabel_patent_group (instead of seven GROUP BYs over
    the result set)."""
    table, labels = Patent._meta.db_table, GreenLabel._meta.db_table
    year = _year("publication_date")
    counters, groups = _empty_counters(), {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT office, legal_status, patent_type, green, region_id, {year}, count(*) "
            f"FROM {table}{_facets_index()} WHERE id IN ({head.sql}) GROUP BY 1, 2, 3, 4, 5, 6",
            head.params,
        )
        for office, status, kind, green, region, y, n in cursor.fetchall():
            _add(counters, (office, status, kind, bool(green), region, y), n)
        cursor.execute(
            f'SELECT "group", count(DISTINCT patent_id) FROM {labels}{_labels_index()} '
            f"WHERE patent_id IN ({head.sql}) GROUP BY 1",
            head.params,
        )
        groups = dict(cursor.fetchall())
    return _facet_dict(counters, groups)


def category_labels(groups: list[str]) -> dict[str, str]:
    """category_label of each group, in two queries (not two per group)."""
    from greentech.taxonomy.models import Category, Scheme

    pairs = [group.partition(":") for group in groups]
    schemes = {scheme for scheme, _sep, _code in pairs}
    codes = {code for _scheme, _sep, code in pairs if code}
    categories = {
        (slug, code): f"{code} {name}"
        for slug, code, name in Category.objects.filter(scheme__slug__in=schemes, code__in=codes).values_list(
            "scheme__slug", "code", "name"
        )
    }
    scheme_names = dict(Scheme.objects.filter(slug__in=schemes).values_list("slug", "name"))
    return {
        group: categories.get((scheme, code), group) if code else scheme_names.get(scheme, group)
        for group, (scheme, _sep, code) in zip(groups, pairs, strict=True)
    }


def category_label(group: str) -> str:
    """A facet key (`cpc-y02:Y02E`, `gic2019:3`, `ipc-green-inventory`) as people read it."""
    from greentech.taxonomy.models import Category, Scheme

    scheme, _sep, code = group.partition(":")
    if code:
        category = Category.objects.filter(scheme__slug=scheme, code=code).only("code", "name").first()
        if category is not None:
            return f"{category.code} {category.name}"
        return group
    found = Scheme.objects.filter(slug=scheme).only("name").first()
    return found.name if found else group
