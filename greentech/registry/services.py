"""Registry business rules."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from greentech.core import services
from greentech.core.permissions import SYSTEM, Role, actor_for


def check_organization_fields(user, kind: str, stored_kind: str | None = None) -> None:
    """The fields a role may not set, refused the same way on every path (portal form, API, import): only
    platform administrators make an organization a government one, since it represents a department (and its
    officers review the market); an administrator's government entry keeps its kind when its members edit it."""
    from greentech.registry.models import Organization

    if kind == Organization.Kind.GOVERNMENT and stored_kind != kind and not actor_for(user).is_admin:
        raise ValidationError(
            {
                "kind": ValidationError(
                    _(
                        "Only platform administrators enter government organizations (they represent a "
                        "department): choose another kind, or ask an administrator."
                    ),
                    code="administrators_only",
                )
            }
        )


def register_organization(user, organization, *, many_to_many=None):
    """Register a new organization; the user who registers it becomes its member (and can keep it)."""
    from greentech.accounts.services import assign_role

    check_organization_fields(user, organization.kind)
    with transaction.atomic():
        services.create(user, organization, many_to_many=many_to_many)
        if getattr(user, "is_authenticated", False):
            assign_role(SYSTEM, user, Role.MEMBER, organization=organization)
    return organization


def update_organization(user, organization, changes: dict, *, many_to_many=None):
    """Change an organization's record (portal form and API): the fields the user's role may not set refused."""
    check_organization_fields(user, changes.get("kind", organization.kind), stored_kind=organization.kind)
    return services.update(user, organization, changes, many_to_many=many_to_many)


def eligibility(organization, on=None) -> dict:
    """Whether active negative credit records bar the organization from public programmes on a date.

    Later modules (funding, procurement, finance) call this instead of reading credit records themselves.
    """
    records = list(organization.credit_records.active(on).filter(is_negative=True))
    effects = {record.effect for record in records}
    return {
        "eligible_for_funding": not effects & {"funding_ban", "joint_punishment"},
        "eligible_for_procurement": not effects & {"procurement_ban", "joint_punishment"},
        "records": records,
    }
