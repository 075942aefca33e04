"""The green classification service: any text and/or IPC/CPC codes, Chinese or English, into the green
taxonomies, with a calibrated score and the reasons. Every module classifies through `classify()`.

Codes decide first: an IPC symbol inside a WIPO IPC Green Inventory pattern, or a CPC symbol in Y02/Y04S,
makes a record green by code. Otherwise the text decides: a logistic model (data/classification-model) over
- semantic similarity of the text to the catalogue items (Universal Sentence Encoder, Chinese and English
  profiles of every Green Industry Guidance Catalogue item),
- its similarity to labelled green and non-green examples (the evaluation set's dev split),
- lexical evidence: catalogue keywords found in the text and BM25 over the catalogue's wording.
Its output is the probability that the record is green (calibrated on the dev split), and categories are
ranked by semantic and lexical evidence together.
"""

from __future__ import annotations

import json
import logging
import math
import re
import threading
import time
from dataclasses import asdict, dataclass, field

import numpy as np

from greentech.config import PACKAGE_DIR
from greentech.core import text as textlib
from greentech.core.embeddings import cached_encode, get_embedder
from greentech.core.reference import after_load
from greentech.taxonomy import codes as codelib
from greentech.taxonomy.constants import CATALOGUE_SCHEME

MODEL_PATH = PACKAGE_DIR / "data" / "classification-model" / "model.json"
EVALUATION_PATH = PACKAGE_DIR / "data" / "classification-eval" / "eval.jsonl"
CATALOGUE = CATALOGUE_SCHEME
IPC_INVENTORY = "ipc-green-inventory"
CPC_SCHEME = "cpc-y02"
FEATURES = ("semantic", "semantic_gap", "neighbours", "keywords", "bm25")
MAX_TEXT = 2000
TOP_CATEGORIES = 3
# when codes decide, catalogue items from the text are listed only if the text itself looks at least this green
CATALOGUE_MINIMUM_WITH_CODES = 0.3


class InputError(ValueError):
    """A record the classifier cannot take (wrong types, nothing to classify)."""


@dataclass
class Record:
    id: object = None
    title: str = ""
    text: str = ""
    ipc: list[str] = field(default_factory=list)
    cpc: list[str] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: dict) -> Record:
        if not isinstance(data, dict):
            raise InputError("a record is a JSON object with id, title, text, ipc, cpc")
        unknown = set(data) - {"id", "title", "text", "ipc", "cpc"}
        if unknown:
            raise InputError(f"unknown field(s): {', '.join(sorted(unknown))}")
        values = {}
        for name in ("title", "text"):
            value = data.get(name)
            if value is None:
                value = ""
            if not isinstance(value, str):
                raise InputError(f"{name} must be a string")
            values[name] = value[:MAX_TEXT]
        for name in ("ipc", "cpc"):
            value = data.get(name)
            if value is None:
                value = []
            if isinstance(value, str):
                value = [part.strip() for part in re.split(r"[;,|]", value) if part.strip()]
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                raise InputError(f"{name} must be a list of classification symbols")
            values[name] = value
        record = cls(id=data.get("id"), **values)
        if not (record.title.strip() or record.text.strip() or record.ipc or record.cpc):
            raise InputError("nothing to classify: give a title, a text or IPC/CPC codes")
        return record

    @property
    def content(self) -> str:
        return "。".join(part.strip() for part in (self.title, self.text) if part and part.strip())


@dataclass
class CategoryScore:
    scheme: str
    code: str
    name: str
    score: float
    reason: str
    name_en: str = ""
    path: list[dict] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)  # catalogue keywords found in the text
    similarity: float | None = None  # cosine similarity of the text to the catalogue item's explanation


@dataclass
class Result:
    id: object
    green: bool
    score: float
    decided_by: str
    categories: list[CategoryScore]
    language: str = ""
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["score"] = round(self.score, 4)
        for category in data["categories"]:
            category["score"] = round(category["score"], 4)
        return data


