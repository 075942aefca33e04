"""Matching needs and offers (issue 4): for a need, the offers that could solve it, best first (and for an offer,
the needs it could serve), each with the reasons.

One score combines five signals (weights in `WEIGHTS`, chosen on the dev split of data/market-match-eval by
`greentech bench match --fit`; method and figures in docs/MATCHING.md):

- semantic: cosine similarity of multilingual sentence vectors (core.embeddings, `use`), so a Chinese need finds
  an English offer and the reverse;
- lexical: BM25 (bm25s) over the platform's segmented tokens (core.search.index_tokens: Chinese words and their
  parts, English stemmed), title counted twice, saturated to 0..1;
- categories: shared green catalogue items, at any level, with less weight higher up (`LEVEL_WEIGHTS`);
- readiness: an offer at or above the need's minimum readiness level, a penalty below it;
- region: the same city.

The ranking itself (`Corpus`) works on plain `Profile`s and a vector matrix, so the benchmark runs it on the
evaluation set and on a synthetic 100,000-offer corpus without a database. The database side keeps one vector per
listing (`ListingVector`, recomputed when its text changes), an in-process corpus of the published listings of
each kind (rebuilt when they change), the notified matches (`Match`) and people's feedback (`MatchFeedback`).
Only published listings are matched for others, through `restrict()`.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from greentech.core import search as searchlib
from greentech.core import text as textlib

logger = logging.getLogger(__name__)

EMBEDDER = "use"
CATALOGUE = "gic2019"


@dataclass(frozen=True)
class Weights:
    semantic: float = 1.0
    lexical: float = 0.25
    category: float = 0.25
    readiness: float = 0.05
    region: float = 0.03


# chosen on the dev split (greentech bench match --fit); docs/MATCHING.md
WEIGHTS = Weights(semantic=1.0, lexical=0.3, category=0.5, readiness=0.05, region=0.03)
# BM25 scores saturate: a score of LEXICAL_HALF counts half (s / (s + LEXICAL_HALF)); better on the dev split than
# dividing by the query's best score, which turns any weak match of a cross-language query into a full one
LEXICAL_HALF = 10.0
# a shared catalogue item counts fully, a shared level-2 group half, a shared industry (level 1) a little
LEVEL_WEIGHTS = {3: 1.0, 2: 0.5, 1: 0.2}
# both sides are told of a match scoring at least this, by whether the two texts are in the same language (a
# cross-language pair has no lexical signal, so its scores run lower): on the dev split, 0.70 of the
# same-language and 0.74 of the cross-language pairs notified are correct (docs/MATCHING.md)
NOTIFY_THRESHOLD = 1.1
NOTIFY_THRESHOLD_CROSS_LANGUAGE = 1.0
NOTIFY_TOP = 10
# how often a process looks whether the published listings changed (changes in the process itself are seen at once)
CHECK_SECONDS = 5.0


# ---------------------------------------------------------------------------------------------------------------
# Profiles and the ranking


@dataclass(frozen=True)
class Profile:
    """What the matcher knows of one listing (or of a free text): its text, catalogue items, readiness and city."""

    key: object
    title: str
    text: str = ""
    categories: frozenset = frozenset()  # "scheme:code", e.g. "gic2019:3.1.2"
    readiness: int | None = None  # an offer's technology readiness level
    min_readiness: int | None = None  # a need's minimum
    city: str = ""  # the code of the city the listing is in
    organization: int | None = None
    language: str = ""  # zh or en

    @property
    def content(self) -> str:
        return f"{self.title}\n{self.text}".strip()


@dataclass
class Suggestion:
    """One ranked candidate with its score, the parts of the score and the reasons to show."""

    key: object
    score: float
    similarity: float
    lexical: float
    category: float
    readiness: float
    region: float
    shared_categories: list[str] = field(default_factory=list)
    shared_terms: list[str] = field(default_factory=list)
    cross_language: bool = False
    object: object = None


def category_levels(categories: Iterable[str]) -> dict[int, set[str]]:
    """The item codes at each level: a catalogue item 'gic2019:3.1.2' is also in '3.1' and '3'; codes of other
    schemes count at their own level only (as level 3)."""
    levels: dict[int, set[str]] = {1: set(), 2: set(), 3: set()}
    for value in categories:
        scheme, _sep, code = value.partition(":")
        parts = code.split(".")
        if scheme == CATALOGUE and 1 <= len(parts) <= 3:
            for depth in range(1, len(parts) + 1):
                levels[depth].add(f"{scheme}:{'.'.join(parts[:depth])}")
        else:
            levels[3].add(value)
    return levels


def lexical_tokens(profile: Profile) -> list[str]:
    """The tokens BM25 sees: Chinese in search mode (words and their parts), English stemmed; title twice."""
    title = searchlib.index_tokens(profile.title)
    return title + title + searchlib.index_tokens(profile.text)


def _key_terms(tokens: Iterable[str]) -> set[str]:
    return {t for t in tokens if (len(t) >= 2 if textlib.is_chinese(t) else len(t) >= 3 and not t.isdigit())}


def shared_terms(query: Profile | set, candidate: Profile, *, limit: int = 6, frequency=None) -> list[str]:
    """Key terms in both texts, rarest in the corpus first (`frequency(term)`: in how many candidates; else
    longest first), without terms contained in a longer shared one (`query` may be given as its key terms,
    computed once for many candidates)."""
    mine = query if isinstance(query, set) else _key_terms(lexical_tokens(query))
    common = mine & _key_terms(lexical_tokens(candidate))
    kept: list[str] = []
    for term in sorted(common, key=lambda t: (-len(t), t)):
        if not any(term in longer for longer in kept):
            kept.append(term)
    if frequency is not None:
        kept.sort(key=lambda t: (frequency(t), -len(t), t))
    return kept[:limit]


def shared_categories(query: Profile, candidate: Profile) -> list[str]:
    """The most specific catalogue items both share: items, else their groups, else their industries."""
    mine, theirs = category_levels(query.categories), category_levels(candidate.categories)
    result: list[str] = []
    for level in (3, 2, 1):
        for code in sorted(mine[level] & theirs[level]):
            if not any(existing.startswith(code + ".") for existing in result):
                result.append(code)
    return result


def readiness_fit(offer_level, need_minimum):
    """1 when the offer is at or above the need's minimum, down to -1 three or more levels below; 0 if unknown."""
    offer_level, need_minimum = np.asarray(offer_level, float), np.asarray(need_minimum, float)
    with np.errstate(invalid="ignore"):
        fit = np.where(offer_level >= need_minimum, 1.0, -np.minimum(1.0, (need_minimum - offer_level) / 3.0))
    return np.where(np.isnan(offer_level) | np.isnan(need_minimum), 0.0, fit)


