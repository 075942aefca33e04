"""Forms of the deal pages: open a deal, record a step, sign, register, distribute income, payments, events."""

from django import forms
from django.utils.translation import gettext_lazy as _

from greentech.core.widgets import DateInput, label_regions
from greentech.deals.models import Contract, DealEvent, IncomeShare, MatchmakingEvent, Payment, Stage
from greentech.market.models import Mode, Need, Status
from greentech.registry.models import Organization, Person


class BootstrapMixin:
    def style(self):
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                widget.attrs.setdefault("class", "form-check-input")
            else:
                widget.attrs.setdefault("class", "form-select" if isinstance(widget, forms.Select) else "form-control")


class OpenDealForm(BootstrapMixin, forms.Form):
    buyer = forms.ModelChoiceField(label=_("buying organization"), queryset=Organization.objects.none())
    mode = forms.ChoiceField(label=_("transaction mode"), choices=Mode.choices)
    need = forms.ModelChoiceField(label=_("need it answers"), queryset=Need.objects.none(), required=False)
    broker_organization = forms.ModelChoiceField(
        label=_("broker agency"),
        queryset=Organization.objects.filter(kind=Organization.Kind.INTERMEDIARY).order_by("name"),
        required=False,
    )
    broker = forms.ModelChoiceField(
        label=_("broker (技术经纪人)"), queryset=Person.objects.filter(is_broker=True).order_by("name"), required=False
    )
    note = forms.CharField(label=_("message to the seller"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, offer, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["buyer"].queryset = organizations.exclude(pk=offer.organization_id)
        if len(self.fields["buyer"].queryset) == 1:
            self.fields["buyer"].empty_label = None
        modes = offer.mode_list
        if modes:
            self.fields["mode"].choices = [(value, label) for value, label in Mode.choices if value in modes]
        self.fields["need"].queryset = Need.objects.filter(
            organization__in=organizations, status=Status.PUBLISHED
        ).order_by("-published_at")
        self.style()

    def clean(self):
        data = super().clean()
        need, buyer = data.get("need"), data.get("buyer")
        if need is not None and buyer is not None and need.organization_id != buyer.pk:
            self.add_error("need", _("The need must be the buyer's own."))
        return data


class StepForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("kind"), choices=[choice for choice in DealEvent.Kind.choices if choice[0] != DealEvent.Kind.STAGE]
    )
    date = forms.DateField(label=_("date"), widget=DateInput(), required=False)
    note = forms.CharField(label=_("what happened"), widget=forms.Textarea(attrs={"rows": 3}))
    document = forms.FileField(label=_("document"), required=False)
    document_title = forms.CharField(label=_("document title"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class AdvanceForm(BootstrapMixin, forms.Form):
    stage = forms.ChoiceField(
        choices=[
            (Stage.NEGOTIATION, Stage.NEGOTIATION.label),
            (Stage.PERFORMING, Stage.PERFORMING.label),
            (Stage.COMPLETED, Stage.COMPLETED.label),
        ]
    )
    date = forms.DateField(label=_("date"), widget=DateInput(), required=False)
    note = forms.CharField(label=_("note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class TerminateForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("reason for termination"), widget=forms.Textarea(attrs={"rows": 2}))


class SignForm(BootstrapMixin, forms.ModelForm):
    note = forms.CharField(label=_("note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    document = forms.FileField(label=_("signed contract (scan)"), required=False)

    class Meta:
        model = Contract
        fields = ["contract_type", "title", "signed_on", "amount", "transaction_amount"]
        widgets = {"signed_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class RegisterForm(BootstrapMixin, forms.Form):
    registration_number = forms.CharField(label=_("registration number"), max_length=40)
    registered_on = forms.DateField(label=_("registered on"), widget=DateInput(), required=False)
    transaction_amount = forms.DecimalField(
        label=_("technology transaction amount (10k yuan)"),
        min_value=0,
        max_digits=14,
        decimal_places=2,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class DistributionForm(BootstrapMixin, forms.Form):
    service_invention = forms.BooleanField(label=_("service invention (职务科技成果)"), required=False, initial=True)
    income = forms.DecimalField(label=_("income received (10k yuan)"), min_value=0, max_digits=14, decimal_places=2)
    costs = forms.DecimalField(
        label=_("documented costs (10k yuan)"), min_value=0, max_digits=14, decimal_places=2, initial=0
    )
    broker_commission = forms.DecimalField(
        label=_("broker commission (10k yuan)"), min_value=0, max_digits=14, decimal_places=2, initial=0
    )
    cost_note = forms.CharField(label=_("what the costs are"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class ShareForm(BootstrapMixin, forms.Form):
    beneficiary = forms.ChoiceField(label=_("beneficiary"), choices=IncomeShare.Beneficiary.choices)
    name = forms.CharField(label=_("name"), max_length=200)
    amount = forms.DecimalField(label=_("amount (10k yuan)"), min_value=0, max_digits=14, decimal_places=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


ShareFormSet = forms.formset_factory(ShareForm, extra=0, min_num=1, validate_min=True, max_num=30)


class DistributionForms:
    """The distribution's figures and its shares, posted and checked together (one action of the deal page)."""

    def __init__(self, data=None):
        self.form = DistributionForm(data, prefix="distribution")
        self.formset = ShareFormSet(data, prefix="shares")

    def is_valid(self) -> bool:
        return all([self.form.is_valid(), self.formset.is_valid()])  # both, so that every error is shown

    @property
    def errors(self) -> dict:
        return {**self.form.errors, **({"shares": self.formset.non_form_errors()} if self.formset.is_bound else {})}

    def shares(self) -> list[dict]:
        return [share for share in self.formset.cleaned_data if share]


class PaymentForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Payment
        fields = ["kind", "title", "due_on", "amount", "note"]
        widgets = {"due_on": DateInput(), "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class EventForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = MatchmakingEvent
        fields = ["title", "kind", "date", "venue", "online", "region", "organizer", "department", "description"]
        widgets = {"date": DateInput(), "description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, organizations, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizer"].queryset = organizations
        self.fields["department"].queryset = departments
        label_regions(self.fields["region"])
        self.style()


class ParticipantForm(BootstrapMixin, forms.Form):
    organization = forms.ModelChoiceField(label=_("organization"), queryset=Organization.objects.order_by("name"))
    role = forms.ChoiceField(label=_("role"), choices=[])

    def __init__(self, *args, **kwargs):
        from greentech.deals.models import EventParticipant

        super().__init__(*args, **kwargs)
        self.fields["role"].choices = EventParticipant.Role.choices
        self.style()
