from django.contrib import admin

from greentech.core.admin import RestrictedAdmin
from greentech.deals.models import (
    Contract,
    Deal,
    DealDocument,
    DealEvent,
    EventParticipant,
    IncomeDistribution,
    IncomeShare,
    MatchmakingEvent,
    Payment,
)


class DealEventInline(admin.TabularInline):
    model = DealEvent
    extra = 0
    fields = ["date", "kind", "stage_from", "stage_to", "actor", "note"]
    readonly_fields = fields
    can_delete = False


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0


@admin.register(Deal)
class DealAdmin(RestrictedAdmin):
    list_display = ["reference", "offer", "seller", "buyer", "stage", "stage_changed_on", "is_demo"]
    list_filter = ["stage", "mode", "is_demo"]
    search_fields = ["reference", "offer__title", "buyer__name", "seller__name"]
    raw_id_fields = ["offer", "need", "buyer", "broker_organization", "broker", "event"]
    inlines = [DealEventInline, PaymentInline]


@admin.register(Contract)
class ContractAdmin(RestrictedAdmin):
    list_display = ["title", "deal", "contract_type", "signed_on", "amount", "registration_number", "registered_on"]
    list_filter = ["contract_type"]
    search_fields = ["title", "registration_number", "deal__reference"]
    raw_id_fields = ["deal"]


class IncomeShareInline(admin.TabularInline):
    model = IncomeShare
    extra = 0
    raw_id_fields = ["person"]


@admin.register(IncomeDistribution)
class IncomeDistributionAdmin(RestrictedAdmin):
    list_display = ["deal", "income", "costs", "broker_commission", "service_invention"]
    raw_id_fields = ["deal"]
    inlines = [IncomeShareInline]


@admin.register(DealDocument)
class DealDocumentAdmin(RestrictedAdmin):
    list_display = ["__str__", "event"]
    raw_id_fields = ["event"]


class ParticipantInline(admin.TabularInline):
    model = EventParticipant
    extra = 0
    raw_id_fields = ["organization"]


@admin.register(MatchmakingEvent)
class MatchmakingEventAdmin(RestrictedAdmin):
    list_display = ["title", "kind", "date", "region", "organizer", "department", "is_demo"]
    list_filter = ["kind", "is_demo"]
    search_fields = ["title", "venue"]
    raw_id_fields = ["organizer", "offers", "needs"]
    inlines = [ParticipantInline]
