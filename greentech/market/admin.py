from django.contrib import admin

from greentech.core.admin import RestrictedAdmin
from greentech.market.models import Need, Offer, OfferAttachment, TermsAcceptance


class AttachmentInline(admin.TabularInline):
    model = OfferAttachment
    extra = 0


@admin.register(Offer)
class OfferAdmin(RestrictedAdmin):
    list_display = ["reference", "title", "organization", "status", "published_at", "is_demo"]
    list_filter = ["status", "language", "disclosure", "is_demo"]
    search_fields = ["reference", "title", "summary"]
    raw_id_fields = ["organization", "inventors"]
    filter_horizontal = ["categories"]
    inlines = [AttachmentInline]


@admin.register(Need)
class NeedAdmin(RestrictedAdmin):
    list_display = ["reference", "title", "organization", "status", "deadline", "is_demo"]
    list_filter = ["status", "language", "is_demo"]
    search_fields = ["reference", "title", "problem"]
    raw_id_fields = ["organization"]
    filter_horizontal = ["categories"]


@admin.register(TermsAcceptance)
class TermsAcceptanceAdmin(RestrictedAdmin):
    list_display = ["offer", "organization", "user", "created"]