class Corpus:
    """The candidates of one kind (published offers, or published needs) ready to rank: vectors, a BM25 index,
    catalogue items per level as sparse matrices, readiness, city and organization as arrays."""

    def __init__(self, profiles: list[Profile], vectors: np.ndarray, *, tokens: list[list[str]] | None = None):
        import bm25s
        from scipy import sparse

        self.profiles = profiles
        self.keys = [profile.key for profile in profiles]
        self.position = {key: i for i, key in enumerate(self.keys)}
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(profiles), -1)
        documents = tokens if tokens is not None else [lexical_tokens(profile) for profile in profiles]
        self.bm25 = bm25s.BM25()
        self._frequency = np.zeros(0, dtype=np.int64)
        if profiles:
            self.bm25.index(documents, show_progress=False)
            self._frequency = np.diff(self.bm25.scores["indptr"])
        self.category_vocabulary: dict[int, dict[str, int]] = {}
        self.category_matrix: dict[int, object] = {}
        per_profile = [category_levels(profile.categories) for profile in profiles]
        for level in (1, 2, 3):
            vocabulary: dict[str, int] = {}
            rows, columns = [], []
            for row, levels in enumerate(per_profile):
                for code in levels[level]:
                    rows.append(row)
                    columns.append(vocabulary.setdefault(code, len(vocabulary)))
            self.category_vocabulary[level] = vocabulary
            # column-compressed: a query reads the columns of its few items
            self.category_matrix[level] = sparse.csc_matrix(
                (np.ones(len(rows), dtype=np.float32), (rows, columns)), shape=(len(profiles), max(len(vocabulary), 1))
            )
        nan = float("nan")
        self.readiness = np.array([p.readiness or nan for p in profiles], dtype=float)
        self.min_readiness = np.array([p.min_readiness or nan for p in profiles], dtype=float)
        cities = {city: i for i, city in enumerate(sorted({p.city for p in profiles if p.city}))}
        self.cities = cities
        self.city = np.array([cities.get(p.city, -1) for p in profiles], dtype=np.int32)
        self.organization = np.array([p.organization or -1 for p in profiles], dtype=np.int64)

    def __len__(self):
        return len(self.profiles)

    def document_frequency(self, term: str) -> int:
        """In how many candidates' texts a term occurs (from the BM25 index)."""
        index = self.bm25.vocab_dict.get(term) if self.profiles else None
        return int(self._frequency[index]) if index is not None and index < len(self._frequency) else 0

    def components(self, query: Profile, vector: np.ndarray | None) -> dict[str, np.ndarray]:
        """Each signal's value for every candidate."""
        size = len(self.profiles)
        semantic = self.vectors @ vector.astype(np.float32) if vector is not None else np.zeros(size, np.float32)
        lexical = np.zeros(size, np.float32)
        words = list(dict.fromkeys(lexical_tokens(query)))
        if words and size:
            scores = self.bm25.get_scores(words)
            lexical = (scores / (scores + LEXICAL_HALF)).astype(np.float32)
        category = np.zeros(size, np.float32)
        wanted = category_levels(query.categories)
        for level, weight in LEVEL_WEIGHTS.items():
            vocabulary = self.category_vocabulary[level]
            columns = [vocabulary[code] for code in wanted[level] if code in vocabulary]
            if columns:
                shared = np.asarray(self.category_matrix[level][:, columns].sum(axis=1)).ravel() > 0
                category = np.maximum(category, np.where(shared, weight, 0.0).astype(np.float32))
        if query.min_readiness:  # a need asks: the candidates are offers
            readiness = readiness_fit(self.readiness, query.min_readiness)
        elif query.readiness:  # an offer asks: the candidates are needs
            readiness = readiness_fit(query.readiness, self.min_readiness)
        else:
            readiness = np.zeros(size)
        region = np.zeros(size, np.float32)
        if query.city and query.city in self.cities:
            region = (self.city == self.cities[query.city]).astype(np.float32)
        return {
            "semantic": semantic,
            "lexical": lexical,
            "category": category,
            "readiness": readiness.astype(np.float32),
            "region": region,
        }

    def rank(
        self,
        query: Profile,
        vector: np.ndarray | None,
        *,
        top: int = 10,
        weights: Weights = WEIGHTS,
        exclude: Iterable = (),
        explain: bool = True,
    ) -> list[Suggestion]:
        """The `top` best candidates for `query`; candidates of the query's own organization and `exclude`d keys
        are left out."""
        if not self.profiles or top <= 0:
            return []
        parts = self.components(query, vector)
        score = (
            weights.semantic * parts["semantic"]
            + weights.lexical * parts["lexical"]
            + weights.category * parts["category"]
            + weights.readiness * parts["readiness"]
            + weights.region * parts["region"]
        )
        if query.organization:
            score = np.where(self.organization == query.organization, -np.inf, score)
        for key in exclude:
            if key in self.position:
                score[self.position[key]] = -np.inf
        count = min(top, len(score))
        best = np.argpartition(-score, count - 1)[:count] if count < len(score) else np.arange(len(score))
        best = best[np.argsort(-score[best], kind="stable")]
        query_terms = _key_terms(lexical_tokens(query)) if explain else set()
        result = []
        for i in best:
            if not np.isfinite(score[i]):
                continue
            candidate = self.profiles[i]
            result.append(
                Suggestion(
                    key=candidate.key,
                    score=round(float(score[i]), 4),
                    similarity=round(float(parts["semantic"][i]), 4),
                    lexical=round(float(parts["lexical"][i]), 4),
                    category=round(float(parts["category"][i]), 4),
                    readiness=round(float(parts["readiness"][i]), 4),
                    region=round(float(parts["region"][i]), 4),
                    shared_categories=shared_categories(query, candidate) if explain else [],
                    shared_terms=shared_terms(query_terms, candidate, frequency=self.document_frequency)
                    if explain
                    else [],
                    cross_language=bool(query.language and candidate.language and query.language != candidate.language),
                )
            )
        return result


