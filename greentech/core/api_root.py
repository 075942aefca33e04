"""The API's entry points: an index of the endpoints and the signed-in user's own roles."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response
from rest_framework.reverse import reverse

from greentech.core.permissions import actor_for

ENDPOINTS = [
    "region",
    "department",
    "organization",
    "person",
    "platform",
    "platformmember",
    "creditrecord",
    "scheme",
    "category",
    "codepattern",
    "recognition",
    "notification",
]


@extend_schema(responses=inline_serializer("ApiRoot", {"endpoints": serializers.DictField()}))
@api_view(["GET"])
def api_root(request, format=None):
    """辽宁省绿色技术创新服务平台 API v1: the collections below, plus /api/schema/ and /api/docs/."""
    endpoints = {name: reverse(f"{name}-list", request=request) for name in ENDPOINTS}
    endpoints["classify"] = reverse("classify", request=request)
    return Response({"endpoints": endpoints})


@extend_schema(
    responses=inline_serializer(
        "Me",
        {
            "authenticated": serializers.BooleanField(),
            "username": serializers.CharField(allow_null=True),
            "is_admin": serializers.BooleanField(),
            "roles": serializers.ListField(child=serializers.CharField()),
            "organizations": serializers.ListField(child=serializers.IntegerField()),
            "departments": serializers.ListField(child=serializers.IntegerField()),
        },
    )
)
@api_view(["GET"])
def me(request, format=None):
    """Who the API takes you for: your roles, organizations and departments."""
    actor = actor_for(request.user)
    return Response(
        {
            "authenticated": actor.is_authenticated,
            "username": request.user.get_username() if actor.is_authenticated else None,
            "is_admin": actor.is_admin,
            "roles": sorted(actor.roles),
            "organizations": sorted(actor.organization_ids),
            "departments": sorted(actor.department_ids),
        }
    )
