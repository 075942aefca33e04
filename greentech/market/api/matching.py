"""The matching API: `GET /needs/{id}/matches/`, `GET /offers/{id}/matches/` (an action of the listing viewsets),
`POST /match/` (a need described in words) and `/match-feedback/` (useful or not, kept with its history)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from greentech.core import audit
from greentech.core.permissions import Action
from greentech.market import matching
from greentech.market.models import MatchFeedback, Need, Offer


def _errors(error: DjangoValidationError):
    return error.message_dict if hasattr(error, "error_dict") else error.messages


class SharedCategorySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()


class MatchPartsSerializer(serializers.Serializer):
    lexical = serializers.FloatField()
    category = serializers.FloatField()
    readiness = serializers.FloatField()
    region = serializers.FloatField()


class SuggestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="offer or need")
    reference = serializers.CharField()
    title = serializers.CharField()
    organization = serializers.CharField()
    url = serializers.CharField()
    score = serializers.FloatField(help_text="the combined score (docs/MATCHING.md)")
    similarity = serializers.FloatField(help_text="cosine similarity of the multilingual sentence vectors")
    parts = MatchPartsSerializer()
    shared_categories = SharedCategorySerializer(many=True)
    shared_terms = serializers.ListField(child=serializers.CharField())


TOP_PARAMETER = OpenApiParameter("top", OpenApiTypes.INT, description="How many (1-100, default 10)")


def _top(value, default: int = 10) -> int:
    try:
        top = int(value if value not in (None, "") else default)
    except (TypeError, ValueError):
        raise ValidationError({"top": ["top is a whole number from 1 to 100 / top 须为 1 到 100 的整数"]}) from None
    if not 1 <= top <= 100:
        raise ValidationError({"top": ["top is a whole number from 1 to 100 / top 须为 1 到 100 的整数"]})
    return top


class MatchesMixin:
    """`GET …/{id}/matches/` on the offer and need viewsets."""

    @extend_schema(parameters=[TOP_PARAMETER], responses=SuggestionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def matches(self, request, pk=None):
        """For a need, the published offers that best match it (for an offer, the needs), best first, with the
        reasons: shared catalogue items, shared key terms, the semantic similarity. A need's matches are shown
        to whoever may see the need; an offer's to its organization and the government roles."""
        listing = self.get_object()
        if not matching.may_see_matches(request.user, listing):
            raise PermissionDenied(
                "Only the offer's organization sees its matching needs. / 仅成果所属机构可查看匹配需求。"
            )
        top = _top(request.query_params.get("top"))
        suggestions = matching.matches_for(request.user, listing, top=top)
        return Response(SuggestionSerializer(matching.explained(suggestions), many=True).data)


class MatchRequestSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=4000, help_text="The need (or offer) in Chinese or English")
    kind = serializers.ChoiceField(choices=["offers", "needs"], default="offers", help_text="What to find")
    top = serializers.IntegerField(min_value=1, max_value=100, default=10)
    categories = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        default=list,
        help_text="Catalogue codes, e.g. 1.2.1",
    )
    min_readiness = serializers.IntegerField(min_value=1, max_value=9, required=False, allow_null=True)
    readiness = serializers.IntegerField(min_value=1, max_value=9, required=False, allow_null=True)


class MatchView(APIView):
    """`POST /api/v1/match/`: the published listings best matching a text. A read (published listings are
    public, and the results go through `restrict()`), so visitors may ask too."""

    permission_classes = [AllowAny]

    @extend_schema(request=MatchRequestSerializer, responses=SuggestionSerializer(many=True))
    def post(self, request):
        payload = MatchRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            suggestions = matching.matches_for_text(
                request.user,
                data["text"],
                kind=data["kind"],
                top=data["top"],
                categories=data["categories"],
                min_readiness=data.get("min_readiness"),
                readiness=data.get("readiness"),
            )
        except DjangoValidationError as error:
            raise ValidationError(_errors(error)) from None
        return Response(SuggestionSerializer(matching.explained(suggestions), many=True).data)


class MatchFeedbackSerializer(serializers.ModelSerializer):
    need = serializers.PrimaryKeyRelatedField(queryset=Need.objects.all())
    offer = serializers.PrimaryKeyRelatedField(queryset=Offer.objects.all())

    class Meta:
        model = MatchFeedback
        fields = ["id", "need", "offer", "useful", "note", "organization", "user", "created", "updated"]
        read_only_fields = ["organization", "user", "created", "updated"]


class MatchFeedbackViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Feedback on matches: list what you may see; `POST` marks a match useful or not (again: changes your
    feedback, the history keeps every version)."""

    queryset = MatchFeedback.objects.select_related("need", "offer", "organization")
    serializer_class = MatchFeedbackSerializer
    filterset_fields = ["need", "offer", "useful"]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        audit.attribute_request_to(request.user, audit.Source.API)

    def get_queryset(self):
        return super().get_queryset().restrict(self.request.user, Action.VIEW)

    def create(self, request, *args, **kwargs):
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            feedback = matching.give_feedback(
                request.user, data["need"], data["offer"], useful=data["useful"], note=data.get("note", "")
            )
        except DjangoValidationError as error:
            raise ValidationError(_errors(error)) from None
        except DjangoPermissionDenied as denied:
            raise PermissionDenied(str(denied)) from None
        return Response(self.get_serializer(feedback).data, status=201)
