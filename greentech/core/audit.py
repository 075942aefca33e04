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

from greentech.core.i18n import lazy


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
    "greentech_audit",
    default=AuditContext(),  # noqa: B039 - frozen dataclass, immutable
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


TYPE_LABELS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}
SKIPPED_FIELDS = {"id", "created", "updated", "sort_key"}


def _is_user_field(field) -> bool:
    from django.contrib.auth import get_user_model

    return field is not None and field.is_relation and field.related_model is get_user_model()


class PersonLabels:
    """People in a history as the viewer may see them: the account name only to platform administrators and to
    the person themself; to everyone else the organization they acted for, or their role ('a reviewer')."""

    def __init__(self, viewer, instance):
        from greentech.core.permissions import actor_for

        self.viewer = actor_for(viewer)
        self.organization_id = getattr(instance, "organization_id", None)
        self._labels: dict = {}

    def __call__(self, user_id):
        if user_id is None:
            return None
        if user_id not in self._labels:
            self._labels[user_id] = self._label(user_id)
        return self._labels[user_id]

    def _label(self, user_id) -> str:
        from django.apps import apps
        from django.contrib.auth import get_user_model

        from greentech.core.permissions import Role

        user = get_user_model()._default_manager.filter(pk=user_id).first()
        if user is None:
            return str(_("a former user"))
        if self.viewer.is_admin or getattr(self.viewer.user, "pk", None) == user_id:
            return user.get_username()
        assignments = apps.get_model("accounts", "RoleAssignment").objects.filter(user_id=user_id, active=True)
        roles = set(assignments.values_list("role", flat=True))
        if user.is_superuser or Role.ADMIN in roles:
            return str(_("a platform administrator"))
        if Role.DEPARTMENT_OFFICER in roles:
            return str(_("a reviewer"))
        organizations = set(assignments.exclude(organization=None).values_list("organization_id", flat=True))
        if self.organization_id in organizations:
            organizations = {self.organization_id}
        organization = (
            apps.get_model("registry", "Organization").objects.filter(pk__in=organizations).order_by("name").first()
        )
        if organization is not None:
            return str(lazy(_("a member of %(organization)s"), organization=organization.name))
        return str(_("a user of the platform"))


def display_value(field, value, people=None):
    """A stored value as a person reads it: choice labels, yes/no, the related object's name, not its id; a
    person (a user field) as `people` labels them (no account names without it)."""
    if value is None or value == "":
        return None
    if _is_user_field(field):
        return people(value) if people is not None else str(_("a user of the platform"))
    if getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return str(_("yes") if value else _("no"))
    if field.is_relation and field.many_to_one:
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else f"#{value}"
    if field.many_to_many:
        ids = [item.get(field.m2m_reverse_field_name(), item) if isinstance(item, dict) else item for item in value]
        ids = [getattr(item, "pk", item) for item in ids]
        return ", ".join(str(obj) for obj in field.related_model._default_manager.filter(pk__in=ids)) or None
    return str(value)


def _change(field, name, before, after, hidden=frozenset(), people=None) -> dict:
    def as_json(value):
        return value if isinstance(value, str | int | float | bool) or value is None else str(value)

    label = str(field.verbose_name) if field is not None else name
    if name in hidden:  # the viewer may not read this field (Policy.hidden_fields): say it changed, not how
        return {
            "field": name,
            "label": label,
            "hidden": True,
            "before": None,
            "after": None,
            "before_display": None,
            "after_display": None,
        }
    if _is_user_field(field):  # a person: as the viewer may see them, never an account id
        before_display, after_display = display_value(field, before, people), display_value(field, after, people)
        return {
            "field": name,
            "label": label,
            "before": before_display,
            "after": after_display,
            "before_display": before_display,
            "after_display": after_display,
        }
    return {
        "field": name,
        "label": label,
        "before": as_json(before),
        "after": as_json(after),
        "before_display": display_value(field, before) if field is not None else before,
        "after_display": display_value(field, after) if field is not None else after,
    }


def changes(record, hidden=frozenset(), people=None) -> list[dict]:
    """The field-level difference between a historical record and the one before it; the `hidden` fields
    (those the viewer may not read) without their values, people as `people` labels them."""
    model_meta = record.instance_type._meta
    previous = record.prev_record
    if previous is None:
        return [
            _change(f, f.name, None, getattr(record, f.attname), hidden, people)
            for f in model_meta.concrete_fields
            if f.name not in SKIPPED_FIELDS and getattr(record, f.attname, None) not in (None, "")
        ]
    rows = []
    for change in record.diff_against(previous).changes:
        if change.field in SKIPPED_FIELDS:
            continue
        try:
            field = model_meta.get_field(change.field)
        except Exception:  # noqa: BLE001 - a field removed since the record was written
            field = None
        rows.append(_change(field, change.field, change.old, change.new, hidden, people))
    return rows


def history_rows(instance, user) -> list[dict]:
    """The object's history as `user` may read it (the fields the permission policy hides from them blanked,
    people shown as they may see them), newest first, in a form the portal and the API both show."""
    from greentech.core.permissions import hidden_fields

    hidden = hidden_fields(user, instance)
    people = PersonLabels(user, instance)
    rows = []
    for record in instance.history.order_by("-history_date", "-history_id"):
        rows.append(
            {
                "id": record.history_id,
                "date": record.history_date,
                "user": people(record.history_user_id),
                "source": record.history_source,
                "source_display": str(Source(record.history_source).label),
                "type": {"+": "created", "~": "changed", "-": "deleted"}[record.history_type],
                "type_display": str(TYPE_LABELS[record.history_type]),
                "reason": record.history_change_reason or "",
                "changes": changes(record, hidden, people),
            }
        )
    return rows