class Catalogue:
    """The catalogue's level-3 items as the classifier sees them: profiles, vectors, keywords, BM25 index."""

    def __init__(self, categories: list, embedder):
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)  # bm25s sets its own logger to DEBUG on import

        self.items = categories
        self.profiles_zh = [self._profile_zh(c) for c in categories]
        self.profiles_en = [self._profile_en(c) for c in categories]
        self.vectors_zh = cached_encode(embedder, self.profiles_zh, label="catalogue-zh")
        self.vectors_en = cached_encode(embedder, self.profiles_en, label="catalogue-en")
        self.keywords = [self._keywords(c) for c in categories]
        self.bm25 = bm25s.BM25()
        self.bm25.index(
            [textlib.tokens(f"{c.name} {c.name_en} {c.keywords} {c.description}") for c in categories],
            show_progress=False,
        )

    @staticmethod
    def _profile_zh(category) -> str:
        parent = category.parent.name if category.parent else ""
        return f"{parent} {category.name}：{category.description[:300]}"

    @staticmethod
    def _profile_en(category) -> str:
        english = [k.strip() for k in category.keywords.split("|") if k.strip() and not textlib.is_chinese(k)]
        return f"{category.name_en}: {', '.join(english)}" if category.name_en else category.name

    @staticmethod
    def _keywords(category) -> list[tuple[str, re.Pattern | None]]:
        found = []
        for keyword in {textlib.normalize(k) for k in category.keywords.split("|") if k.strip()}:
            if textlib.is_chinese(keyword):
                found.append((keyword, None))
            else:  # Latin keywords match whole words only ("pv" must not match inside "pvc")
                found.append((keyword, re.compile(rf"(?<![a-z0-9]){re.escape(keyword)}(?:e?s)?(?![a-z0-9])")))
        return found

    def keyword_hits(self, normalized: str) -> list[list[str]]:
        hits = []
        for keywords in self.keywords:
            item_hits = []
            for keyword, pattern in keywords:
                if keyword in normalized if pattern is None else (keyword in normalized and pattern.search(normalized)):
                    item_hits.append(keyword)
            hits.append(item_hits)
        return hits


class Model:
    """The fitted logistic model over FEATURES, its decision threshold and the category weights."""

    def __init__(self, data: dict):
        self.coefficients = np.array([data["coefficients"][name] for name in FEATURES], dtype=np.float64)
        self.intercept = float(data["intercept"])
        self.threshold = float(data.get("threshold", 0.5))
        self.neighbours = int(data.get("neighbours", 5))
        self.category_weights = data.get("category_weights", {"semantic": 1.0, "keywords": 0.15, "bm25": 0.02})
        self.raw = data

    @classmethod
    def load(cls) -> Model:
        return cls(json.loads(MODEL_PATH.read_text(encoding="utf-8")))

    def probability(self, features: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(features @ self.coefficients + self.intercept)))


def load_examples(split: str = "dev") -> list[dict]:
    """Labelled text examples of the evaluation set's `split` (the dev split serves as reference examples)."""
    with EVALUATION_PATH.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return [row for row in rows if row["split"] == split and (row.get("title") or row.get("text"))]


