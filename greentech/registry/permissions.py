"""Who may see and change the registry."""

from django.db.models import Q

from greentech.core.permissions import (
    Action,
    Policy,
    PublicReferencePolicy,
    PublicRegistryPolicy,
    Role,
    register,
)
from greentech.registry.models import CreditRecord, Department, Organization, Person, Platform, PlatformMember, Region

register(Region, PublicReferencePolicy())
register(Department, PublicReferencePolicy())


class OrganizationPolicy(Policy):
    """Everyone reads the registry; an organization's own members keep its record; any signed-in user may
    register a new organization (and becomes its member through the registration service)."""

    def scope(self, actor, action):
        if action == Action.VIEW:
            return True
        if action == Action.CHANGE and actor.organization_ids:
            return Q(pk__in=actor.organization_ids)
        return False

    def can_add(self, actor, instance):
        return actor.is_authenticated


class PersonPolicy(Policy):
    """People listed publicly are visible to all; contact details of the rest only to government roles,
    their own organization and themselves."""

    def scope(self, actor, action):
        own = Q(organization__in=actor.organization_ids) | Q(user=actor.user) if actor.is_authenticated else Q()
        if action == Action.VIEW:
            if actor.is_government:
                return True
            return Q(is_public=True) | own if actor.is_authenticated else Q(is_public=True)
        if action == Action.CHANGE and actor.is_authenticated:
            return own
        return False

    def can_add(self, actor, instance):
        return instance.organization_id in actor.organization_ids

    # a publicly listed person shows name, organization and expertise (Person.is_public); contact details are not
    restricted_fields = ("email", "phone")

    def hidden_fields(self, actor, instance):
        if actor.is_government or instance.organization_id in actor.organization_ids:
            return frozenset()
        if actor.user is not None and instance.user_id is not None and instance.user_id == actor.user.pk:
            return frozenset()
        return frozenset(self.restricted_fields)


class PlatformMemberPolicy(Policy):
    def scope(self, actor, action):
        if action == Action.VIEW:
            return True
        if action in (Action.CHANGE, Action.DELETE) and actor.organization_ids:
            return Q(platform__organization__in=actor.organization_ids)
        return False

    def can_add(self, actor, instance):
        return instance.platform_id is not None and instance.platform.organization_id in actor.organization_ids


class CreditRecordPolicy(Policy):
    """Credit records are not public: government officers, banks and insurers (for screening), evaluators and
    the organization itself read them; the recording department's officers keep them."""

    def scope(self, actor, action):
        if action == Action.VIEW:
            if actor.has_role(Role.DEPARTMENT_OFFICER, Role.FINANCE_OFFICER, Role.EVALUATOR):
                return True
            if actor.organization_ids:
                return Q(organization__in=actor.organization_ids)
            return False
        if action == Action.CHANGE and actor.department_ids:
            return Q(authority__in=actor.department_ids)
        return False

    def can_add(self, actor, instance):
        return Role.DEPARTMENT_OFFICER in actor.roles and instance.authority_id in actor.department_ids


register(Organization, OrganizationPolicy())
register(Person, PersonPolicy())
register(Platform, PublicRegistryPolicy())
register(PlatformMember, PlatformMemberPolicy())
register(CreditRecord, CreditRecordPolicy())
