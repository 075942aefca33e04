"""The market's search indexes (core.search): offers and needs, Chinese and English, title weighted over text.

Every status is indexed; who sees what is the permission mechanism's business (the search runs inside the
restricted queryset)."""

from greentech.core import search
from greentech.market.models import Need, Offer


def _offer_body(offer: Offer) -> str:
    return " ".join(
        part
        for part in (
            offer.summary,
            offer.application_fields,
            offer.codes,
            offer.patent_numbers,
            offer.organization.name if offer.organization_id else "",
        )
        if part
    )


def _need_body(need: Need) -> str:
    return " ".join(
        part
        for part in (need.problem, need.constraints, need.organization.name if need.organization_id else "")
        if part
    )


OFFERS = search.register(
    search.SearchIndex("market_offer", Offer, title=lambda o: o.title, body=_offer_body, related=("organization",))
)
NEEDS = search.register(
    search.SearchIndex("market_need", Need, title=lambda n: n.title, body=_need_body, related=("organization",))
)


def _finder(kind):
    def find(user, params, *, limit=20, offset=0):
        from greentech.market.queries import find as find_listings

        return find_listings(kind, user, params, limit=limit, offset=offset)

    return find


search.register_finder("offers", _finder("offers"))
search.register_finder("needs", _finder("needs"))
