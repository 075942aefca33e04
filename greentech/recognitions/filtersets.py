import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from greentech.recognitions.models import Recognition
from greentech.registry.filtersets import filter_within_region


class RecognitionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    city = django_filters.CharFilter(method="filter_city", label=_("City (code or name)"))

    class Meta:
        model = Recognition
        fields = ["kind", "level", "batch", "year", "organization", "evaluator", "is_demo"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(organization__name__icontains=value) | Q(product_name__icontains=value) | Q(industry__icontains=value)
        )

    def filter_city(self, queryset, name, value):
        return filter_within_region(queryset, "organization__region", value)
