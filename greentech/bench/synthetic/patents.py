"""Realistic synthetic patent records for benchmarks, written as the import's JSONL schema.

Everything is drawn from the reference data in the database: titles and abstracts from the Green Industry
Guidance Catalogue 2019 (Chinese names, descriptions and keywords; English names and keywords), IPC symbols
from the WIPO IPC Green Inventory patterns (made concrete: a group pattern gives its own symbol or one of its
subgroups, a range one of the groups inside it) plus symbols of the same subclasses outside the patterns, CPC
symbols from the Y02/Y04S categories, applicants from the registry and from Liaoning's cities. About 60% of the
records are CN (Chinese, with English translations for some), the rest US/EP/WO/JP/KR in English; about 5% carry
no codes at all (the text labeller's work); about one record in five gets a green IPC or CPC symbol, roughly the
share of green patents in real filings. The same seed gives the same records. Numbers start at 9 digits
reserved for nothing real (`CN9…`, `US9…`), so a synthetic record never collides with a real one.
"""

from __future__ import annotations

import datetime
import json
import random
from collections.abc import Iterator
from pathlib import Path

from greentech.taxonomy import codes as codelib
from greentech.taxonomy.constants import CATALOGUE_SCHEME

ZH_TITLES = (
    "一种{a}的方法",
    "一种{a}装置",
    "{a}系统及其控制方法",
    "基于{a}的{b}方法",
    "一种用于{b}的{a}设备",
    "{a}与{b}一体化装置",
)
EN_TITLES = (
    "Method for {a}",
    "{A} apparatus and method",
    "System and method for {a} with {b}",
    "{A} device for {b}",
    "Process of {a} using {b}",
)
ZH_CLAIM = "1. 一种{a}，其特征在于，包括{b}，所述{b}与{c}连接。"
EN_CLAIM = "1. A {a} comprising a {b} connected to a {c}, wherein the {b} is configured for {d}."
OFFICES = (("CN", 0.6), ("US", 0.22), ("EP", 0.07), ("WO", 0.05), ("JP", 0.03), ("KR", 0.03))
KINDS = {
    "CN": ("A", "B", "U"),
    "US": ("A1", "B1", "B2"),
    "EP": ("A1", "B1"),
    "WO": ("A1",),
    "JP": ("A", "B2"),
    "KR": ("A", "B1"),
}
STATUSES = (
    ("granted", 0.55),
    ("pending", 0.25),
    ("lapsed", 0.1),
    ("expired", 0.05),
    ("invalidated", 0.02),
    ("withdrawn", 0.03),
)
COMPANY_SUFFIX_ZH = ("新能源科技有限公司", "环保科技股份有限公司", "节能技术有限公司", "装备制造有限公司", "研究院")
COMPANY_EN = (
    "Energy Inc.",
    "Clean Technologies Ltd.",
    "Green Systems GmbH",
    "Industries Co., Ltd.",
    "Research Institute",
)


class Vocabulary:
    """What the generator draws from, loaded once from the reference data."""

    def __init__(self):
        from greentech.registry.models import Organization, Region
        from greentech.taxonomy.models import Category, CodePattern

        items = list(
            Category.objects.filter(scheme__slug=CATALOGUE_SCHEME, level=3).only(
                "name", "name_en", "description", "keywords"
            )
        )
        if not items:
            raise RuntimeError("The Green Industry Guidance Catalogue is not loaded: run `greentech init`.")
        self.zh_terms, self.en_terms, self.zh_sentences = [], [], []
        for item in items:
            keywords = [k.strip() for k in item.keywords.split("|") if k.strip()]
            self.zh_terms.append(
                [item.name.removesuffix("制造").removesuffix("服务")] + [k for k in keywords if not k.isascii()]
            )
            self.en_terms.append([(item.name_en or "").lower()] + [k.lower() for k in keywords if k.isascii()])
            self.zh_sentences.append(
                [s.strip() for s in item.description.replace("；", "。").split("。") if len(s.strip()) > 8]
            )
        patterns = list(
            CodePattern.objects.filter(scheme__slug="ipc-green-inventory").values_list("level", "code", "range_end")
        )
        self.green_ipc = [code for pattern in patterns for code in _concrete(*pattern)]
        subclasses = sorted({code[:4] for code in self.green_ipc if len(code) >= 4})
        self.other_ipc = [
            f"{subclass} {group}/{sub}"
            for subclass in subclasses
            for group in (7, 19, 33, 41, 63)
            for sub in ("00", "02", "10")
        ]
        self.cpc = [
            code
            for code in Category.objects.filter(scheme__slug="cpc-y02").values_list("code", flat=True)
            if " " in code or "/" in code
        ] or [f"{sub} 10/00" for sub in sorted(codelib.CPC_GREEN_SUBCLASSES)]
        self.organizations = list(Organization.objects.filter(is_demo=False).values_list("name", "credit_code")[:500])
        self.cities = list(Region.objects.filter(level=Region.Level.CITY).values_list("name", flat=True))


