"""Reference data of the taxonomies: scheme metadata, the Green Industry Guidance Catalogue 2019, the CPC
Y02/Y04S titles the data has, the IPC Green Inventory codes and topics, CNIPA's first-level branches."""

from greentech.core.reference import loader, read_csv, table
from greentech.taxonomy.codes import normalize_symbol
from greentech.taxonomy.constants import CATALOGUE_SCHEME

CATEGORY_COLUMNS = ["scheme", "code", "parent", "name", "name_en", "description", "standards", "keywords"]
PATTERN_COLUMNS = ["scheme", "system", "level", "code", "range_end", "category", "title", "position"]


@loader(30, "schemes")
def schemes():
    yield (
        "schemes",
        table(
            ["slug", "name", "name_en", "kind", "version", "issuer", "document_number", "complete", "source"],
            read_csv("schemes.csv"),
        ),
    )


def _catalogue_rows():
    """The catalogue's 6/30/211 items, with the platform's English names and bilingual keywords
    (data/green-industry-catalogue-2019-en)."""
    english = {row["code"]: row for row in read_csv("green-industry-catalogue-2019-en/catalogue_en.csv")}
    rows, seen = [], set()
    for item in read_csv("green-industry-catalogue-2019/green_industry_catalogue_2019.csv"):
        for code, name, parent in (
            (item["level1_code"], item["level1_name"], ""),
            (item["level2_code"], item["level2_name"], item["level1_code"]),
        ):
            if code not in seen:
                seen.add(code)
                rows.append({"scheme": CATALOGUE_SCHEME, "code": code, "parent": parent, "name": name})
        rows.append(
            {
                "scheme": CATALOGUE_SCHEME,
                "code": item["level3_code"],
                "parent": item["level2_code"],
                "name": item["level3_name"],
                "description": item["description"],
                "standards": item["standards"],
            }
        )
    for row in rows:
        extra = english.get(row["code"], {})
        row["name_en"] = extra.get("name_en", "")
        row["keywords"] = " | ".join(
            part for part in (extra.get("keywords_zh", ""), extra.get("keywords_en", "")) if part
        )
    return rows


def _cpc_rows():
    official = {
        row["code"]: row["title"]
        for row in read_csv("green-patent-classification-facts-partial/cpc_y02_titles_supplement.csv")
    }
    rows = []
    for item in read_csv("cpc-y02-titles-partial/y02_y04s_subclasses_informal.csv"):
        code = item["code"]
        title = official.get(code, item["title_as_found"])
        rows.append(
            {
                "scheme": "cpc-y02",
                "code": code,
                "parent": "",
                "name": title.capitalize() if title.isupper() else title,
                "name_en": title.capitalize() if title.isupper() else title,
            }
        )
    known = {row["code"] for row in rows}
    for item in read_csv("cpc-y02-titles-partial/y02e10_subtree.csv"):
        code = normalize_symbol(item["code"])
        parent = normalize_symbol(item["parent"]) if "/" in item["parent"] else item["parent"]
        rows.append(
            {"scheme": "cpc-y02", "code": code, "parent": parent, "name": item["title"], "name_en": item["title"]}
        )
        known.add(code)
    for code, title in official.items():
        if "/" not in code:
            continue
        symbol = normalize_symbol(code)
        if symbol not in known:
            text = title.capitalize() if title.isupper() else title
            rows.append({"scheme": "cpc-y02", "code": symbol, "parent": symbol[:4], "name": text, "name_en": text})
            known.add(symbol)
    return rows


def _inventory_topic_rows():
    rows = []
    for number, item in enumerate(
        read_csv("green-patent-classification-facts-partial/wipo_green_inventory_top_topics.csv"), 1
    ):
        english = item["name_en_unverified"].capitalize()
        rows.append(
            {
                "scheme": "ipc-green-inventory",
                "code": f"T{number}",
                "parent": "",
                "name": item["name_zh_as_in_source"],
                "name_en": english,
                "description": item.get("example_subtopics_zh_from_source", ""),
            }
        )
    return rows


def _cnipa_rows():
    rows = []
    for item in read_csv("green-patent-classification-facts-partial/cnipa_green_lowcarbon_level1.csv"):
        english = item["name_en_variant_b"] or item["name_en_variant_a"]
        rows.append(
            {
                "scheme": "cnipa-green-lowcarbon-2022",
                "code": item["order_as_listed"],
                "parent": "",
                "name": item["name_zh"] or english,
                "name_en": english,
            }
        )
    return rows


@loader(40, "catalogue")
def catalogue():
    yield (
        "catalogue",
        table(CATEGORY_COLUMNS, _catalogue_rows() + _cpc_rows() + _inventory_topic_rows() + _cnipa_rows()),
    )


@loader(50, "code-patterns")
def code_patterns():
    rows, seen = [], set()
    for item in read_csv("ipc-green-inventory-codes-partial/green_inventory_ipc_patterns.csv"):
        code = normalize_symbol(item["code"])
        range_end = normalize_symbol(item["range_end"]) if item["range_end"] else ""
        key = (code, range_end)
        if key in seen:  # the inventory lists some codes under several topics; one pattern is enough here
            continue
        seen.add(key)
        rows.append(
            {
                "scheme": "ipc-green-inventory",
                "system": "ipc",
                "level": item["level"],
                "code": code,
                "range_end": range_end,
                "title": "",
                "position": item["line_no"],
            }
        )
    for position, item in enumerate(read_csv("cpc-y02-titles-partial/y02_y04s_subclasses_informal.csv"), 1):
        rows.append(
            {
                "scheme": "cpc-y02",
                "system": "cpc",
                "level": "subclass",
                "code": item["code"],
                "range_end": "",
                "category": item["code"],
                "title": item["title_as_found"],
                "position": position,
            }
        )
    yield "code-patterns", table(PATTERN_COLUMNS, rows)
