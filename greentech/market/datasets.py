"""Market datasets for `greentech import offers|needs FILE` / `greentech export offers|needs`.

New rows come in as drafts or submitted listings of an organization the importing user belongs to; only
administrators import other statuses (e.g. moving listings from an earlier system), so an import never
publishes past the review."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _
from import_export import widgets

from greentech.core.datasets import CategoriesWidget, DatasetResource, LazyJoin, NaturalKeyWidget, column, register
from greentech.core.i18n import lazy
from greentech.core.permissions import actor_for
from greentech.market.models import Mode, Need, Offer, Status, join_modes
from greentech.registry.models import Organization, Region


def _mode_names(code: str, label) -> set[str]:
    """The whole names a mode goes by: its code, its label in either language, and the Chinese term(s) in the
    label's parentheses (transfer (转让) → 转让; 技术服务/咨询 → 技术服务, 咨询)."""
    import re

    from greentech.core.datasets import _labels

    names = {code} | _labels(label)
    for term in re.findall(r"[（(]([^）)]+)[）)]", str(label)):
        names.add(term.strip().lower())
        names.update(part.strip().lower() for part in term.split("/"))
    return names


class ModesWidget(widgets.Widget):
    """Transaction modes as codes or labels (Chinese or English), separated by | , ; or 、."""

    def clean(self, value, row=None, **kwargs):
        text = force_str(value).strip() if value is not None else ""
        if not text:
            return ""
        chosen, unknown = [], []
        for token in [t.strip() for t in text.replace("、", "|").replace(";", "|").replace(",", "|").split("|")]:
            if not token:
                continue
            match = next((code for code, label in Mode.choices if token.lower() in _mode_names(code, label)), None)
            (chosen if match else unknown).append(match or token)
        if unknown:
            raise ValueError(
                lazy(
                    _("%(value)s is not one of: %(choices)s"),
                    value=", ".join(unknown),
                    choices=LazyJoin(
                        ", ", [lazy("%(value)s (%(label)s)", value=v, label=lb) for v, lb in Mode.choices]
                    ),
                )
            )
        return join_modes(chosen)

    def render(self, value, obj=None, **kwargs):
        return "|".join((value or "").split(",")) if value else ""


class ListingResource(DatasetResource):
    organization = column("organization", NaturalKeyWidget(Organization, ("name", "credit_code")))
    region = column("region", NaturalKeyWidget(Region, ("code", "name", "short_name")))
    categories = column("categories", CategoriesWidget())
    modes = column("modes", ModesWidget())
    column_help = {
        "reference": _("Leave empty for a new listing; the reference matches rows on re-import."),
        "organization": _("Registered name or unified social credit code of an organization you belong to."),
        "region": _("Division code (210100) or name (沈阳市)."),
        "categories": _("Catalogue codes separated by |, e.g. 1.1.1|3.2.1"),
        "modes": _("转让|独占许可|排他许可|普通许可|作价投资|合作开发|技术服务 (or the codes)"),
        "status": _("draft or submitted (administrators may import other statuses)"),
    }

    def before_import_row(self, row, **kwargs):
        # an empty reference means a new listing: let the model assign one
        if "reference" in row and not force_str(row.get("reference") or "").strip():
            row["reference"] = None
        super().before_import_row(row, **kwargs)

    def before_save_instance(self, instance, row, **kwargs):
        actor = actor_for(self.user)
        if not actor.is_admin:
            self._keep_the_review(instance)
        if instance.status == Status.PUBLISHED and instance.published_at is None:
            instance.published_at = timezone.now()
        if instance.pk is None and self.user is not None and getattr(self.user, "pk", None):
            instance.created_by = self.user
        super().before_save_instance(instance, row, **kwargs)

    def _keep_the_review(self, instance):
        """For everyone but administrators: new rows are drafts or submitted; an existing row keeps its status or
        moves as the workflow allows to draft-side statuses; a changed published row goes back to review."""
        from greentech.market.services import TRANSITIONS, needs_review

        refused = ValidationError(
            {"status": _("Only administrators import listings in this status; use draft or submitted.")}
        )
        if instance.pk is None:
            if instance.status not in (Status.DRAFT, Status.SUBMITTED):
                raise refused
            return
        stored = type(instance).objects.get(pk=instance.pk)
        if instance.status != stored.status:
            allowed = TRANSITIONS[Status(stored.status)] - {Status.PUBLISHED, Status.EXPIRED, Status.REJECTED}
            if instance.status not in allowed:
                raise refused
        elif stored.status == Status.PUBLISHED:
            changes = {
                f.attname: getattr(instance, f.attname)
                for f in instance._meta.concrete_fields
                if not f.primary_key and f.attname not in ("created", "updated")
            }
            if needs_review(stored, changes):
                instance.status = Status.SUBMITTED

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        if not instance.status:
            instance.status = Status.DRAFT


COMMON = ("reference", "title", "organization", "language", "categories", "region", "modes")
CONTACT = ("contact_name", "contact_email", "contact_phone", "expires_on", "status", "is_demo")


@register("offers", _("Green technology offers (成果): what organizations can transfer or license"))
class OfferResource(ListingResource):
    class Meta(DatasetResource.Meta):
        model = Offer
        fields = (
            *COMMON,
            "summary",
            "description",
            "codes",
            "patent_numbers",
            "readiness",
            "stage",
            "negotiable",
            "price",
            "application_fields",
            "energy_saved_tce",
            "co2_reduced_t",
            "other_benefits",
            "disclosure",
            "confidentiality_terms",
            *CONTACT,
        )
        import_id_fields = ("reference",)


@register("needs", _("Green technology needs (需求): problems organizations want solved"))
class NeedResource(ListingResource):
    class Meta(DatasetResource.Meta):
        model = Need
        fields = (
            *COMMON,
            "problem",
            "constraints",
            "budget_min",
            "budget_max",
            "deadline",
            "min_readiness",
            "contact_name",
            "contact_email",
            "contact_phone",
            "status",
            "is_demo",
        )
        import_id_fields = ("reference",)
