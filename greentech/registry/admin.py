from django.contrib import admin

from greentech.core.admin import RestrictedAdmin
from greentech.registry.models import CreditRecord, Department, Organization, Person, Platform, PlatformMember, Region


@admin.register(Region)
class RegionAdmin(RestrictedAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]


@admin.register(Department)
class DepartmentAdmin(RestrictedAdmin):
    list_display = ["code", "short_name", "full_name", "level"]
    search_fields = ["short_name", "full_name", "name_en"]


@admin.register(Organization)
class OrganizationAdmin(RestrictedAdmin):
    list_display = ["name", "kind", "region", "credit_code", "is_demo"]
    list_filter = ["kind", "is_demo"]
    search_fields = ["name", "name_en", "credit_code"]
    autocomplete_fields = ["region", "department"]
    filter_horizontal = ["green_categories"]


@admin.register(Person)
class PersonAdmin(RestrictedAdmin):
    list_display = ["name", "organization", "is_inventor", "is_broker", "is_expert", "is_public", "is_demo"]
    list_filter = ["is_inventor", "is_broker", "is_expert", "is_public", "is_demo"]
    search_fields = ["name", "name_en", "broker_licence_number"]
    autocomplete_fields = ["organization", "user"]


class PlatformMemberInline(admin.TabularInline):
    model = PlatformMember
    autocomplete_fields = ["organization"]
    extra = 0


@admin.register(Platform)
class PlatformAdmin(RestrictedAdmin):
    list_display = ["name", "kind", "level", "organization", "is_demo"]
    list_filter = ["kind", "level", "is_demo"]
    search_fields = ["name", "name_en"]
    autocomplete_fields = ["organization", "region", "recognized_by"]
    inlines = [PlatformMemberInline]


@admin.register(CreditRecord)
class CreditRecordAdmin(RestrictedAdmin):
    list_display = ["organization", "kind", "effect", "date", "expires", "authority", "is_demo"]
    list_filter = ["kind", "effect", "is_negative", "is_demo"]
    search_fields = ["organization__name", "reference"]
    autocomplete_fields = ["organization", "authority"]
