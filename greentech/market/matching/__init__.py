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

Modules: `ranking` (profiles, weights, `Corpus`), `vectors` (listings as profiles, `ListingVector`), `corpora` (the
in-process corpora of published listings), `suggestions` (matching for people, through `restrict()`),
`notifications` (notifying matches, the batch commands, feedback). The public names are re-exported here.
"""

from greentech.market.matching.corpora import BACKGROUND_REBUILD_SIZE, CHECK_SECONDS, connect_signals, corpus
from greentech.market.matching.notifications import (
    NOTIFY_THRESHOLD,
    NOTIFY_THRESHOLD_CROSS_LANGUAGE,
    NOTIFY_TOP,
    feedback_of,
    give_feedback,
    index_all,
    notify_after_publication,
    notify_all,
    notify_matches,
    notify_threshold,
)
from greentech.market.matching.ranking import (
    CATALOGUE,
    LEVEL_WEIGHTS,
    LEXICAL_HALF,
    WEIGHTS,
    Corpus,
    Profile,
    Suggestion,
    Weights,
    category_levels,
    lexical_tokens,
    readiness_fit,
    shared_categories,
    shared_terms,
)
from greentech.market.matching.suggestions import (
    OTHER,
    as_dict,
    category_names,
    explained,
    matches_for,
    matches_for_text,
    may_see_matches,
)
from greentech.market.matching.vectors import (
    EMBEDDER,
    embedder,
    encode,
    ensure_vectors,
    listing_text,
    profile_of,
    text_hash,
)

__all__ = [
    "BACKGROUND_REBUILD_SIZE",
    "CATALOGUE",
    "CHECK_SECONDS",
    "EMBEDDER",
    "LEVEL_WEIGHTS",
    "LEXICAL_HALF",
    "NOTIFY_THRESHOLD",
    "NOTIFY_THRESHOLD_CROSS_LANGUAGE",
    "NOTIFY_TOP",
    "OTHER",
    "WEIGHTS",
    "Corpus",
    "Profile",
    "Suggestion",
    "Weights",
    "as_dict",
    "category_levels",
    "category_names",
    "connect_signals",
    "corpus",
    "embedder",
    "encode",
    "ensure_vectors",
    "explained",
    "feedback_of",
    "give_feedback",
    "index_all",
    "lexical_tokens",
    "listing_text",
    "matches_for",
    "matches_for_text",
    "may_see_matches",
    "notify_after_publication",
    "notify_all",
    "notify_matches",
    "notify_threshold",
    "profile_of",
    "readiness_fit",
    "shared_categories",
    "shared_terms",
    "text_hash",
]
