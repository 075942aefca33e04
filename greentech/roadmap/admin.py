from django.contrib import admin

from greentech.core.admin import RestrictedAdmin
from greentech.roadmap.models import Deliverable, DeliverableLead, Plan, ProgressReport


class DeliverableLeadInline(admin.TabularInline):
    model = DeliverableLead
    extra = 0


@admin.register(Plan)
class PlanAdmin(RestrictedAdmin):
    list_display = ["slug", "title", "start_year", "end_year"]


@admin.register(Deliverable)
class DeliverableAdmin(RestrictedAdmin):
    list_display = ["number", "text", "start_year", "end_year", "plan"]
    list_filter = ["plan", "end_year"]
    search_fields = ["text"]
    filter_horizontal = ["participating_departments"]
    inlines = [DeliverableLeadInline]


@admin.register(ProgressReport)
class ProgressReportAdmin(RestrictedAdmin):
    list_display = ["deliverable", "department", "period", "status", "percent", "review"]
    list_filter = ["review", "status", "department"]
