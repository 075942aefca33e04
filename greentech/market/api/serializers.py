from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from greentech.core.api import PlatformModelSerializer
from greentech.core.permissions import hidden_fields
from greentech.market import services
from greentech.market.models import Mode, Need, Offer, Status, join_modes, split_modes
from greentech.taxonomy.constants import CATALOGUE_SCHEME
from greentech.taxonomy.models import Category


class ModesField(serializers.ListField):
    """Transaction modes as a list of codes (stored comma-separated)."""

    child = serializers.ChoiceField(choices=Mode.choices)

    def to_representation(self, value):
        return split_modes(value)

    def to_internal_value(self, data):
        return join_modes(super().to_internal_value(data))


class CategoryCodeField(serializers.SlugRelatedField):
    """A green catalogue category by its code (1.1.1)."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=Category.objects.filter(scheme__slug=CATALOGUE_SCHEME), **kwargs)


class ListingSerializer(PlatformModelSerializer):
    modes = ModesField(required=False)
    categories = CategoryCodeField(many=True, required=False)
    status_display = serializers.SerializerMethodField()

    read_only = ["reference", "status", "review_note", "reviewed_at", "published_at", "created", "updated"]

    @extend_schema_field(serializers.CharField())
    def get_status_display(self, obj) -> str:
        # the label straight from the choices: Model.get_status_display() hashes every lazy label on each call,
        # a tenth of a 50-offer list page's time
        return str(Status(obj.status).label) if obj.status in Status.values else obj.status

    def create(self, validated_data):
        many = self._split(validated_data)
        listing = self.Meta.model(**validated_data)
        return services.create_listing(self.context["request"].user, listing, **many)

    def update(self, instance, validated_data):
        many = self._split(validated_data)
        return services.save_listing(self.context["request"].user, instance, validated_data, **many)


class OfferSerializer(ListingSerializer):
    details_visible = serializers.SerializerMethodField()

    class Meta:
        model = Offer
        fields = [
            "id",
            "reference",
            "title",
            "organization",
            "language",
            "summary",
            "description",
            "categories",
            "codes",
            "patent_numbers",
            "readiness",
            "stage",
            "modes",
            "negotiable",
            "price",
            "region",
            "application_fields",
            "energy_saved_tce",
            "co2_reduced_t",
            "other_benefits",
            "disclosure",
            "confidentiality_terms",
            "contact_name",
            "contact_email",
            "contact_phone",
            "expires_on",
            "status",
            "status_display",
            "review_note",
            "reviewed_at",
            "published_at",
            "details_visible",
            "is_demo",
            "created",
            "updated",
        ]
        read_only_fields = ListingSerializer.read_only + ["is_demo"]

    @extend_schema_field(serializers.BooleanField())
    def get_details_visible(self, obj) -> bool:
        """Whether the details (description, contact) are shown: the policy's field visibility, which also blanks
        them in this representation (PlatformModelSerializer.to_representation), in history and in exports."""
        request = self.context.get("request")
        return not hidden_fields(getattr(request, "user", None), obj)


class NeedSerializer(ListingSerializer):
    class Meta:
        model = Need
        fields = [
            "id",
            "reference",
            "title",
            "organization",
            "language",
            "problem",
            "constraints",
            "categories",
            "modes",
            "budget_min",
            "budget_max",
            "deadline",
            "min_readiness",
            "region",
            "contact_name",
            "contact_email",
            "contact_phone",
            "status",
            "status_display",
            "review_note",
            "reviewed_at",
            "published_at",
            "is_demo",
            "created",
            "updated",
        ]
        read_only_fields = ListingSerializer.read_only + ["is_demo"]


class ReviewSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class TermsSerializer(serializers.Serializer):
    organization = serializers.IntegerField(help_text="Id of your organization that accepts the terms.")


class SearchHitSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="object.pk")
    reference = serializers.CharField(source="object.reference")
    title = serializers.CharField(source="object.title")
    organization = serializers.CharField(source="object.organization.name")
    region = serializers.CharField(source="object.region.name", default=None)
    url = serializers.CharField(source="object.get_absolute_url")
    snippet = serializers.CharField()
    score = serializers.FloatField(allow_null=True)


class SearchResultSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="matches; a lower bound when total_exact is false")
    total_exact = serializers.BooleanField(
        help_text="false: counting stopped at 1,000 (core.search.COUNT_CAP) or at the sort window"
    )
    mode = serializers.CharField(help_text="'all': every query word matched; 'any': no listing had them all")
    tokens = serializers.ListField(child=serializers.CharField())
    sort = serializers.CharField()
    results = SearchHitSerializer(many=True, source="items")