class Classifier:
    """Build once per process (loading the taxonomy, the embedder and the reference vectors); thread-safe."""

    def __init__(self, model: Model | None = None, examples: list[dict] | None = None):
        from greentech.taxonomy.models import Category, CodePattern, Scheme

        self.model = model or Model.load()
        self.embedder = get_embedder("use")
        level3 = list(
            Category.objects.filter(scheme__slug=CATALOGUE, level=3).select_related("parent", "parent__parent")
        )
        if not level3:
            raise RuntimeError("The Green Industry Guidance Catalogue is not loaded: run `greentech init`.")
        self.catalogue = Catalogue(level3, self.embedder)
        self.scheme_names = {s.slug: (s.name, s.name_en) for s in Scheme.objects.all()}
        patterns = CodePattern.objects.filter(scheme__slug=IPC_INVENTORY, system=CodePattern.System.IPC)
        self.ipc_index = codelib.PatternIndex(
            codelib.CodePattern(p.level, p.code, p.range_end or None, payload=p) for p in patterns
        )
        self.cpc_categories = {
            c.code: c for c in Category.objects.filter(scheme__slug=CPC_SCHEME).order_by("-level", "-code")
        }
        examples = load_examples("dev") if examples is None else examples
        self.example_ids = [row["id"] for row in examples]
        self.example_green = np.array([bool(row["green"]) for row in examples])
        self.example_vectors = cached_encode(
            self.embedder,
            [Record(title=r.get("title", ""), text=r.get("text", "")).content for r in examples],
            label="examples",
        )

    # ---- codes -------------------------------------------------------------------------------------------------

    def code_categories(self, record: Record) -> tuple[list[CategoryScore], list[str]]:
        categories, errors = [], []
        for raw in record.ipc:
            try:
                symbol = codelib.normalize_symbol(raw)
            except ValueError as error:
                errors.append(str(error))
                continue
            for pattern in self.ipc_index.match(symbol):
                source = pattern.payload
                span = f"{source.code} … {source.range_end}" if source.range_end else source.code
                categories.append(
                    CategoryScore(
                        scheme=IPC_INVENTORY,
                        code=span,
                        name=self.scheme_names.get(IPC_INVENTORY, ("", ""))[0],
                        name_en=self.scheme_names.get(IPC_INVENTORY, ("", ""))[1],
                        score=1.0,
                        reason=f"IPC {symbol} ∈ {span}",
                    )
                )
        for raw in record.cpc:
            try:
                symbol = codelib.normalize_symbol(raw)
            except ValueError as error:
                errors.append(str(error))
                continue
            if not codelib.is_cpc_green(symbol):
                continue
            category = next((c for code, c in self.cpc_categories.items() if symbol.startswith(code)), None)
            categories.append(
                CategoryScore(
                    scheme=CPC_SCHEME,
                    code=category.code if category else symbol[:4],
                    name=category.name if category else symbol[:4],
                    name_en=category.name_en if category else "",
                    score=1.0,
                    reason=f"CPC {symbol} ∈ {category.code if category else symbol[:4]} (Y02/Y04S)",
                )
            )
        unique = {}
        for category in categories:
            unique.setdefault((category.scheme, category.code), category)
        return list(unique.values()), errors

    # ---- text --------------------------------------------------------------------------------------------------

    def text_features(self, contents: list[str], *, exclude_examples: list | None = None) -> tuple:
        """Feature matrix (one row per text) plus what category ranking and reasons need."""
        vectors = self.embedder.encode(contents)
        similarity = np.maximum(vectors @ self.catalogue.vectors_zh.T, vectors @ self.catalogue.vectors_en.T)
        to_examples = vectors @ self.example_vectors.T
        if exclude_examples:
            for row, example_id in enumerate(exclude_examples):
                if example_id in self.example_ids:
                    to_examples[row, self.example_ids.index(example_id)] = -1.0
        k = self.model.neighbours
        green_near = np.sort(np.where(self.example_green, to_examples, -1.0), axis=1)[:, -k:].mean(axis=1)
        other_near = np.sort(np.where(~self.example_green, to_examples, -1.0), axis=1)[:, -k:].mean(axis=1)
        rows, hits_all, bm25_all = [], [], []
        for index, content in enumerate(contents):
            normalized = textlib.normalize(content)
            hits = self.catalogue.keyword_hits(normalized)
            bm25 = self.catalogue.bm25.get_scores(textlib.tokens(content))
            best_hits = max((len(h) for h in hits), default=0)
            best_bm25 = float(bm25.max()) if len(bm25) else 0.0
            rows.append(
                [
                    float(similarity[index].max()),
                    float(similarity[index].max() - similarity[index].mean()),
                    float(green_near[index] - other_near[index]),
                    math.log1p(best_hits),
                    best_bm25 / (best_bm25 + 5.0),
                ]
            )
            hits_all.append(hits)
            bm25_all.append(bm25)
        return np.array(rows, dtype=np.float64), similarity, hits_all, bm25_all

    def rank_categories(self, similarity: np.ndarray, hits: list[list[str]], bm25: np.ndarray) -> list[CategoryScore]:
        weights = self.model.category_weights
        keyword_counts = np.array([len(h) for h in hits], dtype=np.float64)
        combined = (
            weights["semantic"] * similarity + weights["keywords"] * np.log1p(keyword_counts) + weights["bm25"] * bm25
        )
        order = np.argsort(-combined)[:TOP_CATEGORIES]
        top = combined[order]
        share = np.exp((top - top.max()) * 10.0)
        share = share / share.sum()
        categories = []
        for rank, index in enumerate(order):
            item = self.catalogue.items[index]
            reasons = []
            if hits[index]:
                reasons.append("关键词 keywords: " + ", ".join(sorted(hits[index])[:6]))
            reasons.append(f"与目录说明的相似度 similarity to the catalogue explanation: {similarity[index]:.2f}")
            path = [
                {"level": node.level, "code": node.code, "name": node.name, "name_en": node.name_en}
                for node in (item.parent.parent, item.parent)
                if node is not None
            ]
            categories.append(
                CategoryScore(
                    scheme=CATALOGUE,
                    code=item.code,
                    name=item.name,
                    name_en=item.name_en,
                    score=float(share[rank]),
                    reason="; ".join(reasons),
                    path=path,
                    keywords=sorted(hits[index])[:6],
                    similarity=round(float(similarity[index]), 4),
                )
            )
        return categories

    # ---- the service -------------------------------------------------------------------------------------------

    def classify(self, records: list[Record]) -> list[Result]:
        """Classify a batch (texts are embedded together, which is what makes batches fast)."""
        with_text = [i for i, r in enumerate(records) if r.content]
        features = similarity = hits = bm25 = None
        probabilities = np.zeros(0)
        if with_text:
            contents = [records[i].content for i in with_text]
            features, similarity, hits, bm25 = self.text_features(contents)
            probabilities = self.model.probability(features)
        position = {record_index: row for row, record_index in enumerate(with_text)}
        results = []
        for index, record in enumerate(records):
            code_categories, code_errors = self.code_categories(record)
            categories = list(code_categories)
            row = position.get(index)
            text_probability = None
            if row is not None:
                text_probability = float(probabilities[row])
                categories += self.rank_categories(similarity[row], hits[row], bm25[row])
            if code_categories:
                green, score, decided_by = True, 1.0, "code"
            elif text_probability is not None:
                green = text_probability >= self.model.threshold
                score, decided_by = text_probability, "text"
            else:  # codes only, none of them green
                green, score, decided_by = False, 0.0, "code"
            if decided_by == "code" and (text_probability or 0.0) < CATALOGUE_MINIMUM_WITH_CODES:
                # green by code, but the text says little about greenness: its nearest catalogue items would be noise
                categories = [c for c in categories if c.scheme != CATALOGUE]
            results.append(
                Result(
                    id=record.id,
                    green=green,
                    score=score,
                    decided_by=decided_by,
                    categories=categories,
                    language=textlib.language(record.content) if record.content else "",
                    warnings=code_errors,
                )
            )
        return results


