"""The deal pipeline's write services. Views, the API and commands call these, so every step is permission-checked
(core.permissions), validated as a whole before anything is written, in the history with who did it, and told to
the other side in the inbox."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from greentech.core import audit, services
from greentech.core.permissions import SYSTEM, Action, actor_for, check
from greentech.deals.events import DealNotice
from greentech.deals.models import (
    CLOSED,
    INVENTOR_SHARE_MINIMUM,
    Contract,
    Deal,
    DealDocument,
    DealEvent,
    IncomeDistribution,
    IncomeShare,
    Payment,
    Stage,
)
from greentech.inbox.kinds import translatable
from greentech.market.models import Status

CENT = Decimal("0.01")


def _today(date: datetime.date | None) -> datetime.date:
    return date or timezone.localdate()


def _stage_label(stage: str) -> str:
    return str(Stage(stage).label) if stage in Stage.values else str(stage)


OPEN = tuple(stage for stage in Stage if stage not in CLOSED)

# the pipeline's moves: from which stages, to which (terminated is the way out of any open stage); signing goes
# through `sign`, registration through `register_contract`, the others through `advance`
WORKFLOW = services.Workflow(
    events=DealEvent,
    field="stage",
    transitions=(
        services.Transition("negotiate", (Stage.INTENT,), Stage.NEGOTIATION, label=_lazy("start negotiating")),
        services.Transition("sign", (Stage.INTENT, Stage.NEGOTIATION), Stage.SIGNED, label=_lazy("sign")),
        services.Transition("register", (Stage.SIGNED,), Stage.REGISTERED, label=_lazy("register the contract")),
        services.Transition("perform", (Stage.REGISTERED,), Stage.PERFORMING, label=_lazy("start performance")),
        services.Transition("complete", (Stage.PERFORMING,), Stage.COMPLETED, label=_lazy("complete")),
        services.Transition("terminate", OPEN, Stage.TERMINATED, label=_lazy("terminate")),
    ),
)
# the transition that leads to each stage
TRANSITION_TO = {step.target: step.name for step in WORKFLOW.transitions}


# --- the deal and its steps ------------------------------------------------------------------------------------


def open_deal(
    user,
    offer,
    buyer,
    *,
    mode: str = "",
    need=None,
    broker_organization=None,
    broker=None,
    event=None,
    note: str = "",
    date: datetime.date | None = None,
) -> Deal:
    """An intent (意向) on a published offer: a new deal at its first stage, with its first step."""
    if offer.status != Status.PUBLISHED and offer.organization_id not in actor_for(user).organization_ids:
        raise ValidationError(_("Only a published offer can be the subject of a deal."))
    if not mode:
        modes = offer.mode_list
        mode = modes[0] if len(modes) == 1 else ""
    if mode and offer.mode_list and mode not in offer.mode_list:
        raise ValidationError({"mode": _("The offer does not propose this transaction mode.")})
    deal = Deal(
        offer=offer,
        seller=offer.organization,
        buyer=buyer,
        need=need,
        broker_organization=broker_organization,
        broker=broker,
        mode=mode,
        event=event,
        stage=Stage.INTENT,
        stage_changed_on=_today(date),
        created_by=services.account_of(user),
    )
    with transaction.atomic():
        services.create(user, deal, reason="intent recorded")
        opening = DealEvent.for_transition(
            deal,
            kind="open",
            source="",
            target=Stage.INTENT,
            actor=services.account_of(user),
            reason=note,
            parameters={},
            date=_today(date),
        )
        _save_step(user, opening)
        _notify_parties(user, deal, DealNotice.DEAL_OPENED, note, parameters={"title": offer.title})
    return deal


def _save_step(user, step: DealEvent, documents=()) -> DealEvent:
    """Write one step and its documents, all or nothing."""
    records = [step, *(DealDocument(event=step, title=title, file=upload) for title, upload in documents)]
    with transaction.atomic(), audit.acting_as(user):
        for record in records:
            if isinstance(record, DealDocument):
                record.event = step
            record.full_clean()
            record.save()
    return step


def _event(user, deal, kind, note, date, *, documents=()) -> DealEvent:
    """A negotiation step: needs the right to work the deal (stage changes are written by the workflow)."""
    step = DealEvent(deal=deal, kind=kind, note=note or "", date=_today(date), actor=services.account_of(user))
    check(user, Action.ADD, step)
    return _save_step(user, step, documents)


def record_step(user, deal: Deal, kind: str, note: str, *, date=None, documents=()) -> DealEvent:
    """A negotiation step (meeting, proposal, due diligence, note) with its documents."""
    if kind == DealEvent.Kind.STAGE:
        raise ValidationError({"kind": _("Stage changes are made by moving the deal, not as a step.")})
    if not deal.is_open:
        raise ValidationError(_("The deal is closed: no more steps can be recorded."))
    with transaction.atomic():
        return _event(user, deal, kind, note, date, documents=documents)


def _move(
    user, deal: Deal, target: str, *, note="", date=None, documents=(), checked=False, parameters=None, **changes
):
    """Move the deal to `target` through the workflow (`core.services.transition`: permission, allowed stages,
    audit, the stage step with its documents) and tell the parties (`checked`: the caller has already asked the
    permission mechanism, e.g. a registering officer's right to the contract)."""
    if target not in TRANSITION_TO:
        _refuse_move(deal, target)
    with transaction.atomic():
        step = WORKFLOW.run(
            user,
            deal,
            TRANSITION_TO[target],
            changes={"stage_changed_on": _today(date), **changes},
            reason=note,
            parameters=parameters,
            event_fields={"date": _today(date)},
            checked=checked,
        )
        _save_step(user, step, documents)
        _notify_parties(
            user,
            deal,
            DealNotice.DEAL_STAGE,
            note,
            parameters={"reference": deal.reference, "stage": translatable(Stage(target).label)},
        )
    return deal


def _refuse_move(deal: Deal, target: str, reason: str = ""):
    message = _("A deal at “%(current)s” cannot move to “%(target)s”.") % {
        "current": _stage_label(deal.stage),
        "target": _stage_label(target),
    }
    raise ValidationError(f"{message} {reason}".strip())


def advance(user, deal: Deal, target: str, *, note: str = "", date=None, documents=()) -> Deal:
    """Move an open deal along the pipeline. Negotiation follows intent; signing goes through `sign`, registration
    through `register_contract`; performance follows registration; completion needs every payment and milestone
    done."""
    if not deal.is_open:
        _refuse_move(deal, target, _("The deal is closed."))
    if target == Stage.TERMINATED:
        return terminate(user, deal, note, date=date)
    if target == Stage.SIGNED:
        _refuse_move(deal, target, _("Record the signed contract to sign."))
    if target == Stage.REGISTERED:
        _refuse_move(deal, target, _("A department officer registers the contract."))
    if target not in TRANSITION_TO:
        _refuse_move(deal, target)
    if target == Stage.COMPLETED and deal.stage in WORKFLOW["complete"].sources:
        open_items = deal.payments.filter(done_on__isnull=True).count()
        if open_items:
            _refuse_move(
                deal,
                target,
                _("%(count)d payment(s) or milestone(s) are not done yet.") % {"count": open_items},
            )
    return _move(user, deal, target, note=note, date=date, documents=documents)


def terminate(user, deal: Deal, reason: str, *, date=None) -> Deal:
    if not (reason or "").strip():
        raise ValidationError({"termination_reason": _("Give the reason for terminating the deal.")})
    WORKFLOW.ensure(deal, "terminate")
    return _move(user, deal, Stage.TERMINATED, note=reason, date=date, termination_reason=reason.strip())


# --- the contract ---------------------------------------------------------------------------------------------


CONTRACT_FIELDS = ("contract_type", "title", "signed_on", "amount", "transaction_amount")


def sign(user, deal: Deal, *, note: str = "", documents=(), **fields) -> Contract:
    """Record the signed contract (type, title, date, amount, technology transaction amount): the deal is signed."""
    check(user, Action.CHANGE, deal)
    WORKFLOW.ensure(deal, "sign")
    unknown = set(fields) - set(CONTRACT_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown contract fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    contract = Contract(deal=deal, **fields)
    with transaction.atomic():
        services.create(user, contract, reason="contract signed")
        _move(
            user,
            deal,
            Stage.SIGNED,
            note=note,
            date=fields.get("signed_on"),
            documents=documents,
            parameters={"contract": contract.pk, "amount": contract.amount},
        )
    return contract


def register_contract(
    user, contract: Contract, *, registration_number: str, registered_on=None, transaction_amount=None, note=""
) -> Contract:
    """技术合同登记: a department officer in remit (or an administrator) registers a signed contract; the deal moves to
    contract registered."""
    actor = actor_for(user)
    if not actor.is_government:
        raise PermissionDenied(_("Only a department officer or an administrator registers technology contracts."))
    check(user, Action.CHANGE, contract)
    deal = contract.deal
    WORKFLOW.ensure(deal, "register")
    if not (registration_number or "").strip():
        raise ValidationError({"registration_number": _("Give the registration number.")})
    changes = {
        "registration_number": registration_number.strip(),
        "registered_on": registered_on or timezone.localdate(),
        "registered_by": services.account_of(user),
    }
    if transaction_amount is not None:
        changes["transaction_amount"] = transaction_amount
    with transaction.atomic():
        services.update(user, contract, changes, reason="contract registered")
        _move(
            user,
            deal,
            Stage.REGISTERED,
            note=note,
            date=changes["registered_on"],
            checked=True,
            parameters={"contract": contract.pk, "registration_number": changes["registration_number"]},
        )
    return contract


# --- income distribution --------------------------------------------------------------------------------------


def validate_distribution(distribution: IncomeDistribution, shares: list[IncomeShare]) -> None:
    """The whole distribution at once: lines add up to the net income; inventors get at least 70% where the plan's
    rule applies. Raises one ValidationError naming every problem."""
    distribution.full_clean(exclude=["deal"])
    errors = []
    for number, share in enumerate(shares, start=1):
        try:
            share.full_clean(exclude=["distribution"])
        except ValidationError as error:
            errors.append(_("Line %(number)d: %(error)s") % {"number": number, "error": "; ".join(error.messages)})
    if errors:
        raise ValidationError(errors)
    net = distribution.net_income
    total = sum((share.amount for share in shares), Decimal(0))
    if abs(total - net) >= CENT:
        errors.append(
            _("The shares add up to %(total)s but the net income (income − documented costs) is %(net)s.")
            % {"total": f"{total:.2f}", "net": f"{net:.2f}"}
        )
    if distribution.rule_applies and net > 0:
        inventors = sum(
            (share.amount for share in shares if share.beneficiary == IncomeShare.Beneficiary.INVENTORS), Decimal(0)
        )
        if inventors < (net * INVENTOR_SHARE_MINIMUM).quantize(CENT):
            errors.append(
                _(
                    "The inventors' (team's) share is %(share)s%% of the net income; for a service invention of a "
                    "university or research institute it must be at least 70%% (%(minimum)s of %(net)s)."
                )
                % {
                    "share": f"{inventors / net * 100:.1f}",
                    "minimum": f"{net * INVENTOR_SHARE_MINIMUM:.2f}",
                    "net": f"{net:.2f}",
                }
            )
    if errors:
        raise ValidationError(errors)


def set_distribution(user, deal: Deal, *, shares: list[dict], **fields) -> IncomeDistribution:
    """Enter or replace the deal's income distribution and its lines, all or nothing."""
    if deal.stage not in (Stage.SIGNED, Stage.REGISTERED, Stage.PERFORMING, Stage.COMPLETED):
        raise ValidationError(_("Income is distributed once the contract is signed."))
    distribution = IncomeDistribution.objects.filter(deal=deal).first()
    creating = distribution is None
    if creating:
        distribution = IncomeDistribution(deal=deal)
        check(user, Action.ADD, distribution)
    else:
        check(user, Action.CHANGE, distribution)
    for name, value in fields.items():
        if name not in ("income", "costs", "cost_note", "broker_commission", "service_invention"):
            raise ValidationError(_("Unknown field: %(field)s") % {"field": name})
        setattr(distribution, name, value)
    lines = [IncomeShare(distribution=distribution, **line) for line in shares]
    if not lines:
        raise ValidationError(_("Enter at least one share."))
    validate_distribution(distribution, lines)
    with transaction.atomic(), audit.acting_as(user):
        if creating:
            services.create(user, distribution, reason="income distribution entered")
        else:
            services.update(user, distribution, {}, reason="income distribution corrected")
            for old in list(distribution.shares.all()):
                services.delete(user, old, reason="replaced")
        for line in lines:
            line.distribution = distribution
            services.create(user, line)
    return distribution


# --- payments and milestones ----------------------------------------------------------------------------------


def add_payment(user, deal: Deal, **fields) -> Payment:
    if not deal.is_open:
        raise ValidationError(_("The deal is closed."))
    return services.create(user, Payment(deal=deal, **fields))


def mark_done(user, payment: Payment, *, date=None, note: str = "") -> Payment:
    if payment.done_on:
        raise ValidationError(_("This payment or milestone is already done."))
    changes = {"done_on": _today(date)}
    if note:
        changes["note"] = note
    return services.update(user, payment, changes, reason="done")


def flag_overdue(today: datetime.date | None = None) -> int:
    """Tell the parties of each open deal about payments and milestones past their date (once per item and due date,
    `inbox.services.notify(once=)`); returns how many items were told of. A job, `greentech deals overdue`."""
    today = _today(today)
    due = list(
        Payment.objects.filter(done_on__isnull=True, due_on__lt=today, overdue_notified_on__isnull=True)
        .exclude(deal__stage__in=CLOSED)
        .select_related("deal", "deal__offer")
    )
    flagged = []
    for payment in due:
        told = _notify_parties(
            SYSTEM,
            payment.deal,
            DealNotice.DEAL_OVERDUE,
            payment.deal.offer.title,
            parameters={"title": payment.title, "date": f"{payment.due_on:%Y-%m-%d}"},
            # a job run again after a crash before the update below tells nobody twice
            once=f"payment:{payment.pk}:{payment.due_on:%Y-%m-%d}",
        )
        if told:
            flagged.append(payment.pk)
    Payment.objects.filter(pk__in=[payment.pk for payment in due]).update(overdue_notified_on=today)
    return len(flagged)


# --- matchmaking events ---------------------------------------------------------------------------------------


def add_participant(user, event, organization, role) -> object:
    from greentech.deals.models import EventParticipant

    existing = EventParticipant.objects.filter(event=event, organization=organization).first()
    if existing is not None:
        return services.update(user, existing, {"role": role})
    return services.create(user, EventParticipant(event=event, organization=organization, role=role))


def present(user, event, *, offers=(), needs=()) -> None:
    """Add offers and needs to what the event presents (published ones only)."""
    check(user, Action.CHANGE, event)
    for listing in [*offers, *needs]:
        if listing.status != Status.PUBLISHED:
            raise ValidationError(_("Only published offers and needs can be presented: %(title)s") % {"title": listing})
    services.update(
        user,
        event,
        {},
        many_to_many={
            "offers": [*event.offers.all(), *offers],
            "needs": [*event.needs.all(), *needs],
        },
    )


# --- telling the parties --------------------------------------------------------------------------------------


def _notify_parties(user, deal: Deal, kind: str, body: str, *, parameters: dict, once: str | None = None) -> list:
    """Tell the deal's parties and broker (not the one who acted); returns the notifications written."""
    from greentech.accounts.services import holders
    from greentech.inbox.services import notify

    recipients = []
    for organization in (deal.seller, deal.buyer, deal.broker_organization):
        if organization is not None:
            recipients.extend(holders(organization=organization))
    if deal.broker_id and deal.broker.user_id:
        recipients.append(deal.broker.user)
    acting = getattr(user, "pk", None)
    recipients = [person for person in recipients if person.pk != acting]
    return notify(
        recipients,
        kind,
        body=body or "",
        parameters=parameters,
        link=deal.get_absolute_url(),
        target=deal,
        once=once,
    )
