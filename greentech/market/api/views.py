from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from greentech.core import freshness
from greentech.core.api import RestrictedViewSet
from greentech.core.permissions import actor_for
from greentech.market import queries, services
from greentech.market.api import serializers
from greentech.market.api.matching import MatchesMixin
from greentech.market.filtersets import NeedFilterSet, OfferFilterSet
from greentech.market.models import Need, Offer
from greentech.registry.models import Organization
from greentech.taxonomy.models import Category

# results are ranked best first: nobody pages this deep, and a larger number would overflow the database's integers
MAX_OFFSET = 10_000

SEARCH_PARAMETERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="Words in Chinese or English"),
    OpenApiParameter("sort", OpenApiTypes.STR, description="relevance, newest, price, -price, readiness, deadline"),
    OpenApiParameter("top", OpenApiTypes.INT, description="How many results (1-100, default 20)"),
    OpenApiParameter("offset", OpenApiTypes.INT, description="Skip this many results (at most 10,000)"),
]


class ListingViewSet(MatchesMixin, RestrictedViewSet):
    """Listings go through their workflow with the actions below; nothing is deleted (withdraw instead)."""

    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    kind = "offers"

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":
            # organization and region are shown as keys (no join), categories as codes (not their long texts)
            queryset = queryset.select_related(None).prefetch_related(None)
            queryset = queryset.prefetch_related(Prefetch("categories", Category.objects.only("pk", "code")))
        return queryset

    def list(self, request, *args, **kwargs):
        """Anonymous JSON lists are the same for every visitor: cached until the market changes (core.freshness),
        after authentication and the permission checks have run as for any request."""
        if request.user.is_authenticated or request.accepted_renderer.format != "json":
            return super().list(request, *args, **kwargs)

        def render():
            response = super(ListingViewSet, self).list(request, *args, **kwargs)
            response.accepted_renderer = request.accepted_renderer
            response.accepted_media_type = request.accepted_media_type
            response.renderer_context = self.get_renderer_context()
            return response.render().content, response["Content-Type"]

        parts = ("market-api-list", self.kind, get_language(), request.get_full_path())
        content, content_type = freshness.cached("market", parts, render)
        return HttpResponse(content, content_type=content_type)

    def _act(self, request, function, **kwargs):
        listing = self.get_object()
        function(request.user, listing, **kwargs)
        return Response(self.get_serializer(listing).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """The owner sends a draft or a returned listing for review."""
        return self._act(request, services.submit)

    @extend_schema(request=serializers.ReviewSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """A department officer or administrator publishes the listing or returns it with a reason."""
        payload = serializers.ReviewSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._act(
            request, services.review, accept=payload.validated_data["accept"], note=payload.validated_data["note"]
        )

    @extend_schema(request=serializers.NoteSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        payload = serializers.NoteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._act(request, services.withdraw, reason=payload.validated_data["note"])

    @extend_schema(request=serializers.NoteSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        payload = serializers.NoteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._act(request, services.close, reason=payload.validated_data["note"])

    @extend_schema(parameters=SEARCH_PARAMETERS, responses=serializers.SearchResultSerializer)
    @action(detail=False, methods=["get"])
    def search(self, request):
        """Full-text search of published listings (Chinese and English) with the list's filters, best first,
        with highlighted snippets."""
        params = request.query_params.copy()
        try:
            top = min(max(int(params.pop("top", ["20"])[0]), 1), 100)
            offset = min(max(int(params.pop("offset", ["0"])[0]), 0), MAX_OFFSET)
        except ValueError:
            raise ValidationError({"top": ["top and offset are whole numbers"]}) from None
        params.pop("page", None)
        try:
            found = queries.find(self.kind, request.user, params, limit=top, offset=offset)
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages) from None
        return Response(serializers.SearchResultSerializer(found).data)


class OfferViewSet(ListingViewSet):
    queryset = Offer.objects.select_related("organization", "region").prefetch_related("categories")
    serializer_class = serializers.OfferSerializer
    filterset_class = OfferFilterSet
    kind = "offers"

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":  # one query for the page, not one per offer (actions re-read after changing)
            queryset = queries.with_details_visible(queryset, self.request.user)
        return queryset

    @extend_schema(request=serializers.TermsSerializer)
    @action(detail=True, methods=["post"], url_path="accept-terms")
    def accept_terms(self, request, pk=None):
        """Accept the offer's confidentiality terms on behalf of one of your organizations."""
        payload = serializers.TermsSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        organization = Organization.objects.filter(
            pk=payload.validated_data["organization"], pk__in=actor_for(request.user).organization_ids
        ).first()
        if organization is None:
            raise ValidationError({"organization": ["Not an organization you belong to."]})
        return self._act(request, services.accept_terms, organization=organization)


class NeedViewSet(ListingViewSet):
    queryset = Need.objects.select_related("organization", "region").prefetch_related("categories")
    serializer_class = serializers.NeedSerializer
    filterset_class = NeedFilterSet
    kind = "needs"
