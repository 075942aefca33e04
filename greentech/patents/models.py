"""The green patent database (seed 五(一), roadmap deliverable 35): patents of every office, their transfer and
licence registrations (转让/许可备案), and green labels by code and by text.

A patent is keyed by its publication number without kind code (`CN112345678`, `US10123456`); the kind code of
the latest publication is kept beside it, so the A publication and the B grant of the same CN patent are one
record. IPC and CPC symbols are stored normalised (`H01M 10/54`) one per row in `PatentCode`, which is what code
prefix search and the code labels use; `Patent.ipc`/`Patent.cpc` keep the same symbols as text for display and
export. Applicants are kept in order in `PatentApplicant`, matched to registry organizations by credit code or
exact name.

Patents arrive by the million through the streaming import (patents/importing.py), which writes rows in batches
with set-based SQL; per-row history would double the cost of every import, so each import is recorded as one
`PatentImport` (who, when, which file, counts) and edits made on the platform (the translation fields) go
through the services and the history.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from greentech.core.audit import audit_history
from greentech.core.models import PlatformModel


class Office(models.TextChoices):
    CN = "CN", _("China (CNIPA)")
    US = "US", _("United States (USPTO)")
    EP = "EP", _("Europe (EPO)")
    WO = "WO", _("WIPO (PCT)")
    JP = "JP", _("Japan (JPO)")
    KR = "KR", _("Korea (KIPO)")
    DE = "DE", _("Germany (DPMA)")
    GB = "GB", _("United Kingdom (UKIPO)")
    FR = "FR", _("France (INPI)")
    TW = "TW", _("Taiwan")
    CA = "CA", _("Canada")
    AU = "AU", _("Australia")
    RU = "RU", _("Russia")
    IN = "IN", _("India")


class PatentType(models.TextChoices):
    INVENTION = "invention", _("invention (发明)")
    UTILITY_MODEL = "utility_model", _("utility model (实用新型)")
    DESIGN = "design", _("design (外观设计)")


class LegalStatus(models.TextChoices):
    PENDING = "pending", _("pending (审中)")
    GRANTED = "granted", _("granted (授权)")
    LAPSED = "lapsed", _("lapsed (未缴年费失效)")
    EXPIRED = "expired", _("expired (期满终止)")
    INVALIDATED = "invalidated", _("invalidated (无效)")
    WITHDRAWN = "withdrawn", _("withdrawn (撤回)")


class Patent(PlatformModel):
    # no single-column indexes where a composite one starts with the column (office, green, region: the
    # Meta indexes; the import rebuilds every index of a million rows, so each one costs)
    office = models.CharField(_("office"), max_length=2, choices=Office.choices)
    number = models.CharField(
        _("publication number"),
        max_length=32,
        unique=True,
        help_text=_("Office code and number without the kind code, e.g. CN112345678, US10123456."),
    )
    kind = models.CharField(_("kind code"), max_length=4, blank=True, help_text=_("e.g. A, B, U, S, B2."))
    application_number = models.CharField(_("application number"), max_length=40, blank=True, db_index=True)
    patent_type = models.CharField(_("type"), max_length=14, choices=PatentType.choices, default=PatentType.INVENTION)
    language = models.CharField(_("language"), max_length=5, default="zh", help_text=_("Of title and abstract."))
    title = models.CharField(_("title"), max_length=500)
    abstract = models.TextField(_("abstract"), blank=True)
    title_translation = models.CharField(_("title (translation)"), max_length=500, blank=True)
    abstract_translation = models.TextField(_("abstract (translation)"), blank=True)
    first_claim = models.TextField(_("first claim"), blank=True)
    applicants = models.TextField(_("applicants"), blank=True, help_text=_("In order, separated by ' ; '."))
    inventors = models.TextField(_("inventors"), blank=True, help_text=_("In order, separated by ' ; '."))
    application_date = models.DateField(_("application date"), null=True, blank=True)
    publication_date = models.DateField(_("publication date"), null=True, blank=True, db_index=True)
    grant_date = models.DateField(_("grant date"), null=True, blank=True)
    ipc = models.TextField(_("IPC codes"), blank=True, help_text=_("Normalised, separated by ' ; '."))
    cpc = models.TextField(_("CPC codes"), blank=True, help_text=_("Normalised, separated by ' ; '."))
    legal_status = models.CharField(
        _("legal status"), max_length=12, choices=LegalStatus.choices, default=LegalStatus.PENDING, db_index=True
    )
    legal_status_date = models.DateField(_("legal status date"), null=True, blank=True)
    family_id = models.CharField(_("family id"), max_length=40, blank=True, db_index=True)
    region = models.ForeignKey(
        "registry.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # patent_region_green starts with it
        verbose_name=_("applicant's region"),
        help_text=_("The Liaoning city of the (first) applicant, where known."),
    )
    green = models.BooleanField(_("green"), default=False)
    green_by = models.CharField(
        _("green by"), max_length=4, blank=True, help_text=_("code, text, or empty (not labelled yet).")
    )
    green_score = models.FloatField(_("green score"), null=True, blank=True)
    # the labels' text classification ran at this taxonomy version ("" = not yet): the relabel job's cursor
    labelled_version = models.CharField(max_length=64, blank=True, editable=False, db_index=True)

    history = audit_history(excluded_fields=["labelled_version", "green", "green_by", "green_score"])

    class Meta:
        verbose_name = _("patent")
        verbose_name_plural = _("patents")
        ordering = ["-publication_date", "-pk"]
        indexes = [
            models.Index(fields=["green", "-publication_date"], name="patent_green_date"),
            models.Index(fields=["office", "-publication_date"], name="patent_office_date"),
            models.Index(fields=["region", "green"], name="patent_region_green"),
        ]

    def __str__(self):
        return f"{self.number}{self.kind} {self.title}"

    def get_absolute_url(self):
        return reverse("patents:patent_detail", args=[self.pk])

    @property
    def full_number(self) -> str:
        return f"{self.number}{self.kind}"

    @property
    def ipc_list(self) -> list[str]:
        return [code for code in self.ipc.split(" ; ") if code]

    @property
    def cpc_list(self) -> list[str]:
        return [code for code in self.cpc.split(" ; ") if code]

    @property
    def applicant_list(self) -> list[str]:
        return [name for name in self.applicants.split(" ; ") if name]

    @property
    def inventor_list(self) -> list[str]:
        return [name for name in self.inventors.split(" ; ") if name]


class PatentCode(models.Model):
    """One normalised IPC or CPC symbol of a patent (what code prefix search reads).

    Codes, applicants and labels are parts of their patent: read only through a patent the user may view, written
    only by the import and the labelling job, so they carry no policy of their own."""

    class System(models.TextChoices):
        IPC = "ipc", "IPC"
        CPC = "cpc", "CPC"

    # patent: patentcode_unique starts with it
    patent = models.ForeignKey(
        Patent, on_delete=models.CASCADE, related_name="codes", verbose_name=_("patent"), db_index=False
    )
    system = models.CharField(_("system"), max_length=3, choices=System.choices)
    code = models.CharField(_("code"), max_length=24)
    # the patent's publication date, copied (by the import, and by Patent.save through sync_code_dates): a
    # code-prefix page sorted by date reads its patents in date order from the (code, date, patent) index
    publication_date = models.DateField(_("publication date"), null=True, blank=True)

    class Meta:
        verbose_name = _("patent classification code")
        verbose_name_plural = _("patent classification codes")
        indexes = [models.Index(fields=["code", "publication_date", "patent"], name="patentcode_code_date")]
        constraints = [models.UniqueConstraint(fields=["patent", "system", "code"], name="patentcode_unique")]

    def __str__(self):
        return f"{self.get_system_display()} {self.code}"


@receiver(post_save, sender=Patent, dispatch_uid="patents-sync-code-dates")
def sync_code_dates(sender, instance, raw=False, **kwargs):
    """A patent saved (the admin, a service) gives its codes its publication date (the import writes both)."""
    if not raw:
        PatentCode.objects.filter(patent_id=instance.pk).update(publication_date=instance.publication_date)


class PatentApplicant(models.Model):
    """An applicant (or assignee) of a patent, in order, matched to a registry organization where possible."""

    patent = models.ForeignKey(Patent, on_delete=models.CASCADE, related_name="applicant_rows", db_index=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("name"), max_length=300)
    organization = models.ForeignKey(
        "registry.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="patent_applications",
        db_index=False,  # patentapplicant_org starts with it
        verbose_name=_("organization"),
    )

    class Meta:
        verbose_name = _("patent applicant")
        verbose_name_plural = _("patent applicants")
        ordering = ["patent", "position"]
        indexes = [
            models.Index(fields=["name"], name="patentapplicant_name"),
            models.Index(fields=["organization", "patent"], name="patentapplicant_org"),
        ]
        constraints = [models.UniqueConstraint(fields=["patent", "position"], name="patentapplicant_unique")]

    def __str__(self):
        return self.name


class GreenLabel(models.Model):
    """Why a patent is (or may be) green: a code pattern it falls in, or the text classifier's category."""

    class Source(models.TextChoices):
        CODE = "code", _("by code")
        TEXT = "text", _("by text")

    # patent: greenlabel_patent_group (migration 0006) starts with it
    patent = models.ForeignKey(
        Patent, on_delete=models.CASCADE, related_name="labels", verbose_name=_("patent"), db_index=False
    )
    source = models.CharField(_("source"), max_length=4, choices=Source.choices)
    scheme = models.CharField(_("scheme"), max_length=40, help_text=_("ipc-green-inventory, cpc-y02 or gic2019."))
    code = models.CharField(_("category or pattern"), max_length=60)
    name = models.CharField(_("name"), max_length=300, blank=True)
    score = models.FloatField(_("score"), default=1.0)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    # the facet key: the top-level category of the label's scheme (e.g. cpc-y02:Y02E, gic2019:3)
    group = models.CharField(_("green category"), max_length=60)  # greenlabel_group starts with it

    class Meta:
        verbose_name = _("green label")
        verbose_name_plural = _("green labels")
        ordering = ["patent", "source", "-score"]
        indexes = [models.Index(fields=["group", "patent"], name="greenlabel_group")]

    def __str__(self):
        return f"{self.scheme}:{self.code} ({self.get_source_display()})"


