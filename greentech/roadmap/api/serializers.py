from rest_framework import serializers

from greentech.core.api import PlatformModelSerializer
from greentech.roadmap import services
from greentech.roadmap.models import Deliverable, Plan, ProgressReport


class PlanSerializer(PlatformModelSerializer):
    class Meta:
        model = Plan
        fields = [
            "id",
            "slug",
            "title",
            "title_en",
            "issuer",
            "document_number",
            "parent_reference",
            "start_year",
            "end_year",
        ]


class DeliverableSerializer(PlatformModelSerializer):
    plan_slug = serializers.CharField(source="plan.slug", read_only=True)
    part = serializers.IntegerField(source="task.part.number", read_only=True)
    task_number = serializers.IntegerField(source="task.number", read_only=True)
    task_title = serializers.CharField(source="task.title", read_only=True)
    lead_departments = serializers.SerializerMethodField()
    participating_departments = serializers.SlugRelatedField(many=True, read_only=True, slug_field="short_name")
    status = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField()
    indicator_value = serializers.SerializerMethodField()

    class Meta:
        model = Deliverable
        fields = [
            "id",
            "plan_slug",
            "part",
            "task_number",
            "task_title",
            "number",
            "text",
            "start_year",
            "end_year",
            "lead_departments",
            "participating_departments",
            "target_value",
            "target_unit",
            "target_comparison",
            "target_text",
            "indicator",
            "indicator_value",
            "status",
            "warnings",
        ]
        read_only_fields = fields

    def get_lead_departments(self, deliverable) -> list[str]:
        return deliverable.lead_names()

    def _status(self, deliverable):
        cache = self.context.setdefault("_status", {})
        if deliverable.pk not in cache:
            cache[deliverable.pk] = services.deliverable_status(deliverable)
        return cache[deliverable.pk]

    def get_indicator_value(self, deliverable) -> float | None:
        return deliverable.indicator_value()

    def get_status(self, deliverable) -> str:
        return self._status(deliverable).status

    def get_warnings(self, deliverable) -> list[str]:
        return self._status(deliverable).warnings


class ParticipantsSerializer(serializers.Serializer):
    departments = serializers.ListField(child=serializers.CharField(), help_text="Short names, e.g. 省财政厅")


class ProgressReportSerializer(PlatformModelSerializer):
    evidence_url = serializers.SerializerMethodField(help_text="Download address of the evidence file, if any.")

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "deliverable",
            "department",
            "period",
            "status",
            "percent",
            "value",
            "narrative",
            "links",
            "evidence_url",
            "submitted_by",
            "review",
            "review_comment",
            "reviewed_by",
            "reviewed_at",
            "created",
        ]
        read_only_fields = ["submitted_by", "review", "review_comment", "reviewed_by", "reviewed_at", "created"]

    def get_evidence_url(self, obj) -> str | None:
        from django.urls import reverse

        return reverse("roadmap:report_evidence", args=[obj.pk]) if obj.evidence else None

    def create(self, validated_data):
        user = self.context["request"].user
        return services.submit_report(
            user, validated_data.pop("deliverable"), validated_data.pop("department"), **validated_data
        )


class ReportReviewSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    comment = serializers.CharField(required=False, allow_blank=True)
