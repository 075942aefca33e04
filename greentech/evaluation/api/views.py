from greentech.core.api import RestrictedViewSet
from greentech.evaluation.api.serializers import RecognitionSerializer
from greentech.evaluation.filtersets import RecognitionFilterSet
from greentech.evaluation.models import Recognition


class RecognitionViewSet(RestrictedViewSet):
    queryset = Recognition.objects.select_related("organization", "evaluator")
    serializer_class = RecognitionSerializer
    filterset_class = RecognitionFilterSet