class TransferKind(models.TextChoices):
    TRANSFER = "transfer", _("transfer (转让)")
    EXCLUSIVE_LICENCE = "licence_exclusive", _("exclusive licence (独占许可)")
    SOLE_LICENCE = "licence_sole", _("sole licence (排他许可)")
    ORDINARY_LICENCE = "licence_ordinary", _("ordinary licence (普通许可)")
    PLEDGE = "pledge", _("pledge (质押)")


class PatentTransfer(PlatformModel):
    """A registered transfer, licence or pledge of a patent (专利转让/许可/质押备案)."""

    patent = models.ForeignKey(Patent, on_delete=models.PROTECT, related_name="transfers", verbose_name=_("patent"))
    kind = models.CharField(_("type"), max_length=18, choices=TransferKind.choices)
    assignor = models.CharField(_("from (assignor, licensor, pledgor)"), max_length=300)
    assignee = models.CharField(_("to (assignee, licensee, pledgee)"), max_length=300)
    assignor_organization = models.ForeignKey(
        "registry.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assignor organization"),
    )
    assignee_organization = models.ForeignKey(
        "registry.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assignee organization"),
    )
    registration_number = models.CharField(_("registration number"), max_length=60, blank=True)
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    effective_until = models.DateField(_("effective until"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    deal = models.ForeignKey(
        "deals.Deal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="patent_transfers",
        verbose_name=_("deal in the market"),
        help_text=_("The technology-market deal this registration records, when there is one."),
    )

    history = audit_history()

    class Meta:
        verbose_name = _("patent transfer or licence")
        verbose_name_plural = _("patent transfers and licences")
        ordering = ["patent", "-registered_on", "-pk"]

    def __str__(self):
        return f"{self.patent.full_number} {self.get_kind_display()} {self.assignor} → {self.assignee}"

    def clean(self):
        from django.core.exceptions import ValidationError

        super().clean()
        if self.effective_from and self.effective_until and self.effective_until < self.effective_from:
            raise ValidationError({"effective_until": _("The end date is before the start date.")})


class PatentImport(PlatformModel):
    """One run of `greentech import patents`: the file, who ran it, the counts, and where it stopped (resume)."""

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        REJECTED = "rejected", _("rejected (bad records; nothing written)")
        INTERRUPTED = "interrupted", _("interrupted")
        DONE = "done", _("done")

    path = models.CharField(_("file"), max_length=500)
    format = models.CharField(_("format"), max_length=12)
    fingerprint = models.CharField(_("file fingerprint"), max_length=64, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.RUNNING)
    records = models.PositiveIntegerField(_("records"), default=0)
    committed = models.PositiveIntegerField(_("records written"), default=0, help_text=_("The resume point."))
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("patent import")
        verbose_name_plural = _("patent imports")
        ordering = ["-created"]

    def __str__(self):
        return f"{self.path} ({self.get_status_display()})"


class FacetCube(models.Model):
    """The patent facets' counts cube (patents.queries.cube) as last computed, under the data version it counts.

    A process that finds the current version here reads its ~20,000 rows (tens of milliseconds) instead of
    grouping every patent and label again (2–3.5 s at a million patents); a big import stores it in its own
    transaction, so no visitor waits for it after the import. A cache, never edited: replaced whole, and only the
    row of the latest version is kept. Read only by queries.cube, so it carries no policy of its own."""

    key = models.CharField(_("data version"), max_length=100, unique=True)
    patents = models.JSONField(_("patent cells"))
    labels = models.JSONField(_("label cells"))
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("patent facet counts")
        verbose_name_plural = _("patent facet counts")

    def __str__(self):
        return self.key
