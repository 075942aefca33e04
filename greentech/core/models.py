"""Abstract bases every domain model builds on: timestamps, the restricted manager, demo marking."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from greentech.core.permissions import RestrictedQuerySet


class PlatformModel(models.Model):
    """Timestamped, and queried through `objects.restrict(user, action)`."""

    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True


class DemoMarked(models.Model):
    """Rows added by `greentech init --demo` carry is_demo, shown as a badge everywhere they appear."""

    is_demo = models.BooleanField(
        _("demo data"), default=False, db_index=True, help_text=_("Added as demonstration data, not a real record.")
    )

    class Meta:
        abstract = True


class TopicStamp(models.Model):
    """The current stamp of a topic of cached renderings (core.freshness): a new random number after every change
    to the topic's models, written in the same transaction as the change."""

    name = models.CharField(_("topic"), max_length=50, primary_key=True)
    stamp = models.BigIntegerField(_("stamp"), default=0)
    changed = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("topic stamp")
        verbose_name_plural = _("topic stamps")

    def __str__(self):
        return f"{self.name}: {self.stamp}"


class Job(models.Model):
    """One run of a declared job (core.jobs): the ledger every worker, the back office and `greentech jobs` read.

    The engine (Huey) only carries the row's id to a worker; what the job is, whether it may run, how often it
    was tried, how far it got and how it ended live here, in the platform's own database. `key` makes enqueueing
    idempotent: a second enqueue with the same key returns the first row instead of queueing the work twice."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    name = models.CharField(_("job"), max_length=100, db_index=True)
    key = models.CharField(_("key"), max_length=255, unique=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveIntegerField(_("maximum attempts"), default=1)
    run_after = models.DateTimeField(_("not before"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("handed to the engine"), null=True, blank=True)
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)
    worker = models.CharField(_("worker"), max_length=200, blank=True)
    cancel_requested = models.BooleanField(_("cancel requested"), default=False)
    progress_done = models.PositiveBigIntegerField(_("done"), default=0)
    progress_total = models.PositiveBigIntegerField(_("total"), null=True, blank=True)
    progress_message = models.CharField(_("progress"), max_length=300, blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    started = models.DateTimeField(_("started"), null=True, blank=True)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["status", "lease_until"], name="core_job_status_lease")]

    def __str__(self):
        return f"{self.name} #{self.pk} ({self.status})"
