"""Forms of the registry pages: an organization as its registrant or its members write it."""

from __future__ import annotations

import unicodedata

from django import forms
from django.db.models import Q
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from greentech.core.widgets import RegionChoiceField
from greentech.registry.models import Organization, Region
from greentech.taxonomy.constants import CATALOGUE_SCHEME
from greentech.taxonomy.models import Category


class CategoryChoiceField(forms.ModelMultipleChoiceField):
    """Catalogue items by code and name in the page's language (every GIC 2019 item has an English name)."""

    def label_from_instance(self, category):
        english = translation.get_language() == "en" and category.name_en
        return f"{category.code} {category.name_en if english else category.name}"


def name_variants(name: str) -> set[str]:
    """The spellings of a name that denote the same organization: as typed, NFKC (half-width brackets and
    letters) and with full-width brackets, the form Chinese registration certificates print."""
    half = unicodedata.normalize("NFKC", name)
    return {name, half, half.replace("(", "（").replace(")", "）")}


class OrganizationForm(forms.ModelForm):
    """Register an organization or change its record. Government organizations are not self-registered: they
    represent a department and are entered by the platform's administrators."""

    SELF_REGISTERED_KINDS = [kind for kind in Organization.Kind.choices if kind[0] != Organization.Kind.GOVERNMENT]

    region = RegionChoiceField(
        label=_("region"),
        queryset=Region.objects.select_related("parent").order_by("code"),
        required=False,
        help_text=_("The city or county where the organization is registered."),
    )
    website = forms.URLField(label=_("website"), max_length=200, required=False, assume_scheme="https")
    green_categories = CategoryChoiceField(
        label=_("green categories"),
        queryset=Category.objects.none(),  # set per form: the catalogue's items and the record's own categories
        required=False,
        help_text=_("Green Industry Guidance Catalogue items the organization works in (optional)."),
    )

    class Meta:
        model = Organization
        fields = [
            "name",
            "name_en",
            "kind",
            "credit_code",
            "region",
            "address",
            "industry",
            "website",
            "green_categories",
            "description",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}
        help_texts = {
            "name": _("The full registered name, as on the business licence (e.g. 沈阳绿源环保科技有限公司)."),
            "name_en": _("The English name, if the organization uses one."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = list(self.SELF_REGISTERED_KINDS)
        if self.instance.pk and self.instance.kind == Organization.Kind.GOVERNMENT:
            kinds = list(Organization.Kind.choices)  # an administrator's entry keeps its kind
        self.fields["kind"].choices = [("", "---------"), *kinds]
        # an imported record may carry categories of other levels or schemes: they stay choosable (and chosen)
        offered = Q(scheme__slug=CATALOGUE_SCHEME, level=3)
        if self.instance.pk:
            offered |= Q(pk__in=self.instance.green_categories.values("pk"))
        self.fields["green_categories"].queryset = (
            Category.objects.filter(offered).select_related("scheme").order_by("scheme__slug", "sort_key")
        )
        self.fields["green_categories"].widget.attrs["size"] = 8
        self.fields["credit_code"].widget.attrs.update({"maxlength": 18, "autocapitalize": "characters"})
        self.fields["website"].widget.attrs["placeholder"] = "https://"
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class", "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            )

    def others(self):
        return Organization.objects.exclude(pk=self.instance.pk) if self.instance.pk else Organization.objects.all()

    def _already_registered(self, existing: Organization, message):
        return forms.ValidationError(
            format_html(
                '{} <a href="{}">{}</a>',
                message,
                existing.get_absolute_url(),
                existing.name,
            ),
            code="duplicate",
        )

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        existing = self.others().filter(name__in=name_variants(name)).first()
        if existing is not None:
            raise self._already_registered(
                existing,
                _(
                    "This organization is registered already; to act for it, ask the platform's administrators to "
                    "add you as its member:"
                ),
            )
        return name

    def clean_credit_code(self):
        code = (self.cleaned_data.get("credit_code") or "").strip().upper()
        if not code:
            return None
        existing = self.others().filter(credit_code=code).first()
        if existing is not None:
            raise self._already_registered(
                existing, _("An organization with this unified social credit code is registered already:")
            )
        return code

    def changes(self) -> dict:
        """The model field values the form sets (many-to-many fields apart)."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name != "green_categories"}
