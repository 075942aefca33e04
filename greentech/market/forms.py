"""Forms of the market pages: an offer or a need as its organization writes it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from greentech.core.widgets import DateInput, label_regions
from greentech.market.models import Mode, Need, Offer, join_modes, split_modes
from greentech.taxonomy.constants import CATALOGUE_SCHEME
from greentech.taxonomy.models import Category


class ListingForm(forms.ModelForm):
    mode_choices = forms.MultipleChoiceField(
        label=_("transaction modes"), choices=Mode.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, organizations=None, suggested=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        if organizations is not None and len(organizations) == 1:
            self.fields["organization"].empty_label = None  # the user's only organization, chosen already
        self.fields["categories"].queryset = Category.objects.filter(scheme__slug=CATALOGUE_SCHEME, level=3).order_by(
            "sort_key"
        )
        self.fields["categories"].widget.attrs["size"] = 8
        label_regions(self.fields["region"])
        if self.instance.pk:
            self.fields["mode_choices"].initial = split_modes(self.instance.modes)
        self.suggested = list(suggested or [])
        if self.suggested and not self.is_bound and not (self.instance.pk and self.instance.categories.exists()):
            self.initial["categories"] = [c.pk for c in self.suggested]
        for field in self.fields.values():
            if not isinstance(field.widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
                field.widget.attrs.setdefault(
                    "class", "form-select" if isinstance(field.widget, forms.Select) else "form-control"
                )

    def clean_mode_choices(self):
        return join_modes(self.cleaned_data.get("mode_choices") or [])

    def changes(self) -> dict:
        """The model field values the form sets (many-to-many fields apart)."""
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name not in ("categories", "inventors")}
        data["modes"] = self.cleaned_data["mode_choices"]
        return data


class OfferForm(ListingForm):
    class Meta:
        model = Offer
        fields = [
            "organization",
            "title",
            "language",
            "summary",
            "description",
            "categories",
            "codes",
            "patent_numbers",
            "readiness",
            "stage",
            "negotiable",
            "price",
            "region",
            "application_fields",
            "energy_saved_tce",
            "co2_reduced_t",
            "other_benefits",
            "disclosure",
            "confidentiality_terms",
            "contact_name",
            "contact_email",
            "contact_phone",
            "expires_on",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 6}),
            "other_benefits": forms.Textarea(attrs={"rows": 2}),
            "confidentiality_terms": forms.Textarea(attrs={"rows": 3}),
            "expires_on": DateInput(),
        }


class NeedForm(ListingForm):
    class Meta:
        model = Need
        fields = [
            "organization",
            "title",
            "language",
            "problem",
            "constraints",
            "categories",
            "budget_min",
            "budget_max",
            "deadline",
            "min_readiness",
            "region",
            "contact_name",
            "contact_email",
            "contact_phone",
        ]
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 5}),
            "constraints": forms.Textarea(attrs={"rows": 3}),
            "deadline": DateInput(),
        }


class AttachmentForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200, required=False)
    file = forms.FileField(label=_("file"))
