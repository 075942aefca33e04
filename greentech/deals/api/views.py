from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from greentech.core.api import ReadOnlyRestrictedViewSet, RestrictedViewSet
from greentech.core.permissions import Action
from greentech.deals import services
from greentech.deals.api import serializers
from greentech.deals.filtersets import ContractFilterSet, DealFilterSet, MatchmakingEventFilterSet
from greentech.deals.models import Contract, Deal, EventParticipant, IncomeDistribution, MatchmakingEvent, Payment
from greentech.deals.statistics import market_statistics


class DealViewSet(RestrictedViewSet):
    """Deals you are a party to, broker or (department officers) have in your remit. Open one with POST (an
    intent on a published offer); move it with the actions; nothing is deleted (terminate instead)."""

    queryset = Deal.objects.select_related("offer", "seller", "buyer", "contract").prefetch_related(
        "events__documents", "events__actor", "payments"
    )
    serializer_class = serializers.DealSerializer
    filterset_class = DealFilterSet
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def _respond(self, deal):
        deal = self.get_queryset().get(pk=deal.pk)
        return Response(self.get_serializer(deal).data)

    def _payload(self, serializer_class, request):
        payload = serializer_class(data=request.data)
        payload.is_valid(raise_exception=True)
        return dict(payload.validated_data)

    @extend_schema(request=serializers.AdvanceSerializer)
    @action(detail=True, methods=["post"])
    def advance(self, request, pk=None):
        """Move the deal to negotiation, performance or completion (signing: `sign`; registration: `register`)."""
        data = self._payload(serializers.AdvanceSerializer, request)
        deal = self.get_object()
        services.advance(request.user, deal, data["stage"], note=data["note"], date=data["date"])
        return self._respond(deal)

    @extend_schema(request=serializers.TerminateSerializer)
    @action(detail=True, methods=["post"])
    def terminate(self, request, pk=None):
        data = self._payload(serializers.TerminateSerializer, request)
        deal = self.get_object()
        services.terminate(request.user, deal, data["reason"], date=data["date"])
        return self._respond(deal)

    @extend_schema(request=serializers.StepSerializer)
    @action(detail=True, methods=["post"])
    def steps(self, request, pk=None):
        """Record a negotiation step (meeting, proposal, due diligence, note), optionally with one document."""
        data = self._payload(serializers.StepSerializer, request)
        deal = self.get_object()
        documents = [(data["document_title"], data["document"])] if data["document"] else []
        services.record_step(request.user, deal, data["kind"], data["note"], date=data["date"], documents=documents)
        return self._respond(deal)

    @extend_schema(request=serializers.SignSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        """Record the signed technology contract: the deal moves to 签约."""
        data = self._payload(serializers.SignSerializer, request)
        deal = self.get_object()
        note = data.pop("note")
        services.sign(request.user, deal, note=note, **data)
        return self._respond(deal)

    @extend_schema(request=serializers.RegisterSerializer)
    @action(detail=True, methods=["post"])
    def register(self, request, pk=None):
        """技术合同登记 by a department officer in remit or an administrator: the deal moves to 合同登记."""
        data = self._payload(serializers.RegisterSerializer, request)
        deal = self.get_object()
        contract = getattr(deal, "contract", None)
        if contract is None:
            from django.core.exceptions import ValidationError

            raise ValidationError("The deal has no signed contract to register.")
        services.register_contract(request.user, contract, **data)
        return self._respond(deal)

    @extend_schema(request=serializers.IncomeDistributionSerializer, responses=serializers.IncomeDistributionSerializer)
    @action(detail=True, methods=["get", "put"])
    def distribution(self, request, pk=None):
        """The seller's income distribution: PUT replaces it as a whole; the inventors' share of a service invention
        of a university or institute must be at least 70% of the net income."""
        deal = self.get_object()
        if request.method == "PUT":
            payload = serializers.IncomeDistributionSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            data = dict(payload.validated_data)
            shares = [dict(line) for line in data.pop("shares")]
            services.set_distribution(request.user, deal, shares=shares, **data)
        distribution = get_object_or_404(IncomeDistribution.objects.restrict(request.user, Action.VIEW), deal=deal)
        return Response(serializers.IncomeDistributionSerializer(distribution).data)


class PaymentViewSet(RestrictedViewSet):
    """Payments and milestones of the deals you may see; `done` marks one paid or reached."""

    queryset = Payment.objects.select_related("deal")
    serializer_class = serializers.PaymentSerializer
    filterset_fields = ["deal", "kind"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        payment = self.get_object()
        services.mark_done(request.user, payment)
        return Response(self.get_serializer(payment).data)


class ContractViewSet(ReadOnlyRestrictedViewSet):
    """Technology contracts of the deals you may see (registered ones with their registration number)."""

    queryset = Contract.objects.select_related("deal")
    serializer_class = serializers.ContractSerializer
    filterset_class = ContractFilterSet


class MatchmakingEventViewSet(RestrictedViewSet):
    queryset = MatchmakingEvent.objects.prefetch_related("offers", "needs", "deals")
    serializer_class = serializers.MatchmakingEventSerializer
    filterset_class = MatchmakingEventFilterSet


class EventParticipantViewSet(RestrictedViewSet):
    queryset = EventParticipant.objects.select_related("event", "organization")
    serializer_class = serializers.EventParticipantSerializer
    filterset_fields = ["event", "organization", "role"]


class MarketStatisticsViewSet(viewsets.ViewSet):
    """Offers, needs, deals and contract value by city, green category (level 1) and month (aggregates only)."""

    @extend_schema(
        parameters=[OpenApiParameter("include_demo", bool, description="Count demonstration data too")],
        responses=serializers.StatisticsSerializer,
    )
    def list(self, request):
        include_demo = request.query_params.get("include_demo", "").lower() in ("1", "true", "yes", "on")
        return Response(market_statistics(include_demo=include_demo))
