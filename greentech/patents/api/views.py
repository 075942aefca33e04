from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from greentech.core.api import ReadOnlyRestrictedViewSet, RestrictedViewSet
from greentech.patents import analytics, queries, services
from greentech.patents.api import serializers
from greentech.patents.filtersets import PatentFilterSet
from greentech.patents.models import Patent, PatentTransfer

SEARCH_PARAMETERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="Keywords in Chinese or English (title, abstract, claim)"),
    OpenApiParameter("code", OpenApiTypes.STR, description="IPC/CPC prefix: H01M, Y02E 10/50 or Y02E10/50"),
    OpenApiParameter("sort", OpenApiTypes.STR, description="relevance (default with q), newest, oldest"),
    OpenApiParameter("facets", OpenApiTypes.BOOL, description="Also count the results per facet"),
    OpenApiParameter("top", OpenApiTypes.INT, description="How many results (1-100, default 20)"),
    OpenApiParameter("offset", OpenApiTypes.INT, description="Skip this many results"),
]


class PatentViewSet(ReadOnlyRestrictedViewSet):
    """Patents (public records): list and filter, full-text search with facets, statistics; the applicant
    organization's members save translations and list a patent in the market."""

    queryset = Patent.objects.select_related("region").prefetch_related("labels")
    serializer_class = serializers.PatentSerializer
    filterset_class = PatentFilterSet

    def get_serializer_class(self):
        return serializers.PatentListSerializer if self.action == "list" else super().get_serializer_class()

    def get_queryset(self):
        queryset = super().get_queryset()
        return queryset.order_by("-publication_date", "-pk") if self.action == "list" else queryset

    @extend_schema(parameters=SEARCH_PARAMETERS, responses=serializers.PatentSearchSerializer)
    @action(detail=False, methods=["get"])
    def search(self, request):
        """Keywords, filters (as on the list), sorting, facets with counts and highlighted snippets."""
        params = request.query_params.copy()
        try:
            top = min(max(int(params.pop("top", ["20"])[0]), 1), 100)
            offset = max(int(params.pop("offset", ["0"])[0]), 0)
        except ValueError:
            raise ValidationError({"top": ["top and offset are whole numbers"]}) from None
        facets = params.pop("facets", ["0"])[0] in ("1", "true", "yes")
        params.pop("page", None)
        try:
            found = queries.find(request.user, params, limit=top, offset=offset, facets=facets)
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages) from None
        return Response(serializers.PatentSearchSerializer(found).data)

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=False, methods=["get"])
    def statistics(self, request):
        """Green patents by year, category, office, Liaoning city; top applicants."""
        return Response(analytics.green_statistics(request.user))

    @extend_schema(request=serializers.TranslationSerializer, responses=serializers.PatentSerializer)
    @action(detail=True, methods=["post"])
    def translation(self, request, pk=None):
        """Save the translated title and abstract (members of an applicant organization, administrators)."""
        payload = serializers.TranslationSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        patent = services.save_translation(
            request.user,
            self.get_object(),
            title=payload.validated_data["title_translation"],
            abstract=payload.validated_data["abstract_translation"],
        )
        return Response(serializers.PatentSerializer(patent).data)

    @extend_schema(request=serializers.ListInMarketSerializer, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"], url_path="list-in-market")
    def list_in_market(self, request, pk=None):
        """Create a draft technology offer of your applicant organization, prefilled from the patent."""
        payload = serializers.ListInMarketSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        patent = self.get_object()
        organization = None
        if payload.validated_data.get("organization"):
            organization = next(
                (
                    o
                    for o in services.owner_organizations(request.user, patent)
                    if o.pk == payload.validated_data["organization"]
                ),
                None,
            )
            if organization is None:
                raise ValidationError({"organization": ["Not an applicant organization you belong to."]})
        offer = services.list_in_market(request.user, patent, organization)
        return Response({"offer": offer.pk, "reference": offer.reference, "status": offer.status}, status=201)


class PatentTransferViewSet(RestrictedViewSet):
    """Transfer, licence and pledge registrations: everyone reads; administrators record them."""

    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    queryset = PatentTransfer.objects.select_related("patent")
    serializer_class = serializers.PatentTransferSerializer
    filterset_fields = ["patent", "kind"]
