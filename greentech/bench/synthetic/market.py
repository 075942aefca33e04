"""A synthetic technology market for benchmarks: offers and needs written from the real catalogue vocabulary.

Everything comes from the reference data already in the database: the Green Industry Guidance Catalogue 2019
items (Chinese names and descriptions, English names, the bilingual keywords), Liaoning's cities and counties,
the IPC Green Inventory code patterns, plus the market's own transaction modes, readiness levels and stages.
The same seed gives the same corpus. Rows are marked as synthetic (`is_demo`, references `SYN-…`, organizations
named 【合成】) and are only ever written into a scratch database (see `bench.market`).

Categories are drawn with a Zipf-like weight, so some are common and some rare, as in a real market; four in
five listings are in Chinese. Rows are bulk-inserted without signals: the search index is built afterwards in
one pass (`core.search.reindex`), which the benchmark times separately.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from greentech.core import text as textlib
from greentech.market.models import Language, Mode, Need, Offer, Status
from greentech.registry.models import Organization, Region
from greentech.taxonomy.constants import CATALOGUE_SCHEME
from greentech.taxonomy.models import Category, CodePattern

SYNTHETIC_MARK = "【合成】"
SCHEME = CATALOGUE_SCHEME

STAGE_BY_READINESS = {
    1: Offer.Stage.LABORATORY,
    2: Offer.Stage.LABORATORY,
    3: Offer.Stage.LABORATORY,
    4: Offer.Stage.PILOT_SMALL,
    5: Offer.Stage.PILOT_SMALL,
    6: Offer.Stage.PILOT,
    7: Offer.Stage.PILOT,
    8: Offer.Stage.INDUSTRIAL,
    9: Offer.Stage.INDUSTRIAL,
}
# share of listings per status: most of a live market is published
STATUSES = [
    (Status.PUBLISHED, 0.86),
    (Status.SUBMITTED, 0.04),
    (Status.DRAFT, 0.04),
    (Status.CLOSED, 0.03),
    (Status.EXPIRED, 0.02),
    (Status.WITHDRAWN, 0.01),
]

ZH_TITLES = (
    "{a}关键技术",
    "一种{a}装置及方法",
    "基于{a}的{b}技术",
    "{a}与{b}一体化系统",
    "高效{a}成套装备",
    "{a}{b}协同技术及示范",
    "新型{a}工艺",
    "{a}智能监测与{b}平台",
)
ZH_SUMMARY = (
    "本成果属于{level2}领域，面向{name}。核心技术包括{a}、{b}和{c}。{sentence}"
    "已在{region}完成{stage}验证，可用于{field}。"
)
ZH_PROBLEMS = (
    "我单位在{name}方面遇到技术瓶颈，需要{a}相关技术，重点解决{b}问题。{sentence}",
    "{region}某项目计划开展{a}改造，寻求{b}与{c}方面的成熟技术或合作团队。",
    "现有{a}工艺能耗偏高，希望引进{b}技术，实现{level2}升级。",
)
ZH_CONSTRAINTS = (
    "需在{region}现场实施",
    "要求技术成熟度不低于{readiness}级",
    "预算有限，可分期付款",
    "需提供售后技术服务",
)
EN_TITLES = (
    "{a} technology",
    "{A} and {b} integrated system",
    "High-efficiency {a} equipment",
    "Method and device for {a}",
    "{A} with {b} monitoring platform",
    "Novel {a} process for {b}",
)
EN_SUMMARY = (
    "An offer in {name_en}. Core technologies: {a}, {b} and {c}. Validated at {stage} scale in {region_en}; "
    "applicable to {field_en}."
)
EN_PROBLEMS = (
    "We need {a} technology for {name_en}, in particular to solve {b}.",
    "A project in {region_en} seeks proven {a} and {b} solutions or a partner for joint development.",
)
ORGANIZATION_WORDS = (
    "绿源 蓝天 清泉 华能 东北 辽河 渤海 北方 长兴 恒达 鑫源 瑞丰 天成 博远 中科 金桥 融创 宏宇 新世纪 永安".split()
)
ORGANIZATION_KINDS = [
    (Organization.Kind.ENTERPRISE, "科技有限公司", 0.8),
    (Organization.Kind.UNIVERSITY, "大学", 0.08),
    (Organization.Kind.INSTITUTE, "研究院", 0.12),
]
CITY_EN = {
    "沈阳市": "Shenyang",
    "大连市": "Dalian",
    "鞍山市": "Anshan",
    "抚顺市": "Fushun",
    "本溪市": "Benxi",
    "丹东市": "Dandong",
    "锦州市": "Jinzhou",
    "营口市": "Yingkou",
    "阜新市": "Fuxin",
    "辽阳市": "Liaoyang",
    "盘锦市": "Panjin",
    "铁岭市": "Tieling",
    "朝阳市": "Chaoyang",
    "葫芦岛市": "Huludao",
}


@dataclass
class Item:
    """One catalogue item (level 3) with the words listings in it are written from."""

    pk: int
    code: str
    name: str
    name_en: str
    level2: str
    level1: str
    description: list[str]
    zh_terms: list[str]
    en_terms: list[str]


@dataclass
class Vocabulary:
    items: list[Item]
    weights: list[float]
    regions: list[Region]
    region_weights: list[float]
    codes: list[str]

    @classmethod
    def load(cls, seed: int) -> Vocabulary:
        categories = list(Category.objects.filter(scheme__slug=SCHEME).select_related("parent__parent"))
        items = []
        for category in categories:
            if category.level != 3:
                continue
            terms = category.keyword_list
            zh_terms = [t for t in terms if textlib.is_chinese(t)] or [category.name]
            en_terms = [t for t in terms if not textlib.is_chinese(t)] or [category.name_en or category.name]
            sentences = [s.strip() for s in category.description.replace("；", "。").split("。") if 8 < len(s) < 120]
            items.append(
                Item(
                    pk=category.pk,
                    code=category.code,
                    name=category.name,
                    name_en=category.name_en or category.name,
                    level2=category.parent.name if category.parent else category.name,
                    level1=category.parent.parent.name if category.parent and category.parent.parent else "",
                    description=sentences[:6],
                    zh_terms=zh_terms,
                    en_terms=en_terms,
                )
            )
        if not items:
            raise RuntimeError("The catalogue (gic2019) is not loaded: run `greentech init` first.")
        items.sort(key=lambda item: item.pk)
        # Zipf-like popularity over a seeded order of the items: a few common categories, a long rare tail
        order = list(range(len(items)))
        random.Random(seed).shuffle(order)
        weights = [0.0] * len(items)
        for rank, index in enumerate(order):
            weights[index] = 1.0 / (rank + 1) ** 0.8
        regions = list(Region.objects.filter(level__in=["city", "county"]).select_related("parent").order_by("code"))
        if not regions:
            raise RuntimeError("The Liaoning regions are not loaded: run `greentech init` first.")
        region_weights = [
            (8.0 if r.code.startswith(("2101", "2102")) else 2.0) * (3.0 if r.level == "city" else 1.0) for r in regions
        ]
        codes = list(CodePattern.objects.filter(system="ipc").order_by("pk").values_list("code", flat=True)[:400])
        return cls(items, weights, regions, region_weights, codes)


@dataclass
class Corpus:
    """What was written, for the benchmark's checks (compact: ids and the values filters look at)."""

    seed: int
    offers: int = 0
    needs: int = 0
    organizations: int = 0
    offer_rows: dict[int, dict] = field(default_factory=dict)  # pk → {category, region, language, status, ...}
    need_rows: dict[int, dict] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