# ---------------------------------------------------------------------------------------------------------------
# Listings as profiles, their stored vectors


def embedder():
    from greentech.core.embeddings import get_embedder

    return get_embedder(EMBEDDER)


def encode(texts: list[str]) -> np.ndarray:
    return embedder().encode(texts)


def _kind_of(listing) -> str:
    from greentech.market.models import Offer

    return "offers" if isinstance(listing, Offer) else "needs"


def listing_text(listing) -> tuple[str, str]:
    """(title, text) of a listing as the matcher reads it: an offer's summary and application fields, a need's
    problem and constraints (the public parts: details under disclosure are never used)."""
    from greentech.market.models import Offer

    if isinstance(listing, Offer):
        parts = (listing.summary, listing.application_fields)
    else:
        parts = (listing.problem, listing.constraints)
    return listing.title, "\n".join(part for part in parts if part)


def text_hash(title: str, text: str) -> str:
    return hashlib.sha256(f"{EMBEDDER}\x1f{title}\x1f{text}".encode()).hexdigest()[:32]


def _city_code(region) -> str:
    if region is None:
        return ""
    city = region.city()
    return city.code if city is not None else ""


def profile_of(listing, categories: Iterable[str] | None = None) -> Profile:
    from greentech.market.models import Offer

    title, text = listing_text(listing)
    if categories is None:
        categories = [f"{c.scheme.slug}:{c.code}" for c in listing.categories.select_related("scheme")]
    is_offer = isinstance(listing, Offer)
    return Profile(
        key=listing.pk,
        title=title,
        text=text,
        categories=frozenset(categories),
        readiness=listing.readiness if is_offer else None,
        min_readiness=None if is_offer else listing.min_readiness,
        city=_city_code(listing.region),
        organization=listing.organization_id,
        language=listing.language,
    )


