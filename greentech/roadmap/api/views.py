from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from greentech.core.api import ReadOnlyRestrictedViewSet, RestrictedViewSet
from greentech.registry.models import Department
from greentech.roadmap import services
from greentech.roadmap.api import serializers
from greentech.roadmap.models import Deliverable, Plan, ProgressReport


class PlanViewSet(ReadOnlyRestrictedViewSet):
    queryset = Plan.objects.all()
    serializer_class = serializers.PlanSerializer
    lookup_field = "slug"


class DeliverableViewSet(ReadOnlyRestrictedViewSet):
    """The plan's deliverables with their computed status and warnings."""

    queryset = Deliverable.objects.select_related("plan", "task", "task__part").prefetch_related(
        "reports", "leads__department", "participating_departments"
    )
    serializer_class = serializers.DeliverableSerializer
    filterset_fields = {
        "plan__slug": ["exact"],
        "start_year": ["exact", "lte"],
        "end_year": ["exact", "gte", "lte"],
        "leads__department__short_name": ["exact"],
    }

    @extend_schema(request=serializers.ParticipantsSerializer, responses=serializers.DeliverableSerializer)
    @action(detail=True, methods=["post"])
    def participants(self, request, pk=None):
        """The lead departments set the participating departments (参加部门由牵头部门确定)."""
        deliverable = self.get_object()
        payload = serializers.ParticipantsSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        names = payload.validated_data["departments"]
        departments = list(Department.objects.filter(short_name__in=names))
        unknown = sorted(set(names) - {d.short_name for d in departments})
        if unknown:
            return Response({"departments": [f"Unknown departments: {', '.join(unknown)}"]}, status=400)
        services.set_participating_departments(request.user, deliverable, departments)
        return Response(serializers.DeliverableSerializer(deliverable, context={"request": request}).data)


class ProgressReportViewSet(RestrictedViewSet):
    queryset = ProgressReport.objects.select_related("deliverable", "department")
    serializer_class = serializers.ProgressReportSerializer
    filterset_fields = ["deliverable", "department", "status", "review"]

    @extend_schema(request=serializers.ReportReviewSerializer, responses=serializers.ProgressReportSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """An administrator accepts or returns the report, with a comment."""
        report = self.get_object()
        payload = serializers.ReportReviewSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.review_report(
            request.user,
            report,
            accept=payload.validated_data["accept"],
            comment=payload.validated_data.get("comment", ""),
        )
        return Response(serializers.ProgressReportSerializer(report, context={"request": request}).data)
