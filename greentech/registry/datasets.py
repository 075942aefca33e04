"""Registry datasets for `greentech import` / `greentech export`."""

from django.utils.translation import gettext_lazy as _

from greentech.core.datasets import CategoriesWidget, DatasetResource, NaturalKeyWidget, column, register
from greentech.registry.models import CreditRecord, Department, Organization, Person, Platform, PlatformMember, Region


@register("regions", _("Liaoning's administrative divisions (province, cities, counties)"))
class RegionResource(DatasetResource):
    parent = column("parent", NaturalKeyWidget(Region, ("code", "name")))

    class Meta(DatasetResource.Meta):
        model = Region
        fields = ("code", "name", "name_en", "short_name", "level", "parent")
        import_id_fields = ("code",)


@register("departments", _("Government departments named in the plan"))
class DepartmentResource(DatasetResource):
    region = column("region", NaturalKeyWidget(Region, ("code", "name")))

    class Meta(DatasetResource.Meta):
        model = Department
        fields = ("code", "short_name", "full_name", "name_en", "level", "region")
        import_id_fields = ("code",)


@register("organizations", _("Enterprises, universities, institutes, agencies, banks, evaluators, parks"))
class OrganizationResource(DatasetResource):
    region = column("region", NaturalKeyWidget(Region, ("code", "name", "short_name")))
    department = column("department", NaturalKeyWidget(Department, ("code", "short_name", "full_name")))
    green_categories = column("green_categories", CategoriesWidget())
    column_help = {
        "name": _("Registered name; the key that matches rows on re-import."),
        "region": _("Division code (210100) or name (沈阳市)."),
        "green_categories": _("Catalogue codes separated by |, e.g. 1.1.1|3.2.1"),
    }

    def before_save_instance(self, instance, row, **kwargs):
        from greentech.registry.services import check_organization_fields

        stored = (
            Organization.objects.filter(pk=instance.pk).values_list("kind", flat=True).first() if instance.pk else None
        )
        check_organization_fields(self.user, instance.kind, stored_kind=stored)
        super().before_save_instance(instance, row, **kwargs)

    class Meta(DatasetResource.Meta):
        model = Organization
        fields = (
            "name",
            "name_en",
            "kind",
            "credit_code",
            "region",
            "department",
            "industry",
            "green_categories",
            "address",
            "website",
            "description",
            "source",
            "is_demo",
        )
        import_id_fields = ("name",)


@register("people", _("Inventors, technology brokers and experts"))
class PersonResource(DatasetResource):
    organization = column("organization", NaturalKeyWidget(Organization, ("name", "credit_code")))
    green_categories = column("green_categories", CategoriesWidget())
    column_help = {"external_id": _("Your own unique key for this person; rows are matched on it.")}

    class Meta(DatasetResource.Meta):
        model = Person
        fields = (
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
        )
        import_id_fields = ("external_id",)


@register("platforms", _("Innovation platforms and alliances"))
class PlatformResource(DatasetResource):
    organization = column("organization", NaturalKeyWidget(Organization, ("name", "credit_code")))
    region = column("region", NaturalKeyWidget(Region, ("code", "name", "short_name")))
    recognized_by = column("recognized_by", NaturalKeyWidget(Department, ("code", "short_name", "full_name")))
    green_categories = column("green_categories", CategoriesWidget())

    class Meta(DatasetResource.Meta):
        model = Platform
        fields = (
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
            "is_demo",
        )
        import_id_fields = ("name",)


@register("platform-members", _("Member organizations of platforms and alliances"))
class PlatformMemberResource(DatasetResource):
    platform = column("platform", NaturalKeyWidget(Platform, ("name",)))
    organization = column("organization", NaturalKeyWidget(Organization, ("name", "credit_code")))

    class Meta(DatasetResource.Meta):
        model = PlatformMember
        fields = ("platform", "organization", "role", "joined")
        import_id_fields = ("platform", "organization")


@register("credit-records", _("Credit records on organizations"))
class CreditRecordResource(DatasetResource):
    organization = column("organization", NaturalKeyWidget(Organization, ("name", "credit_code")))
    authority = column("authority", NaturalKeyWidget(Department, ("code", "short_name", "full_name")))

    class Meta(DatasetResource.Meta):
        model = CreditRecord
        fields = (
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
            "is_demo",
        )
        import_id_fields = ("organization", "kind", "date", "reference")
