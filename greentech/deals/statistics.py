"""Technology market statistics: offers, needs, deals and contract value by city, by green category and by month.

Figures are aggregates over the whole market (no deal's parties or amounts are disclosed one by one), so the
dashboard and the API give them to everyone. What counts:
- offers and needs: those ever published (`published_at` set; later closed or expired ones still count);
- deals: every deal that was not terminated; by the seller's city (technology supplied, 输出) and by the buyer's
  city (technology taken up, 吸纳);
- contract value: the amounts of signed contracts of those deals (10k yuan), and the technology transaction amount
  of registered contracts (登记技术交易额);
- a city is the region's prefecture-level city (a county counts in its city); the listing's region first, else its
  organization's; without either it is "province-wide / not known";
- categories: level 1 of the Green Industry Guidance Catalogue of the offer's categories (a listing counts once
  in each level-1 category it touches);
- months: publication month for listings, opening month for deals, signing month for contract value.
Demo data is left out unless asked for (`include_demo`).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Q
from django.db.models.functions import TruncMonth

from greentech.deals.models import Contract, Deal, Stage
from greentech.market.models import Need, Offer
from greentech.taxonomy.constants import CATALOGUE_SCHEME

UNKNOWN = "—"


def _city_of(region_id, regions) -> str | None:
    region = regions.get(region_id)
    if region is None:
        return None
    code, level, parent_id = region
    if level == "county":
        return regions.get(parent_id, (None,))[0]
    if level == "city":
        return code
    return None


def _month(value) -> str:
    return f"{value:%Y-%m}" if value else UNKNOWN


def market_statistics(*, include_demo: bool = False) -> dict:
    """{"cities": [...], "categories": [...], "months": [...], "totals": {...}}; every row carries offers, needs,
    deals, contract_value and registered_value."""
    from greentech.registry.models import Region
    from greentech.taxonomy.models import Category

    regions = {
        pk: (code, level, parent)
        for pk, code, level, parent in Region.objects.values_list("pk", "code", "level", "parent_id")
    }
    city_names = dict(Region.objects.filter(level="city").values_list("code", "name"))
    demo = Q() if include_demo else Q(is_demo=False)

    def empty():
        return {
            "offers": 0,
            "needs": 0,
            "deals": 0,
            "deals_absorbed": 0,
            "contract_value": Decimal(0),
            "contract_value_absorbed": Decimal(0),
            "registered_value": Decimal(0),
        }

    cities: dict = defaultdict(empty)
    categories: dict = defaultdict(empty)
    months: dict = defaultdict(empty)
    totals = empty()

    level1 = {}
    for code in Category.objects.filter(scheme__slug=CATALOGUE_SCHEME).values_list("code", flat=True):
        level1[code] = code.split(".")[0]

    def listing_categories(model) -> dict:
        pairs = model.categories.through.objects.filter(category__scheme__slug=CATALOGUE_SCHEME).values_list(
            f"{model._meta.model_name}_id", "category__code"
        )
        found: dict = defaultdict(set)
        for listing_id, code in pairs:
            found[listing_id].add(level1.get(code, code.split(".")[0]))
        return found

    offer_categories = listing_categories(Offer)
    need_categories = listing_categories(Need)

    for model, key, found in ((Offer, "offers", offer_categories), (Need, "needs", need_categories)):
        rows = model.objects.filter(demo, published_at__isnull=False).values_list(
            "pk", "region_id", "organization__region_id", "published_at"
        )
        for pk, region_id, organization_region_id, published_at in rows:
            city = _city_of(region_id, regions) or _city_of(organization_region_id, regions) or UNKNOWN
            cities[city][key] += 1
            months[_month(published_at)][key] += 1
            totals[key] += 1
            for code in found.get(pk, ()):
                categories[code][key] += 1

    contracts = {
        deal_id: (amount, transaction_amount, registered, signed_on)
        for deal_id, amount, transaction_amount, registered, signed_on in Contract.objects.values_list(
            "deal_id", "amount", "transaction_amount", "registration_number", "signed_on"
        )
    }
    deals = Deal.objects.filter(demo).exclude(stage=Stage.TERMINATED)
    deals = deals.annotate(month=TruncMonth("created")).values_list(
        "pk", "offer_id", "offer__region_id", "seller__region_id", "buyer__region_id", "month"
    )
    for pk, offer_id, offer_region_id, seller_region_id, buyer_region_id, month in deals:
        seller_city = _city_of(offer_region_id, regions) or _city_of(seller_region_id, regions) or UNKNOWN
        buyer_city = _city_of(buyer_region_id, regions) or UNKNOWN
        amount, transaction_amount, registered, signed_on = contracts.get(pk, (None, None, None, None))
        value = amount or Decimal(0)
        registered_value = (transaction_amount if transaction_amount is not None else value) if registered else 0
        cities[seller_city]["deals"] += 1
        cities[seller_city]["contract_value"] += value
        cities[seller_city]["registered_value"] += registered_value
        cities[buyer_city]["deals_absorbed"] += 1
        cities[buyer_city]["contract_value_absorbed"] += value
        months[_month(month)]["deals"] += 1
        if amount is not None:
            months[_month(signed_on)]["contract_value"] += value
            months[_month(signed_on)]["registered_value"] += registered_value
        totals["deals"] += 1
        totals["contract_value"] += value
        totals["registered_value"] += registered_value
        for code in offer_categories.get(offer_id, ()):
            categories[code]["deals"] += 1
            categories[code]["contract_value"] += value
            categories[code]["registered_value"] += registered_value

    category_names = {
        code: (name, name_en)
        for code, name, name_en in Category.objects.filter(scheme__slug=CATALOGUE_SCHEME, level=1).values_list(
            "code", "name", "name_en"
        )
    }

    city_order = sorted(city_names) + ([UNKNOWN] if UNKNOWN in cities else [])
    return {
        "cities": [{"key": key, "label": city_names.get(key, UNKNOWN), **_plain(cities[key])} for key in city_order],
        "categories": [
            {
                "key": code,
                "label": category_names.get(code, (code, code))[0],
                "label_en": category_names.get(code, (code, code))[1],
                **_plain(categories[code]),
            }
            for code in sorted(categories)
        ],
        "months": [
            {"key": month, "label": month, **_plain(months[month])} for month in sorted(months) if month != UNKNOWN
        ],
        "totals": _plain(totals),
        "include_demo": include_demo,
    }


def _plain(row: dict) -> dict:
    """Decimals as strings with two places (JSON-safe and exact)."""
    return {key: f"{value:.2f}" if isinstance(value, Decimal) else value for key, value in row.items()}


# the fewest contracts a valuation reference is shown for: fewer would let a reader infer a single deal's price
REFERENCE_MINIMUM = 3


def valuation_reference(offer) -> dict | None:
    """What registered technology contracts of comparable offers (sharing a level-2 catalogue category) were worth:
    count, median and quartiles of the technology transaction amount (10k yuan). None when fewer than
    REFERENCE_MINIMUM contracts compare, so no single deal can be read off; demo data left out."""
    from statistics import quantiles

    codes = {code.rsplit(".", 1)[0] for code in offer.categories.filter(level=3).values_list("code", flat=True)}
    codes |= set(offer.categories.filter(level=2).values_list("code", flat=True))
    if not codes:
        return None
    from django.db.models import Q

    same_group = Q()
    for code in codes:
        same_group |= Q(deal__offer__categories__code__startswith=f"{code}.") | Q(deal__offer__categories__code=code)
    amounts = sorted(
        float(transaction if transaction is not None else amount)
        for transaction, amount in Contract.objects.filter(registration_number__isnull=False, deal__is_demo=False)
        .filter(same_group)
        .exclude(deal__offer=offer)
        .distinct()
        .values_list("transaction_amount", "amount")
    )
    if len(amounts) < REFERENCE_MINIMUM:
        return None
    low, median, high = quantiles(amounts, n=4, method="inclusive")
    return {"count": len(amounts), "p25": low, "median": median, "p75": high, "groups": sorted(codes)}
