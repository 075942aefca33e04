"""The one permission mechanism: `Model.objects.restrict(user, action)`.

Every view, API endpoint, export and import asks this module, never an ad-hoc filter. Each model registers
a Policy that turns an Actor (the user with their roles, organizations and departments) and an action into
a queryset filter. Platform administrators see and do everything; a model without a policy refuses to
answer (a programming error caught by the test suite), so nothing is exposed by omission.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import FieldError, ImproperlyConfigured, PermissionDenied
from django.db import models
from django.db.models import F, Q
from django.db.models.constants import LOOKUP_SEP
from django.utils.translation import gettext_lazy as _

from greentech.core.i18n import lazy


class Action(models.TextChoices):
    VIEW = "view", _("view")
    ADD = "add", _("add")
    CHANGE = "change", _("change")
    DELETE = "delete", _("delete")
    REVIEW = "review", _("review")


class Role(models.TextChoices):
    """The platform's roles (MISSION.md). A user holds roles through RoleAssignment rows."""

    MEMBER = "member", _("Organization member")
    BROKER = "broker", _("Technology broker")
    EVALUATOR = "evaluator", _("Evaluator (third-party body)")
    FINANCE_OFFICER = "finance_officer", _("Bank / insurer officer")
    DEPARTMENT_OFFICER = "department_officer", _("Department officer")
    ADMIN = "admin", _("Platform administrator")


@dataclass(frozen=True)
class Actor:
    """Who is asking: resolved once per user object from their role assignments."""

    user: object = None
    is_authenticated: bool = False
    is_admin: bool = False
    roles: frozenset = field(default_factory=frozenset)
    organization_ids: frozenset = field(default_factory=frozenset)
    department_ids: frozenset = field(default_factory=frozenset)
    # organizations per role, e.g. the banks where the user is a finance officer
    role_organizations: dict = field(default_factory=dict)

    def has_role(self, *roles: str) -> bool:
        return self.is_admin or bool(self.roles.intersection(roles))

    def organizations_for(self, *roles: str) -> frozenset:
        ids: set = set()
        for role in roles:
            ids |= self.role_organizations.get(role, set())
        return frozenset(ids)

    @property
    def is_government(self) -> bool:
        return self.is_admin or Role.DEPARTMENT_OFFICER in self.roles


ANONYMOUS = Actor()


class SystemUser:
    """The platform itself, acting for an operator at the command line or for a rule (e.g. making the
    registrant of an organization its member). It may do everything; its changes are recorded with no user
    and the source of the change (init, import, shell, job)."""

    pk = None
    id = None
    is_authenticated = True
    is_active = True
    is_superuser = True
    is_staff = True
    username = "system"

    def get_username(self):
        return self.username

    def __str__(self):
        return "system"


SYSTEM = SystemUser()


def actor_for(user) -> Actor:
    """The Actor for a user (anonymous visitors included), cached on the user object for the request."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    if isinstance(user, SystemUser):
        return Actor(user=user, is_authenticated=True, is_admin=True, roles=frozenset({Role.ADMIN}))
    cached = getattr(user, "_greentech_actor", None)
    if cached is not None:
        return cached
    from django.apps import apps

    assignments = apps.get_model("accounts", "RoleAssignment").objects.filter(user=user, active=True)
    roles: set = set()
    organizations: set = set()
    departments: set = set()
    per_role: dict = {}
    for role, organization_id, department_id in assignments.values_list("role", "organization_id", "department_id"):
        roles.add(role)
        if organization_id:
            organizations.add(organization_id)
            per_role.setdefault(role, set()).add(organization_id)
        if department_id:
            departments.add(department_id)
    is_admin = bool(user.is_superuser) or Role.ADMIN in roles
    actor = Actor(
        user=user,
        is_authenticated=True,
        is_admin=is_admin,
        roles=frozenset(roles),
        organization_ids=frozenset(organizations),
        department_ids=frozenset(departments),
        role_organizations=per_role,
    )
    user._greentech_actor = actor
    return actor


def forget_actor(user) -> None:
    """Drop the cached Actor after the user's roles changed."""
    if user is not None and hasattr(user, "_greentech_actor"):
        del user._greentech_actor


