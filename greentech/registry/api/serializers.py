from rest_framework import serializers

from greentech.core.api import PlatformModelSerializer
from greentech.registry import services
from greentech.registry.models import CreditRecord, Department, Organization, Person, Platform, PlatformMember, Region


class RegionSerializer(PlatformModelSerializer):
    parent_code = serializers.CharField(source="parent.code", read_only=True, default=None)

    class Meta:
        model = Region
        fields = ["id", "code", "name", "short_name", "level", "parent", "parent_code"]


class DepartmentSerializer(PlatformModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "code", "short_name", "full_name", "name_en", "level", "region"]


class OrganizationSerializer(PlatformModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True, default=None)

    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "name_en",
            "kind",
            "credit_code",
            "region",
            "region_name",
            "department",
            "industry",
            "green_categories",
            "address",
            "website",
            "description",
            "source",
            "is_demo",
            "created",
            "updated",
        ]
        read_only_fields = ["source", "is_demo"]

    def create_instance(self, instance, many):
        """A new organization is registered: its creator becomes its member."""
        return services.register_organization(self.context["request"].user, instance, many_to_many=many)

    def update(self, instance, validated_data):
        many = self._split(validated_data)
        return services.update_organization(self.context["request"].user, instance, validated_data, many_to_many=many)


class PersonSerializer(PlatformModelSerializer):
    class Meta:
        model = Person
        fields = [
            "id",
            "external_id",
            "name",
            "name_en",
            "organization",
            "is_inventor",
            "is_broker",
            "is_expert",
            "title",
            "broker_licence_number",
            "expertise",
            "green_categories",
            "email",
            "phone",
            "is_public",
            "is_demo",
        ]
        read_only_fields = ["is_demo"]


class PlatformMemberSerializer(PlatformModelSerializer):
    class Meta:
        model = PlatformMember
        fields = ["id", "platform", "organization", "role", "joined"]


class PlatformSerializer(PlatformModelSerializer):
    member_count = serializers.IntegerField(source="memberships.count", read_only=True)

    class Meta:
        model = Platform
        fields = [
            "id",
            "name",
            "name_en",
            "kind",
            "level",
            "organization",
            "region",
            "established",
            "recognized_by",
            "green_categories",
            "description",
            "website",
            "member_count",
            "is_demo",
        ]
        read_only_fields = ["is_demo"]


class CreditRecordSerializer(PlatformModelSerializer):
    active = serializers.SerializerMethodField()

    class Meta:
        model = CreditRecord
        fields = [
            "id",
            "organization",
            "kind",
            "is_negative",
            "date",
            "authority",
            "authority_name",
            "effect",
            "expires",
            "reference",
            "description",
            "active",
            "is_demo",
        ]
        read_only_fields = ["is_demo"]

    def get_active(self, record) -> bool:
        return record.is_active()