def ensure_vectors(listings: list, *, batch: int = 512) -> dict:
    """The vectors of these listings (pk → vector), computing and storing those missing or stale (text changed)."""
    from greentech.market.models import ListingVector

    if not listings:
        return {}
    kind = _kind_of(listings[0])
    field_name = "offer" if kind == "offers" else "need"
    stored = {
        row[f"{field_name}_id"]: row
        for row in ListingVector.objects.filter(
            **{f"{field_name}_id__in": [listing.pk for listing in listings]}, embedder=EMBEDDER
        ).values("pk", f"{field_name}_id", "text_hash", "vector")
    }
    result, stale = {}, []
    for listing in listings:
        digest = text_hash(*listing_text(listing))
        row = stored.get(listing.pk)
        if row is not None and row["text_hash"] == digest:
            result[listing.pk] = np.frombuffer(bytes(row["vector"]), dtype=np.float32)
        else:
            stale.append((listing, digest, row))
    for start in range(0, len(stale), batch):
        chunk = stale[start : start + batch]
        vectors = encode([f"{title}\n{text}".strip() for title, text in (listing_text(item[0]) for item in chunk)])
        new, changed = [], []
        for (listing, digest, row), vector in zip(chunk, vectors, strict=True):
            result[listing.pk] = vector
            if row is None:
                new.append(
                    ListingVector(**{field_name: listing}, embedder=EMBEDDER, text_hash=digest, vector=vector.tobytes())
                )
            else:
                changed.append(ListingVector(pk=row["pk"], text_hash=digest, vector=vector.tobytes()))
        # derived data, like a search-index row: bulk writes without the audit trail
        with transaction.atomic():
            ListingVector.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
            now = timezone.now()
            for item in changed:
                item.updated = now
            ListingVector.objects.bulk_update(changed, ["text_hash", "vector", "updated"], batch_size=500)
    _invalidate()
    return result


# ---------------------------------------------------------------------------------------------------------------
# The corpora of published listings, kept in the process


@dataclass
class _Cached:
    signature: tuple
    checked: float
    corpus: Corpus


_corpora: dict[str, _Cached] = {}
_lock = threading.Lock()
_dirty: set[str] = set()
_rebuilding: set[str] = set()
# a corpus at least this large is rebuilt in the background (smaller ones in well under a second, in place)
BACKGROUND_REBUILD_SIZE = 5000


def _invalidate(kind: str | None = None) -> None:
    _dirty.update([kind] if kind else ["offers", "needs"])


def _model(kind: str):
    from greentech.market.models import Need, Offer

    return {"offers": Offer, "needs": Need}[kind]


def _published(kind: str):
    from greentech.market.models import Status

    return _model(kind).objects.filter(status=Status.PUBLISHED)


def _signature(kind: str) -> tuple:
    """Changes when a published listing of `kind` is added, changed or leaves publication (taken before a build,
    so a change during the build triggers another one; vectors follow their listings' texts)."""
    listings = _published(kind).aggregate(count=Count("pk"), last=Max("updated"))
    return listings["count"], listings["last"]


