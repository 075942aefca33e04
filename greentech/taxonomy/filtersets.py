import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from greentech.taxonomy.models import Category, CodePattern, Scheme


class SchemeFilterSet(django_filters.FilterSet):
    class Meta:
        model = Scheme
        fields = ["kind", "slug"]


class CategoryFilterSet(django_filters.FilterSet):
    scheme = django_filters.CharFilter(field_name="scheme__slug", label=_("Scheme"))
    parent = django_filters.CharFilter(field_name="parent__code", label=_("Parent code"))
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))

    class Meta:
        model = Category
        fields = ["scheme", "level", "parent", "code"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(name__icontains=value)
            | Q(name_en__icontains=value)
            | Q(description__icontains=value)
            | Q(code__startswith=value)
        )


class CodePatternFilterSet(django_filters.FilterSet):
    scheme = django_filters.CharFilter(field_name="scheme__slug", label=_("Scheme"))
    code = django_filters.CharFilter(field_name="code", lookup_expr="istartswith", label=_("Code prefix"))

    class Meta:
        model = CodePattern
        fields = ["scheme", "system", "level", "code"]
