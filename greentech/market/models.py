"""The technology market (seed 四(一)-(二), 二(二)): green technology offers (成果) and needs (需求).

Both go through one workflow: draft → submitted → published (reviewed by a department officer or an
administrator, who gives a reason when rejecting) → closed / expired / withdrawn. Nothing is deleted; every
change is in the history. An offer discloses a public summary to everyone and its details (full description,
contact, attachments) by its disclosure level: to everyone, to signed-in organizations, or only to
organizations that accepted the owner's confidentiality terms (the acceptance is recorded).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from greentech.core.audit import audit_history
from greentech.core.files import validate_document
from greentech.core.models import DemoMarked, PlatformModel, TransitionEvent
from greentech.market.events import ListingEventKind


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted for review")
    PUBLISHED = "published", _("published")
    REJECTED = "rejected", _("returned by the reviewer")
    CLOSED = "closed", _("closed")
    EXPIRED = "expired", _("expired")
    WITHDRAWN = "withdrawn", _("withdrawn")


# the statuses in which the owner may still edit the listing
EDITABLE = (Status.DRAFT, Status.SUBMITTED, Status.REJECTED)


class Mode(models.TextChoices):
    """Transaction modes (seed 四(二): 转让、许可、作价投资、合作开发、技术服务)."""

    TRANSFER = "transfer", _("transfer (转让)")
    EXCLUSIVE_LICENCE = "licence_exclusive", _("exclusive licence (独占许可)")
    SOLE_LICENCE = "licence_sole", _("sole licence (排他许可)")
    ORDINARY_LICENCE = "licence_ordinary", _("ordinary licence (普通许可)")
    EQUITY = "equity", _("capital contribution (作价投资)")
    CO_DEVELOPMENT = "co_development", _("joint development (合作开发)")
    SERVICE = "service", _("technical service or consulting (技术服务/咨询)")


class Language(models.TextChoices):
    ZH = "zh", _("Chinese")
    EN = "en", _("English")


def split_modes(value: str) -> list[str]:
    return [item for item in (value or "").split(",") if item]


def join_modes(values) -> str:
    order = list(Mode.values)
    unknown = [value for value in values if value not in order]
    if unknown:
        raise ValidationError(
            {"modes": _("Unknown transaction mode: %(modes)s") % {"modes": ", ".join(map(str, unknown))}}
        )
    return ",".join(sorted(set(values), key=order.index))


def sanitize_html(value: str) -> str:
    """Keep basic formatting (paragraphs, lists, emphasis, tables, links); drop scripts, styles and handlers."""
    import nh3

    return nh3.clean(value or "", link_rel="noopener noreferrer nofollow") if value else ""


class Listing(DemoMarked, PlatformModel):
    """What offers and needs share: owner, text, categories, region, modes, workflow and review."""

    reference = models.CharField(
        _("reference"),
        max_length=40,
        unique=True,
        blank=True,
        help_text=_("Assigned when left empty; the key that matches rows on re-import."),
    )
    title = models.CharField(_("title"), max_length=200)
    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("organization")
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.ZH)
    categories = models.ManyToManyField(
        "taxonomy.Category", blank=True, related_name="+", verbose_name=_("green categories")
    )
    region = models.ForeignKey(
        "registry.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("region")
    )
    modes = models.CharField(
        _("transaction modes"),
        max_length=200,
        blank=True,
        help_text=_(
            "Comma-separated codes: transfer, licence_exclusive, licence_sole, licence_ordinary, equity, "
            "co_development, service."
        ),
    )
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    review_note = models.TextField(_("reviewer's note"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, db_index=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        abstract = True

    def __str__(self):
        return self.title

    @property
    def mode_list(self) -> list[str]:
        return split_modes(self.modes)

    def get_modes_display(self) -> str:
        labels = dict(Mode.choices)
        return "、".join(str(labels.get(mode, mode)) for mode in self.mode_list)

    reference_prefix = "L"

    def clean(self):
        super().clean()
        self.modes = join_modes(split_modes(self.modes))

    def save(self, *args, **kwargs):
        if not self.reference:
            import secrets

            from django.utils import timezone

            self.reference = f"{self.reference_prefix}{timezone.localdate():%Y%m%d}-{secrets.token_hex(3).upper()}"
        super().save(*args, **kwargs)


class Offer(Listing):
    class Stage(models.TextChoices):
        LABORATORY = "laboratory", _("laboratory (实验室)")
        PILOT_SMALL = "pilot_small", _("small-scale trial (小试)")
        PILOT = "pilot", _("pilot (中试)")
        INDUSTRIAL = "industrial", _("industrialised (产业化)")

    class Disclosure(models.TextChoices):
        PUBLIC = "public", _("details public")
        REGISTERED = "registered", _("details for signed-in organizations")
        TERMS = "terms", _("details after accepting the confidentiality terms")

    summary = models.TextField(_("public summary"), max_length=2000)
    description = models.TextField(
        _("full description"), blank=True, help_text=_("Basic HTML is kept; scripts are removed.")
    )
    inventors = models.ManyToManyField("registry.Person", blank=True, related_name="+", verbose_name=_("inventors"))
    codes = models.CharField(
        _("IPC/CPC codes"),
        max_length=500,
        blank=True,
        help_text=_("Separated by spaces or commas, e.g. H01M 10/54; Y02E 10/50"),
    )
    patent_numbers = models.CharField(_("patent numbers"), max_length=500, blank=True, help_text=_("e.g. CN112345678A"))
    readiness = models.PositiveSmallIntegerField(
        _("technology readiness level"),
        validators=[MinValueValidator(1), MaxValueValidator(9)],
        null=True,
        blank=True,
        help_text=_("TRL 1 (principle observed) to 9 (proven in operation)."),
    )
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, blank=True)
    negotiable = models.BooleanField(_("price negotiable"), default=True)
    price = models.DecimalField(
        _("asking price (10k yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    application_fields = models.CharField(_("application fields"), max_length=500, blank=True)
    energy_saved_tce = models.DecimalField(
        _("energy saved (tce/yr)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    co2_reduced_t = models.DecimalField(
        _("CO2 reduced (t/yr)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    other_benefits = models.TextField(_("other quantified benefits"), blank=True)
    disclosure = models.CharField(
        _("disclosure"), max_length=10, choices=Disclosure.choices, default=Disclosure.REGISTERED
    )
    confidentiality_terms = models.TextField(
        _("confidentiality terms"), blank=True, help_text=_("Shown to organizations before they see the details.")
    )

    history = audit_history(m2m_fields=["categories", "inventors"])
    reference_prefix = "O"

    class Meta:
        verbose_name = _("technology offer")
        verbose_name_plural = _("technology offers")
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["status", "-published_at"], name="offer_status_published")]

    def get_absolute_url(self):
        return reverse("market:offer_detail", args=[self.pk])

    def clean(self):
        super().clean()
        self.description = sanitize_html(self.description)
        if not self.negotiable and self.price is None:
            raise ValidationError({"price": _("Give an asking price, or mark the price negotiable.")})
        if self.disclosure == self.Disclosure.TERMS and not self.confidentiality_terms.strip():
            raise ValidationError(
                {"confidentiality_terms": _("Write the confidentiality terms organizations must accept.")}
            )


class Need(Listing):
    problem = models.TextField(_("problem statement"), max_length=4000)
    constraints = models.TextField(_("constraints"), blank=True)
    budget_min = models.DecimalField(
        _("budget from (10k yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    budget_max = models.DecimalField(
        _("budget up to (10k yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    min_readiness = models.PositiveSmallIntegerField(
        _("minimum readiness level"), validators=[MinValueValidator(1), MaxValueValidator(9)], null=True, blank=True
    )

    history = audit_history(m2m_fields=["categories"])
    reference_prefix = "N"

    class Meta:
        verbose_name = _("technology need")
        verbose_name_plural = _("technology needs")
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["status", "-published_at"], name="need_status_published")]

    def get_absolute_url(self):
        return reverse("market:need_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if self.budget_min is not None and self.budget_max is not None and self.budget_min > self.budget_max:
            raise ValidationError({"budget_max": _("The budget's upper end is below its lower end.")})


class OfferAttachment(PlatformModel):
    """A document of an offer, shown with its details (so under the offer's disclosure level)."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("offer"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    file = models.FileField(_("file"), upload_to="market/offers/%Y/", validators=[validate_document])

    history = audit_history()

    class Meta:
        verbose_name = _("offer attachment")
        verbose_name_plural = _("offer attachments")
        ordering = ["offer", "pk"]

    def __str__(self):
        return self.title or self.file.name.rsplit("/", 1)[-1]


class TermsAcceptance(PlatformModel):
    """An organization accepted an offer's confidentiality terms (the terms as they were are kept)."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="acceptances", verbose_name=_("offer"))
    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("organization")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("accepted by")
    )
    terms = models.TextField(_("terms accepted"))

    history = audit_history()

    class Meta:
        verbose_name = _("confidentiality terms acceptance")
        verbose_name_plural = _("confidentiality terms acceptances")
        constraints = [models.UniqueConstraint(fields=["offer", "organization"], name="terms_once_per_organization")]

    def __str__(self):
        return f"{self.organization} · {self.offer}"


class ListingEvent(TransitionEvent):
    """A step of an offer's or a need's workflow (submitted, published, returned, ...): who, when, from → to, the
    reason given. Written by `core.services.transition` from `market.services`; never changed."""

    offer = models.ForeignKey(
        Offer, on_delete=models.CASCADE, null=True, blank=True, related_name="events", verbose_name=_("offer")
    )
    need = models.ForeignKey(
        Need, on_delete=models.CASCADE, null=True, blank=True, related_name="events", verbose_name=_("need")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ListingEventKind.choices)

    class Meta:
        verbose_name = _("listing event")
        verbose_name_plural = _("listing events")
        ordering = ["created", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(offer__isnull=False, need__isnull=True)
                | models.Q(offer__isnull=True, need__isnull=False),
                name="listing_event_of_one_listing",
            )
        ]

    def __str__(self):
        return f"{self.listing} · {self.get_kind_display()}"

    @property
    def listing(self):
        return self.offer if self.offer_id else self.need

    @classmethod
    def subject(cls, instance) -> dict:
        return {"offer": instance} if isinstance(instance, Offer) else {"need": instance}


# ---------------------------------------------------------------------------------------------------------------
# Matching needs and offers (market.matching)


class ListingVector(PlatformModel):
    """The sentence vector of one offer's or need's text (market.matching), recomputed when the text changes.

    Derived data, like a search index row: written by the matcher (never by people), keyed by the listing, the
    embedder and a hash of the text it was computed from."""

    offer = models.OneToOneField(
        Offer, on_delete=models.CASCADE, null=True, blank=True, related_name="vector", verbose_name=_("offer")
    )
    need = models.OneToOneField(
        Need, on_delete=models.CASCADE, null=True, blank=True, related_name="vector", verbose_name=_("need")
    )
    embedder = models.CharField(_("embedder"), max_length=20)
    text_hash = models.CharField(_("text hash"), max_length=32)
    vector = models.BinaryField(_("vector"))

    class Meta:
        verbose_name = _("listing vector")
        verbose_name_plural = _("listing vectors")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(offer__isnull=False, need__isnull=True)
                | models.Q(offer__isnull=True, need__isnull=False),
                name="listing_vector_one_listing",
            )
        ]

    def __str__(self):
        return f"{self.offer or self.need} · {self.embedder}"


class Match(PlatformModel):
    """A need and an offer the matcher found above the notification threshold; both organizations were told
    once (`notified_at`), so nobody is told twice about the same pair."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="matches", verbose_name=_("need"))
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="matches", verbose_name=_("offer"))
    score = models.FloatField(_("score"))
    similarity = models.FloatField(_("semantic similarity"))
    reasons = models.JSONField(_("reasons"), default=dict, blank=True)
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)

    history = audit_history()

    class Meta:
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        ordering = ["need", "-score"]
        constraints = [models.UniqueConstraint(fields=["need", "offer"], name="match_once_per_pair")]

    def __str__(self):
        return f"{self.need} ↔ {self.offer}"


class MatchFeedback(PlatformModel):
    """A person of one of the two organizations says whether a suggested match was useful (kept with its
    history: changing one's mind is recorded, not overwritten)."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="match_feedback", verbose_name=_("need"))
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="match_feedback", verbose_name=_("offer"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("given by")
    )
    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("organization")
    )
    useful = models.BooleanField(_("useful"))
    note = models.TextField(_("note"), blank=True, max_length=2000)

    history = audit_history()

    class Meta:
        verbose_name = _("match feedback")
        verbose_name_plural = _("match feedback")
        ordering = ["-updated"]
        constraints = [models.UniqueConstraint(fields=["need", "offer", "user"], name="match_feedback_once_per_user")]

    def __str__(self):
        return f"{self.need} ↔ {self.offer}: {'+' if self.useful else '-'}"

    def clean(self):
        super().clean()
        if self.organization_id and self.need_id and self.offer_id:
            sides = {self.need.organization_id, self.offer.organization_id}
            if self.organization_id not in sides:
                raise ValidationError(
                    {"organization": _("Feedback on a match comes from the need's or the offer's organization.")}
                )
