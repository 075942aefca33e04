"""The back office (Django admin) for platform administrators, wired to the one permission mechanism."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from greentech.core import audit
from greentech.core.permissions import Action, actor_for, can

admin.site.site_header = "辽宁省绿色技术创新服务平台 · 后台 / Back office"
admin.site.site_title = "Greentech back office"


class RestrictedAdmin(SimpleHistoryAdmin):
    """Lists only what restrict() allows and asks can() before each change; saves are attributed (source web)."""

    def has_module_permission(self, request):
        return actor_for(request.user).is_admin

    def has_view_permission(self, request, obj=None):
        return actor_for(request.user).is_admin and (obj is None or can(request.user, Action.VIEW, obj))

    def has_add_permission(self, request):
        return actor_for(request.user).is_admin

    def has_change_permission(self, request, obj=None):
        return actor_for(request.user).is_admin and (obj is None or can(request.user, Action.CHANGE, obj))

    def has_delete_permission(self, request, obj=None):
        return actor_for(request.user).is_admin and (obj is None or can(request.user, Action.DELETE, obj))

    def get_queryset(self, request):
        return super().get_queryset(request).restrict(request.user, Action.VIEW)

    def save_model(self, request, obj, form, change):
        with audit.acting_as(request.user, audit.Source.WEB):
            super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        with audit.acting_as(request.user, audit.Source.WEB):
            super().delete_model(request, obj)
