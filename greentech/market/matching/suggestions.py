"""Matching for people: the published listings a user may see that best match a listing or a free text, with
their reasons."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from greentech.core import text as textlib
from greentech.market.matching.corpora import _model, corpus
from greentech.market.matching.ranking import CATALOGUE, Profile, Suggestion
from greentech.market.matching.vectors import _kind_of, encode, ensure_vectors, profile_of

OTHER = {"offers": "needs", "needs": "offers"}


def _load(kind: str, user, suggestions: list[Suggestion]) -> list[Suggestion]:
    """Attach the listings, keeping only those the user may view (published ones are public, but the one
    permission mechanism decides)."""
    from greentech.core.permissions import Action

    objects = (
        _model(kind)
        .objects.restrict(user, Action.VIEW)
        .select_related("organization", "region")
        .in_bulk([s.key for s in suggestions])
    )
    kept = []
    for suggestion in suggestions:
        if suggestion.key in objects:
            suggestion.object = objects[suggestion.key]
            kept.append(suggestion)
    return kept


def category_names(codes: Iterable[str]) -> dict[str, dict]:
    """'gic2019:3.1.2' → {"code", "name", "name_en"} for the explanations."""
    from greentech.taxonomy.models import Category

    codes = list(codes)
    wanted = {}
    for value in codes:
        scheme, _sep, code = value.partition(":")
        wanted.setdefault(scheme, set()).add(code)
    names = {}
    for scheme, scheme_codes in wanted.items():
        for category in Category.objects.filter(scheme__slug=scheme, code__in=scheme_codes):
            names[f"{scheme}:{category.code}"] = {
                "code": category.code,
                "name": category.name,
                "name_en": category.name_en,
            }
    return {value: names.get(value, {"code": value.partition(":")[2], "name": "", "name_en": ""}) for value in codes}


def may_see_matches(user, listing) -> bool:
    """A need's matching offers are shown to whoever may see the need; an offer's matching needs to the offer's
    organization and the government roles (they are about its market, not public)."""
    from greentech.core.permissions import Action, actor_for, can

    if not can(user, Action.VIEW, listing):
        return False
    if _kind_of(listing) == "needs":
        return True
    actor = actor_for(user)
    return actor.is_government or listing.organization_id in actor.organization_ids


def matches_for(user, listing, *, top: int = 10, explain: bool = True) -> list[Suggestion]:
    """The published listings of the other kind that best match `listing` (which `user` must be allowed to see),
    best first, with reasons."""
    from greentech.core.permissions import Action, check

    check(user, Action.VIEW, listing)
    kind = OTHER[_kind_of(listing)]
    vector = ensure_vectors([listing])[listing.pk]
    query = profile_of(listing)
    # a few more than asked, in case some are out of the user's reach
    suggestions = corpus(kind).rank(query, vector, top=top + 10, explain=explain)
    return _load(kind, user, suggestions)[:top]


def matches_for_text(
    user,
    text: str,
    *,
    kind: str = "offers",
    top: int = 10,
    categories: Iterable[str] = (),
    min_readiness: int | None = None,
    readiness: int | None = None,
    city: str = "",
) -> list[Suggestion]:
    """Published listings of `kind` matching a free text (a need described in words, Chinese or English)."""
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Describe the need (or the offer) in a few words."))
    if len(text) > 4000:
        raise ValidationError(_("The text is too long: at most 4,000 characters."))
    if kind not in OTHER:
        raise ValidationError(_("Unknown kind: %(kind)s (offers or needs).") % {"kind": kind})
    for level, name in ((min_readiness, "min_readiness"), (readiness, "readiness")):
        if level is not None and not 1 <= int(level) <= 9:
            raise ValidationError({name: _("A readiness level is a whole number from 1 to 9.")})
    first, _sep, rest = text.partition("\n")
    query = Profile(
        key=None,
        title=first,
        text=rest,
        categories=frozenset(c if ":" in c else f"{CATALOGUE}:{c}" for c in categories),
        min_readiness=min_readiness,
        readiness=readiness,
        city=city,
        language="en" if textlib.language(text) == "en" else "zh",
    )
    vector = encode([query.content])[0]
    return _load(kind, user, corpus(kind).rank(query, vector, top=top + 10))[:top]


def as_dict(suggestion: Suggestion, names: dict | None = None) -> dict:
    """A suggestion for the API and the CLI: the listing, the score and its parts, the reasons."""
    listing = suggestion.object
    names = names if names is not None else category_names(suggestion.shared_categories)
    return {
        "id": listing.pk if listing is not None else suggestion.key,
        "kind": ("offer" if _kind_of(listing) == "offers" else "need") if listing is not None else "",
        "reference": getattr(listing, "reference", ""),
        "title": getattr(listing, "title", ""),
        "organization": str(listing.organization) if listing is not None else "",
        "url": listing.get_absolute_url() if listing is not None else "",
        "score": suggestion.score,
        "similarity": suggestion.similarity,
        "parts": {
            "lexical": suggestion.lexical,
            "category": suggestion.category,
            "readiness": suggestion.readiness,
            "region": suggestion.region,
        },
        "shared_categories": [names[c] for c in suggestion.shared_categories if c in names],
        "shared_terms": suggestion.shared_terms,
    }


def explained(suggestions: list[Suggestion]) -> list[dict]:
    names = category_names({c for s in suggestions for c in s.shared_categories})
    return [as_dict(s, names) for s in suggestions]
