from rest_framework import serializers

from greentech.core.api import PlatformModelSerializer
from greentech.patents.models import GreenLabel, Patent, PatentTransfer


class GreenLabelSerializer(serializers.ModelSerializer):
    class Meta:
        model = GreenLabel
        fields = ["source", "scheme", "code", "name", "score", "reason", "group"]


class PatentSerializer(serializers.ModelSerializer):
    """Patents are read through the API; the applicant's members change translations with `translation`."""

    number = serializers.CharField(source="full_number", read_only=True)
    region = serializers.CharField(source="region.name", read_only=True, default=None)
    ipc = serializers.ListField(source="ipc_list", child=serializers.CharField(), read_only=True)
    cpc = serializers.ListField(source="cpc_list", child=serializers.CharField(), read_only=True)
    applicants = serializers.ListField(source="applicant_list", child=serializers.CharField(), read_only=True)
    inventors = serializers.ListField(source="inventor_list", child=serializers.CharField(), read_only=True)
    labels = GreenLabelSerializer(many=True, read_only=True)

    class Meta:
        model = Patent
        fields = [
            "id",
            "number",
            "office",
            "kind",
            "application_number",
            "patent_type",
            "language",
            "title",
            "abstract",
            "title_translation",
            "abstract_translation",
            "first_claim",
            "applicants",
            "inventors",
            "application_date",
            "publication_date",
            "grant_date",
            "ipc",
            "cpc",
            "legal_status",
            "legal_status_date",
            "family_id",
            "region",
            "green",
            "green_by",
            "green_score",
            "labels",
        ]
        read_only_fields = fields


class PatentListSerializer(PatentSerializer):
    class Meta(PatentSerializer.Meta):
        fields = [f for f in PatentSerializer.Meta.fields if f not in ("labels", "first_claim", "abstract_translation")]
        read_only_fields = fields


class TranslationSerializer(serializers.Serializer):
    title_translation = serializers.CharField(max_length=500, allow_blank=True)
    abstract_translation = serializers.CharField(allow_blank=True)


class ListInMarketSerializer(serializers.Serializer):
    organization = serializers.IntegerField(required=False, help_text="One of your applicant organizations.")


class PatentHitSerializer(serializers.Serializer):
    patent = PatentListSerializer(source="object")
    snippet = serializers.CharField()
    score = serializers.FloatField(allow_null=True)


class PatentSearchSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="Exact when total_exact; otherwise a lower bound (the count cap).")
    total_exact = serializers.BooleanField(help_text="False when more patents match than the count cap (total).")
    total_display = serializers.CharField(help_text='The total as shown: "234" or "1,000+".')
    facets_mode = serializers.ChoiceField(
        choices=["exact", "sample"],
        help_text="exact: counted over the whole result set; sample: over its first facets_basis results.",
    )
    facets_basis = serializers.IntegerField(allow_null=True)
    mode = serializers.CharField()
    sort = serializers.CharField()
    tokens = serializers.ListField(child=serializers.CharField())
    items = PatentHitSerializer(many=True)
    facets = serializers.DictField()


class PatentTransferSerializer(PlatformModelSerializer):
    patent_number = serializers.CharField(source="patent.full_number", read_only=True)

    class Meta:
        model = PatentTransfer
        fields = [
            "id",
            "patent",
            "patent_number",
            "kind",
            "assignor",
            "assignee",
            "assignor_organization",
            "assignee_organization",
            "registration_number",
            "registered_on",
            "effective_from",
            "effective_until",
            "note",
            "deal",
        ]

    def create_instance(self, instance, many):
        from greentech.patents.services import record_transfer

        return record_transfer(self.context["request"].user, instance)
