"""Finding patents: filters (filtersets.PatentFilterSet), keywords through the search index, sorting, facets and
highlighted snippets; one function for the page, the API and `greentech search patents`.

Keywords: all words first, any word when no patent has them all (core.search's rule). Relevance ranking uses
the index (bm25 on SQLite, ts_rank_cd on PostgreSQL); without other filters the ranked query reads the index
alone, with filters it runs inside the filtered queryset. Date sorting and facets use the index as a subquery
(`id IN (matches)`), so counts are exact, not windowed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count
from django.db.models.expressions import RawSQL
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _

from greentech.core import search
from greentech.core.permissions import Action
from greentech.patents.filtersets import PatentFilterSet
from greentech.patents.models import GreenLabel, LegalStatus, Office, Patent, PatentType
from greentech.patents.search import INDEX

SORTS = {
    "relevance": None,
    "newest": ("-publication_date", "-pk"),
    "oldest": ("publication_date", "pk"),
}
FACET_FIELDS = ("office", "legal_status", "patent_type", "green", "category", "city", "year")
FACET_LIMIT = 12
RANK_WINDOW = 5000  # matches scored per keyword query over the whole index (see _ranked_unscoped)


@dataclass
class Item:
    object: Patent
    snippet: str
    score: float | None = None


@dataclass
class Found:
    total: int
    items: list[Item]
    tokens: list[str] = field(default_factory=list)
    mode: str = "all"
    sort: str = "newest"
    facets: dict = field(default_factory=dict)


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def match_subquery(tokens: list[str], mode: str) -> RawSQL:
    """The ids of the patents whose index row has all (or any) of the tokens, as a subquery."""
    match, argument = search._match_expression(tokens, mode)
    if _postgres():
        return RawSQL(f"SELECT id FROM {INDEX.table} WHERE document @@ {match}", [argument])
    return RawSQL(f"SELECT rowid FROM {INDEX.table} WHERE {INDEX.table} MATCH {match}", [argument])


def _ranked_unscoped(tokens: list[str], mode: str, limit: int, offset: int) -> list[tuple[int, float]]:
    """The best matches over the whole index, ranked among the RANK_WINDOW most recently indexed matches.

    Ranking costs a score per match: a common word matches hundreds of thousands of patents at a million, and
    scoring them all took seconds. Ranking the newest RANK_WINDOW matches bounds the cost; a query matching
    fewer patents is ranked exactly, and the total count stays exact (see docs/PATENTS.md)."""
    match, argument = search._match_expression(tokens, mode)
    table = INDEX.table
    with connection.cursor() as cursor:
        if _postgres():
            cursor.execute(
                f"SELECT id, ts_rank_cd(document, {match}) AS score FROM "
                f"(SELECT id, document FROM {table} WHERE document @@ {match} ORDER BY id DESC LIMIT %s) AS ranked "
                "ORDER BY score DESC, id DESC LIMIT %s OFFSET %s",
                [argument, argument, RANK_WINDOW, limit, offset],
            )
        else:
            cursor.execute(
                f"SELECT id, score FROM (SELECT rowid AS id, -bm25({table}, 3.0, 1.0) AS score FROM {table} "
                f"WHERE {table} MATCH {match} ORDER BY rowid DESC LIMIT %s) ORDER BY score DESC, id DESC "
                "LIMIT %s OFFSET %s",
                [argument, RANK_WINDOW, limit, offset],
            )
        return cursor.fetchall()


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
    filtered = any(data.get(name) not in (None, "") for name in filterset.filters)
    query = (data.get("q") or "").strip()
    sort = data.get("sort") or ("relevance" if query else "newest")
    if sort not in SORTS:
        raise ValidationError({"sort": _("Unknown sort order: %(sort)s") % {"sort": sort}})
    tokens = search.query_tokens(query) if query else []
    if query and not tokens:
        return Found(0, [], [], "all", sort, _facets(queryset.none()) if facets else {})
    mode = "all"
    scope = queryset
    if tokens:
        for mode in ("all", "any") if len(tokens) > 1 else ("all",):
            scope = queryset.filter(pk__in=match_subquery(tokens, mode))
            if scope.exists():
                break
    if tokens and sort == "relevance":
        if filtered or base.query.where:
            result = search.search(INDEX, query, queryset, limit=limit, offset=offset)
            hits = [(hit.object, hit.score) for hit in result.hits]
            total = result.total
        else:
            rows = _ranked_unscoped(tokens, mode, limit, offset)
            objects = Patent.objects.select_related("region").in_bulk([pk for pk, _score in rows])
            hits = [(objects[pk], float(score)) for pk, score in rows if pk in objects]
            total = scope.count() if len(rows) == limit or offset else len(rows) + offset
        items = [Item(obj, snippet(obj, tokens), score) for obj, score in hits]
    else:
        if sort == "relevance":
            sort = "newest"
        page = list(scope.select_related("region").order_by(*SORTS[sort])[offset : offset + limit])
        total = scope.count() if len(page) == limit or offset else len(page) + offset
        items = [Item(obj, snippet(obj, tokens)) for obj in page]
    return Found(total, items, tokens, mode, sort, _facets(scope) if facets else {})


def _facets(queryset) -> dict:
    """Counts per value of each facet over the result set, largest first (at most FACET_LIMIT values each).

    The unfiltered counts (the search page before any query) are cached under a key read from the database in
    O(1) — the highest patent and label ids, which every import and relabelling moves — so every app server
    serves the same counts and none serves stale ones."""
    if not queryset.query.where:
        from django.core.cache import cache

        from greentech.patents.models import GreenLabel as Label

        key = "patents:facets:{}:{}".format(
            Patent.objects.order_by("-pk").values_list("pk", flat=True).first(),
            Label.objects.order_by("-pk").values_list("pk", flat=True).first(),
        )
        found = cache.get(key)
        if found is None:
            found = _count_facets(queryset)
            cache.set(key, found, 3600)
        return found
    return _count_facets(queryset)


def _count_facets(queryset) -> dict:
    ids = queryset.order_by().values("pk")
    plain = Patent.objects.filter(pk__in=ids) if queryset.query.where else Patent.objects.all()
    labels = {
        "office": dict(Office.choices),
        "legal_status": dict(LegalStatus.choices),
        "patent_type": dict(PatentType.choices),
        "green": {True: _("green"), False: _("not green")},
    }
    result = {}
    for name in ("office", "legal_status", "patent_type", "green"):
        rows = plain.order_by().values(name).annotate(n=Count("pk")).order_by("-n")[:FACET_LIMIT]
        result[name] = [
            {"value": row[name], "label": str(labels[name].get(row[name], row[name])), "count": row["n"]}
            for row in rows
        ]
    rows = (
        plain.exclude(region=None)
        .order_by()
        .values("region__code", "region__name")
        .annotate(n=Count("pk"))
        .order_by("-n")
    )[:FACET_LIMIT]
    result["city"] = [{"value": row["region__name"], "label": row["region__name"], "count": row["n"]} for row in rows]
    rows = (
        plain.exclude(publication_date=None)
        .annotate(y=ExtractYear("publication_date"))
        .order_by()
        .values("y")
        .annotate(n=Count("pk"))
        .order_by("-y")
    )[:FACET_LIMIT]
    result["year"] = [{"value": row["y"], "label": str(row["y"]), "count": row["n"]} for row in rows]
    groups = GreenLabel.objects.all() if not queryset.query.where else GreenLabel.objects.filter(patent__in=ids)
    rows = groups.order_by().values("group").annotate(n=Count("patent", distinct=True)).order_by("-n")[:FACET_LIMIT]
    result["category"] = [
        {"value": row["group"], "label": category_label(row["group"]), "count": row["n"]} for row in rows
    ]
    return result


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