class Policy:
    """Who may do what on one model.

    `scope(actor, action)` returns True (every row), False (no row) or a Q object selecting the rows.
    `can_add(actor, instance)` decides on a new, unsaved instance. Administrators bypass the policy unless
    `admin_bypass` is False (private data such as someone's notifications).
    """

    admin_bypass = True

    def scope(self, actor: Actor, action: str) -> Q | bool:
        return False

    def can_add(self, actor: Actor, instance) -> bool:
        return False

    # --- field visibility: the one hook the detail pages, serializers, history and exports all ask ---------------

    # the fields some viewers of a visible row may still not read (e.g. an offer's details below its disclosure)
    restricted_fields: tuple = ()

    def hidden_fields(self, actor: Actor, instance) -> frozenset:
        """The fields of this visible `instance` that `actor` may not read: shown blank everywhere (detail, API,
        history, export). Lists call `with_field_visibility` first, so this need not query per row."""
        return frozenset()

    def with_field_visibility(self, actor: Actor, queryset):
        """The queryset prepared so that `hidden_fields` answers without a query per row (e.g. an annotation)."""
        return queryset


class PublicReferencePolicy(Policy):
    """Reference data (regions, departments, catalogues): everyone reads, only administrators write."""

    def scope(self, actor, action):
        return action == Action.VIEW


class PublicRegistryPolicy(Policy):
    """Public registry rows that organizations keep themselves: everyone reads; members of the owning
    organization change them (`owner_field` is the path to that organization); only administrators delete."""

    owner_field = "organization"

    def scope(self, actor, action):
        if action == Action.VIEW:
            return True
        if action == Action.CHANGE and actor.organization_ids:
            return Q(**{f"{self.owner_field}__in": actor.organization_ids})
        return False

    def can_add(self, actor, instance):
        owner_id = getattr(instance, f"{self.owner_field}_id", None)
        return owner_id is not None and owner_id in actor.organization_ids


_policies: dict[type, Policy] = {}


def register(model: type, policy: Policy) -> None:
    _policies[model] = policy


def policy_for(model: type) -> Policy:
    model = getattr(model, "_meta", None) and model._meta.concrete_model or model
    try:
        return _policies[model]
    except KeyError as error:
        raise ImproperlyConfigured(f"{model.__name__} has no permission policy: register one in its app.") from error


def registered_models() -> list[type]:
    return list(_policies)


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = Action.VIEW):
        """The rows of this queryset that `user` may `action`."""
        actor = actor_for(user)
        policy = policy_for(self.model)
        if actor.is_admin and policy.admin_bypass:
            return self
        scope = policy.scope(actor, action)
        if scope is True:
            return self
        if scope is False or scope is None:
            return self.none()
        if crosses_to_many(self.model, scope):
            # a join to a to-many relation yields a row once per related match (a user in two organizations that
            # both accepted an offer's terms saw its attachment twice): select the keys instead, each row once
            return self.filter(pk__in=self.model._base_manager.filter(scope).values("pk"))
        return self.filter(scope)


def hidden_fields(user, instance) -> frozenset:
    """The fields of `instance` (a row `user` may view) that `user` may not read; administrators read all."""
    actor = actor_for(user)
    policy = policy_for(type(instance))
    if not policy.restricted_fields or (actor.is_admin and policy.admin_bypass):
        return frozenset()
    return frozenset(policy.hidden_fields(actor, instance)) & frozenset(policy.restricted_fields)


def with_field_visibility(queryset, user):
    """`queryset` prepared for `hidden_fields` on each of its rows (one query for the list, not one per row)."""
    actor = actor_for(user)
    policy = policy_for(queryset.model)
    if not policy.restricted_fields or (actor.is_admin and policy.admin_bypass):
        return queryset
    return policy.with_field_visibility(actor, queryset)


def blank_hidden(user, instance, data: dict, hidden: frozenset | None = None) -> dict:
    """`data` (a row's values by field name) with the fields `user` may not read set to None."""
    hidden = hidden_fields(user, instance) if hidden is None else hidden
    return {name: (None if name in hidden else value) for name, value in data.items()}
