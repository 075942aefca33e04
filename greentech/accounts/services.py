"""Granting and withdrawing roles."""

from django.contrib.auth import get_user_model

from greentech.accounts.models import RoleAssignment
from greentech.core import services
from greentech.core.permissions import Role, forget_actor


def assign_role(granted_by, user, role: str, *, organization=None, department=None) -> RoleAssignment:
    """Give `user` a role (idempotent: an existing assignment is re-activated, not duplicated)."""
    existing = RoleAssignment.objects.filter(
        user=user, role=role, organization=organization, department=department
    ).first()
    if existing is not None:
        if not existing.active:
            services.update(granted_by, existing, {"active": True})
        forget_actor(user)
        return existing
    assignment = services.create(
        granted_by, RoleAssignment(user=user, role=role, organization=organization, department=department)
    )
    forget_actor(user)
    return assignment


def create_admin(username: str, email: str, password: str):
    """A platform administrator: a Django superuser (for the back office) holding the admin role."""
    user_model = get_user_model()
    user, _created = user_model.objects.get_or_create(username=username, defaults={"email": email})
    user.email = email or user.email
    user.is_staff = True
    user.is_superuser = True
    user.set_password(password)
    user.save()
    RoleAssignment.objects.get_or_create(user=user, role=Role.ADMIN, organization=None, department=None)
    forget_actor(user)
    return user
