from rest_framework import serializers

from greentech.core.api import PlatformModelSerializer
from greentech.deals import services
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
    Stage,
)


class DealDocumentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = DealDocument
        fields = ["id", "title", "url"]

    def get_url(self, document) -> str:
        from django.urls import reverse

        return reverse("deals:document", args=[document.pk])


class DealEventSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    actor = serializers.CharField(source="actor.username", read_only=True, default=None)
    documents = DealDocumentSerializer(many=True, read_only=True)

    class Meta:
        model = DealEvent
        fields = ["id", "kind", "kind_display", "date", "stage_from", "stage_to", "actor", "note", "documents"]


class ContractSerializer(serializers.ModelSerializer):
    contract_type_display = serializers.CharField(source="get_contract_type_display", read_only=True)
    deal_reference = serializers.CharField(source="deal.reference", read_only=True)

    class Meta:
        model = Contract
        fields = [
            "id",
            "deal",
            "deal_reference",
            "contract_type",
            "contract_type_display",
            "title",
            "signed_on",
            "amount",
            "transaction_amount",
            "registration_number",
            "registered_on",
        ]
        read_only_fields = ["deal", "registration_number", "registered_on"]


class PaymentSerializer(PlatformModelSerializer):
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Payment
        fields = ["id", "deal", "kind", "title", "due_on", "amount", "done_on", "note", "overdue"]
        read_only_fields = ["done_on"]

    def get_overdue(self, payment) -> bool:
        return payment.is_overdue()

    def create(self, validated_data):
        deal = validated_data.pop("deal")
        return services.add_payment(self.context["request"].user, deal, **validated_data)

    def update(self, instance, validated_data):
        validated_data.pop("deal", None)
        return super().update(instance, validated_data)


class DealSerializer(PlatformModelSerializer):
    stage_display = serializers.CharField(source="get_stage_display", read_only=True)
    offer_title = serializers.CharField(source="offer.title", read_only=True)
    note = serializers.CharField(write_only=True, required=False, allow_blank=True, help_text="First step's note")
    events = DealEventSerializer(many=True, read_only=True)
    contract = ContractSerializer(read_only=True)
    payments = PaymentSerializer(many=True, read_only=True)
    next_stage = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = Deal
        fields = [
            "id",
            "reference",
            "offer",
            "offer_title",
            "need",
            "seller",
            "buyer",
            "broker_organization",
            "broker",
            "mode",
            "stage",
            "stage_display",
            "stage_changed_on",
            "next_stage",
            "termination_reason",
            "event",
            "note",
            "events",
            "contract",
            "payments",
            "is_demo",
            "created",
        ]
        read_only_fields = ["reference", "seller", "stage", "stage_changed_on", "termination_reason", "is_demo"]

    def create(self, validated_data):
        return services.open_deal(
            self.context["request"].user,
            validated_data.pop("offer"),
            validated_data.pop("buyer"),
            note=validated_data.pop("note", ""),
            **validated_data,
        )

    def update(self, instance, validated_data):
        validated_data.pop("note", None)
        for fixed in ("offer", "buyer"):
            if fixed in validated_data and validated_data[fixed] != getattr(instance, fixed):
                raise serializers.ValidationError({fixed: ["The offer and the buyer of a deal cannot change."]})
            validated_data.pop(fixed, None)
        return super().update(instance, validated_data)


class AdvanceSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(
        choices=[(s, s.label) for s in (Stage.NEGOTIATION, Stage.PERFORMING, Stage.COMPLETED)]
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")
    date = serializers.DateField(required=False, allow_null=True, default=None)


class TerminateSerializer(serializers.Serializer):
    reason = serializers.CharField()
    date = serializers.DateField(required=False, allow_null=True, default=None)


class StepSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[c for c in DealEvent.Kind.choices if c[0] != DealEvent.Kind.STAGE])
    note = serializers.CharField()
    date = serializers.DateField(required=False, allow_null=True, default=None)
    document = serializers.FileField(required=False, allow_null=True, default=None)
    document_title = serializers.CharField(required=False, allow_blank=True, default="")


class SignSerializer(serializers.Serializer):
    contract_type = serializers.ChoiceField(choices=Contract.Type.choices)
    title = serializers.CharField(max_length=200)
    signed_on = serializers.DateField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    transaction_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RegisterSerializer(serializers.Serializer):
    registration_number = serializers.CharField(max_length=40)
    registered_on = serializers.DateField(required=False, allow_null=True, default=None)
    transaction_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True, default=None
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class IncomeShareSerializer(serializers.ModelSerializer):
    beneficiary_display = serializers.CharField(source="get_beneficiary_display", read_only=True)

    class Meta:
        model = IncomeShare
        fields = ["beneficiary", "beneficiary_display", "name", "person", "amount"]


class IncomeDistributionSerializer(serializers.ModelSerializer):
    shares = IncomeShareSerializer(many=True)
    net_income = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    rule_applies = serializers.BooleanField(read_only=True)

    class Meta:
        model = IncomeDistribution
        fields = [
            "service_invention",
            "income",
            "costs",
            "cost_note",
            "broker_commission",
            "net_income",
            "rule_applies",
            "shares",
        ]


class MatchmakingEventSerializer(PlatformModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    deals = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = MatchmakingEvent
        fields = [
            "id",
            "title",
            "kind",
            "kind_display",
            "date",
            "venue",
            "online",
            "region",
            "organizer",
            "department",
            "description",
            "offers",
            "needs",
            "deals",
            "is_demo",
        ]
        read_only_fields = ["is_demo"]


class EventParticipantSerializer(PlatformModelSerializer):
    class Meta:
        model = EventParticipant
        fields = ["id", "event", "organization", "role"]


class StatisticsRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    offers = serializers.IntegerField()
    needs = serializers.IntegerField()
    deals = serializers.IntegerField()
    deals_absorbed = serializers.IntegerField()
    contract_value = serializers.CharField()
    contract_value_absorbed = serializers.CharField()
    registered_value = serializers.CharField()


class StatisticsSerializer(serializers.Serializer):
    cities = StatisticsRowSerializer(many=True)
    categories = StatisticsRowSerializer(many=True)
    months = StatisticsRowSerializer(many=True)
    totals = serializers.DictField()
    include_demo = serializers.BooleanField()
