from greentech.core.api import RestrictedViewSet
from greentech.registry import filtersets
from greentech.registry.api import serializers
from greentech.registry.models import CreditRecord, Department, Organization, Person, Platform, PlatformMember, Region


class RegionViewSet(RestrictedViewSet):
    queryset = Region.objects.select_related("parent")
    serializer_class = serializers.RegionSerializer
    filterset_class = filtersets.RegionFilterSet


class DepartmentViewSet(RestrictedViewSet):
    queryset = Department.objects.all()
    serializer_class = serializers.DepartmentSerializer
    filterset_class = filtersets.DepartmentFilterSet


class OrganizationViewSet(RestrictedViewSet):
    queryset = Organization.objects.select_related("region").prefetch_related("green_categories")
    serializer_class = serializers.OrganizationSerializer
    filterset_class = filtersets.OrganizationFilterSet


class PersonViewSet(RestrictedViewSet):
    queryset = Person.objects.prefetch_related("green_categories")
    serializer_class = serializers.PersonSerializer
    filterset_class = filtersets.PersonFilterSet


class PlatformViewSet(RestrictedViewSet):
    queryset = Platform.objects.prefetch_related("green_categories")
    serializer_class = serializers.PlatformSerializer
    filterset_class = filtersets.PlatformFilterSet


class PlatformMemberViewSet(RestrictedViewSet):
    queryset = PlatformMember.objects.all()
    serializer_class = serializers.PlatformMemberSerializer
    filterset_fields = ["platform", "organization", "role"]


class CreditRecordViewSet(RestrictedViewSet):
    queryset = CreditRecord.objects.all()
    serializer_class = serializers.CreditRecordSerializer
    filterset_class = filtersets.CreditRecordFilterSet