def _build(kind: str) -> Corpus:
    model = _model(kind)
    listings = list(_published(kind).select_related("region__parent").order_by("pk"))
    through = model.categories.through
    owner = f"{model._meta.model_name}_id"
    categories: dict[int, list[str]] = {}
    for pk, scheme, code in through.objects.filter(**{f"{owner}__in": [x.pk for x in listings]}).values_list(
        owner, "category__scheme__slug", "category__code"
    ):
        categories.setdefault(pk, []).append(f"{scheme}:{code}")
    vectors = ensure_vectors(listings) if listings else {}
    profiles = [profile_of(listing, categories.get(listing.pk, [])) for listing in listings]
    if not profiles:
        from greentech.core.embeddings import BACKENDS

        return Corpus([], np.zeros((0, BACKENDS[EMBEDDER].dimension), np.float32))
    matrix = np.vstack([vectors[p.key] for p in profiles])
    return Corpus(profiles, matrix)


def corpus(kind: str) -> Corpus:
    """The published listings of `kind` ('offers' or 'needs') as a ranked-search corpus, rebuilt when they
    changed (seen at once in this process, within CHECK_SECONDS in others). A large corpus is rebuilt in a
    background thread while requests keep ranking on the previous one (a rebuild takes seconds at 100,000)."""
    with _lock:
        cached = _corpora.get(kind)
        now = time.monotonic()
        if cached is not None and kind not in _dirty and now - cached.checked < CHECK_SECONDS:
            return cached.corpus
        _dirty.discard(kind)
        signature = _signature(kind)
        if cached is not None and cached.signature == signature:
            cached.checked = now
            return cached.corpus
        if cached is not None and len(cached.corpus) >= BACKGROUND_REBUILD_SIZE:
            cached.checked = now
            if kind not in _rebuilding:
                _rebuilding.add(kind)
                threading.Thread(target=_rebuild, args=(kind, signature), daemon=True, name=f"match-{kind}").start()
            return cached.corpus
        built = _build(kind)
        _corpora[kind] = _Cached(signature, time.monotonic(), built)
        return built


def _rebuild(kind: str, signature: tuple) -> None:
    from django.db import connection

    try:
        built = _build(kind)
        with _lock:
            _corpora[kind] = _Cached(signature, time.monotonic(), built)
    except Exception:  # noqa: BLE001 - the previous corpus stays in use; the next change retries
        logger.exception("rebuilding the %s matching corpus failed", kind)
    finally:
        with _lock:
            _rebuilding.discard(kind)
        connection.close()  # this thread's own database connection


def _listing_changed(sender, **kwargs):
    _invalidate()


def connect_signals() -> None:
    from django.db.models.signals import m2m_changed, post_save

    from greentech.market.models import Need, Offer

    for model in (Offer, Need):
        post_save.connect(_listing_changed, sender=model, weak=False, dispatch_uid=f"matching-{model.__name__}")
        m2m_changed.connect(
            _listing_changed, sender=model.categories.through, weak=False, dispatch_uid=f"matching-{model.__name__}-c"
        )


# ---------------------------------------------------------------------------------------------------------------
# Matching for people


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


# ---------------------------------------------------------------------------------------------------------------
# Notifications and feedback


def _pair(listing, other):
    from greentech.market.models import Offer

    return (other, listing) if isinstance(listing, Offer) else (listing, other)


def notify_threshold(suggestion: Suggestion) -> float:
    return NOTIFY_THRESHOLD_CROSS_LANGUAGE if suggestion.cross_language else NOTIFY_THRESHOLD


