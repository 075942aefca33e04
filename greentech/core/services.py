"""Generic write services: the only way registry rows are created, changed or deleted.

Views, API endpoints, imports and commands call these (or an app's own service built on them), so every
write is permission-checked, validated and attributed in the audit trail in one place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from greentech.core import audit
from greentech.core.permissions import Action, check


def account_of(user):
    """The account to store as author of a change (None for the platform itself, `SYSTEM`)."""
    return user if getattr(user, "pk", None) else None


def create(user, instance, *, many_to_many: dict | None = None, reason: str = ""):
    """Validate and save a new instance on behalf of `user`; refuse if the user may not add it."""
    check(user, Action.ADD, instance)
    instance.full_clean()
    with transaction.atomic(), audit.acting_as(user):
        if reason:
            instance._change_reason = reason
        instance.save()
        for name, values in (many_to_many or {}).items():
            getattr(instance, name).set(values)
    return instance


def update(user, instance, changes: dict, *, many_to_many: dict | None = None, reason: str = ""):
    """Apply `changes` to a saved instance on behalf of `user`.

    The user must be allowed to change the row as it is and, so nobody can move a row out of their reach
    into someone else's, as it will be.
    """
    check(user, Action.CHANGE, instance)
    for name, value in changes.items():
        setattr(instance, name, value)
    instance.full_clean()
    with transaction.atomic(), audit.acting_as(user):
        if reason:
            instance._change_reason = reason
        instance.save()
        for name, values in (many_to_many or {}).items():
            getattr(instance, name).set(values)
        check(user, Action.CHANGE, instance)  # still within reach after the change; rolls back otherwise
    return instance


def delete(user, instance, *, reason: str = "") -> None:
    check(user, Action.DELETE, instance)
    with transaction.atomic(), audit.acting_as(user):
        if reason:
            instance._change_reason = reason
        instance.delete()


# --- workflows --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    """One step of a workflow: from which states (`sources`) to which (`target`), and the permission `action` the
    user needs on the object as it is. `name` is also the kind of the event written; `label` (lazily translated)
    names the step in messages."""

    name: str
    sources: tuple
    target: str
    action: str = Action.CHANGE
    label: str = ""


@dataclass(frozen=True)
class Workflow:
    """A workflow's transition table: the state field, the event model (a `core.models.WorkflowEvent`) and its
    transitions. `run(user, instance, name, ...)` is `transition()` with the table's sources, target and action."""

    events: type
    transitions: tuple
    field: str = "status"

    def __getitem__(self, name: str) -> Transition:
        for step in self.transitions:
            if step.name == name:
                return step
        raise KeyError(name)

    def available(self, state: str) -> list[Transition]:
        """The transitions a row in `state` may take (before asking who may take them)."""
        return [step for step in self.transitions if state in step.sources]

    def ensure(self, instance, name: str) -> None:
        """Raise the refusal now if `instance` is not in a state `name` starts from (before other work)."""
        step = self[name]
        if getattr(instance, self.field) not in step.sources:
            raise refuse_transition(instance, step.name, step.sources, field=self.field, label=step.label)

    def run(self, user, instance, name: str, **options):
        step = self[name]
        return transition(
            user,
            instance,
            step.name,
            sources=step.sources,
            target=step.target,
            events=self.events,
            action=step.action,
            field=self.field,
            label=step.label,
            **options,
        )


def _state_label(instance, field: str, state: str) -> str:
    labels = dict(instance._meta.get_field(field).flatchoices)
    return str(labels.get(state, state))


def refuse_transition(instance, name: str, sources: Iterable[str], *, field: str = "status", label: str = ""):
    """The ValidationError for a transition asked from a state it does not start from (which states it does)."""
    current = getattr(instance, field)
    allowed = "、".join(f"“{_state_label(instance, field, state)}”" for state in sources)
    return ValidationError(
        _("“%(transition)s” is possible only from %(allowed)s; this %(model)s is “%(current)s”.")
        % {
            "transition": str(label or name),
            "allowed": allowed or "—",
            "model": instance._meta.verbose_name,
            "current": _state_label(instance, field, current),
        },
        code="invalid_transition",
        params={"transition": name, "current": current, "allowed": list(sources)},
    )


def transition(
    user,
    instance,
    name: str,
    *,
    sources: Iterable[str],
    target: str,
    events: type,
    action: str = Action.CHANGE,
    field: str = "status",
    changes: dict | None = None,
    many_to_many: dict | None = None,
    reason: str = "",
    parameters: dict | None = None,
    event_fields: dict | None = None,
    label: str = "",
    checked: bool = False,
    check_after: bool = False,
):
    """Move `instance` from one of `sources` to `target` on behalf of `user`, and return the event written.

    Asks the permission mechanism for `action` on the instance as it is (unless the caller has, `checked`), refuses
    any other current state with a ValidationError naming the allowed ones, applies `changes` (and
    `many_to_many`), validates, saves in a transaction attributed in the audit trail, and writes one typed event
    (`events.for_transition`: who, when, from → to, `reason`, `parameters`; `event_fields` are that model's own
    columns). `check_after`: the row must still be within the user's reach afterwards (as `update` asks). On any
    refusal nothing is written and the instance keeps its values.
    """
    if not checked:
        check(user, action, instance)
    sources = tuple(sources)
    source = getattr(instance, field)
    if source not in sources:
        raise refuse_transition(instance, name, sources, field=field, label=label)
    changes = {field: target, **(changes or {})}
    before = {name_: getattr(instance, name_) for name_ in changes}
    try:
        for name_, value in changes.items():
            setattr(instance, name_, value)
        instance.full_clean()
        with transaction.atomic(), audit.acting_as(user):
            instance._change_reason = f"{name}: {source} → {target}" + (f" ({reason})" if reason else "")
            instance.save()
            for relation, values in (many_to_many or {}).items():
                getattr(instance, relation).set(values)
            if check_after:
                check(user, Action.CHANGE, instance)
            event = events.for_transition(
                instance,
                kind=name,
                source=source,
                target=target,
                actor=account_of(user),
                reason=reason,
                parameters=parameters or {},
                **(event_fields or {}),
            )
            event.full_clean()
            event.save()
    except BaseException:
        for name_, value in before.items():
            setattr(instance, name_, value)
        raise
    return event
