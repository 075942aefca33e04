"""Generic portal views configured by attributes (NetBox-style): every list and detail page is restricted by
the one permission mechanism and filtered by the model's FilterSet, the same one the API uses."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView

from greentech.core import audit
from greentech.core.permissions import Action, can


@dataclass(frozen=True)
class Column:
    """A list column: the attribute to show (dotted path allowed), its heading, and whether it links."""

    attribute: str
    heading: object
    link: bool = False  # link to the value when it has a page of its own, else to the row's object

    def value(self, obj):
        value = obj
        for part in self.attribute.split("."):
            if value is None:
                return ""
            display = getattr(value, f"get_{part}_display", None)
            value = display() if callable(display) else getattr(value, part, "")
            if callable(value):
                value = value()
        return "" if value is None else value


class ObjectListView(TemplateView):
    """A filtered, paginated list of what the user may view."""

    template_name = "portal/object_list.html"
    queryset = None
    filterset_class = None
    columns: list[Column] = []
    title = ""
    intro = ""
    paginate_by = 50
    # the filters shown on the page (the API takes all of the FilterSet's); None shows them all
    portal_filters: tuple | None = None

    def get_queryset(self):
        return self.queryset.all().restrict(self.request.user, Action.VIEW)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        queryset = self.get_queryset()
        filterset = self.filterset_class(self.request.GET or None, queryset=queryset) if self.filterset_class else None
        if filterset is not None and filterset.is_bound and filterset.is_valid():
            queryset = filterset.qs
        page = Paginator(queryset, self.paginate_by).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            {
                "title": self.title or self.queryset.model._meta.verbose_name_plural,
                "intro": self.intro,
                "filterset": filterset,
                "filter_fields": [
                    field
                    for field in (filterset.form if filterset is not None else [])
                    if self.portal_filters is None or field.name in self.portal_filters
                ],
                "page": page,
                "rows": [(obj, [(column, column.value(obj)) for column in self.columns]) for obj in page],
                "columns": self.columns,
                "query": query.urlencode(),
                "model_meta": self.queryset.model._meta,
            }
        )
        return context


class ObjectDetailView(TemplateView):
    """One object the user may view (404 otherwise: its existence is not disclosed)."""

    queryset = None

    def get_object(self):
        return get_object_or_404(self.queryset.all().restrict(self.request.user, Action.VIEW), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        obj = self.get_object()
        context.update(
            {
                "object": obj,
                "model_meta": obj._meta,
                "can_change": can(self.request.user, Action.CHANGE, obj),
                "has_history": hasattr(obj, "history"),
            }
        )
        return context


class ObjectHistoryView(ObjectDetailView):
    template_name = "portal/object_history.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not context["has_history"]:
            raise Http404
        context["history"] = audit.history_rows(context["object"], self.request.user)
        return context