def _pick_status(rng: random.Random) -> str:
    return rng.choices([s for s, _ in STATUSES], [w for _, w in STATUSES])[0]


def _terms(rng: random.Random, words: list[str], n: int) -> list[str]:
    return rng.sample(words, n) if len(words) >= n else [rng.choice(words) for _ in range(n)]


def _city(region: Region) -> str:
    return region.name if region.level == "city" or region.parent is None else region.parent.name


class Generator:
    """Writes `offers` offers and `needs` needs (and the organizations owning them) for a seed."""

    batch = 2000

    def __init__(self, seed: int = 2026):
        self.seed = seed
        self.rng = random.Random(seed)
        self.vocabulary = Vocabulary.load(seed)
        self.now = timezone.now().replace(microsecond=0)

    # -- organizations --------------------------------------------------------------------------------------
    def organizations(self, count: int) -> list[Organization]:
        rng, vocabulary = self.rng, self.vocabulary
        rows, names = [], set(Organization.objects.values_list("name", flat=True))
        for number in range(count):
            region = rng.choices(vocabulary.regions, vocabulary.region_weights)[0]
            kind, suffix, _w = rng.choices(ORGANIZATION_KINDS, [w for *_, w in ORGANIZATION_KINDS])[0]
            item = rng.choices(vocabulary.items, vocabulary.weights)[0]
            short = _city(region).removesuffix("市")
            field_word = item.zh_terms[0][:4]
            name = f"{SYNTHETIC_MARK}{short}{rng.choice(ORGANIZATION_WORDS)}{field_word}{suffix}"
            if name in names:
                name = f"{name}{number}"
            names.add(name)
            rows.append(
                Organization(
                    name=name,
                    kind=kind,
                    region=region,
                    industry=item.level2[:100],
                    is_demo=True,
                    source="synthetic benchmark corpus",
                )
            )
        return Organization.objects.bulk_create(rows, batch_size=self.batch)

    # -- listings -------------------------------------------------------------------------------------------
    def _common(self, number: int, prefix: str, organizations):
        rng, vocabulary = self.rng, self.vocabulary
        item_index = rng.choices(range(len(vocabulary.items)), vocabulary.weights)[0]
        item = vocabulary.items[item_index]
        region = rng.choices(vocabulary.regions, vocabulary.region_weights)[0]
        language = Language.EN if rng.random() < 0.2 else Language.ZH
        status = _pick_status(rng)
        published = self.now - datetime.timedelta(minutes=rng.randrange(0, 2 * 365 * 24 * 60))
        modes = sorted(rng.sample(Mode.values, rng.choice((1, 1, 2, 3))), key=Mode.values.index)
        values = {
            "reference": f"SYN-{prefix}{number:07d}",
            "organization": rng.choice(organizations),
            "language": language,
            "region": region,
            "modes": ",".join(modes),
            "status": status,
            "published_at": published if status not in (Status.DRAFT, Status.SUBMITTED) else None,
            "reviewed_at": published if status not in (Status.DRAFT, Status.SUBMITTED) else None,
            "is_demo": True,
        }
        return item, region, values

    def _words(self, item: Item, language: str) -> dict:
        rng = self.rng
        if language == Language.EN:
            a, b, c = _terms(rng, item.en_terms, 3)
            return {"a": a, "A": a[:1].upper() + a[1:], "b": b, "c": c}
        a, b, c = _terms(rng, item.zh_terms, 3)
        return {"a": a, "b": b, "c": c}

    def _region_names(self, region: Region) -> dict:
        city = _city(region)
        return {"region": region.name, "region_en": CITY_EN.get(city, city)}

    def offer(self, number: int, organizations) -> tuple[Offer, Item]:
        rng = self.rng
        item, region, values = self._common(number, "O", organizations)
        readiness = rng.choices(range(1, 10), [1, 2, 3, 4, 5, 6, 5, 4, 3])[0]
        words = self._words(item, values["language"])
        context = {
            **words,
            **self._region_names(region),
            "name": item.name,
            "name_en": item.name_en,
            "level2": item.level2,
            "sentence": (rng.choice(item.description) + "。") if item.description else "",
            "stage": str(STAGE_BY_READINESS[readiness].label).split(" (")[0]
            if values["language"] == Language.EN
            else str(STAGE_BY_READINESS[readiness].label).split("(")[-1].rstrip(")"),
            "field": item.level1 or item.level2,
            "field_en": item.name_en.lower(),
        }
        if values["language"] == Language.EN:
            title = rng.choice(EN_TITLES).format(**context)
            summary = EN_SUMMARY.format(**context)
        else:
            title = rng.choice(ZH_TITLES).format(**context)
            summary = ZH_SUMMARY.format(**context)
        priced = rng.random() < 0.6
        price = Decimal(round(rng.lognormvariate(4.5, 1.2), 2)) if priced else None
        return Offer(
            **values,
            title=title[:200],
            summary=summary[:2000],
            description=f"<p>{summary}</p>",
            readiness=readiness,
            stage=STAGE_BY_READINESS[readiness],
            negotiable=not priced or rng.random() < 0.3,
            price=price.quantize(Decimal("0.01")) if price is not None else None,
            codes=" ".join(rng.sample(self.vocabulary.codes, 2))
            if self.vocabulary.codes and rng.random() < 0.4
            else "",
            application_fields=(item.level2 if values["language"] == Language.ZH else item.name_en)[:500],
            energy_saved_tce=Decimal(rng.randrange(10, 50000)) if rng.random() < 0.4 else None,
            co2_reduced_t=Decimal(rng.randrange(20, 120000)) if rng.random() < 0.4 else None,
            disclosure=rng.choice(Offer.Disclosure.values[:2]),
            expires_on=(self.now + datetime.timedelta(days=rng.randrange(30, 900))).date(),
        ), item

    def need(self, number: int, organizations) -> tuple[Need, Item]:
        rng = self.rng
        item, region, values = self._common(number, "N", organizations)
        words = self._words(item, values["language"])
        readiness = rng.choice((None, 4, 5, 6, 7, 8))
        context = {
            **words,
            **self._region_names(region),
            "name": item.name,
            "name_en": item.name_en,
            "level2": item.level2,
            "sentence": (rng.choice(item.description) + "。") if item.description else "",
            "readiness": readiness or 5,
        }
        if values["language"] == Language.EN:
            title = rng.choice(EN_TITLES).format(**context)
            problem = rng.choice(EN_PROBLEMS).format(**context)
            constraints = ""
        else:
            title = "求购：" + rng.choice(ZH_TITLES).format(**context)
            problem = rng.choice(ZH_PROBLEMS).format(**context)
            constraints = rng.choice(ZH_CONSTRAINTS).format(**context)
        budget_min = Decimal(rng.randrange(5, 500)) if rng.random() < 0.7 else None
        budget_max = budget_min * rng.choice((2, 3, 5)) if budget_min is not None else None
        return Need(
            **values,
            title=title[:200],
            problem=problem[:4000],
            constraints=constraints,
            budget_min=budget_min,
            budget_max=budget_max,
            min_readiness=readiness,
            deadline=(self.now + datetime.timedelta(days=rng.randrange(30, 720))).date(),
        ), item

    def write(self, offers: int, needs: int, *, progress=None) -> Corpus:
        """Bulk-insert the corpus (organizations, offers, needs, their categories) in one transaction."""
        import time

        corpus = Corpus(self.seed)
        started = time.perf_counter()
        with transaction.atomic():
            organizations = self.organizations(max(10, (offers + needs) // 60))
            corpus.organizations = len(organizations)
            for model, total, make, rows in (
                (Offer, offers, self.offer, corpus.offer_rows),
                (Need, needs, self.need, corpus.need_rows),
            ):
                through = model.categories.through
                for start in range(0, total, self.batch):
                    pairs = [make(number, organizations) for number in range(start, min(total, start + self.batch))]
                    created = model.objects.bulk_create([listing for listing, _item in pairs])
                    links = []
                    for listing, item in pairs:
                        links.append(through(**{f"{model._meta.model_name}_id": listing.pk, "category_id": item.pk}))
                        rows[listing.pk] = {
                            "category": item.code,
                            "region": listing.region_id,
                            "language": listing.language,
                            "status": listing.status,
                            "modes": listing.modes,
                            "readiness": getattr(listing, "readiness", None),
                            "price": float(listing.price) if getattr(listing, "price", None) is not None else None,
                            "title": listing.title,
                        }
                    through.objects.bulk_create(links, batch_size=self.batch)
                    if progress:
                        progress(model._meta.model_name, start + len(created), total)
            corpus.offers, corpus.needs = len(corpus.offer_rows), len(corpus.need_rows)
        corpus.timings["insert_seconds"] = round(time.perf_counter() - started, 2)
        return corpus
