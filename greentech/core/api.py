"""API building blocks: every viewset is queryset + serializer + filterset, restricted and audited here."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from greentech.core import audit, services
from greentech.core.permissions import Action, hidden_fields, with_field_visibility


class PlatformModelSerializer(serializers.ModelSerializer):
    """Writes go through greentech.core.services, so the API obeys the same permission and audit rules."""

    def _split(self, validated_data):
        """Take the many-to-many values out: they are set after the row is saved."""
        many_names = {f.name for f in self.Meta.model._meta.get_fields() if f.many_to_many}
        return {name: validated_data.pop(name) for name in list(validated_data) if name in many_names}

    def create(self, validated_data):
        many = self._split(validated_data)
        instance = self.Meta.model(**validated_data)
        return self.create_instance(instance, many)

    def create_instance(self, instance, many):
        return services.create(self.context["request"].user, instance, many_to_many=many)

    def update(self, instance, validated_data):
        many = self._split(validated_data)
        return services.update(self.context["request"].user, instance, validated_data, many_to_many=many)

    def to_representation(self, instance):
        """The fields the viewer may not read (the model's Policy.hidden_fields) are given as null."""
        data = super().to_representation(instance)
        request = self.context.get("request")
        for name in hidden_fields(getattr(request, "user", None), instance):
            if name in data:
                data[name] = None
        return data


class HistorySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    date = serializers.DateTimeField()
    user = serializers.CharField(allow_null=True)
    source = serializers.CharField()
    source_display = serializers.CharField()
    type = serializers.CharField()
    type_display = serializers.CharField()
    reason = serializers.CharField()
    changes = serializers.ListField(child=serializers.DictField())


class RestrictedViewSet(viewsets.ModelViewSet):
    """Lists and reads only what `restrict(user, 'view')` allows; writes through the services."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # Token-authenticated users are only known here, after DRF authentication: attribute changes to them.
        audit.attribute_request_to(request.user, audit.Source.API)

    def get_queryset(self):
        queryset = super().get_queryset().restrict(self.request.user, Action.VIEW)
        if self.action == "list":  # field visibility in the list's query; actions re-read after changing
            queryset = with_field_visibility(queryset, self.request.user)
        return queryset

    def perform_destroy(self, instance):
        services.delete(self.request.user, instance)

    @extend_schema(responses=HistorySerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        """Who changed this record, when, from where, and what changed (visible to whoever may view it)."""
        return Response(HistorySerializer(audit.history_rows(self.get_object(), request.user), many=True).data)


class ReadOnlyRestrictedViewSet(viewsets.ReadOnlyModelViewSet):
    def get_queryset(self):
        queryset = super().get_queryset().restrict(self.request.user, Action.VIEW)
        return with_field_visibility(queryset, self.request.user) if self.action == "list" else queryset
