"""The deal pages: my deals, a deal's page (its steps, contract, registration, income distribution, payments and
the actions the user may take), opening a deal from an offer, matchmaking events and the market statistics."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from greentech.core import files
from greentech.core import services as core_services
from greentech.core.permissions import Action, actor_for, require
from greentech.core.views import (
    Column,
    ObjectAction,
    ObjectActionView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
)
from greentech.deals import forms, services
from greentech.deals.filtersets import DealFilterSet, MatchmakingEventFilterSet
from greentech.deals.models import (
    PIPELINE,
    Contract,
    Deal,
    DealDocument,
    EventParticipant,
    IncomeDistribution,
    IncomeShare,
    MatchmakingEvent,
    Payment,
    Stage,
)
from greentech.deals.statistics import market_statistics
from greentech.market.models import Offer, Status
from greentech.registry.models import Department, Organization


@method_decorator(login_required, name="dispatch")
class DealListView(ObjectListView):
    queryset = Deal.objects.select_related("offer", "seller", "buyer", "broker_organization")
    filterset_class = DealFilterSet
    portal_filters = ("stage", "open")
    title = _("My deals")
    intro = _("Deals your organizations are party to or broker, and, for department officers, the deals in your remit.")
    columns = [
        Column("reference", _("reference"), link=True),
        Column("offer.title", _("offer")),
        Column("seller", _("seller")),
        Column("buyer", _("buyer")),
        Column("stage", _("stage")),
        Column("stage_changed_on", _("stage since")),
    ]


def _post(view, name: str, default: str = "") -> str:
    return view.request.POST.get(name, default)


def _record_step(view, deal, form):
    data = form.cleaned_data
    documents = [(data["document_title"], data["document"])] if data["document"] else []
    services.record_step(view.request.user, deal, data["kind"], data["note"], date=data["date"], documents=documents)


def _sign(view, deal, form):
    data = {name: form.cleaned_data[name] for name in forms.SignForm.Meta.fields}
    upload = form.cleaned_data.get("document")
    documents = [(_("signed contract"), upload)] if upload else []
    services.sign(view.request.user, deal, note=form.cleaned_data["note"], documents=documents, **data)


def _register(view, deal, form):
    contract = get_object_or_404(Contract, deal=deal)
    services.register_contract(view.request.user, contract, **form.cleaned_data)


def _distribute(view, deal, forms_):
    services.set_distribution(view.request.user, deal, shares=forms_.shares(), **forms_.form.cleaned_data)


def _payment_done(view, deal, form):
    payment = get_object_or_404(
        Payment.objects.restrict(view.request.user, Action.CHANGE), pk=_post(view, "payment") or 0, deal=deal
    )
    services.mark_done(view.request.user, payment)


def _bound(form_class, prefix: str, files: bool = False):
    def build(view, deal):
        return form_class(view.request.POST, view.request.FILES if files else None, prefix=prefix)

    return build


DEAL_ACTIONS = {
    "advance": ObjectAction(
        lambda view, deal, form: services.advance(
            view.request.user, deal, _post(view, "stage"), note=_post(view, "note")
        ),
        _("The deal moved on."),
    ),
    "terminate": ObjectAction(
        lambda view, deal, form: services.terminate(view.request.user, deal, _post(view, "reason")),
        _("The deal was terminated."),
    ),
    "step": ObjectAction(
        _record_step,
        _("The step was recorded."),
        form=_bound(forms.StepForm, "step", files=True),
        form_context="step_form",
        invalid=_("Check the step's fields."),
    ),
    "sign": ObjectAction(
        _sign,
        _("The contract was recorded: the deal is signed."),
        form=_bound(forms.SignForm, "sign", files=True),
        form_context="sign_form",
        invalid=_("Check the contract's fields."),
    ),
    "register": ObjectAction(
        _register,
        _("The contract was registered."),
        permission="deals.register_contract",
        form=_bound(forms.RegisterForm, "register"),
        form_context="register_form",
        invalid=_("Check the registration's fields."),
    ),
    "distribution": ObjectAction(
        _distribute,
        _("The income distribution was saved."),
        permission="deals.set_distribution",
        form=lambda view, deal: forms.DistributionForms(view.request.POST),
        form_context="distribution_forms",
        invalid=_("Check the distribution's fields."),
    ),
    "payment": ObjectAction(
        lambda view, deal, form: services.add_payment(view.request.user, deal, **form.cleaned_data),
        _("Added."),
        form=_bound(forms.PaymentForm, "payment"),
        form_context="payment_form",
        invalid=_("Check the payment's fields."),
    ),
    "payment_done": ObjectAction(_payment_done, _("Marked as done.")),
}


@method_decorator(login_required, name="dispatch")
class DealDetailView(ObjectActionView, ObjectDetailView):
    """A deal's page; its workflow actions (DEAL_ACTIONS) are posted to it. Which forms and buttons it shows is
    asked of the permission mechanism by the template (`{% can %}`), the same answers the actions get."""

    template_name = "deals/deal_detail.html"
    queryset = Deal.objects.select_related(
        "offer", "need", "seller", "buyer", "broker_organization", "broker", "event", "created_by"
    )
    actions = DEAL_ACTIONS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        deal = context["object"]
        user = self.request.user
        contract = Contract.objects.filter(deal=deal).first()
        distribution = IncomeDistribution.objects.restrict(user).filter(deal=deal).first()
        distribution_forms = kwargs.get("distribution_forms")
        shares_initial = (
            [{"beneficiary": s.beneficiary, "name": s.name, "amount": s.amount} for s in distribution.shares.all()]
            if distribution
            else [
                {"beneficiary": IncomeShare.Beneficiary.INVENTORS, "name": ""},
                {"beneficiary": IncomeShare.Beneficiary.INSTITUTION, "name": deal.seller.name},
                {"beneficiary": IncomeShare.Beneficiary.UNIT, "name": ""},
            ]
        )
        context.update(
            {
                "title": deal.reference,
                "pipeline": [
                    (
                        stage,
                        stage.label,
                        PIPELINE.index(stage) <= PIPELINE.index(Stage(deal.stage))
                        if deal.stage != Stage.TERMINATED
                        else False,
                    )
                    for stage in PIPELINE
                ],
                "events": deal.events.select_related("actor").prefetch_related("documents"),
                "contract": contract,
                "distribution": distribution,
                "shares": distribution.shares.all() if distribution else [],
                "payments": list(deal.payments.all()),
                "step_form": kwargs.get("step_form") or forms.StepForm(prefix="step"),
                "sign_form": kwargs.get("sign_form")
                or forms.SignForm(
                    prefix="sign", initial={"title": deal.offer.title, "contract_type": _contract_type(deal.mode)}
                ),
                "register_form": kwargs.get("register_form") or forms.RegisterForm(prefix="register"),
                "distribution_form": distribution_forms.form
                if distribution_forms
                else forms.DistributionForm(
                    prefix="distribution",
                    initial={
                        "income": distribution.income,
                        "costs": distribution.costs,
                        "broker_commission": distribution.broker_commission,
                        "cost_note": distribution.cost_note,
                        "service_invention": distribution.service_invention,
                    }
                    if distribution
                    else None,
                ),
                "share_formset": distribution_forms.formset
                if distribution_forms
                else forms.ShareFormSet(initial=shares_initial, prefix="shares"),
                "payment_form": kwargs.get("payment_form") or forms.PaymentForm(prefix="payment"),
                "rule_applies": deal.seller.kind in (Organization.Kind.UNIVERSITY, Organization.Kind.INSTITUTE),
                "next_stage": deal.next_stage,
                "next_stage_label": Stage(deal.next_stage).label if deal.next_stage else "",
            }
        )
        return context


def _contract_type(mode: str) -> str:
    return {
        "transfer": Contract.Type.TRANSFER,
        "licence_exclusive": Contract.Type.LICENCE,
        "licence_sole": Contract.Type.LICENCE,
        "licence_ordinary": Contract.Type.LICENCE,
        "co_development": Contract.Type.DEVELOPMENT,
        "service": Contract.Type.SERVICE,
    }.get(mode, "")


class OpenDealView(ObjectEditView):
    """Express interest in a published offer on behalf of one of the user's organizations (意向)."""

    template_name = "deals/deal_form.html"
    queryset = Deal.objects.all()
    form_class = forms.OpenDealForm
    success_message = _("Your interest was sent to the seller: the deal is open.")

    def is_edit(self) -> bool:
        return False

    def offer(self):
        if not hasattr(self, "_offer"):
            self._offer = get_object_or_404(
                Offer.objects.restrict(self.request.user).filter(status=Status.PUBLISHED), pk=self.kwargs["offer"]
            )
        return self._offer

    def check_add(self):
        require(
            self.request.user,
            "deals.open_deal",
            self.offer(),
            message=_("Register or join an organization first: deals are between organizations."),
        )

    def get_form_kwargs(self, instance):
        organizations = Organization.objects.filter(pk__in=actor_for(self.request.user).organization_ids)
        return {"offer": self.offer(), "organizations": organizations.order_by("name")}

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(form=form, **kwargs)
        context["offer"] = self.offer()
        return context

    def get_title(self, instance):
        return _("Express interest")

    def save(self, user, original, form):
        return services.open_deal(user, self.offer(), **form.cleaned_data)