def notify_matches(listing, *, top: int = NOTIFY_TOP) -> int:
    """Tell both organizations of each new match of a published listing scoring at least its threshold (once per
    pair: notified pairs are kept as `Match` rows). Returns the number of new matches."""
    from greentech.accounts.services import holders
    from greentech.core import audit, services
    from greentech.core.permissions import SYSTEM
    from greentech.inbox.services import notify
    from greentech.market.models import Match, Status

    if listing.status != Status.PUBLISHED:
        return 0
    suggestions = [s for s in matches_for(SYSTEM, listing, top=top) if s.score >= notify_threshold(s)]
    if not suggestions:
        return 0
    names = category_names({c for s in suggestions for c in s.shared_categories})
    new = 0
    for suggestion in suggestions:
        need, offer = _pair(listing, suggestion.object)
        if Match.objects.filter(need=need, offer=offer).exists():
            continue
        reasons = as_dict(suggestion, names)
        reasons = {key: reasons[key] for key in ("shared_categories", "shared_terms", "parts")}
        with transaction.atomic(), audit.acting_as(None, audit.Source.JOB):
            match = services.create(
                SYSTEM,
                Match(
                    need=need,
                    offer=offer,
                    score=suggestion.score,
                    similarity=suggestion.similarity,
                    reasons=reasons,
                    notified_at=timezone.now(),
                ),
                reason="match notified",
            )
            why = _reason_line(reasons)
            notify(
                holders(organization=need.organization),
                "match_found",
                f"匹配成果 / matching offer: {offer.title}",
                f"{need.title} ↔ {offer.title} ({offer.organization}) · {why}",
                link=need.get_absolute_url() + "#matches",
                target=match,
            )
            notify(
                holders(organization=offer.organization),
                "match_found",
                f"匹配需求 / matching need: {need.title}",
                f"{offer.title} ↔ {need.title} ({need.organization}) · {why}",
                link=offer.get_absolute_url() + "#matches",
                target=match,
            )
        new += 1
    return new


def _reason_line(reasons: dict) -> str:
    parts = []
    names = [c["name"] or c["code"] for c in reasons.get("shared_categories", [])]
    if names:
        parts.append("类别 / categories: " + "、".join(names[:3]))
    if reasons.get("shared_terms"):
        parts.append("关键词 / terms: " + "、".join(reasons["shared_terms"][:5]))
    return "; ".join(parts)


def notify_after_publication(listing) -> None:
    """Run `notify_matches` once the publishing transaction is committed (the review answers first); a failure
    of the matcher is logged and never undoes the publication."""

    def run():
        try:
            notify_matches(listing)
        except Exception:  # noqa: BLE001 - matching is a courtesy: the listing is published either way
            logger.exception("matching after publication of %s failed", listing)

    transaction.on_commit(run)


def notify_all(*, top: int = NOTIFY_TOP) -> dict[str, int]:
    """`greentech match notify`: run the notification for every published need and offer (new pairs only)."""
    counts = {"needs": 0, "offers": 0, "matches": 0}
    for kind in ("needs", "offers"):
        for listing in _published(kind).select_related("organization", "region").order_by("pk"):
            counts[kind] += 1
            counts["matches"] += notify_matches(listing, top=top)
    return counts


def index_all() -> dict[str, int]:
    """`greentech match index`: compute the missing or stale vectors of every listing."""
    counts = {}
    for kind in ("offers", "needs"):
        listings = list(_model(kind).objects.order_by("pk"))
        counts[kind] = len(ensure_vectors(listings))
    return counts


def give_feedback(user, need, offer, *, useful: bool, note: str = "", organization=None):
    """A person of the need's or the offer's organization marks the match useful or not (changing their mind
    updates their feedback; the history keeps every version)."""
    from greentech.core import services
    from greentech.core.permissions import Action, actor_for, check
    from greentech.market.models import MatchFeedback
    from greentech.registry.models import Organization

    check(user, Action.VIEW, need)
    check(user, Action.VIEW, offer)
    actor = actor_for(user)
    sides = [need.organization_id, offer.organization_id]
    if organization is None:
        mine = [pk for pk in sides if pk in actor.organization_ids]
        if not mine:
            raise PermissionDenied(
                _("Only people of the need's or the offer's organization give feedback on this match.")
            )
        organization = Organization.objects.get(pk=mine[0])
    note = (note or "").strip()
    existing = MatchFeedback.objects.filter(need=need, offer=offer, user=user).first()
    if existing is not None:
        return services.update(user, existing, {"useful": bool(useful), "note": note, "organization": organization})
    return services.create(
        user,
        MatchFeedback(need=need, offer=offer, user=user, organization=organization, useful=bool(useful), note=note),
        reason="match feedback",
    )


def feedback_of(user, need=None, offer=None) -> dict:
    """The user's own feedback on the matches of a need or an offer: (need pk, offer pk) → MatchFeedback."""
    from greentech.market.models import MatchFeedback

    if not getattr(user, "is_authenticated", False):
        return {}
    queryset = MatchFeedback.objects.restrict(user).filter(user=user)
    if need is not None:
        queryset = queryset.filter(need=need)
    if offer is not None:
        queryset = queryset.filter(offer=offer)
    return {(f.need_id, f.offer_id): f for f in queryset}
