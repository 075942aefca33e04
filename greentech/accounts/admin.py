from django.contrib import admin

from greentech.accounts.models import RoleAssignment
from greentech.core.admin import RestrictedAdmin


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(RestrictedAdmin):
    list_display = ["user", "role", "organization", "department", "active"]
    list_filter = ["role", "active"]
    search_fields = ["user__username", "organization__name", "department__short_name"]
    autocomplete_fields = ["user", "organization", "department"]
