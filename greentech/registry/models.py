"""The actors of the green technology innovation system (seed 二(一)–(四), 五(三)).

Regions and departments are reference data; organizations, people, platforms (alliances included) and
credit records are the registry that every other module points at.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from greentech.core.audit import audit_history
from greentech.core.models import DemoMarked, PlatformModel
from greentech.core.permissions import RestrictedQuerySet
from greentech.registry.validators import validate_credit_code


class Region(PlatformModel):
    """An administrative division of Liaoning (NBS statistical division codes): province, city or county."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("province")
        CITY = "city", _("city")
        COUNTY = "county", _("county")

    code = models.CharField(_("code"), max_length=12, unique=True, help_text=_("6-digit division code, e.g. 210100."))
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(
        _("English name"), max_length=100, blank=True, help_text=_("Official romanisation, e.g. Tiexi District.")
    )
    short_name = models.CharField(_("short name"), max_length=30, blank=True, help_text=_("e.g. 沈阳 for 沈阳市."))
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )

    history = audit_history()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("registry:region_detail", args=[self.pk])

    def city(self) -> Region | None:
        """The prefecture-level city this region is in (itself for a city)."""
        if self.level == self.Level.CITY:
            return self
        if self.level == self.Level.COUNTY:
            return self.parent
        return None


def within(region: Region, path: str = "region") -> models.Q:
    """Rows whose `path` is the region or one of its counties (a city's figures include its counties)."""
    return models.Q(**{path: region}) | models.Q(**{f"{path}__parent": region})


def find_region(value: str) -> Region | None:
    """A region by its code, name, short name or English name (沈阳市, 沈阳, 210100, Shenyang)."""
    value = (value or "").strip()
    if not value:
        return None
    return (
        Region.objects.filter(
            models.Q(code=value) | models.Q(name=value) | models.Q(short_name=value) | models.Q(name_en__iexact=value)
        )
        .order_by("code")
        .first()
    )


class Department(PlatformModel):
    """A government department the plan names as lead or participant (省科技厅, 中国人民银行沈阳分行, ...)."""

    class Level(models.TextChoices):
        PROVINCIAL = "provincial", _("provincial department")
        CENTRAL_BRANCH = "central_branch", _("central body's provincial office")
        MUNICIPAL = "municipal", _("municipal department")

    code = models.SlugField(_("code"), max_length=30, unique=True)
    short_name = models.CharField(_("short name"), max_length=60, unique=True, help_text=_("As the plan writes it."))
    full_name = models.CharField(_("full name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, default=Level.PROVINCIAL)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="departments", verbose_name=_("region")
    )

    history = audit_history()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]

    def __str__(self):
        return self.short_name


class Organization(DemoMarked, PlatformModel):
    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("Enterprise")
        UNIVERSITY = "university", _("University")
        INSTITUTE = "institute", _("Research institute")
        INTERMEDIARY = "intermediary", _("Intermediary / broker agency")
        BANK = "bank", _("Bank")
        INSURER = "insurer", _("Insurer")
        EVALUATOR = "evaluator", _("Evaluation / certification body")
        GOVERNMENT = "government", _("Government department")
        PARK = "park", _("Industrial park")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200, unique=True)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_credit_code],
        help_text=_("18 characters; the check digit is verified."),
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="organizations", verbose_name=_("region")
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organizations",
        verbose_name=_("department"),
        help_text=_("For a government organization: the department it represents."),
    )
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    green_categories = models.ManyToManyField(
        "taxonomy.Category", blank=True, related_name="organizations", verbose_name=_("green categories")
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_("The list or file this record was loaded from.")
    )

    history = audit_history(m2m_fields=[green_categories])

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("registry:organization_detail", args=[self.pk])

    def normalize(self) -> None:
        """Store credit codes upper-case and absent codes as NULL, before validation checks uniqueness."""
        self.credit_code = (self.credit_code or "").strip().upper() or None

    def clean_fields(self, exclude=None):
        self.normalize()
        super().clean_fields(exclude=exclude)

    def save(self, *args, **kwargs):
        self.normalize()
        super().save(*args, **kwargs)

    def active_credit_records(self, on: datetime.date | None = None):
        return self.credit_records.active(on)


class Person(DemoMarked, PlatformModel):
    """Inventors, technology brokers (技术经纪人) and experts. Contact details are not public."""

    name = models.CharField(pgettext_lazy("person", "name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("organization"),
    )
    is_inventor = models.BooleanField(_("inventor"), default=False)
    is_broker = models.BooleanField(_("technology broker"), default=False)
    is_expert = models.BooleanField(_("expert"), default=False)
    title = models.CharField(_("title / position"), max_length=100, blank=True)
    broker_licence_number = models.CharField(_("broker licence number"), max_length=60, blank=True)
    expertise = models.TextField(_("expertise"), blank=True)
    green_categories = models.ManyToManyField(
        "taxonomy.Category", blank=True, related_name="people", verbose_name=_("green categories")
    )
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_public = models.BooleanField(
        _("listed publicly"), default=False, help_text=_("Show name, organization and expertise to visitors.")
    )
    user = models.OneToOneField(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="person", verbose_name=_("account")
    )
    external_id = models.CharField(
        _("external id"), max_length=60, unique=True, null=True, blank=True, help_text=_("Your own key for imports.")
    )

    history = audit_history(m2m_fields=[green_categories])

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(is_broker=True, broker_licence_number=""),
                name="broker_has_licence_number",
                violation_error_message=_("A technology broker needs a licence number."),
            )
        ]

    def __str__(self):
        return self.name