def document_download(request, pk):
    """A deal document, for those who may see the deal."""
    return files.serve(request, DealDocument.objects.all(), pk, "file")


# --- matchmaking events ---------------------------------------------------------------------------------------


class EventListView(ObjectListView):
    queryset = MatchmakingEvent.objects.select_related("region", "organizer", "department")
    filterset_class = MatchmakingEventFilterSet
    portal_filters = ("kind", "region")
    title = _("Matchmaking events")
    intro = _(
        "Matchmaking events and roadshows (对接会/路演): who took part, what was presented, which deals came of it."
    )
    columns = [
        Column("title", _("title"), link=True),
        Column("kind", _("kind")),
        Column("date", _("date")),
        Column("region", _("region")),
        Column("organizer", _("organizing organization")),
        Column("department", _("organizing department")),
    ]


def _add_participant(view, event, form):
    services.add_participant(view.request.user, event, form.cleaned_data["organization"], form.cleaned_data["role"])


def _present(view, event, form):
    offers = list(Offer.objects.filter(pk__in=view.request.POST.getlist("offers")))
    services.present(view.request.user, event, offers=offers)


EVENT_ACTIONS = {
    "participant": ObjectAction(
        _add_participant,
        _("Added."),
        form=lambda view, event: forms.ParticipantForm(view.request.POST),
        invalid=_("Choose an organization and its role."),
    ),
    "present": ObjectAction(_present, _("Added.")),
}


