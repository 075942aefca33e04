from django.contrib import admin

from greentech.accounts.forms import AdminSignInForm
from greentech.accounts.models import RoleAssignment, TermsOfUseAcceptance
from greentech.core.admin import RestrictedAdmin

# the admin's sign-in page behind the same attempt limits as the portal's (accounts.limits)
admin.site.login_form = AdminSignInForm


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(RestrictedAdmin):
    list_display = ["user", "role", "organization", "department", "active"]
    list_filter = ["role", "active"]
    search_fields = ["user__username", "organization__name", "department__short_name"]
    autocomplete_fields = ["user", "organization", "department"]


@admin.register(TermsOfUseAcceptance)
class TermsOfUseAcceptanceAdmin(RestrictedAdmin):
    """The record of consent: read only (accounts.services.accept_terms writes it)."""

    list_display = ["user", "version", "created", "address"]
    list_filter = ["version"]
    search_fields = ["user__username"]
    readonly_fields = ["user", "version", "address", "created", "updated"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
