"""Audit trail: who changed what, when, from where, with the before and after of every registry change.

django-simple-history stores one historical row per save. This module supplies the *who* and *where* from a
context variable instead of the HTTP request, so changes from the web, the API, imports, jobs and the shell
are all attributed: the middleware sets the context for requests, the import pipeline and services set it
for their work, and anything else (a shell session) is recorded with source "shell".
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import models
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record


class Source(models.TextChoices):
    WEB = "web", _("Web")
    API = "api", _("API")
    IMPORT = "import", _("Import")
    INIT = "init", _("Reference data load")
    JOB = "job", _("Background job")
    SHELL = "shell", _("Command line / shell")


@dataclass(frozen=True)
class AuditContext:
    user: object | None = None
    source: str = Source.SHELL


_current: ContextVar[AuditContext] = ContextVar(
    "greentech_audit", default=AuditContext()  # noqa: B039 - frozen dataclass, immutable
)


def current() -> AuditContext:
    return _current.get()


@contextlib.contextmanager
def acting_as(user=None, source: str | None = None):
    """Attribute every change made inside the block to `user`, from `source` (kept from the outer block if None)."""
    outer = _current.get()
    token = _current.set(AuditContext(user=user, source=source or outer.source))
    try:
        yield
    finally:
        _current.reset(token)


def attribute_request_to(user, source: str) -> None:
    """Within a request, attribute the rest of it to `user` (e.g. the API's token user, known only after DRF
    authenticated it). The request middleware's `acting_as` block restores the previous context afterwards."""
    _current.set(AuditContext(user=user, source=source))


def history_user(instance=None, request=None, **kwargs):
    """simple-history's get_user hook: the acting user from the context, if it is a real account."""
    user = _current.get().user
    return user if getattr(user, "is_authenticated", False) and getattr(user, "pk", None) else None


class HistorySource(models.Model):
    """Extra column on every historical table: where the change came from."""

    history_source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.SHELL)

    class Meta:
        abstract = True


def audit_history(**options) -> HistoricalRecords:
    """The HistoricalRecords every audited model uses, so all histories carry user and source the same way."""
    return HistoricalRecords(bases=[HistorySource], get_user=history_user, cascade_delete_history=False, **options)


@receiver(pre_create_historical_record)
def _stamp_source(sender, history_instance=None, **kwargs):
    if history_instance is not None and hasattr(history_instance, "history_source"):
        history_instance.history_source = _current.get().source


class AuditContextMiddleware:
    """Attribute changes made while serving a request to its user; API views re-enter with the token user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        source = Source.API if request.path.startswith("/api/") else Source.WEB
        with acting_as(getattr(request, "user", None), source):
            return self.get_response(request)


def changes(record) -> list[dict]:
    """The field-level difference between a historical record and the one before it."""
    previous = record.prev_record
    if previous is None:
        return [
            {"field": f.name, "label": str(f.verbose_name), "before": None, "after": getattr(record, f.attname)}
            for f in record.instance_type._meta.concrete_fields
            if f.name not in {"id", "created", "updated"} and getattr(record, f.attname, None) not in (None, "")
        ]
    delta = record.diff_against(previous)
    model_meta = record.instance_type._meta
    rows = []
    for change in delta.changes:
        try:
            label = str(model_meta.get_field(change.field).verbose_name)
        except Exception:  # noqa: BLE001 - a field removed since the record was written
            label = change.field
        if change.field in {"updated"}:
            continue
        rows.append({"field": change.field, "label": label, "before": change.old, "after": change.new})
    return rows


def history_rows(instance) -> list[dict]:
    """The object's history, newest first, in a form the portal and the API both show."""
    rows = []
    for record in instance.history.select_related("history_user").order_by("-history_date", "-history_id"):
        rows.append(
            {
                "id": record.history_id,
                "date": record.history_date,
                "user": record.history_user.get_username() if record.history_user else None,
                "source": record.history_source,
                "type": {"+": "created", "~": "changed", "-": "deleted"}[record.history_type],
                "reason": record.history_change_reason or "",
                "changes": changes(record),
            }
        )
    return rows
