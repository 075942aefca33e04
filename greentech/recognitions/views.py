from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from greentech.core.views import Column, ObjectDetailView, ObjectListView
from greentech.recognitions.filtersets import RecognitionFilterSet
from greentech.recognitions.models import Recognition


class RecognitionListView(ObjectListView):
    queryset = Recognition.objects.select_related("organization", "organization__region", "evaluator")
    filterset_class = RecognitionFilterSet
    portal_filters = ("q", "kind", "level", "batch", "year", "city")
    intro = _(
        "National and provincial green manufacturing titles held by organizations and products in Liaoning "
        "(MIIT lists, batches 1–5 and 2021)."
    )
    columns = [
        Column("kind", pgettext_lazy("recognition", "title"), link=True),
        Column("organization", _("organization"), link=True),
        Column("product_label", _("product")),
        Column("organization.region", _("region")),
        Column("level", _("level")),
        Column("batch", _("batch")),
        Column("year", _("year")),
    ]


class RecognitionDetailView(ObjectDetailView):
    template_name = "recognitions/recognition_detail.html"
    queryset = Recognition.objects.select_related("organization", "evaluator", "granting_department")
