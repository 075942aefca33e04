"""Deals (seed 四(一)-(二), 二(二)): from an offer to a registered, performed technology contract.

A deal links a published offer (and optionally the need it answers) to a buyer organization, with an optional
broker. It moves through 意向 → 洽谈 → 签约 → 合同登记 → 履约 → 完成, or ends as 终止 with a reason; every step is a
typed event with date, actor, note and documents. Signing records the contract; a department officer registers it
(技术合同登记: registration number and date, technology transaction amount). For a service invention of a
university or research institute, the income distribution must give the inventors (team) at least 70% of the net
income (income − documented costs), the plan's rule. Payments and milestones are tracked and flagged when overdue.
Matchmaking events (对接会/路演) record who took part, what was presented and which deals came out of them.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from greentech.core.audit import audit_history
from greentech.core.files import validate_document
from greentech.core.models import DemoMarked, PlatformModel, WorkflowEvent
from greentech.market.models import Mode

# the plan's rule (seed 四(二)): inventors' (team's) share of the net income of a service invention
INVENTOR_SHARE_MINIMUM = Decimal("0.70")

MONEY = {"max_digits": 14, "decimal_places": 2, "validators": [MinValueValidator(0)]}


class Stage(models.TextChoices):
    INTENT = "intent", _("intent (意向)")
    NEGOTIATION = "negotiation", _("negotiation (洽谈)")
    SIGNED = "signed", _("contract signed (签约)")
    REGISTERED = "registered", _("contract registered (合同登记)")
    PERFORMING = "performing", _("performance (履约)")
    COMPLETED = "completed", _("completed (完成)")
    TERMINATED = "terminated", _("terminated (终止)")


# the pipeline in order (terminated is the way out of any open stage)
PIPELINE = [Stage.INTENT, Stage.NEGOTIATION, Stage.SIGNED, Stage.REGISTERED, Stage.PERFORMING, Stage.COMPLETED]
CLOSED = (Stage.COMPLETED, Stage.TERMINATED)


class MatchmakingEvent(DemoMarked, PlatformModel):
    """A matchmaking event or roadshow (对接会/路演) where offers and needs are presented."""

    class Kind(models.TextChoices):
        MATCHMAKING = "matchmaking", _("matchmaking event (对接会)")
        ROADSHOW = "roadshow", _("roadshow (路演)")
        FORUM = "forum", _("forum or exhibition (论坛/展会)")

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.MATCHMAKING)
    date = models.DateField(_("date"))
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    online = models.BooleanField(_("online"), default=False)
    region = models.ForeignKey(
        "registry.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("region")
    )
    organizer = models.ForeignKey(
        "registry.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organizing organization"),
    )
    department = models.ForeignKey(
        "registry.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organizing department"),
    )
    description = models.TextField(_("description"), blank=True)
    offers = models.ManyToManyField("market.Offer", blank=True, related_name="+", verbose_name=_("offers presented"))
    needs = models.ManyToManyField("market.Need", blank=True, related_name="+", verbose_name=_("needs presented"))

    history = audit_history(m2m_fields=["offers", "needs"])

    class Meta:
        verbose_name = _("matchmaking event")
        verbose_name_plural = _("matchmaking events")
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{self.title} ({self.date:%Y-%m-%d})"

    def get_absolute_url(self):
        return reverse("deals:event_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if not self.organizer_id and not self.department_id:
            raise ValidationError(_("Name the organizing organization or department."))


class EventParticipant(PlatformModel):
    class Role(models.TextChoices):
        PRESENTER = "presenter", _("presenter")
        ATTENDEE = "attendee", _("attendee")
        CO_ORGANIZER = "co_organizer", _("co-organizer")

    event = models.ForeignKey(
        MatchmakingEvent, on_delete=models.CASCADE, related_name="participants", verbose_name=_("event")
    )
    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("organization")
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.ATTENDEE)

    history = audit_history()

    class Meta:
        verbose_name = _("event participant")
        verbose_name_plural = _("event participants")
        ordering = ["event", "pk"]
        constraints = [models.UniqueConstraint(fields=["event", "organization"], name="participant_once_per_event")]

    def __str__(self):
        return f"{self.organization} · {self.event.title}"


class Deal(DemoMarked, PlatformModel):
    reference = models.CharField(_("reference"), max_length=40, unique=True, blank=True)
    offer = models.ForeignKey("market.Offer", on_delete=models.PROTECT, related_name="deals", verbose_name=_("offer"))
    need = models.ForeignKey(
        "market.Need",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deals",
        verbose_name=_("need answered"),
    )
    seller = models.ForeignKey(
        "registry.Organization",
        on_delete=models.PROTECT,
        related_name="deals_sold",
        verbose_name=_("seller (the offer's organization)"),
        editable=False,
    )
    buyer = models.ForeignKey(
        "registry.Organization", on_delete=models.PROTECT, related_name="deals_bought", verbose_name=_("buyer")
    )
    broker_organization = models.ForeignKey(
        "registry.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deals_brokered",
        verbose_name=_("broker agency"),
    )
    broker = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("broker (技术经纪人)"),
    )
    mode = models.CharField(_("transaction mode"), max_length=20, choices=Mode.choices)
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.INTENT, db_index=True)
    stage_changed_on = models.DateField(_("stage since"), null=True, blank=True)
    termination_reason = models.TextField(_("reason for termination"), blank=True)
    event = models.ForeignKey(
        MatchmakingEvent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deals",
        verbose_name=_("came out of the event"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    history = audit_history()

    class Meta:
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        ordering = ["-created", "-pk"]

    def __str__(self):
        return f"{self.reference} · {self.offer.title}"

    def get_absolute_url(self):
        return reverse("deals:deal_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.stage not in CLOSED

    @property
    def next_stage(self) -> str | None:
        if not self.is_open:
            return None
        position = PIPELINE.index(Stage(self.stage))
        return PIPELINE[position + 1] if position + 1 < len(PIPELINE) else None

    def clean(self):
        super().clean()
        if self.offer_id:
            self.seller_id = self.offer.organization_id
        if self.offer_id and self.buyer_id and self.buyer_id == self.seller_id:
            raise ValidationError({"buyer": _("The buyer cannot be the offer's own organization.")})
        if self.need_id and self.buyer_id and self.need.organization_id != self.buyer_id:
            raise ValidationError({"need": _("The need must be the buyer's own.")})
        if self.broker_organization_id and self.broker_organization_id in (self.buyer_id, self.seller_id):
            raise ValidationError({"broker_organization": _("The broker agency must not be a party to the deal.")})
        if self.broker_id and not self.broker.is_broker:
            raise ValidationError({"broker": _("Choose a person registered as a technology broker.")})
        if self.stage == Stage.TERMINATED and not self.termination_reason.strip():
            raise ValidationError({"termination_reason": _("Give the reason for terminating the deal.")})

    def save(self, *args, **kwargs):
        if self.offer_id and not self.seller_id:
            self.seller_id = self.offer.organization_id
        if not self.reference:
            import secrets

            from django.utils import timezone

            self.reference = f"D{timezone.localdate():%Y%m%d}-{secrets.token_hex(3).upper()}"
        super().save(*args, **kwargs)


class DealEvent(WorkflowEvent):
    """One step of a deal: a stage change or a negotiation step, with its date, actor, note and documents. A stage
    change is written by `core.services.transition` (`deals.services.WORKFLOW`), its transition and data in
    `parameters`."""

    class Kind(models.TextChoices):
        STAGE = "stage", _("stage change")
        MEETING = "meeting", _("meeting or visit")
        PROPOSAL = "proposal", _("proposal or quotation")
        DUE_DILIGENCE = "due_diligence", _("due diligence or valuation")
        NOTE = "note", _("note")

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="events", verbose_name=_("deal"))
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices, default=Kind.NOTE)
    date = models.DateField(_("date"), default=datetime.date.today)
    stage_from = models.CharField(_("from stage"), max_length=12, choices=Stage.choices, blank=True)
    stage_to = models.CharField(_("to stage"), max_length=12, choices=Stage.choices, blank=True)
    note = models.TextField(_("note"), blank=True)

    history = audit_history()

    class Meta:
        verbose_name = _("deal event")
        verbose_name_plural = _("deal events")
        ordering = ["deal", "date", "pk"]

    def __str__(self):
        if self.kind == self.Kind.STAGE:
            return f"{self.date:%Y-%m-%d} {self.get_stage_to_display()}"
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"

    @classmethod
    def for_transition(cls, subject, *, kind, source, target, actor, reason, parameters, **fields):
        """A stage change: the transition's name is kept in the parameters (the step's kind is `stage`)."""
        return cls(
            deal=subject,
            kind=cls.Kind.STAGE,
            stage_from=source or "",
            stage_to=target,
            actor=actor,
            note=reason or "",
            parameters={"transition": kind, **(parameters or {})},
            **fields,
        )

    def clean(self):
        super().clean()
        if self.kind == self.Kind.STAGE and not self.stage_to:
            raise ValidationError({"stage_to": _("A stage change names the stage it moves to.")})
        if self.kind != self.Kind.STAGE and not self.note.strip():
            raise ValidationError({"note": _("Write what happened.")})


class DealDocument(PlatformModel):
    """A document of a deal step (minutes, quotation, contract scan, invoice); served only to the deal's parties."""

    event = models.ForeignKey(DealEvent, on_delete=models.CASCADE, related_name="documents", verbose_name=_("step"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    file = models.FileField(_("file"), upload_to="deals/%Y/", validators=[validate_document])

    history = audit_history()

    class Meta:
        verbose_name = _("deal document")
        verbose_name_plural = _("deal documents")
        ordering = ["event", "pk"]

    def __str__(self):
        return self.title or self.file.name.rsplit("/", 1)[-1]


class Contract(PlatformModel):
    """The signed technology contract and its registration (技术合同登记)."""

    class Type(models.TextChoices):
        DEVELOPMENT = "development", _("technology development (技术开发)")
        TRANSFER = "transfer", _("technology transfer (技术转让)")
        LICENCE = "licence", _("technology licence (技术许可)")
        CONSULTING = "consulting", _("technical consulting (技术咨询)")
        SERVICE = "service", _("technical service (技术服务)")

    deal = models.OneToOneField(Deal, on_delete=models.CASCADE, related_name="contract", verbose_name=_("deal"))
    contract_type = models.CharField(_("contract type"), max_length=12, choices=Type.choices)
    title = models.CharField(_("contract title"), max_length=200)
    signed_on = models.DateField(_("signed on"))
    amount = models.DecimalField(_("contract amount (10k yuan)"), **MONEY)
    transaction_amount = models.DecimalField(
        _("technology transaction amount (10k yuan)"),
        null=True,
        blank=True,
        help_text=_("The part of the contract amount that pays for the technology (技术交易额); at most the amount."),
        **MONEY,
    )
    registration_number = models.CharField(_("registration number"), max_length=40, unique=True, null=True, blank=True)
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )

    history = audit_history()

    class Meta:
        verbose_name = _("technology contract")
        verbose_name_plural = _("technology contracts")
        ordering = ["-signed_on", "-pk"]

    def __str__(self):
        return self.registration_number or self.title

    @property
    def is_registered(self) -> bool:
        return bool(self.registration_number and self.registered_on)

    def clean(self):
        super().clean()
        if self.transaction_amount is not None and self.amount is not None and self.transaction_amount > self.amount:
            raise ValidationError(
                {"transaction_amount": _("The technology transaction amount cannot exceed the contract amount.")}
            )
        if bool(self.registration_number) != bool(self.registered_on):
            raise ValidationError(_("A registration has both a registration number and a date."))
        if self.registered_on and self.signed_on and self.registered_on < self.signed_on:
            raise ValidationError({"registered_on": _("A contract is registered after it was signed.")})
        if self.registration_number == "":
            self.registration_number = None


class IncomeDistribution(PlatformModel):
    """How the seller shares the income of a deal: net income = income − documented costs, split as entered.

    For a service invention (职务科技成果) of a university or research institute the inventors' (team's) lines must
    come to at least 70% of the net income (seed 四(二)); the rest goes to the institution and its units.
    """

    deal = models.OneToOneField(Deal, on_delete=models.CASCADE, related_name="distribution", verbose_name=_("deal"))
    service_invention = models.BooleanField(
        _("service invention (职务科技成果)"),
        default=True,
        help_text=_("Made in the course of the inventors' work at the institution."),
    )
    income = models.DecimalField(_("income received (10k yuan)"), **MONEY)
    costs = models.DecimalField(
        _("documented costs (10k yuan)"),
        default=Decimal(0),
        help_text=_("Evaluation, patent, brokerage and other documented costs of the transaction."),
        **MONEY,
    )
    cost_note = models.TextField(_("what the costs are"), blank=True)
    broker_commission = models.DecimalField(
        _("broker commission (10k yuan)"),
        default=Decimal(0),
        help_text=_("Paid to the broker agency; part of the documented costs."),
        **MONEY,
    )

    history = audit_history()

    class Meta:
        verbose_name = _("income distribution")
        verbose_name_plural = _("income distributions")

    def __str__(self):
        return f"{self.deal.reference} · {self.net_income}"

    @property
    def net_income(self) -> Decimal:
        return (self.income or Decimal(0)) - (self.costs or Decimal(0))

    @property
    def rule_applies(self) -> bool:
        """The 70% rule: a service invention of a university or research institute."""
        return self.service_invention and self.deal.seller.kind in ("university", "institute")

    def clean(self):
        super().clean()
        if self.income is not None and self.costs is not None and self.costs > self.income:
            raise ValidationError({"costs": _("The documented costs exceed the income.")})
        if self.broker_commission and self.costs is not None and self.broker_commission > self.costs:
            raise ValidationError(
                {"broker_commission": _("The broker commission is part of the documented costs: raise the costs.")}
            )


class IncomeShare(PlatformModel):
    class Beneficiary(models.TextChoices):
        INVENTORS = "inventors", _("inventors / team")
        INSTITUTION = "institution", _("institution")
        UNIT = "unit", _("the institution's unit (school, department)")
        OTHER = "other", _("other")

    distribution = models.ForeignKey(
        IncomeDistribution, on_delete=models.CASCADE, related_name="shares", verbose_name=_("distribution")
    )
    beneficiary = models.CharField(_("beneficiary"), max_length=12, choices=Beneficiary.choices)
    name = models.CharField(_("name"), max_length=200)
    person = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("inventor"),
    )
    amount = models.DecimalField(_("amount (10k yuan)"), **MONEY)

    history = audit_history()

    class Meta:
        verbose_name = _("income share")
        verbose_name_plural = _("income shares")
        ordering = ["distribution", "pk"]

    def __str__(self):
        return f"{self.get_beneficiary_display()} · {self.name} · {self.amount}"


class Payment(PlatformModel):
    """A payment or milestone the contract sets; overdue when its date has passed and it is not done."""

    class Kind(models.TextChoices):
        PAYMENT = "payment", _("payment")
        MILESTONE = "milestone", _("milestone")

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="payments", verbose_name=_("deal"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PAYMENT)
    title = models.CharField(_("title"), max_length=200)
    due_on = models.DateField(_("due on"))
    amount = models.DecimalField(_("amount (10k yuan)"), null=True, blank=True, **MONEY)
    done_on = models.DateField(_("paid or reached on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    overdue_notified_on = models.DateField(_("overdue notice sent on"), null=True, blank=True, editable=False)

    history = audit_history()

    class Meta:
        verbose_name = _("payment or milestone")
        verbose_name_plural = _("payments and milestones")
        ordering = ["deal", "due_on", "pk"]

    def __str__(self):
        return f"{self.title} ({self.due_on:%Y-%m-%d})"

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        from django.utils import timezone

        return self.done_on is None and self.due_on < (today or timezone.localdate())

    def clean(self):
        super().clean()
        if self.kind == self.Kind.PAYMENT and self.amount is None:
            raise ValidationError({"amount": _("A payment has an amount.")})
