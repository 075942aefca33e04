"""The plan as data (seed 六 and its appendix): plan → parts → tasks → deliverables, and the progress reports
departments file on their deliverables. Any plan loads the same way (`greentech roadmap load FILE`)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from greentech.core.audit import audit_history
from greentech.core.files import validate_document
from greentech.core.models import PlatformModel


class Plan(PlatformModel):
    slug = models.SlugField(_("code"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=300)
    title_en = models.CharField(_("English title"), max_length=300, blank=True)
    issuer = models.CharField(_("issuer"), max_length=200, blank=True)
    document_number = models.CharField(_("document number"), max_length=100, blank=True)
    parent_reference = models.CharField(
        _("implements"), max_length=200, blank=True, help_text=_("The higher-level plan, e.g. 发改环资〔2019〕689号.")
    )
    start_year = models.PositiveSmallIntegerField(_("start year"))
    end_year = models.PositiveSmallIntegerField(_("end year"))

    history = audit_history()

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-start_year", "slug"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("roadmap:plan_detail", args=[self.slug])


class Part(PlatformModel):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="parts", verbose_name=_("plan"))
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)

    history = audit_history()

    class Meta:
        verbose_name = _("plan part")
        verbose_name_plural = _("plan parts")
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="part_number_per_plan")]

    def __str__(self):
        return f"{self.number}. {self.title}"


class Task(PlatformModel):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("plan"))
    part = models.ForeignKey(Part, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("part"))
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    body_section = models.CharField(_("section of the plan's text"), max_length=40, blank=True)

    history = audit_history()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="task_number_per_plan")]

    def __str__(self):
        return f"{self.number}. {self.title}"


class Deliverable(PlatformModel):
    class Comparison(models.TextChoices):
        ABOUT = "about", _("about")
        AT_LEAST = "at_least", _("at least")
        EXACTLY = "exactly", _("exactly")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="deliverables", verbose_name=_("plan"))
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="deliverables", verbose_name=_("task"))
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("deliverable"))
    start_year = models.PositiveSmallIntegerField(_("start year"))
    end_year = models.PositiveSmallIntegerField(_("end year"))
    lead_departments = models.ManyToManyField(
        "registry.Department",
        through="DeliverableLead",
        related_name="led_deliverables",
        verbose_name=_("lead departments"),
    )
    participating_departments = models.ManyToManyField(
        "registry.Department",
        related_name="joined_deliverables",
        blank=True,
        verbose_name=_("participating departments"),
        help_text=_("Set by the lead departments."),
    )
    target_value = models.DecimalField(_("target"), max_digits=14, decimal_places=2, null=True, blank=True)
    target_unit = models.CharField(_("target unit"), max_length=20, blank=True)
    target_comparison = models.CharField(_("target comparison"), max_length=10, choices=Comparison.choices, blank=True)
    target_text = models.CharField(_("target as written"), max_length=60, blank=True)
    indicator = models.SlugField(_("live indicator"), max_length=60, blank=True)

    history = audit_history(m2m_fields=[participating_departments])

    class Meta:
        verbose_name = _("deliverable")
        verbose_name_plural = _("deliverables")
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="deliverable_number_per_plan")]

    def __str__(self):
        return f"{self.number}. {self.text}"

    def get_absolute_url(self):
        return reverse("roadmap:deliverable_detail", args=[self.pk])

    def clean(self):
        from django.core.exceptions import ValidationError

        from greentech.roadmap import indicators

        if self.indicator and indicators.get(self.indicator) is None:
            known = ", ".join(i.slug for i in indicators.all_indicators())
            raise ValidationError({"indicator": _("Unknown indicator; known: %(known)s") % {"known": known}})
        if self.start_year and self.end_year and self.start_year > self.end_year:
            raise ValidationError({"end_year": _("The end year cannot be before the start year.")})

    def indicator_value(self):
        from greentech.roadmap import indicators

        return indicators.value(self.indicator) if self.indicator else None

    def lead_names(self) -> list[str]:
        """Lead departments' short names in the plan's order."""
        return [lead.department.short_name for lead in self.leads.select_related("department").order_by("position")]


class DeliverableLead(PlatformModel):
    """A lead department of a deliverable, in the order the plan names them (牵头部门)."""

    deliverable = models.ForeignKey(Deliverable, on_delete=models.CASCADE, related_name="leads")
    department = models.ForeignKey("registry.Department", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = audit_history()

    class Meta:
        verbose_name = _("lead department")
        verbose_name_plural = _("lead departments")
        ordering = ["deliverable", "position"]
        constraints = [models.UniqueConstraint(fields=["deliverable", "department"], name="lead_once")]

    def __str__(self):
        return f"{self.deliverable.number} · {self.department}"


class ProgressReport(PlatformModel):
    """A department's report on one deliverable for one period; an administrator accepts or returns it."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("not started")
        IN_PROGRESS = "in_progress", _("in progress")
        COMPLETED = "completed", _("completed")
        DELAYED = "delayed", _("delayed")

    class Review(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        ACCEPTED = "accepted", _("accepted")
        RETURNED = "returned", _("returned")

    deliverable = models.ForeignKey(
        Deliverable, on_delete=models.CASCADE, related_name="reports", verbose_name=_("deliverable")
    )
    department = models.ForeignKey(
        "registry.Department", on_delete=models.PROTECT, related_name="progress_reports", verbose_name=_("department")
    )
    period = models.CharField(_("period"), max_length=20, help_text=_("e.g. 2020, 2020-H1, 2020-Q3"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    percent = models.PositiveSmallIntegerField(
        _("percent complete"), validators=[MinValueValidator(0), MaxValueValidator(100)], default=0
    )
    value = models.DecimalField(_("quantitative value"), max_digits=14, decimal_places=2, null=True, blank=True)
    narrative = models.TextField(_("narrative"))
    links = models.TextField(_("evidence links"), blank=True, help_text=_("One address per line."))
    evidence = models.FileField(
        _("evidence file"),
        upload_to="roadmap/evidence/%Y/",
        blank=True,
        validators=[validate_document],
        help_text=_("PDF, Office document, image or text; up to 20 MB."),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    review = models.CharField(_("review"), max_length=10, choices=Review.choices, default=Review.SUBMITTED)
    review_comment = models.TextField(_("review comment"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    history = audit_history()

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["-created", "-id"]

    def __str__(self):
        return f"{self.deliverable.number} · {self.department} · {self.period}"


class QualityRating(PlatformModel):
    """The administrator's rating of a department's roadmap work in a year (the quality part of 绩效评估)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="ratings", verbose_name=_("plan"))
    department = models.ForeignKey(
        "registry.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("department")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    score = models.PositiveSmallIntegerField(
        _("quality rating"),
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1 (poor) to 5 (excellent)"),
    )
    comment = models.TextField(_("comment"), blank=True)

    history = audit_history()

    class Meta:
        verbose_name = _("quality rating")
        verbose_name_plural = _("quality ratings")
        ordering = ["plan", "year", "department"]
        constraints = [models.UniqueConstraint(fields=["plan", "department", "year"], name="rating_once_a_year")]

    def __str__(self):
        return f"{self.department} · {self.year} · {self.score}"
