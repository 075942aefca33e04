from rest_framework import serializers

from greentech.core.api import PlatformModelSerializer
from greentech.taxonomy.models import Category, CodePattern, Scheme


class SchemeSerializer(PlatformModelSerializer):
    class Meta:
        model = Scheme
        fields = ["id", "slug", "name", "name_en", "kind", "version", "issuer", "document_number", "source", "complete"]


class CategorySerializer(PlatformModelSerializer):
    scheme_slug = serializers.CharField(source="scheme.slug", read_only=True)
    parent_code = serializers.CharField(source="parent.code", read_only=True, default=None)
    standard_list = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Category
        fields = [
            "id",
            "scheme",
            "scheme_slug",
            "code",
            "parent",
            "parent_code",
            "level",
            "name",
            "name_en",
            "description",
            "standards",
            "standard_list",
            "keywords",
        ]
        read_only_fields = ["level"]


class CodePatternSerializer(PlatformModelSerializer):
    class Meta:
        model = CodePattern
        fields = ["id", "scheme", "category", "system", "level", "code", "range_end", "title", "position"]
