"""Generic write services: the only way registry rows are created, changed or deleted.

Views, API endpoints, imports and commands call these (or an app's own service built on them), so every
write is permission-checked, validated and attributed in the audit trail in one place.
"""

from __future__ import annotations

from django.db import transaction

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
