"""Finding offers and needs: the filters (market.filtersets), the text query through the search index, sorting
and highlighted snippets; one function for the pages, the API and `greentech search`."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Exists, OuterRef, Value
from django.utils.translation import gettext as _

from greentech.core import search
from greentech.core.permissions import Action, actor_for
from greentech.core.search import Found, Item
from greentech.market.filtersets import SORTS, NeedFilterSet, OfferFilterSet
from greentech.market.models import Need, Offer, Status
from greentech.market.permissions import details_q
from greentech.market.search import NEEDS, OFFERS

KINDS = {
    "offers": (Offer, OfferFilterSet, OFFERS, "summary"),
    "needs": (Need, NeedFilterSet, NEEDS, "problem"),
}
# a text query sorted by something other than relevance orders at most this many best matches
SORT_WINDOW = 1000
# the annotation `with_details_visible` adds
DETAILS_VISIBLE = "details_visible_for_user"


def find(kind: str, user, params, *, limit: int = 20, offset: int = 0, published_only: bool = True) -> Found:
    """Listings of `kind` ('offers' or 'needs') the user may view, filtered by `params` (a dict or QueryDict:
    q, sort and the FilterSet's fields). Without a status filter only published listings are listed."""
    model, filterset_class, index, text_field = KINDS[kind]
    queryset = model.objects.restrict(user, Action.VIEW).select_related("organization", "region")
    data = params.copy() if hasattr(params, "copy") else dict(params)
    if published_only and not data.get("status"):
        queryset = queryset.filter(status=Status.PUBLISHED)
    filterset = filterset_class(data, queryset=queryset)
    if not filterset.is_valid():
        raise ValidationError({name: [str(e) for e in errors] for name, errors in filterset.errors.items()})
    queryset = filterset.qs
    query = (data.get("q") or "").strip()
    sort = data.get("sort") or ("relevance" if query else "newest")
    if (
        sort not in SORTS
        or (sort == "deadline" and model is not Need)
        or (sort in ("price", "-price", "readiness") and model is not Offer)
    ):
        raise ValidationError({"sort": _("Unknown sort order: %(sort)s") % {"sort": sort}})
    if query:
        if sort == "relevance":
            result = search.search(index, query, queryset, limit=limit, offset=offset, load=False)
            objects = _load(model, [hit.pk for hit in result.hits])
            items = [
                Item(objects[hit.pk], search.highlight(getattr(objects[hit.pk], text_field), result.tokens), hit.score)
                for hit in result.hits
                if hit.pk in objects
            ]
            return Found(result.total, items, result.tokens, result.mode, sort, result.total_exact)
        result = search.search(index, query, queryset, limit=SORT_WINDOW, load=False)
        scores = {hit.pk: hit.score for hit in result.hits}
        page = _page(queryset.filter(pk__in=list(scores)), sort, offset, limit)
        items = [
            Item(obj, search.highlight(getattr(obj, text_field), result.tokens), scores.get(obj.pk)) for obj in page
        ]
        exact = result.total_exact and result.total <= SORT_WINDOW
        return Found(min(result.total, SORT_WINDOW), items, result.tokens, result.mode, sort, exact)
    if sort == "relevance":
        sort = "newest"
    page = _page(queryset, sort, offset, limit)
    items = [Item(obj, search.highlight(getattr(obj, text_field), [])) for obj in page]
    return Found(queryset.count(), items, [], "all", sort)


def _page(queryset, sort: str, offset: int, limit: int) -> list:
    """One page of the queryset in `sort` order: the keys first (the list indexes hold every filtered and sorted
    column, so the database sorts narrow index entries, not whole rows), then those rows with their relations."""
    keys = list(queryset.order_by(*SORTS[sort]).values_list("pk", flat=True)[offset : offset + limit])
    objects = _load(queryset.model, keys)
    return [objects[key] for key in keys if key in objects]


def _load(model, keys: list[int]) -> dict:
    """The listings with these keys, which the caller found inside the user's scope and filters: fetched by key
    alone, since re-applying a filter such as a top-level category rebuilt its whole list of listings."""
    return model.objects.select_related("organization", "region").in_bulk(keys)


def with_details_visible(queryset, user):
    """Offers annotated with whether `user` may see their details (market.permissions.details_q), computed in the
    list's own query instead of one query per offer."""
    scope = details_q(actor_for(user))
    if scope is True:
        return queryset.annotate(**{DETAILS_VISIBLE: Value(True, output_field=BooleanField())})
    return queryset.annotate(**{DETAILS_VISIBLE: Exists(Offer.objects.filter(scope, pk=OuterRef("pk")))})
