from rest_framework import serializers

from greentech.inbox.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    """Title and body in the language of the request (Accept-Language or the portal's language cookie)."""

    is_read = serializers.BooleanField(read_only=True)
    title = serializers.CharField(read_only=True)
    body = serializers.CharField(read_only=True)
    kind_label = serializers.CharField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "kind_label", "title", "body", "link", "created", "read_at", "is_read"]
        read_only_fields = fields


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(), required=False)
