"""The Liaoning entries of the MIIT green manufacturing lists (data/miit-green-manufacturing-lists), loaded as
real organizations and national recognitions.

Liaoning rows are those whose 地区 is 辽宁 or 大连 (大连 is a 计划单列市 listed as its own 地区; see
SOURCE.md). An organization's city is inferred from its name when the name contains exactly one Liaoning
city's short name (沈阳, 大连, 鞍山 ...), from 地区 for 大连 rows, and left at province level otherwise.
"""

from __future__ import annotations

import re

from greentech.core.reference import loader, read_csv, table

FOLDER = "miit-green-manufacturing-lists"
LIAONING_AREAS = {"辽宁", "大连"}
# The lists are published by the Ministry of Industry and Information Technology (batch_index.csv URLs).
GRANTING_AUTHORITY = "工业和信息化部"
LISTS = {
    # kind: (file, organization column, list name in batch_index.csv, organization kind)
    "green_factory": ("green_factories.csv", "工厂名称", "绿色工厂名单", "enterprise"),
    "green_design_product": ("green_design_products.csv", "企业名称", "绿色设计产品名单", "enterprise"),
    "green_park": ("green_industrial_parks.csv", "园区", "绿色工业园区名单", "park"),
    "green_supply_chain": (
        "green_supply_chain_enterprises.csv",
        "企业名称",
        "绿色供应链管理示范企业名单",
        "enterprise",
    ),
}
ORGANIZATION_COLUMNS = ["name", "kind", "region", "industry", "source"]
RECOGNITION_COLUMNS = [
    "kind",
    "level",
    "organization",
    "product_name",
    "product_model",
    "product_category",
    "batch",
    "year",
    "granted_on",
    "granting_authority",
    "evaluator",
    "industry",
    "highlights",
    "standard",
    "source_url",
]


def _publication(batch: str, list_name: str, index: list[dict]) -> tuple[str, str, str]:
    """(ISO date, notice URL, list PDF URL) of a batch of a list, from batch_index.csv."""
    for row in index:
        if row["批次"] == batch and row["名称"] == list_name:
            match = re.match(r"(\d{4})年(\d{1,2})月(\d{1,2})日", row["时间"])
            date = f"{match[1]}-{int(match[2]):02d}-{int(match[3]):02d}" if match else ""
            return date, row["网页"], row["名单"]
    return "", "", ""


def _region_finder():
    """Place an organization from its name: a county-level city or county named in it (海城, 瓦房店), else the
    one prefecture-level city named in it (沈阳, 大连 ...), else the province. Districts (区) are not matched
    by their short names, which are common words (和平, 铁西); the MIIT lists give no address."""
    from greentech.registry.models import Region

    cities = list(Region.objects.filter(level=Region.Level.CITY).values_list("short_name", "code"))
    city_names = {short for short, _code in cities}
    counties = []
    for name, code in Region.objects.filter(level=Region.Level.COUNTY).values_list("name", "code"):
        short = name.removesuffix("市").removesuffix("自治县").removesuffix("县")
        # 辽阳县, 铁岭县, 朝阳县 ... share their city's short name: a name saying 辽阳 means the city
        if name.endswith(("市", "县")) and len(short) >= 2 and short not in city_names:
            counties.append((short, code))

    def find(name: str, area: str) -> str:
        found = {code for short, code in counties if len(short) >= 2 and short in name}
        if len(found) == 1:
            return found.pop()
        if area == "大连":
            return next(code for short, code in cities if short == "大连")
        found = {code for short, code in cities if short and short in name}
        return found.pop() if len(found) == 1 else next(iter(_province_code()), "")

    return find


def _province_code():
    from greentech.registry.models import Region

    return Region.objects.filter(level=Region.Level.PROVINCE).values_list("code", flat=True)[:1]


@loader(60, "miit-recognitions")
def miit_recognitions():
    index = read_csv(f"{FOLDER}/batch_index.csv")
    find_city = _region_finder()
    organizations: dict[str, dict] = {}
    evaluators: dict[str, dict] = {}
    recognitions = []
    for kind, (filename, name_column, list_name, organization_kind) in LISTS.items():
        for row in read_csv(f"{FOLDER}/{filename}"):
            if row["地区"] not in LIAONING_AREAS:
                continue
            name = row[name_column]
            organizations.setdefault(
                name,
                {
                    "name": name,
                    "kind": organization_kind,
                    "region": find_city(name, row["地区"]),
                    "industry": row.get("行业", ""),
                    "source": f"MIIT {list_name}",
                },
            )
            evaluator = row.get("第三方评价机构", "")
            if evaluator and evaluator not in organizations:
                evaluators.setdefault(
                    evaluator, {"name": evaluator, "kind": "evaluator", "source": "MIIT 第三方评价机构"}
                )
            date, notice, _pdf = _publication(row["批次"], list_name, index)
            batch = row["批次"]
            recognitions.append(
                {
                    "kind": kind,
                    "level": "national",
                    "organization": name,
                    "product_name": row.get("产品名称", ""),
                    "product_model": row.get("产品型号", "").strip("-"),
                    "product_category": row.get("种类", ""),
                    "batch": batch,
                    "year": batch if len(batch) == 4 else date[:4],
                    "granted_on": date,
                    "granting_authority": GRANTING_AUTHORITY,
                    "evaluator": evaluator,
                    "industry": row.get("行业", ""),
                    "highlights": row.get("绿色设计亮点", ""),
                    "standard": row.get("适用评价标准", ""),
                    "source_url": notice,
                }
            )
    for name in organizations:
        evaluators.pop(name, None)
    yield "organizations", table(ORGANIZATION_COLUMNS, list(organizations.values()) + list(evaluators.values()))
    yield "recognitions", table(RECOGNITION_COLUMNS, recognitions)