class Platform(DemoMarked, PlatformModel):
    """An innovation platform or an alliance (绿色技术创新联盟), hosted or led by an organization, with members."""

    class Kind(models.TextChoices):
        ALLIANCE = "alliance", _("Innovation alliance")
        KEY_LAB = "key_lab", _("Key laboratory")
        INNOVATION_CENTRE = "innovation_centre", _("Technology innovation centre")
        ENGINEERING_CENTRE = "engineering_centre", _("Engineering research centre")
        PILOT_BASE = "pilot_base", _("Pilot-test base")
        INCUBATOR = "incubator", _("Incubator")
        MAKER_SPACE = "maker_space", _("Maker space")
        TRANSFER_CENTRE = "transfer_centre", _("Technology transfer centre")
        OTHER = "other", _("Other")

    class Level(models.TextChoices):
        NATIONAL = "national", _("national")
        PROVINCIAL = "provincial", _("provincial")
        MUNICIPAL = "municipal", _("municipal")
        NONE = "none", _("not graded")

    name = models.CharField(_("name"), max_length=200, unique=True)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices, default=Level.NONE)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="hosted_platforms",
        verbose_name=_("host or lead organization"),
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="platforms", verbose_name=_("region")
    )
    established = models.DateField(_("established"), null=True, blank=True)
    recognized_by = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="platforms",
        verbose_name=_("recognized by"),
    )
    members = models.ManyToManyField(
        Organization, through="PlatformMember", related_name="platforms", verbose_name=_("members"), blank=True
    )
    green_categories = models.ManyToManyField(
        "taxonomy.Category", blank=True, related_name="platforms", verbose_name=_("green categories")
    )
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True)

    history = audit_history(m2m_fields=[green_categories])

    class Meta:
        verbose_name = _("platform or alliance")
        verbose_name_plural = _("platforms and alliances")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("registry:platform_detail", args=[self.pk])


class PlatformMember(PlatformModel):
    class Role(models.TextChoices):
        LEAD = "lead", _("lead")
        MEMBER = "member", _("member")
        PARTNER = "partner", _("partner")

    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("platform or alliance")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="platform_memberships", verbose_name=_("organization")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined = models.DateField(_("joined"), null=True, blank=True)

    history = audit_history()

    class Meta:
        verbose_name = _("platform member")
        verbose_name_plural = _("platform members")
        ordering = ["platform__name", "organization__name"]
        constraints = [models.UniqueConstraint(fields=["platform", "organization"], name="platform_member_once")]

    def __str__(self):
        return f"{self.organization} @ {self.platform}"


class CreditRecordQuerySet(RestrictedQuerySet):
    def active(self, on: datetime.date | None = None):
        on = on or timezone.localdate()
        return self.filter(date__lte=on).filter(models.Q(expires__isnull=True) | models.Q(expires__gte=on))


class CreditRecord(DemoMarked, PlatformModel):
    """A credit fact on an organization (seed 三(四), 五(一)): e.g. IP infringement entered into the credit
    system, with its effect on eligibility (joint punishment) and expiry. Later modules call
    `Organization.active_credit_records` or `registry.services.eligibility`.
    """

    class Kind(models.TextChoices):
        IP_INFRINGEMENT = "ip_infringement", _("Intellectual property infringement")
        CERTIFICATION_FRAUD = "certification_fraud", _("Certification or test fraud")
        ENVIRONMENTAL_VIOLATION = "environmental_violation", _("Environmental violation")
        CONTRACT_DEFAULT = "contract_default", _("Contract default")
        TAX_VIOLATION = "tax_violation", _("Tax violation")
        COMMENDATION = "commendation", _("Commendation")
        OTHER = "other", _("Other")

    class Effect(models.TextChoices):
        NONE = "none", _("recorded only")
        WARNING = "warning", _("warning")
        FUNDING_BAN = "funding_ban", _("excluded from public funding")
        PROCUREMENT_BAN = "procurement_ban", _("excluded from government procurement")
        JOINT_PUNISHMENT = "joint_punishment", _("joint punishment (all public programmes)")

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="credit_records", verbose_name=_("organization")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    is_negative = models.BooleanField(_("negative"), default=True)
    date = models.DateField(_("date"))
    authority = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_records",
        verbose_name=_("authority"),
    )
    authority_name = models.CharField(
        _("authority (other)"),
        max_length=200,
        blank=True,
        help_text=_("When the authority is not a listed department."),
    )
    effect = models.CharField(_("effect"), max_length=20, choices=Effect.choices, default=Effect.NONE)
    expires = models.DateField(_("expires"), null=True, blank=True)
    reference = models.CharField(_("reference number"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)

    objects = CreditRecordQuerySet.as_manager()
    history = audit_history()

    class Meta:
        verbose_name = _("credit record")
        verbose_name_plural = _("credit records")
        ordering = ["-date"]

    def __str__(self):
        return f"{self.organization} · {self.get_kind_display()} · {self.date}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.expires and self.date and self.expires < self.date:
            raise ValidationError({"expires": _("The expiry date cannot be before the record's date.")})
        if not self.authority_id and not self.authority_name:
            raise ValidationError({"authority": _("Give the authority: a department, or its name.")})

    def is_active(self, on: datetime.date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.date <= on and (self.expires is None or self.expires >= on)
