"""Abstract bases every domain model builds on: timestamps, the restricted manager, demo marking, workflow events."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
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

class WorkflowEvent(PlatformModel):
    """A typed event of one object's workflow, written by the service that caused it (Saleor's gift card events):
    who (`actor`, empty for the platform itself), when (`created`) and the event's own data (`parameters`).

    Each workflow subclasses it in its app, with a foreign key to its object (`subject_field` names it) and a
    `kind` field whose choices are the app's typed event kinds (`<app>/events.py`). `core.services.transition`
    writes one through `for_transition`; a subclass whose columns differ (deals' `DealEvent`) overrides it.
    """

    subject_field = ""  # the foreign key to the object the events are about (or override `subject`)

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    parameters = models.JSONField(_("parameters"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        abstract = True

    @classmethod
    def subject(cls, instance) -> dict:
        """The field values that tie an event to `instance`."""
        return {cls.subject_field: instance}

    @classmethod
    def for_transition(cls, subject, *, kind, source, target, actor, reason, parameters, **fields):
        """The unsaved event recording that `subject` moved from `source` to `target` (transition `kind`)."""
        raise NotImplementedError(f"{cls.__name__} does not record transitions")


class TransitionEvent(WorkflowEvent):
    """A workflow event with the states it moved between and the reason given (market listings, and the
    certificates, applications and requests to come)."""

    state_from = models.CharField(_("from"), max_length=20, blank=True)
    state_to = models.CharField(_("to"), max_length=20, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        abstract = True

    @classmethod
    def for_transition(cls, subject, *, kind, source, target, actor, reason, parameters, **fields):
        return cls(
            **cls.subject(subject),
            kind=kind,
            state_from=source or "",
            state_to=target or "",
            actor=actor,
            reason=reason or "",
            parameters=parameters or {},
            **fields,
        )