_classifier: Classifier | None = None
_classifier_version = None
_lock = threading.Lock()


def taxonomy_version() -> tuple:
    """Changes whenever a category or code pattern is added, changed or removed."""
    from django.db.models import Count, Max

    from greentech.taxonomy.models import Category, CodePattern

    return tuple(
        tuple(model.objects.aggregate(n=Count("id"), last=Max("updated")).values()) for model in (Category, CodePattern)
    )


def get_classifier() -> Classifier:
    """The process's classifier, rebuilt when the taxonomy changed since it was built."""
    global _classifier, _classifier_version
    version = taxonomy_version()
    with _lock:
        if _classifier is None or version != _classifier_version:
            _classifier = Classifier()
            _classifier_version = version
        return _classifier


def classify(records: list[dict | Record]) -> list[Result]:
    """Classify records given as dicts ({"id", "title", "text", "ipc", "cpc"}) or Records."""
    prepared = [r if isinstance(r, Record) else Record.from_dict(r) for r in records]
    return get_classifier().classify(prepared)


def classify_one(**fields) -> Result:
    """Classify one record given as keyword arguments (title=, text=, ipc=, cpc=, id=)."""
    return classify([fields])[0]


@after_load("classification cache / 分类缓存")
def warm_caches() -> str:
    """Build the classifier once at `greentech init`, so vectors and the model snapshot are on disk before the
    first request (cold start to first result then stays under 2 s)."""
    global _classifier
    started = time.perf_counter()
    with _lock:
        _classifier = None
    classifier = get_classifier()
    classifier.classify([Record(title="warm-up")])
    return f"ready in {time.perf_counter() - started:.1f}s"
