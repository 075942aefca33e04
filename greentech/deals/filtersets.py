"""Filters shared by the deal pages and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from greentech.core.widgets import AnyYesNoWidget, DateInput
from greentech.deals.models import Contract, Deal, MatchmakingEvent, Stage


class DealFilterSet(django_filters.FilterSet):
    stage = django_filters.MultipleChoiceFilter(choices=Stage.choices, label=_("stage"))
    open = django_filters.BooleanFilter(method="filter_open", label=_("open deals only"), widget=AnyYesNoWidget)

    class Meta:
        model = Deal
        fields = ["stage", "offer", "need", "seller", "buyer", "broker_organization", "mode", "event"]

    def filter_open(self, queryset, name, value):
        closed = [Stage.COMPLETED, Stage.TERMINATED]
        return queryset.exclude(stage__in=closed) if value else queryset.filter(stage__in=closed)


class ContractFilterSet(django_filters.FilterSet):
    registered = django_filters.BooleanFilter(
        field_name="registration_number",
        lookup_expr="isnull",
        exclude=True,
        label=_("registered"),
        widget=AnyYesNoWidget,
    )
    signed_after = django_filters.DateFilter(
        field_name="signed_on", lookup_expr="gte", label=_("signed from"), widget=DateInput()
    )
    signed_before = django_filters.DateFilter(
        field_name="signed_on", lookup_expr="lte", label=_("signed until"), widget=DateInput()
    )

    class Meta:
        model = Contract
        fields = ["contract_type", "deal"]


class MatchmakingEventFilterSet(django_filters.FilterSet):
    after = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("from"), widget=DateInput())
    before = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("until"), widget=DateInput())

    class Meta:
        model = MatchmakingEvent
        fields = ["kind", "region", "organizer", "department"]