class EventDetailView(ObjectActionView, ObjectDetailView):
    template_name = "deals/event_detail.html"
    queryset = MatchmakingEvent.objects.select_related("region", "organizer", "department")
    actions = EVENT_ACTIONS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        event = context["object"]
        user = self.request.user
        context.update(
            {
                "title": event.title,
                "participants": EventParticipant.objects.restrict(user)
                .filter(event=event)
                .select_related("organization"),
                "offers": event.offers.restrict(user).select_related("organization"),
                "needs": event.needs.restrict(user).select_related("organization"),
                "deals": Deal.objects.restrict(user).filter(event=event).select_related("offer", "buyer"),
                "deal_count": Deal.objects.filter(event=event).count(),
                "participant_form": forms.ParticipantForm(),
                "presentable_offers": Offer.objects.filter(status=Status.PUBLISHED).order_by("-published_at")[:200]
                if context["can_change"]
                else [],
            }
        )
        return context


class EventFormView(ObjectEditView):
    """Create a matchmaking event (for one of the user's organizations or departments) or change one."""

    template_name = "deals/event_form.html"
    queryset = MatchmakingEvent.objects.all()
    form_class = forms.EventForm

    def get_form_kwargs(self, instance):
        actor = actor_for(self.request.user)
        organizations = Organization.objects.order_by("name")
        departments = Department.objects.order_by("code")
        if not actor.is_admin:
            organizations = organizations.filter(pk__in=actor.organization_ids)
            departments = departments.filter(pk__in=actor.department_ids)
        return {"instance": instance, "organizations": organizations, "departments": departments}

    def get_title(self, instance):
        return _("Matchmaking event")

    def save(self, user, original, form):
        if original is None:
            return core_services.create(user, form.save(commit=False))
        changes = {name: form.cleaned_data[name] for name in forms.EventForm.Meta.fields}
        return core_services.update(user, original, changes)


# --- statistics -----------------------------------------------------------------------------------------------


class StatisticsView(TemplateView):
    """市场统计: offers, needs, deals and contract value by city, green category and month (aggregates, public)."""

    template_name = "deals/statistics.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        include_demo = self.request.GET.get("include_demo") in ("1", "true", "on")
        figures = market_statistics(include_demo=include_demo)
        context.update(
            {
                "title": _("Market statistics"),
                "figures": figures,
                "figures_json": json.dumps(figures, cls=DjangoJSONEncoder, ensure_ascii=False),
                "include_demo": include_demo,
                "chart_labels": {
                    "offers": str(_("Technology offers")),
                    "needs": str(_("Technology needs")),
                    "deals": str(_("Deals")),
                    "value": str(_("contract value (10k yuan)")),
                    "lang": get_language() or "",
                },
            }
        )
        return context
