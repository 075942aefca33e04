"""Patent datasets.

- `patents`: `greentech import patents FILE [--format jsonl|csv|patentsview] [--resume]` streams through
  patents.importing (constant memory, batched, resumable; schema in docs/PATENTS.md) instead of the in-memory
  path; `greentech export patents` writes the same schema, so an export re-imports unchanged.
- `patent-transfers`: transfer/licence/pledge registrations (small files) through the shared pipeline.
"""

from __future__ import annotations

from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _
from import_export import fields, widgets

from greentech.core.datasets import DatasetResource, NaturalKeyWidget, column, register
from greentech.core.i18n import lazy
from greentech.deals.models import Deal
from greentech.patents.models import Patent, PatentTransfer
from greentech.patents.records import FIELDS
from greentech.registry.models import Organization


class PatentNumberWidget(widgets.ForeignKeyWidget):
    """A patent given by its publication number, with or without kind code (CN112345678A, CN112345678)."""

    def __init__(self, **kwargs):
        super().__init__(Patent, field="number", **kwargs)

    def clean(self, value, row=None, **kwargs):
        from greentech.patents.records import parse_number

        text = force_str(value).strip() if value is not None else ""
        if not text:
            return None
        try:
            _office, number, _kind = parse_number(text)
        except ValueError:
            raise ValueError(lazy(_("%(value)s is not a publication number like CN112345678A"), value=text)) from None
        found = Patent.objects.filter(number=number).first()
        if found is None:
            raise ValueError(lazy(_("No patent %(value)s in the database (import it first)."), value=text))
        return found

    def render(self, value, obj=None, **kwargs):
        return value.full_number if value is not None else ""


class _List(fields.Field):
    def get_value(self, obj):
        return [item for item in getattr(obj, self.attribute).split(" ; ") if item]


@register("patents", _("Patents (JSONL, CSV or PatentsView tables; streamed, resumable)"))
class PatentResource(DatasetResource):
    number = fields.Field(column_name="number")
    type = fields.Field(attribute="patent_type", column_name="type")
    region = fields.Field(column_name="region")

    class Meta(DatasetResource.Meta):
        model = Patent
        import_id_fields = ("number",)
        # the import schema's columns (patents.records.FIELDS) less the credit codes, which only match applicants
        fields = tuple(name for name in FIELDS if name != "applicant_credit_codes")
        export_order = fields

    @staticmethod
    def streaming_import(path, **options):
        from greentech.patents.importing import command_import

        return command_import(path, **options)

    def dehydrate_number(self, patent):
        return patent.full_number

    def dehydrate_region(self, patent):
        return patent.region.name if patent.region_id else ""

    def dehydrate_applicants(self, patent):
        return patent.applicants.replace(" ; ", "; ")

    def dehydrate_inventors(self, patent):
        return patent.inventors.replace(" ; ", "; ")

    def dehydrate_ipc(self, patent):
        return patent.ipc.replace(" ; ", "; ")

    def dehydrate_cpc(self, patent):
        return patent.cpc.replace(" ; ", "; ")

    def get_export_queryset(self, request=None, **kwargs):
        return super().get_export_queryset().select_related("region")


@register("patent-transfers", _("Patent transfer, licence and pledge registrations"))
class PatentTransferResource(DatasetResource):
    patent = column("patent", PatentNumberWidget())
    assignor_organization = column(
        "assignor_organization", NaturalKeyWidget(Organization, lookups=("credit_code", "name"))
    )
    assignee_organization = column(
        "assignee_organization", NaturalKeyWidget(Organization, lookups=("credit_code", "name"))
    )
    deal = column("deal", NaturalKeyWidget(Deal, lookups=("reference",)))

    class Meta(DatasetResource.Meta):
        model = PatentTransfer
        import_id_fields = ("patent", "registration_number")
        fields = (
            "patent",
            "kind",
            "assignor",
            "assignee",
            "assignor_organization",
            "assignee_organization",
            "registration_number",
            "registered_on",
            "effective_from",
            "effective_until",
            "note",
            "deal",
        )
        export_order = fields
