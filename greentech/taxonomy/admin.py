from django.contrib import admin

from greentech.core.admin import RestrictedAdmin
from greentech.taxonomy.models import Category, CodePattern, Scheme


@admin.register(Scheme)
class SchemeAdmin(RestrictedAdmin):
    list_display = ["slug", "name", "kind", "version", "complete"]


@admin.register(Category)
class CategoryAdmin(RestrictedAdmin):
    list_display = ["code", "name", "scheme", "level"]
    list_filter = ["scheme", "level"]
    search_fields = ["code", "name", "name_en", "description"]
    raw_id_fields = ["parent"]


@admin.register(CodePattern)
class CodePatternAdmin(RestrictedAdmin):
    list_display = ["code", "range_end", "level", "system", "scheme"]
    list_filter = ["scheme", "system", "level"]
    search_fields = ["code", "range_end", "title"]
