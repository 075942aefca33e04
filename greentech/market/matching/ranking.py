"""Matching: the ranking on plain `Profile`s and a vector matrix (`Corpus`), its weights and the reasons it gives
(shared catalogue items, shared terms); no database, so the benchmark runs it on the evaluation set and on a
synthetic corpus."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from greentech.core import search as searchlib
from greentech.core import text as textlib
from greentech.taxonomy.constants import CATALOGUE_SCHEME

CATALOGUE = CATALOGUE_SCHEME


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
