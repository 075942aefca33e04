"""REST framework settings hooks (pagination, default permission, error format).

Kept apart from greentech.core.api because DRF imports these while its own views module is loading.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, pagination, parsers, permissions, status
from rest_framework.response import Response


def in_use_message(error: ProtectedError | RestrictedError):
    """Why a record cannot be deleted: which kinds of records still refer to it, and how many."""
    counts: dict = {}
    for obj in error.protected_objects if isinstance(error, ProtectedError) else error.restricted_objects:
        name = str(obj._meta.verbose_name_plural)
        counts[name] = counts.get(name, 0) + 1
    detail = ", ".join(f"{name}: {count}" for name, count in sorted(counts.items()))
    return _("This record is still referred to and cannot be deleted (%(detail)s).") % {"detail": detail}


# no request the platform takes nests deeper than this; deeper JSON is refused before a serializer walks it
MAX_JSON_DEPTH = 32


def _too_deep(data, limit: int) -> bool:
    """Whether `data` nests lists/objects deeper than `limit` (walked without recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > limit:
                return True
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing JSON nested too deeply with a 400 (Python's decoder would raise RecursionError
    at about 1,000 levels: a 500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        message = _("The JSON is nested too deeply (at most %(depth)d levels).") % {"depth": MAX_JSON_DEPTH}
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(message) from None
        if _too_deep(data, MAX_JSON_DEPTH):
            raise exceptions.ParseError(message)
        return data


class Pagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


class RestrictedPermission(permissions.BasePermission):
    """Reading is decided row by row by `restrict()`; writing needs an account, then the services decide."""

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or bool(request.user and request.user.is_authenticated)


def exception_handler(error, context):
    if isinstance(error, DjangoValidationError):
        detail = error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
        error = exceptions.ValidationError(detail)
    elif isinstance(error, ProtectedError | RestrictedError):
        return Response({"detail": str(in_use_message(error))}, status=status.HTTP_409_CONFLICT)
    elif isinstance(error, DjangoPermissionDenied):
        error = exceptions.PermissionDenied(str(error) if error.args else None)
    elif isinstance(error, RequestDataTooBig):
        # Django's own answer is its HTML 400 page; an API client gets JSON
        message = _("The request body is too large (at most %(size)d bytes).") % {
            "size": settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        }
        return Response({"detail": str(message)}, status=status.HTTP_400_BAD_REQUEST)
    elif isinstance(error, SuspiciousOperation):
        return Response({"detail": str(_("The request was refused as malformed."))}, status=status.HTTP_400_BAD_REQUEST)
    elif isinstance(error, OverflowError):
        # a filter or id beyond what the database's integers hold (e.g. ?organization=10**40): no such row
        error = exceptions.ValidationError({"detail": [str(_("A number in the request is out of range."))]})
    from rest_framework.views import exception_handler as drf_exception_handler

    return drf_exception_handler(error, context)
