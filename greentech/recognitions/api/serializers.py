from rest_framework import serializers

from greentech.core.api import PlatformModelSerializer
from greentech.recognitions.models import Recognition


class RecognitionSerializer(PlatformModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    evaluator_name = serializers.CharField(source="evaluator.name", read_only=True, default=None)

    class Meta:
        model = Recognition
        fields = [
            "id",
            "kind",
            "level",
            "organization",
            "organization_name",
            "product_name",
            "product_model",
            "product_category",
            "batch",
            "year",
            "granted_on",
            "granting_authority",
            "granting_department",
            "evaluator",
            "evaluator_name",
            "industry",
            "highlights",
            "standard",
            "source_url",
            "is_demo",
        ]
        read_only_fields = ["is_demo"]
