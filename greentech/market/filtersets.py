"""Filters of offers and needs, shared by the market pages, the API and `greentech search`. The text query
itself (`q`) goes through the search index (market.search), not through these."""

import django_filters
from django import forms
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from greentech.market.models import Language, Mode, Need, Offer, Status
from greentech.registry.models import Region, find_region
from greentech.taxonomy.constants import CATALOGUE_SCHEME


def filter_category(queryset, name, value):
    """A catalogue code at any level (3, 3.2 or 3.2.1) matches listings in it or below it.

    A semi-join on the link table (`pk IN (…)`), not a join with DISTINCT: the database reads the few
    listings in the category by key instead of de-duplicating the whole table (see bench_market)."""
    from greentech.taxonomy.models import Category

    value = (value or "").strip()
    scheme, _sep, code = value.rpartition(":")
    categories = Category.objects.filter(scheme__slug=scheme or CATALOGUE_SCHEME).filter(
        Q(code=code) | Q(code__startswith=f"{code}.")
    )
    # the category keys as numbers (a catalogue item has at most a few hundred below it): PostgreSQL estimated the
    # nested subquery badly and switched plans between runs (10 to 190 ms at 100,000 offers)
    links = queryset.model.categories.through.objects.filter(category__in=list(categories.values_list("pk", flat=True)))
    return queryset.filter(pk__in=links.values(f"{queryset.model._meta.model_name}_id"))


def filter_region(queryset, name, value):
    """A city (code or name) also matches the listings in its counties, as `registry.within` says; the region
    and its counties are looked up first, so the listing table is filtered by key without a join."""
    region = find_region(value)
    if region is None:
        return queryset.none()
    return queryset.filter(region__in=[region.pk, *Region.objects.filter(parent=region).values_list("pk", flat=True)])


def filter_mode(queryset, name, value):
    return queryset.filter(modes__contains=value) if value else queryset


class ListingFilterSet(django_filters.FilterSet):
    category = django_filters.CharFilter(method=filter_category, label=_("Green category (e.g. 3 or 3.2.1)"))
    region = django_filters.CharFilter(method=filter_region, field_name="region", label=_("Region"))
    mode = django_filters.ChoiceFilter(choices=Mode.choices, method=filter_mode, label=_("Transaction mode"))
    language = django_filters.ChoiceFilter(choices=Language.choices, label=_("language"))
    status = django_filters.ChoiceFilter(choices=Status.choices, label=_("status"))
    organization = django_filters.NumberFilter(field_name="organization", label=_("Organization id"))


class OfferFilterSet(ListingFilterSet):
    readiness_min = django_filters.NumberFilter(
        field_name="readiness",
        lookup_expr="gte",
        label=_("Readiness at least"),
        widget=forms.NumberInput(attrs={"min": 1, "max": 9}),
    )
    readiness_max = django_filters.NumberFilter(
        field_name="readiness",
        lookup_expr="lte",
        label=_("Readiness at most"),
        widget=forms.NumberInput(attrs={"min": 1, "max": 9}),
    )
    price_min = django_filters.NumberFilter(field_name="price", lookup_expr="gte", label=_("Price from (10k yuan)"))
    price_max = django_filters.NumberFilter(field_name="price", lookup_expr="lte", label=_("Price up to (10k yuan)"))
    stage = django_filters.ChoiceFilter(choices=Offer.Stage.choices, label=_("stage"))

    class Meta:
        model = Offer
        fields = []


class NeedFilterSet(ListingFilterSet):
    budget_min = django_filters.NumberFilter(
        field_name="budget_max", lookup_expr="gte", label=_("Budget from (10k yuan)")
    )
    budget_max = django_filters.NumberFilter(
        field_name="budget_min", lookup_expr="lte", label=_("Budget up to (10k yuan)")
    )

    class Meta:
        model = Need
        fields = []


# listings without the sorted value (no price, no deadline) come last in either direction, on both databases
SORTS = {
    "relevance": None,
    "newest": (F("published_at").desc(nulls_last=True), "-pk"),
    "price": (F("price").asc(nulls_last=True), "-pk"),
    "-price": (F("price").desc(nulls_last=True), "-pk"),
    "readiness": (F("readiness").desc(nulls_last=True), "-pk"),
    "deadline": (F("deadline").asc(nulls_last=True), "-pk"),
}
