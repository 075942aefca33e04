"""The recognitions dataset."""

from django.utils.translation import gettext_lazy as _

from greentech.core.datasets import DatasetResource, NaturalKeyWidget, column, register
from greentech.recognitions.models import Recognition
from greentech.registry.models import Department, Organization


@register("recognitions", _("Green manufacturing titles granted to organizations and products"))
class RecognitionResource(DatasetResource):
    organization = column("organization", NaturalKeyWidget(Organization, ("name", "credit_code")))
    evaluator = column("evaluator", NaturalKeyWidget(Organization, ("name", "credit_code")))
    granting_department = column(
        "granting_department", NaturalKeyWidget(Department, ("code", "short_name", "full_name"))
    )

    class Meta(DatasetResource.Meta):
        model = Recognition
        fields = (
            "kind",
            "level",
            "organization",
            "product_name",
            "product_model",
            "product_category",
            "batch",
            "year",
            "granted_on",
            "granting_authority",
            "granting_department",
            "evaluator",
            "industry",
            "highlights",
            "standard",
            "source_url",
            "is_demo",
        )
        import_id_fields = ("kind", "level", "organization", "product_name", "product_model", "batch")
