"""Who sees and changes deals, contracts, income distributions and matchmaking events.

- A deal is seen by its parties (the seller, i.e. the offer's organization, and the buyer), by the broker agency
  and the broker working it, and by department officers whose remit covers it: a provincial department (or a
  central body's provincial office) covers the province; a municipal department covers deals with a party in its
  city. Parties and the broker move an open deal along and record its steps; nobody deletes a deal but an
  administrator.
- Steps (events) and their documents are records: added by the parties and the broker, changed by nobody.
- The contract is entered by the parties; its registration (number and date) by a department officer in remit.
- An income distribution is the seller's business: its people keep it, government roles in remit see it; the
  buyer does not.
- Matchmaking events are public; their organizing organization's people or organizing department's officers keep
  them and their participant lists.
"""

from __future__ import annotations

from django.db.models import Q

from greentech.core.permissions import Action, Policy, Role, can, register, rule
from greentech.deals.models import (
    Contract,
    Deal,
    DealDocument,
    DealEvent,
    EventParticipant,
    IncomeDistribution,
    IncomeShare,
    MatchmakingEvent,
    Payment,
    Stage,
)


def remit_q(actor, prefix: str = "") -> Q | bool:
    """The deals in the remit of the actor's departments (False for someone who holds no department role)."""
    if Role.DEPARTMENT_OFFICER not in actor.roles or not actor.department_ids:
        return False
    from greentech.registry.models import Department

    departments = list(Department.objects.filter(pk__in=actor.department_ids).values_list("level", "region_id"))
    if any(level != Department.Level.MUNICIPAL or region_id is None for level, region_id in departments):
        return True
    cities = {region_id for _level, region_id in departments}
    q = Q()
    for party in ("seller", "buyer"):
        q |= Q(**{f"{prefix}{party}__region__in": cities}) | Q(**{f"{prefix}{party}__region__parent__in": cities})
    return q


def _or(*scopes) -> Q | bool:
    """Combine scopes (True: everything; False: nothing)."""
    if any(scope is True for scope in scopes):
        return True
    parts = [scope for scope in scopes if scope is not False and scope is not None]
    if not parts:
        return False
    combined = parts[0]
    for part in parts[1:]:
        combined |= part
    return combined


def party_q(actor, prefix: str = "") -> Q | bool:
    """Deals where the actor's organizations are seller, buyer or broker agency, or the actor is the broker."""
    scopes = []
    if actor.organization_ids:
        ids = actor.organization_ids
        scopes.append(
            Q(**{f"{prefix}seller__in": ids})
            | Q(**{f"{prefix}buyer__in": ids})
            | Q(**{f"{prefix}broker_organization__in": ids})
        )
    if actor.user is not None and getattr(actor.user, "pk", None):
        scopes.append(Q(**{f"{prefix}broker__user": actor.user}))
    return _or(*scopes)


def deal_view_q(actor, prefix: str = "") -> Q | bool:
    return _or(party_q(actor, prefix), remit_q(actor, prefix))


def open_party_q(actor, prefix: str = "") -> Q | bool:
    """Open deals the actor works as a party or broker."""
    parties = party_q(actor, prefix)
    if parties is False:
        return False
    return parties & ~Q(**{f"{prefix}stage__in": [Stage.COMPLETED, Stage.TERMINATED]})


def _can_work(actor, deal) -> bool:
    if deal is None or not deal.is_open:
        return False
    parties = {deal.seller_id or (deal.offer.organization_id if deal.offer_id else None), deal.buyer_id}
    parties.add(deal.broker_organization_id)
    if actor.organization_ids & {party for party in parties if party}:
        return True
    return bool(
        deal.broker_id and deal.broker.user_id and actor.user is not None and deal.broker.user_id == actor.user.pk
    )


class DealPolicy(Policy):
    def scope(self, actor, action):
        if action == Action.VIEW:
            return deal_view_q(actor)
        if action == Action.CHANGE:
            return open_party_q(actor)
        return False

    def can_add(self, actor, instance):
        """A buyer's people express interest; the seller or the broker agency may record a deal too."""
        if not instance.offer_id or not instance.buyer_id:
            return False
        parties = {instance.offer.organization_id, instance.buyer_id, instance.broker_organization_id}
        return bool(actor.organization_ids & {party for party in parties if party})


class DealPartPolicy(Policy):
    """Rows that belong to a deal (steps, payments): seen with the deal, added by whoever works it."""

    path = "deal__"
    changeable = False

    def deal_of(self, instance):
        return instance.deal if instance.deal_id else None

    def scope(self, actor, action):
        if action == Action.VIEW:
            return deal_view_q(actor, self.path)
        if action == Action.CHANGE and self.changeable:
            return open_party_q(actor, self.path)
        return False

    def can_add(self, actor, instance):
        return _can_work(actor, self.deal_of(instance))


class DealEventPolicy(DealPartPolicy):
    pass


