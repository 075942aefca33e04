from greentech.core.api import RestrictedViewSet
from greentech.taxonomy import filtersets
from greentech.taxonomy.api import serializers
from greentech.taxonomy.models import Category, CodePattern, Scheme


class SchemeViewSet(RestrictedViewSet):
    queryset = Scheme.objects.all()
    serializer_class = serializers.SchemeSerializer
    filterset_class = filtersets.SchemeFilterSet


class CategoryViewSet(RestrictedViewSet):
    queryset = Category.objects.select_related("scheme", "parent")
    serializer_class = serializers.CategorySerializer
    filterset_class = filtersets.CategoryFilterSet


class CodePatternViewSet(RestrictedViewSet):
    queryset = CodePattern.objects.select_related("scheme")
    serializer_class = serializers.CodePatternSerializer
    filterset_class = filtersets.CodePatternFilterSet
