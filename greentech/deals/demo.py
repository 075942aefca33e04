"""The demonstration matchmaking event and deals (data/demo/deals.yaml) for `greentech init --demo` (core.demo):
made once, through the deal services step by step in the order the file gives them (skipped when demo deals
exist)."""

from __future__ import annotations

from decimal import Decimal

from greentech.core import audit
from greentech.core.demo import organization_names, read
from greentech.core.permissions import SYSTEM

# the amounts are written as text (exact decimals)
AMOUNTS = {"amount", "transaction_amount", "income", "costs", "broker_commission"}


def _amounts(values: dict) -> dict:
    result = {key: Decimal(value) if key in AMOUNTS else value for key, value in values.items()}
    if "shares" in result:
        result["shares"] = [_amounts(share) for share in result["shares"]]
    return result


def load_deals() -> int:
    """The event with its participants and presented listings, then each deal with its steps; returns the number
    of deals made (0 when the demo deals exist)."""
    from greentech.core import services as core_services
    from greentech.deals import services as deal_services
    from greentech.deals.models import Deal, MatchmakingEvent
    from greentech.market.models import Need, Offer
    from greentech.registry.models import Department, Organization

    if Deal.objects.filter(is_demo=True).exists():
        return 0
    data = read("deals.yaml")
    organization = {key: Organization.objects.get(name=name) for key, name in organization_names().items()}
    offer = {o.reference: o for o in Offer.objects.filter(reference__startswith="DEMO-O-")}
    need = {n.reference: n for n in Need.objects.filter(reference__startswith="DEMO-N-")}
    made = []
    with audit.acting_as(None, audit.Source.INIT):
        spec = data["event"]
        event = core_services.create(
            SYSTEM,
            MatchmakingEvent(
                title=spec["title"],
                date=spec["date"],
                venue=spec["venue"],
                organizer=organization[spec["organizer"]],
                department=Department.objects.get(code=spec["department"]),
                description=spec["description"],
                is_demo=True,
            ),
        )
        for participant in spec["participants"]:
            deal_services.add_participant(SYSTEM, event, organization[participant["organization"]], participant["role"])
        deal_services.present(
            SYSTEM,
            event,
            offers=[offer[reference] for reference in spec["presented"]["offers"]],
            needs=[need[reference] for reference in spec["presented"]["needs"]],
        )
        for spec in data["deals"]:
            options = {"mode": spec["mode"]}
            if spec.get("need"):
                options["need"] = need[spec["need"]]
            if spec.get("broker_organization"):
                options["broker_organization"] = organization[spec["broker_organization"]]
            if spec.get("at_event"):
                options["event"] = event
            deal = deal_services.open_deal(
                SYSTEM,
                offer[spec["offer"]],
                organization[spec["buyer"]],
                **options,
                note=spec.get("note", ""),
                date=spec["date"],
            )
            contract = None
            for step in spec.get("steps", []):
                ((action, values),) = step.items()
                values = _amounts(values)
                if action == "advance":
                    deal_services.advance(SYSTEM, deal, values.pop("stage"), **values)
                elif action == "sign":
                    contract = deal_services.sign(SYSTEM, deal, **values)
                elif action == "register_contract":
                    deal_services.register_contract(SYSTEM, contract, **values)
                elif action == "add_payment":
                    done_on = values.pop("done_on", None)
                    payment = deal_services.add_payment(SYSTEM, deal, **values)
                    if done_on is not None:
                        deal_services.mark_done(SYSTEM, payment, date=done_on)
                elif action == "set_distribution":
                    deal_services.set_distribution(SYSTEM, deal, **values)
                else:
                    raise ValueError(f"data/demo/deals.yaml: unknown step {action!r}")
            made.append(deal.pk)
    Deal.objects.filter(pk__in=made).update(is_demo=True)
    return len(made)
