"""The patent database's pages: search with facets, a patent with its labels, transfers and licences (and, for
the applicant's members, the translation form and "list in the market"), the export of a result set and the
analytics page."""

from __future__ import annotations

import tablib
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from greentech.core.permissions import Action, can
from greentech.core.views import ObjectAction, ObjectActionView, ObjectDetailView, ObjectHistoryView
from greentech.patents import analytics, queries, services
from greentech.patents.filtersets import PatentFilterSet
from greentech.patents.models import Patent

PAGE_SIZE = 20
EXPORT_CAP = 5000  # rows in one export of a result set
FACET_TITLES = {
    "green": gettext_lazy("green"),
    "category": gettext_lazy("green category"),
    "office": gettext_lazy("office"),
    "legal_status": gettext_lazy("legal status"),
    "patent_type": gettext_lazy("type"),
    "city": gettext_lazy("city"),
    "year": gettext_lazy("year"),
}
FACET_PARAMETER = {"green": "green", "category": "category", "office": "office", "legal_status": "legal_status",
                   "patent_type": "patent_type", "city": "city", "year": "year"}  # fmt: skip


def _page(params) -> int:
    try:
        return max(1, int(params.pop("page", ["1"])[0] or 1))
    except ValueError:
        return 1


class PatentSearchView(TemplateView):
    template_name = "patents/patent_search.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        page = _page(params)
        error = None
        try:
            found = queries.find(self.request.user, params, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, facets=True)
        except ValidationError as invalid:
            found, error = queries.Found(0, []), "; ".join(invalid.messages)
        facets = []
        for name, rows in found.facets.items():
            links = []
            for row in rows:
                query = params.copy()
                value = row["value"]
                query[FACET_PARAMETER[name]] = "true" if value is True else "false" if value is False else value
                links.append(
                    {**row, "query": query.urlencode(), "active": params.get(FACET_PARAMETER[name]) == str(value)}
                )
            facets.append({"name": name, "title": FACET_TITLES[name], "rows": links})
        context.update(
            {
                "found": found,
                "error": error,
                "q": params.get("q", ""),
                "sort": found.sort,
                "facets": facets,
                "filter_fields": list(PatentFilterSet(params).form),
                "page_number": page,
                "has_next": page * PAGE_SIZE < found.total or not found.total_exact,
                "query": params.urlencode(),
                "export_cap": EXPORT_CAP,
            }
        )
        return context


EXPORT_COLUMNS = [
    ("number", _("publication number")),
    ("title", _("title")),
    ("office", _("office")),
    ("type", _("type")),
    ("applicants", _("applicants")),
    ("publication_date", _("publication date")),
    ("legal_status", _("legal status")),
    ("ipc", _("IPC codes")),
    ("cpc", _("CPC codes")),
    ("green", _("green")),
    ("city", _("city")),
]


def export(request):
    """The current result set (same parameters as the search page) as CSV or XLSX, at most EXPORT_CAP rows."""
    params = request.GET.copy()
    params.pop("page", None)
    fmt = params.pop("format", ["csv"])[0]
    if fmt not in ("csv", "xlsx"):
        raise Http404
    try:
        found = queries.find(request.user, params, limit=EXPORT_CAP)
    except ValidationError as invalid:
        return HttpResponse("; ".join(invalid.messages), status=400, content_type="text/plain; charset=utf-8")
    table = tablib.Dataset(headers=[str(label) for _name, label in EXPORT_COLUMNS], title="patents")
    for item in found.items:
        p = item.object
        table.append(
            [
                p.full_number,
                p.title,
                p.office,
                p.get_patent_type_display(),
                p.applicants.replace(" ; ", "; "),
                p.publication_date.isoformat() if p.publication_date else "",
                p.get_legal_status_display(),
                p.ipc.replace(" ; ", "; "),
                p.cpc.replace(" ; ", "; "),
                _("yes") if p.green else _("no"),
                p.region.name if p.region_id else "",
            ]
        )
    note = _("%(shown)d of %(total)s results; an export holds at most %(cap)d rows.") % {
        "shown": len(found.items),
        "total": found.total_display,
        "cap": EXPORT_CAP,
    }
    if fmt == "xlsx":
        book = tablib.Databook([table, tablib.Dataset([note], headers=[_("note")], title="note")])
        response = HttpResponse(
            book.export("xlsx"), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    else:
        response = HttpResponse(table.export("csv").encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="patents.{fmt}"'
    response["X-Export-Note"] = note.encode("ascii", "ignore").decode() or "capped"
    response["X-Export-Rows"] = str(len(found.items))
    response["X-Export-Cap"] = str(EXPORT_CAP)
    return response


def _translate(view, patent, form):
    post = view.request.POST
    services.save_translation(
        view.request.user,
        patent,
        title=post.get("title_translation", ""),
        abstract=post.get("abstract_translation", ""),
    )


def _list_in_market(view, patent, form):
    """A draft offer from the patent, for one of the user's applicant organizations (the service decides)."""
    user, chosen = view.request.user, view.request.POST.get("organization")
    organization = None
    if chosen:
        organization = next((o for o in services.owner_organizations(user, patent) if str(o.pk) == chosen), None)
        if organization is None:
            raise PermissionDenied(_("Only members of an applicant organization may list this patent in the market."))
    return services.list_in_market(user, patent, organization)


PATENT_ACTIONS = {
    "translate": ObjectAction(_translate, gettext_lazy("The translation was saved.")),
    "list_in_market": ObjectAction(
        _list_in_market,
        gettext_lazy("A draft offer was created from the patent: complete and submit it."),
        permission=None,
    ),
}


class PatentDetailView(ObjectActionView, ObjectDetailView):
    template_name = "patents/patent_detail.html"
    queryset = Patent.objects.select_related("region")
    actions = PATENT_ACTIONS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        patent = context["object"]
        user = self.request.user
        context["transfers"] = list(
            patent.transfers.all()
            .restrict(user, Action.VIEW)
            .select_related("assignor_organization", "assignee_organization", "deal")
        )
        context.update(
            {
                "labels": list(patent.labels.order_by("source", "-score")),
                "applicant_rows": list(patent.applicant_rows.select_related("organization")),
                "codes": list(patent.codes.order_by("system", "code")),
                "owner_organizations": list(services.owner_organizations(user, patent)),
                "visible_deals": _visible_deals(user, context),
                "can_translate": can(user, Action.CHANGE, patent),
            }
        )
        return context


def _visible_deals(user, context) -> set:
    """The linked deals the user may see (a deal is its parties' business; the registration itself is public)."""
    from greentech.deals.models import Deal

    ids = {t.deal_id for t in context.get("transfers", []) if t.deal_id}
    if not ids:
        return set()
    return set(Deal.objects.restrict(user, Action.VIEW).filter(pk__in=ids).values_list("pk", flat=True))


class PatentHistoryView(ObjectHistoryView):
    queryset = Patent.objects.all()


class PatentAnalyticsView(TemplateView):
    template_name = "patents/patent_analytics.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["statistics"] = analytics.green_statistics(self.request.user)
        context["chart_labels"] = {
            "year": _("Green patents by publication year"),
            "category": _("Green patents by category"),
            "office": _("Green patents by office"),
            "city": _("Green patents by Liaoning city"),
            "applicants": _("Top applicants of green patents"),
        }
        return context
