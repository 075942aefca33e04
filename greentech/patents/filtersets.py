"""Filters of the patent search, shared by the page, the API and `greentech search patents --filter`."""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from greentech.core.widgets import AnyYesNoWidget, DateInput
from greentech.patents.models import GreenLabel, LegalStatus, Office, Patent, PatentApplicant, PatentCode, PatentType
from greentech.taxonomy import codes as codelib


def code_range(value: str) -> tuple[str, str]:
    """The [low, high) range of normalised codes starting with `value`; a clear error for a malformed prefix."""
    try:
        prefix = codelib.normalize_prefix(value)
    except ValueError as error:
        raise ValidationError(str(error)) from None
    return prefix, prefix + "\uffff"


def code_prefix_q(value: str):
    """Patents with an IPC or CPC code starting with `value` (`H01M`, `Y02E 10/50`, `Y02E10/50`, `h01m 10`).

    The prefix is canonicalised by taxonomy.codes.normalize_prefix and searched as a range on the (code, patent)
    index: code >= prefix and code < prefix + U+FFFF, which both SQLite (binary collation) and PostgreSQL (C
    collation, as the platform's databases are created) answer from the index."""
    low, high = code_range(value)
    return PatentCode.objects.filter(code__gte=low, code__lt=high).values("patent_id")


class YearFilter(django_filters.NumberFilter):
    """A whole year in a sane range (a year like 0.0 or 10**16 is a clear 400, not a database error)."""

    field_class = forms.IntegerField


class PatentFilterSet(django_filters.FilterSet):
    code = django_filters.CharFilter(
        label=_("IPC/CPC code prefix"), method="filter_code", validators=[lambda value: code_prefix_q(value)]
    )
    office = django_filters.ChoiceFilter(choices=Office.choices, label=_("office"))
    patent_type = django_filters.ChoiceFilter(choices=PatentType.choices, label=_("type"))
    legal_status = django_filters.ChoiceFilter(choices=LegalStatus.choices, label=_("legal status"))
    green = django_filters.BooleanFilter(label=_("green"), widget=AnyYesNoWidget)
    category = django_filters.CharFilter(label=_("green category"), method="filter_category")
    city = django_filters.CharFilter(label=_("city"), method="filter_city")
    applicant = django_filters.CharFilter(label=_("applicant"), method="filter_applicant")
    date_from = django_filters.DateFilter(
        field_name="publication_date", lookup_expr="gte", label=_("published from"), widget=DateInput()
    )
    date_to = django_filters.DateFilter(
        field_name="publication_date", lookup_expr="lte", label=_("published until"), widget=DateInput()
    )
    year = YearFilter(
        field_name="publication_date", lookup_expr="year", label=_("year"), min_value=1790, max_value=2200
    )

    class Meta:
        model = Patent
        fields = ["office", "patent_type", "legal_status", "green"]

    def filter_code(self, queryset, name, value):
        return queryset.filter(pk__in=code_prefix_q(value))

    def filter_category(self, queryset, name, value):
        return queryset.filter(pk__in=GreenLabel.objects.filter(group=value.strip()).values("patent_id"))

    def filter_city(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(region__code=value) if value.isdigit() else queryset.filter(region__name=value)

    def filter_applicant(self, queryset, name, value):
        """An applicant's name from its beginning (the index answers it), or its registry organization's id."""
        value = value.strip()
        if value.isdigit():
            rows = PatentApplicant.objects.filter(organization_id=int(value))
        else:
            rows = PatentApplicant.objects.filter(name__gte=value, name__lt=value + "\uffff")
        return queryset.filter(pk__in=rows.values("patent_id"))
