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


def _register_jobs():
    from django.contrib import messages
    from django.utils.translation import gettext_lazy as _

    from greentech.core import jobs
    from greentech.core.models import Job

    @admin.register(Job)
    class JobAdmin(RestrictedAdmin):
        """The job ledger (core.jobs): status and progress of every job, read-only; retry and cancel as actions."""

        list_display = ("id", "name", "status", "attempts", "max_attempts", "progress", "created", "finished", "key")
        list_filter = ("status", "name")
        search_fields = ("name", "key")
        readonly_fields = [field.name for field in Job._meta.fields]
        actions = ["retry_jobs", "cancel_jobs"]

        @admin.display(description=_("progress"))
        def progress(self, obj):
            if obj.progress_total:
                return f"{obj.progress_done}/{obj.progress_total} {obj.progress_message}".strip()
            return obj.progress_message or (obj.progress_done or "")

        def has_add_permission(self, request):
            return False

        def has_change_permission(self, request, obj=None):
            return False

        @admin.action(description=_("Retry the selected failed or cancelled jobs"))
        def retry_jobs(self, request, queryset):
            count = sum(jobs.retry(pk) for pk in queryset.values_list("pk", flat=True))
            self.message_user(request, _("%(count)d jobs queued again.") % {"count": count}, messages.SUCCESS)

        @admin.action(description=_("Cancel the selected jobs"))
        def cancel_jobs(self, request, queryset):
            count = sum(jobs.cancel(pk) is not None for pk in queryset.values_list("pk", flat=True))
            message = _("%(count)d jobs cancelled or asked to stop.") % {"count": count}
            self.message_user(request, message, messages.SUCCESS)


_register_jobs()
