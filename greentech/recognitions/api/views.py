from greentech.core.api import RestrictedViewSet
from greentech.recognitions.api.serializers import RecognitionSerializer
from greentech.recognitions.filtersets import RecognitionFilterSet
from greentech.recognitions.models import Recognition


class RecognitionViewSet(RestrictedViewSet):
    queryset = Recognition.objects.select_related("organization", "evaluator")
    serializer_class = RecognitionSerializer
    filterset_class = RecognitionFilterSet
