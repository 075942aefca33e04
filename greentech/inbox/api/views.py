from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from greentech.core.permissions import Action
from greentech.inbox import services
from greentech.inbox.api.serializers import MarkReadSerializer, NotificationSerializer
from greentech.inbox.models import Notification


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The signed-in user's inbox. `?unread=1` lists unread notifications only."""

    queryset = Notification.objects.all()
    serializer_class = NotificationSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = ["kind"]

    def get_queryset(self):
        queryset = super().get_queryset().restrict(self.request.user, Action.VIEW)
        if self.request.query_params.get("unread") in {"1", "true", "yes"}:
            queryset = queryset.filter(read_at__isnull=True)
        return queryset

    @extend_schema(responses=inline_serializer("UnreadCount", {"unread": serializers.IntegerField()}))
    @action(detail=False, methods=["get"])
    def unread(self, request):
        return Response({"unread": services.unread_count(request.user)})

    @extend_schema(
        request=MarkReadSerializer, responses=inline_serializer("MarkedRead", {"marked": serializers.IntegerField()})
    )
    @action(detail=False, methods=["post"], url_path="mark-read")
    def mark_read(self, request):
        """Mark the given notification ids (or all unread ones) as read."""
        payload = MarkReadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        marked = services.mark_read(request.user, payload.validated_data.get("ids"))
        return Response({"marked": marked})
