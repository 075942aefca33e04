from rest_framework import serializers

from greentech.classification.services import MAX_TEXT


class ClassifyRequestSerializer(serializers.Serializer):
    """One record to classify; every field but `id` is optional, but there must be a title, a text or codes."""

    id = serializers.JSONField(required=False, allow_null=True, help_text="Your identifier, echoed back.")
    title = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT)
    text = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT)
    ipc = serializers.ListField(child=serializers.CharField(max_length=40), required=False, max_length=100)
    cpc = serializers.ListField(child=serializers.CharField(max_length=40), required=False, max_length=100)


class PathSerializer(serializers.Serializer):
    level = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()


class CategoryScoreSerializer(serializers.Serializer):
    scheme = serializers.CharField()
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    score = serializers.FloatField()
    reason = serializers.CharField()
    path = PathSerializer(many=True)
    keywords = serializers.ListField(child=serializers.CharField())
    similarity = serializers.FloatField(allow_null=True)


class ClassifyResultSerializer(serializers.Serializer):
    id = serializers.JSONField(allow_null=True)
    green = serializers.BooleanField()
    score = serializers.FloatField(help_text="Probability that the record is green (1.0 when decided by code).")
    decided_by = serializers.ChoiceField(choices=["code", "text"])
    language = serializers.CharField()
    categories = CategoryScoreSerializer(many=True)
    warnings = serializers.ListField(child=serializers.CharField())
