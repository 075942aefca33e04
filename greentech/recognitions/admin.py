from django.contrib import admin

from greentech.core.admin import RestrictedAdmin
from greentech.recognitions.models import Recognition


@admin.register(Recognition)
class RecognitionAdmin(RestrictedAdmin):
    list_display = ["kind", "organization", "product_name", "level", "batch", "year", "is_demo"]
    list_filter = ["kind", "level", "batch", "is_demo"]
    search_fields = ["organization__name", "product_name"]
    autocomplete_fields = ["organization", "evaluator", "granting_department"]