def crosses_to_many(model: type, q: Q) -> bool:
    """Whether filtering `model` by `q` joins a to-many relation (a reverse foreign key or a many-to-many), which
    repeats a row once per related match. Scopes along foreign keys alone keep the plain filter: in the `pk IN (…)`
    form SQLite lists every key in scope for each query (86,000 published offers for a market list page: list
    pages p50 258 ms instead of 24 in `bench market`, one run each on the same loaded machine), where the plain
    filter only reads the list index (EXPLAIN: an extra LIST SUBQUERY and BLOOM FILTER over the scope)."""
    meta = model._meta
    query = model._base_manager.none().query
    for child in q.children:
        if isinstance(child, Q):
            if crosses_to_many(model, child):
                return True
            continue
        if not isinstance(child, tuple):
            continue  # an expression (Exists, a subquery): it joins nothing into the outer query
        lookup, value = child
        names = [lookup] + ([value.name] if isinstance(value, F) else [])
        for name in names:
            try:
                path = query.names_to_path(name.split(LOOKUP_SEP), meta, allow_many=True, fail_on_missing=False)[0]
            except FieldError:
                return True  # not a path this check understands: the safe form
            if any(step.m2m for step in path):
                return True
    return False


def can(user, action: str, instance) -> bool:
    """May `user` do `action` on this saved instance (or, for ADD, on this unsaved one)?"""
    actor = actor_for(user)
    if actor.is_admin and (action == Action.ADD or policy_for(type(instance)).admin_bypass):
        return True
    if action == Action.ADD:
        return bool(policy_for(type(instance)).can_add(actor, instance))
    manager = type(instance)._default_manager
    return manager.all().restrict(user, action).filter(pk=instance.pk).exists()


def check(user, action: str, instance) -> None:
    """Raise PermissionDenied (with a message a person understands) unless `can(user, action, instance)`."""
    if not can(user, action, instance):
        raise PermissionDenied(
            lazy(
                _("You may not %(action)s this %(model)s."),
                action=Action(action).label,
                model=type(instance)._meta.verbose_name,
            )
        )


# --- named rules -------------------------------------------------------------------------------------------------
#
# Some decisions are about a page or a step rather than a row of a model: "may evaluate the plan", "may register
# this deal's contract". Their apps register them here by name, next to their policies, so that views, the
# generic ObjectActionView and templates (`{% can 'deals.register_contract' deal as may_register %}`) ask the same
# place. A rule is a function of the Actor and the object (None for page-level rules) returning a bool.

_rules: dict = {}

ORGANIZATION_MEMBER = "organization_member"


def rule(name: str):
    """Register the decorated function `(actor, obj) -> bool` as the named rule `name`."""

    def decorator(function):
        if name in Action.values:
            raise ImproperlyConfigured(f"{name!r} is an action of the policies, not a rule name.")
        _rules[name] = function
        return function

    return decorator


def registered_rules() -> list[str]:
    return sorted(_rules)


def allows(user, name: str, obj=None) -> bool:
    """May `user` do `name` (an Action asked of the object's policy with `can`, or a named rule) on `obj`?"""
    if name in Action.values:
        return obj is not None and can(user, name, obj)
    try:
        function = _rules[name]
    except KeyError as error:
        raise ImproperlyConfigured(f"No permission rule named {name!r}: register one with @rule.") from error
    return bool(function(actor_for(user), obj))


def require(user, name: str, obj=None, message=None) -> None:
    """Raise PermissionDenied unless `allows(user, name, obj)`."""
    if name in Action.values and obj is not None and message is None:
        check(user, name, obj)
        return
    if not allows(user, name, obj):
        raise PermissionDenied(message or _("You may not do this."))


@rule(ORGANIZATION_MEMBER)
def _acts_for_an_organization(actor, obj) -> bool:
    """Listings, deals and registrations are made on behalf of an organization: the user must act for one."""
    return bool(actor.organization_ids)
