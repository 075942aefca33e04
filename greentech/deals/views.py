"""The deal pages: my deals, a deal's page (its steps, contract, registration, income distribution, payments and
the actions the user may take), opening a deal from an offer, matchmaking events and the market statistics."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from greentech.core import files
from greentech.core.permissions import Action, actor_for, can
from greentech.core.views import Column, ObjectDetailView, ObjectListView
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


def _errors(request, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


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


@method_decorator(login_required, name="dispatch")
class DealDetailView(ObjectDetailView):
    template_name = "deals/deal_detail.html"
    queryset = Deal.objects.select_related(
        "offer", "need", "seller", "buyer", "broker_organization", "broker", "event", "created_by"
    )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        deal = context["object"]
        user = self.request.user
        actor = actor_for(user)
        contract = Contract.objects.filter(deal=deal).first()
        distribution = IncomeDistribution.objects.restrict(user).filter(deal=deal).first()
        may_work = context["can_change"]
        is_seller = deal.seller_id in actor.organization_ids or actor.is_admin
        may_register = (
            contract is not None
            and deal.stage == Stage.SIGNED
            and actor.is_government
            and can(user, Action.CHANGE, contract)
        )
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
                "may_work": may_work,
                "may_register": may_register,
                "may_distribute": is_seller
                and deal.stage in (Stage.SIGNED, Stage.REGISTERED, Stage.PERFORMING, Stage.COMPLETED),
                "step_form": kwargs.get("step_form") or forms.StepForm(prefix="step"),
                "sign_form": kwargs.get("sign_form")
                or forms.SignForm(
                    prefix="sign", initial={"title": deal.offer.title, "contract_type": _contract_type(deal.mode)}
                ),
                "register_form": kwargs.get("register_form") or forms.RegisterForm(prefix="register"),
                "distribution_form": kwargs.get("distribution_form")
                or forms.DistributionForm(
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
                "share_formset": kwargs.get("share_formset")
                or forms.ShareFormSet(initial=shares_initial, prefix="shares"),
                "payment_form": kwargs.get("payment_form") or forms.PaymentForm(prefix="payment"),
                "rule_applies": deal.seller.kind in (Organization.Kind.UNIVERSITY, Organization.Kind.INSTITUTE),
                "next_stage": deal.next_stage,
                "next_stage_label": Stage(deal.next_stage).label if deal.next_stage else "",
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        deal = self.get_object()
        action = request.POST.get("action", "")
        extra = {}
        try:
            if action == "advance":
                services.advance(request.user, deal, request.POST.get("stage", ""), note=request.POST.get("note", ""))
                messages.success(request, _("The deal moved on."))
            elif action == "terminate":
                services.terminate(request.user, deal, request.POST.get("reason", ""))
                messages.success(request, _("The deal was terminated."))
            elif action == "step":
                form = forms.StepForm(request.POST, request.FILES, prefix="step")
                if not form.is_valid():
                    extra["step_form"] = form
                    raise ValidationError(_("Check the step's fields."))
                data = form.cleaned_data
                documents = [(data["document_title"], data["document"])] if data["document"] else []
                services.record_step(
                    request.user, deal, data["kind"], data["note"], date=data["date"], documents=documents
                )
                messages.success(request, _("The step was recorded."))
            elif action == "sign":
                form = forms.SignForm(request.POST, request.FILES, prefix="sign")
                if not form.is_valid():
                    extra["sign_form"] = form
                    raise ValidationError(_("Check the contract's fields."))
                data = {name: form.cleaned_data[name] for name in forms.SignForm.Meta.fields}
                upload = form.cleaned_data.get("document")
                documents = [(_("signed contract"), upload)] if upload else []
                services.sign(request.user, deal, note=form.cleaned_data["note"], documents=documents, **data)
                messages.success(request, _("The contract was recorded: the deal is signed."))
            elif action == "register":
                form = forms.RegisterForm(request.POST, prefix="register")
                contract = get_object_or_404(Contract, deal=deal)
                if not form.is_valid():
                    extra["register_form"] = form
                    raise ValidationError(_("Check the registration's fields."))
                services.register_contract(request.user, contract, **form.cleaned_data)
                messages.success(request, _("The contract was registered."))
            elif action == "distribution":
                form = forms.DistributionForm(request.POST, prefix="distribution")
                formset = forms.ShareFormSet(request.POST, prefix="shares")
                if not (form.is_valid() and formset.is_valid()):
                    extra.update(distribution_form=form, share_formset=formset)
                    raise ValidationError(_("Check the distribution's fields."))
                shares = [share for share in formset.cleaned_data if share]
                try:
                    services.set_distribution(request.user, deal, shares=shares, **form.cleaned_data)
                except ValidationError:
                    extra.update(distribution_form=form, share_formset=formset)
                    raise
                messages.success(request, _("The income distribution was saved."))
            elif action == "payment":
                form = forms.PaymentForm(request.POST, prefix="payment")
                if not form.is_valid():
                    extra["payment_form"] = form
                    raise ValidationError(_("Check the payment's fields."))
                services.add_payment(request.user, deal, **form.cleaned_data)
                messages.success(request, _("Added."))
            elif action == "payment_done":
                payment = get_object_or_404(
                    Payment.objects.restrict(request.user, Action.CHANGE), pk=request.POST.get("payment"), deal=deal
                )
                services.mark_done(request.user, payment)
                messages.success(request, _("Marked as done."))
            else:
                raise Http404
        except ValidationError as error:
            _errors(request, error)
            if extra:
                return self.render_to_response(self.get_context_data(**kwargs, **extra), status=400)
        except PermissionDenied as denied:
            messages.error(request, str(denied) or _("You may not do this."))
        return redirect(deal.get_absolute_url())


def _contract_type(mode: str) -> str:
    return {
        "transfer": Contract.Type.TRANSFER,
        "licence_exclusive": Contract.Type.LICENCE,
        "licence_sole": Contract.Type.LICENCE,
        "licence_ordinary": Contract.Type.LICENCE,
        "co_development": Contract.Type.DEVELOPMENT,
        "service": Contract.Type.SERVICE,
    }.get(mode, "")


@method_decorator(login_required, name="dispatch")
class OpenDealView(TemplateView):
    """Express interest in a published offer on behalf of one of the user's organizations (意向)."""

    template_name = "deals/deal_form.html"

    def offer(self):
        return get_object_or_404(
            Offer.objects.restrict(self.request.user).filter(status=Status.PUBLISHED), pk=self.kwargs["offer"]
        )

    def organizations(self):
        return Organization.objects.filter(pk__in=actor_for(self.request.user).organization_ids).order_by("name")

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        offer = self.offer()
        organizations = self.organizations()
        if not organizations.exclude(pk=offer.organization_id).exists():
            raise PermissionDenied(_("Register or join an organization first: deals are between organizations."))
        context.update(
            {
                "offer": offer,
                "form": form or forms.OpenDealForm(offer=offer, organizations=organizations),
                "title": _("Express interest"),
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        offer = self.offer()
        form = forms.OpenDealForm(request.POST, offer=offer, organizations=self.organizations())
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            deal = services.open_deal(request.user, offer, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, _("Your interest was sent to the seller: the deal is open."))
        return redirect(deal.get_absolute_url())


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


class EventDetailView(ObjectDetailView):
    template_name = "deals/event_detail.html"
    queryset = MatchmakingEvent.objects.select_related("region", "organizer", "department")

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

    def post(self, request, *args, **kwargs):
        event = self.get_object()
        action = request.POST.get("action", "")
        try:
            if action == "participant":
                form = forms.ParticipantForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(_("Choose an organization and its role."))
                services.add_participant(
                    request.user, event, form.cleaned_data["organization"], form.cleaned_data["role"]
                )
                messages.success(request, _("Added."))
            elif action == "present":
                offers = list(Offer.objects.filter(pk__in=request.POST.getlist("offers")))
                services.present(request.user, event, offers=offers)
                messages.success(request, _("Added."))
            else:
                raise Http404
        except ValidationError as error:
            _errors(request, error)
        except PermissionDenied as denied:
            messages.error(request, str(denied) or _("You may not do this."))
        return redirect(event.get_absolute_url())


@method_decorator(login_required, name="dispatch")
class EventFormView(TemplateView):
    template_name = "deals/event_form.html"

    def choices(self):
        actor = actor_for(self.request.user)
        organizations = Organization.objects.order_by("name")
        departments = Department.objects.order_by("code")
        if not actor.is_admin:
            organizations = organizations.filter(pk__in=actor.organization_ids)
            departments = departments.filter(pk__in=actor.department_ids)
        return organizations, departments

    def get_instance(self):
        if "pk" not in self.kwargs:
            return None
        return get_object_or_404(
            MatchmakingEvent.objects.restrict(self.request.user, Action.CHANGE), pk=self.kwargs["pk"]
        )

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        organizations, departments = self.choices()
        instance = self.get_instance()
        context.update(
            {
                "form": form
                or forms.EventForm(instance=instance, organizations=organizations, departments=departments),
                "object": instance,
                "title": _("Matchmaking event"),
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        from greentech.core import services as core_services

        organizations, departments = self.choices()
        original = self.get_instance()
        form = forms.EventForm(
            request.POST, instance=self.get_instance(), organizations=organizations, departments=departments
        )
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            if original is None:
                event = core_services.create(request.user, form.save(commit=False))
            else:
                changes = {name: form.cleaned_data[name] for name in forms.EventForm.Meta.fields}
                event = core_services.update(request.user, original, changes)
        except ValidationError as error:
            form.add_error(None, error)
            return self.render_to_response(self.get_context_data(form=form))
        except PermissionDenied as denied:
            form.add_error(None, str(denied))
            return self.render_to_response(self.get_context_data(form=form), status=403)
        messages.success(request, _("Saved."))
        return redirect(event.get_absolute_url())


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
