from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiExample, PolymorphicProxySerializer, extend_schema
from rest_framework import permissions, status
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from greentech.classification import services
from greentech.classification.api.serializers import ClassifyRequestSerializer, ClassifyResultSerializer
from greentech.core.permissions import Action
from greentech.taxonomy.models import Scheme

MAX_BATCH = 1000


def _one_or_many(name: str, serializer):
    """OpenAPI: one object, or a list of them."""
    return PolymorphicProxySerializer(
        component_name=name,
        serializers=[
            serializer,
            PolymorphicProxySerializer(
                component_name=f"{name}List", serializers=[serializer], resource_type_field_name=None, many=True
            ),
        ],
        resource_type_field_name=None,
        many=False,
    )


class ClassifyThrottle(AnonRateThrottle):
    """Visitors without an account share the CPU politely."""

    scope = "classify_anonymous"
    rate = "60/min"


class ClassifyView(APIView):
    """Classify one record or a list of up to 1,000 into the green taxonomies (codes first, then text)."""

    permission_classes = [permissions.AllowAny]
    throttle_classes = [ClassifyThrottle]

    @extend_schema(
        request=_one_or_many("ClassifyPayload", ClassifyRequestSerializer),
        responses={200: _one_or_many("ClassifyAnswer", ClassifyResultSerializer)},
        description="Send one object or a list of up to 1,000 objects; the answer has the same shape. "
        "A record needs a title, a text or IPC/CPC codes; unknown fields are refused.",
        examples=[
            OpenApiExample("Chinese title", value={"id": 1, "title": "一种光伏组件回收方法"}, request_only=True),
            OpenApiExample(
                "Codes and an English text",
                value=[
                    {"id": "a", "text": "Flue gas denitration by selective catalytic reduction", "ipc": ["B01D 53/86"]}
                ],
                request_only=True,
            ),
        ],
    )
    def post(self, request):
        # the taxonomy is reference data everyone may view; asking keeps this endpoint on the one mechanism
        if not Scheme.objects.restrict(request.user, Action.VIEW).filter(slug=services.CATALOGUE).exists():
            raise PermissionDenied
        single = isinstance(request.data, dict)
        items = [request.data] if single else request.data
        if not isinstance(items, list) or not items:
            return Response({"detail": "Send a JSON object or a non-empty list of objects."}, status=400)
        if len(items) > MAX_BATCH:
            return Response({"detail": f"At most {MAX_BATCH} records per request; got {len(items)}."}, status=400)
        errors, records = [], []
        allowed = set(ClassifyRequestSerializer().fields)
        for index, item in enumerate(items):
            unknown = sorted(set(item) - allowed) if isinstance(item, dict) else []
            if unknown:
                errors.append(
                    {"index": index, "errors": {"non_field_errors": [f"unknown field(s): {', '.join(unknown)}"]}}
                )
                continue
            payload = ClassifyRequestSerializer(data=item)
            if not payload.is_valid():
                errors.append({"index": index, "errors": payload.errors})
                continue
            try:
                records.append(services.Record.from_dict(dict(payload.validated_data)))
            except services.InputError as error:
                errors.append({"index": index, "errors": {"non_field_errors": [str(error)]}})
        if errors:
            return Response({"detail": "Some records cannot be classified.", "records": errors}, status=400)
        results = [result.as_dict() for result in services.get_classifier().classify(records)]
        return Response(results[0] if single else results, status=status.HTTP_200_OK)
