"""One FilterSet per model, shared by the portal lists and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from greentech.core.widgets import AnyYesNoWidget, DateInput
from greentech.registry.models import (
    CreditRecord,
    Department,
    Organization,
    Person,
    Platform,
    Region,
    find_region,
    within,
)


class SearchFilterSet(django_filters.FilterSet):
    """Adds `q`: a case-insensitive match on the model's `search_fields`."""

    search_fields: tuple = ("name",)
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))

    def filter_q(self, queryset, name, value):
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value.strip()})
        return queryset.filter(condition)


class RegionFilterSet(SearchFilterSet):
    search_fields = ("name", "code")
    parent = django_filters.CharFilter(field_name="parent__code", label=_("Parent code"))

    class Meta:
        model = Region
        fields = ["level", "parent"]


class DepartmentFilterSet(SearchFilterSet):
    search_fields = ("short_name", "full_name", "name_en")

    class Meta:
        model = Department
        fields = ["level"]


def filter_within_region(queryset, name, value):
    """A city code or name also matches the rows in its counties (`name` is the path to the region)."""
    region = find_region(value)
    return queryset.none() if region is None else queryset.filter(within(region, name))


class OrganizationFilterSet(SearchFilterSet):
    search_fields = ("name", "name_en", "credit_code", "industry")
    region = django_filters.CharFilter(
        method=filter_within_region, field_name="region", label=_("Region (code or name)")
    )
    category = django_filters.CharFilter(
        field_name="green_categories__code", label=_("Green category code"), distinct=True
    )
    recognized = django_filters.BooleanFilter(
        method="filter_recognized", label=_("Holds a recognition"), widget=AnyYesNoWidget
    )

    class Meta:
        model = Organization
        fields = ["kind", "region", "is_demo"]

    def filter_recognized(self, queryset, name, value):
        return queryset.filter(recognitions__isnull=not value).distinct()


class PersonFilterSet(SearchFilterSet):
    search_fields = ("name", "name_en", "expertise")

    class Meta:
        model = Person
        fields = ["organization", "is_inventor", "is_broker", "is_expert", "is_demo"]


class PlatformFilterSet(SearchFilterSet):
    search_fields = ("name", "name_en", "description")
    region = django_filters.CharFilter(
        method=filter_within_region, field_name="region", label=_("Region (code or name)")
    )

    class Meta:
        model = Platform
        fields = ["kind", "level", "organization", "region", "is_demo"]


class CreditRecordFilterSet(django_filters.FilterSet):
    active_on = django_filters.DateFilter(method="filter_active", label=_("Active on"), widget=DateInput())

    class Meta:
        model = CreditRecord
        fields = ["organization", "kind", "effect", "is_negative", "authority"]

    def filter_active(self, queryset, name, value):
        return queryset.active(value)
