"""Granting and withdrawing roles; sign-up and the acceptance of the terms of use."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_ipv46_address

from greentech.accounts import models
from greentech.accounts.models import RoleAssignment, TermsOfUseAcceptance
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


def holders(*roles: str, organization=None, superusers: bool = False):
    """Accounts with an active assignment of any of `roles` (of any role when none is named), in `organization`
    when given; Django superusers too when `superusers` (administrators without an admin assignment)."""
    from django.db.models import Q

    condition = Q(role_assignments__active=True)
    if roles:
        condition &= Q(role_assignments__role__in=roles)
    if organization is not None:
        condition &= Q(role_assignments__organization=organization)
    if superusers:
        condition |= Q(is_superuser=True)
    return get_user_model().objects.filter(condition).distinct()


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


def sign_up(username: str, email: str, password: str, *, address: str | None = None):
    """A plain account (no role) a person creates for themselves on the portal's sign-up page, with their
    acceptance of the current terms of use (the form requires it) from `address`.

    The caller has validated the values (username free, password through Django's validators) and holds the
    transaction. Roles come later: registering an organization makes the user its member
    (`registry.services.register_organization`).
    """
    user_model = get_user_model()
    user = user_model(username=username, email=user_model.objects.normalize_email(email), is_active=True)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    accept_terms(user, address=address)
    return user


def accept_terms(user, *, version: str | None = None, address: str | None = None) -> TermsOfUseAcceptance:
    """Record that `user` accepts this version of the terms (default: the current one); the first acceptance of
    a version stands (accepting it again changes nothing)."""
    acceptance, _created = TermsOfUseAcceptance.objects.get_or_create(
        user=user, version=version or models.TERMS_VERSION, defaults={"address": _ip_or_none(address)}
    )
    return acceptance


def _ip_or_none(address: str | None) -> str | None:
    """The address if it is an IPv4 or IPv6 address (a forwarded header may carry anything; PostgreSQL's inet
    column would refuse it and the sign-up with it), else None."""
    try:
        validate_ipv46_address(address or "")
    except ValidationError:
        return None
    return address


def current_acceptance(user) -> TermsOfUseAcceptance | None:
    """The user's acceptance of the current terms, or None (never accepted, or only an earlier version)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return TermsOfUseAcceptance.objects.restrict(user).filter(user=user, version=models.TERMS_VERSION).first()