def _concrete(level: str, code: str, range_end: str) -> list[str]:
    """Real symbols inside a pattern (a few per pattern)."""
    if level in ("class", "subclass"):
        return [f"{code} 1/00"] if level == "subclass" else []
    if level == "group":
        return [code] if code.endswith("/00") is False else [code, code.replace("/00", "/02")]
    if level == "subgroup_range":
        return [code, range_end]
    head, _sep, _rest = code.partition(" ")
    low = int(code.split(" ")[1].split("/")[0])
    high = int(range_end.split(" ")[1].split("/")[0])
    return [f"{head} {group}/00" for group in sorted({low, (low + high) // 2, high})]


def _pick(rng: random.Random, weighted):
    roll, total = rng.random(), 0.0
    for value, weight in weighted:
        total += weight
        if roll < total:
            return value
    return weighted[-1][0]


def records(n: int, *, seed: int = 5, vocabulary: Vocabulary | None = None) -> Iterator[dict]:
    rng = random.Random(seed)
    vocab = vocabulary or Vocabulary()
    start = datetime.date(2005, 1, 1).toordinal()
    span = datetime.date(2025, 6, 30).toordinal() - start
    for index in range(n):
        office = _pick(rng, OFFICES)
        item = rng.randrange(len(vocab.zh_terms))
        other = rng.randrange(len(vocab.zh_terms))
        applied = datetime.date.fromordinal(start + rng.randrange(span))
        published = applied + datetime.timedelta(days=rng.randint(180, 720))
        status = _pick(rng, STATUSES)
        kind = rng.choice(KINDS[office])
        record = {
            "number": f"{office}9{index:09d}{kind}",
            "application_number": f"{office}{applied.year}{index:08d}",
            "application_date": applied.isoformat(),
            "publication_date": published.isoformat(),
            "legal_status": status,
            "family_id": str(700000000 + index // 2),
        }
        if status in ("granted", "lapsed", "expired", "invalidated"):
            record["grant_date"] = (published + datetime.timedelta(days=rng.randint(90, 900))).isoformat()
        if office == "CN":
            a, b = rng.choice(vocab.zh_terms[item]), rng.choice(vocab.zh_terms[other])
            c = rng.choice(vocab.zh_terms[item])
            sentences = vocab.zh_sentences[item] or [a]
            record["title"] = rng.choice(ZH_TITLES).format(a=a, b=b)
            record["abstract"] = (
                f"本发明公开了{record['title']}，涉及{a}技术领域。"
                + "。".join(rng.sample(sentences, min(2, len(sentences))))
                + "。"
            )
            record["first_claim"] = ZH_CLAIM.format(a=a, b=b, c=c)
            record["type"] = "utility_model" if kind == "U" else "invention"
            if rng.random() < 0.3:
                record["title_translation"] = rng.choice(EN_TITLES).format(
                    a=rng.choice(vocab.en_terms[item]),
                    A=vocab.en_terms[item][0].capitalize(),
                    b=rng.choice(vocab.en_terms[other]),
                )
            if rng.random() < 0.5 and vocab.organizations:
                name, credit_code = rng.choice(vocab.organizations)
                record["applicants"] = [name]
                record["applicant_credit_codes"] = [credit_code or ""]
            else:
                city = rng.choice(vocab.cities) if vocab.cities and rng.random() < 0.6 else "江苏"
                record["applicants"] = [
                    f"{city.removesuffix('市')}{rng.choice(vocab.zh_terms[item])[:4]}{rng.choice(COMPANY_SUFFIX_ZH)}"
                ]
                if city in vocab.cities:
                    record["region"] = city
            record["inventors"] = [
                "".join(rng.choice("王李张刘陈杨赵黄周吴") + rng.choice("伟芳娜敏静丽强磊军洋") for _ in range(1))
                for _ in range(rng.randint(1, 4))
            ]
        else:
            a, b, c, d = (rng.choice(vocab.en_terms[i]) for i in (item, other, item, other))
            record["title"] = rng.choice(EN_TITLES).format(a=a, A=a.capitalize(), b=b)
            record["abstract"] = (
                f"A {a} is disclosed. The {a} includes a {c} and a {b} that reduce energy use and emissions "
                f"in {vocab.en_terms[item][0]}. The arrangement improves efficiency over known {d} systems."
            )
            record["first_claim"] = EN_CLAIM.format(a=a, b=b, c=c, d=d)
            record["language"] = "en"
            record["applicants"] = [
                f"{rng.choice(('North', 'Blue', 'Delta', 'Pioneer', 'Summit'))} {rng.choice(COMPANY_EN)}"
            ]
            record["inventors"] = [
                f"{rng.choice(('J.', 'M.', 'K.', 'S.'))} {rng.choice(('Smith', 'Müller', 'Tanaka', 'Kim', 'Garcia'))}"
                for _ in range(rng.randint(1, 3))
            ]
        roll = rng.random()
        if roll >= 0.05:
            ipc = [
                rng.choice(vocab.green_ipc) if rng.random() < 0.12 else rng.choice(vocab.other_ipc)
                for _ in range(rng.randint(1, 3))
            ]
            record["ipc"] = sorted(set(ipc))
            if office != "CN" or rng.random() < 0.3:
                record["cpc"] = sorted(set(record["ipc"] + ([rng.choice(vocab.cpc)] if rng.random() < 0.1 else [])))
        yield record


def write(path: str | Path, n: int, *, seed: int = 5) -> Path:
    path = Path(path)
    vocabulary = Vocabulary()
    with path.open("w", encoding="utf-8") as handle:
        for record in records(n, seed=seed, vocabulary=vocabulary):
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path
