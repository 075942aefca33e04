from django.contrib import admin

from greentech.core.admin import RestrictedAdmin
from greentech.patents.models import Patent, PatentImport, PatentTransfer


@admin.register(Patent)
class PatentAdmin(RestrictedAdmin):
    list_display = ["number", "kind", "title", "office", "legal_status", "publication_date", "green", "green_by"]
    list_filter = ["office", "legal_status", "patent_type", "green", "green_by"]
    search_fields = ["number", "application_number"]  # keywords: the portal's full-text search
    raw_id_fields = ["region"]
    show_full_result_count = False  # a million rows: no COUNT(*) on every page


@admin.register(PatentTransfer)
class PatentTransferAdmin(RestrictedAdmin):
    list_display = ["patent", "kind", "assignor", "assignee", "registered_on"]
    list_filter = ["kind"]
    raw_id_fields = ["patent", "assignor_organization", "assignee_organization"]


@admin.register(PatentImport)
class PatentImportAdmin(RestrictedAdmin):
    list_display = ["path", "format", "status", "records", "committed", "created_count", "updated_count", "created"]
    list_filter = ["status", "format"]
    readonly_fields = [f.name for f in PatentImport._meta.fields]