class DealDocumentPolicy(DealPartPolicy):
    path = "event__deal__"

    def deal_of(self, instance):
        return instance.event.deal if instance.event_id else None


class PaymentPolicy(DealPartPolicy):
    changeable = True


class ContractPolicy(DealPartPolicy):
    """Parties enter and correct the contract until it is registered; officers in remit register it."""

    def scope(self, actor, action):
        if action == Action.CHANGE:
            unregistered = open_party_q(actor, self.path)
            if unregistered is not False:
                unregistered &= Q(registration_number__isnull=True)
            remit = remit_q(actor, self.path)
            if remit is True:
                remit = Q(deal__stage__in=[Stage.SIGNED, Stage.REGISTERED])
            elif remit is not False:
                remit &= Q(deal__stage__in=[Stage.SIGNED, Stage.REGISTERED])
            return _or(unregistered, remit)
        return super().scope(actor, action)


class IncomeDistributionPolicy(Policy):
    """The seller's people keep the distribution; government roles in remit see it."""

    path = "deal__"
    keep_actions = (Action.CHANGE,)

    def deal_of(self, instance):
        return instance.deal if instance.deal_id else None

    def scope(self, actor, action):
        seller = Q(**{f"{self.path}seller__in": actor.organization_ids}) if actor.organization_ids else False
        if action == Action.VIEW:
            return _or(seller, remit_q(actor, self.path))
        if action in self.keep_actions:
            return seller
        return False

    def can_add(self, actor, instance):
        deal = self.deal_of(instance)
        return deal is not None and deal.seller_id in actor.organization_ids


class IncomeSharePolicy(IncomeDistributionPolicy):
    """The lines of a distribution: replaced as a whole when the seller corrects it."""

    path = "distribution__deal__"
    keep_actions = (Action.CHANGE, Action.DELETE)

    def deal_of(self, instance):
        return instance.distribution.deal if instance.distribution_id else None


def organizer_q(actor, prefix: str = "") -> Q | bool:
    scopes = []
    if actor.organization_ids:
        scopes.append(Q(**{f"{prefix}organizer__in": actor.organization_ids}))
    if Role.DEPARTMENT_OFFICER in actor.roles and actor.department_ids:
        scopes.append(Q(**{f"{prefix}department__in": actor.department_ids}))
    return _or(*scopes)


def _organizes(actor, event) -> bool:
    if event is None:
        return False
    if event.organizer_id and event.organizer_id in actor.organization_ids:
        return True
    return bool(
        event.department_id and Role.DEPARTMENT_OFFICER in actor.roles and event.department_id in actor.department_ids
    )


class MatchmakingEventPolicy(Policy):
    def scope(self, actor, action):
        if action == Action.VIEW:
            return True
        if action == Action.CHANGE:
            return organizer_q(actor)
        return False

    def can_add(self, actor, instance):
        return _organizes(actor, instance)


class EventParticipantPolicy(Policy):
    def scope(self, actor, action):
        if action == Action.VIEW:
            return True
        if action in (Action.CHANGE, Action.DELETE):
            return organizer_q(actor, "event__")
        return False

    def can_add(self, actor, instance):
        return _organizes(actor, instance.event if instance.event_id else None)


register(Deal, DealPolicy())
register(DealEvent, DealEventPolicy())
register(DealDocument, DealDocumentPolicy())
register(Payment, PaymentPolicy())
register(Contract, ContractPolicy())
register(IncomeDistribution, IncomeDistributionPolicy())
register(IncomeShare, IncomeSharePolicy())
register(MatchmakingEvent, MatchmakingEventPolicy())
register(EventParticipant, EventParticipantPolicy())


# --- page-level rules, asked by the deal pages, their actions and templates ({% can 'deals.register_contract' deal %})

DISTRIBUTION_STAGES = (Stage.SIGNED, Stage.REGISTERED, Stage.PERFORMING, Stage.COMPLETED)


@rule("deals.open_deal")
def may_open_deal(actor, offer) -> bool:
    """Expressing interest in a published offer needs an organization to buy for, other than the seller."""
    from greentech.market.models import Status

    if offer is None or offer.status != Status.PUBLISHED:
        return False
    return bool(actor.organization_ids - {offer.organization_id})


@rule("deals.register_contract")
def may_register_contract(actor, deal) -> bool:
    """技术合同登记: a government role in remit registers the signed deal's contract."""
    if deal is None or deal.stage != Stage.SIGNED or not actor.is_government:
        return False
    contract = Contract.objects.filter(deal=deal).first()
    return contract is not None and can(actor.user, Action.CHANGE, contract)


@rule("deals.set_distribution")
def may_set_distribution(actor, deal) -> bool:
    """The seller's people (or an administrator) record the income distribution once the contract is signed."""
    if deal is None or deal.stage not in DISTRIBUTION_STAGES:
        return False
    return actor.is_admin or deal.seller_id in actor.organization_ids
