"""Tests for greentech.taxonomy.codes, checked against the WIPO IPC Green Inventory pattern file."""

import csv
import random
from pathlib import Path

import pytest

from greentech.taxonomy.codes import (
    CPC_GREEN_SUBCLASSES,
    CodePattern,
    PatternIndex,
    is_cpc_green,
    normalize_prefix,
    normalize_symbol,
    symbol_key,
)

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "ipc-green-inventory-codes-partial"
GREEN_INVENTORY_CSV = DATA_DIR / "green_inventory_ipc_patterns.csv"

# The only code in the file that is not canonical: upstream wrote the range "H01L 31/000-078" with a padded start.
# As a decimal fraction 31/000 is 31/00, the main group itself.
NON_CANONICAL_IN_FILE = {"H01L 31/000": "H01L 31/00"}


@pytest.fixture(scope="module")
def inventory_rows() -> list[dict[str, str]]:
    """Rows of the Green Inventory pattern file."""
    with GREEN_INVENTORY_CSV.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def inventory_patterns(inventory_rows) -> list[CodePattern]:
    """One CodePattern per file row, with the upstream line number as payload."""
    return [CodePattern(row["level"], row["code"], row["range_end"], int(row["line_no"])) for row in inventory_rows]


@pytest.fixture(scope="module")
def index(inventory_patterns) -> PatternIndex:
    """A PatternIndex over the whole Green Inventory file."""
    return PatternIndex(inventory_patterns)


def find(patterns: list[CodePattern], level: str, code: str, range_end: str | None = None) -> CodePattern:
    """Return the first pattern of the file with this level, code and range end (asserting it exists)."""
    hits = [p for p in patterns if (p.level, p.code, p.range_end) == (level, code, range_end)]
    assert hits, f"{level} {code} {range_end} not in the Green Inventory file"
    return hits[0]


# --- (a) the real data ------------------------------------------------------------------------------------------


def test_inventory_file_codes_survive_normalisation(inventory_rows):
    assert len(inventory_rows) == 350
    changed = {}
    for row in inventory_rows:
        for value in (row["code"], row["range_end"]):
            if value and normalize_symbol(value) != value:
                changed[value] = normalize_symbol(value)
    assert changed == NON_CANONICAL_IN_FILE


def test_inventory_raw_column_parses_to_code(inventory_rows):
    # raw is the upstream fixed-width text, e.g. "C10L   5/40-48" or "A01N  25-65": its start is the code.
    for row in inventory_rows:
        start = row["raw"].split("-")[0]
        assert normalize_symbol(start) == normalize_symbol(row["code"]), row


def test_every_inventory_pattern_builds_and_covers_its_own_codes(inventory_patterns):
    assert {p.level for p in inventory_patterns} == {
        "class",
        "subclass",
        "group",
        "subgroup_range",
        "main_group_range",
    }
    for pattern in inventory_patterns:
        assert pattern.matches(pattern.code), pattern
        if pattern.range_end:
            assert pattern.matches(pattern.range_end), pattern


def test_code_pattern_normalises_code_and_empty_range_end():
    pattern = CodePattern("subgroup_range", "H01L 31/000", "h01l31/078")
    assert (pattern.code, pattern.range_end) == ("H01L 31/00", "H01L 31/078")
    assert CodePattern("group", "C10L   5/40", "").range_end is None


# --- (b) matching, level by level, with codes from the file ----------------------------------------------------


def test_class_pattern_b61(inventory_patterns):
    pattern = find(inventory_patterns, "class", "B61")
    for symbol in ("B61", "B61B", "B61B 1/00", "B61L 27/04"):
        assert pattern.matches(symbol), symbol
    for symbol in ("B62K 11/00", "B60L", "B62", "G21B 1/00"):
        assert not pattern.matches(symbol), symbol


def test_subclass_pattern_a01h(inventory_patterns):
    pattern = find(inventory_patterns, "subclass", "A01H")
    for symbol in ("A01H", "A01H 1/00", "A01H 5/10", "a01h0006820000"):
        assert pattern.matches(symbol), symbol
    for symbol in ("A01", "A01G 1/00", "A01N 25/00"):
        assert not pattern.matches(symbol), symbol


def test_group_pattern_for_main_group_covers_all_its_subgroups(inventory_patterns):
    pattern = find(inventory_patterns, "group", "C10L 5/00")
    for symbol in ("C10L 5/00", "C10L 5/02", "C10L 5/40", "C10L 5/447", "C10L 5/99"):
        assert pattern.matches(symbol), symbol
    # C10L 50/00 shares the text prefix "C10L 5" but is another main group.
    for symbol in ("C10L", "C10L 1/00", "C10L 6/00", "C10L 50/00", "C10B 5/00"):
        assert not pattern.matches(symbol), symbol


def test_group_pattern_for_subgroup_covers_its_digit_extensions(inventory_patterns):
    pattern = find(inventory_patterns, "group", "C10L 5/40")
    for symbol in ("C10L 5/40", "C10L 5/401", "C10L 5/4012", "C10L 5/4"):
        assert pattern.matches(symbol), symbol
    for symbol in ("C10L 5/00", "C10L 5/42", "C10L 5/39", "C10L 5/41", "C10L 50/40"):
        assert not pattern.matches(symbol), symbol
    deep = find(inventory_patterns, "group", "C10L 1/182")
    assert deep.matches("C10L 1/1822")
    assert not deep.matches("C10L 1/18")
    assert not deep.matches("C10L 1/19")


def test_subgroup_range_c10l_5_40_to_48(inventory_patterns):
    pattern = find(inventory_patterns, "subgroup_range", "C10L 5/40", "C10L 5/48")
    for symbol in ("C10L 5/40", "C10L 5/401", "C10L 5/42", "C10L 5/44", "C10L 5/48", "C10L 5/482", "C10L 5/4899"):
        assert pattern.matches(symbol), symbol
    for symbol in ("C10L 5/39", "C10L 5/399", "C10L 5/49", "C10L 5/50", "C10L 5/00", "C10L 6/44", "C10L 50/44"):
        assert not pattern.matches(symbol), symbol


def test_subgroup_range_with_three_digit_bounds(inventory_patterns):
    pattern = find(inventory_patterns, "subgroup_range", "E04C 2/284", "E04C 2/296")
    for symbol in ("E04C 2/284", "E04C 2/288", "E04C 2/29", "E04C 2/292", "E04C 2/296", "E04C 2/2965"):
        assert pattern.matches(symbol), symbol
    for symbol in ("E04C 2/28", "E04C 2/283", "E04C 2/2839", "E04C 2/297", "E04C 2/30", "E04C 2/00"):
        assert not pattern.matches(symbol), symbol


def test_subgroup_range_starting_at_the_main_group(inventory_patterns):
    pattern = find(inventory_patterns, "subgroup_range", "H01L 31/00", "H01L 31/078")
    for symbol in ("H01L 31/00", "H01L 31/02", "H01L 31/042", "H01L 31/0525", "H01L 31/078", "H01L 31/0785"):
        assert pattern.matches(symbol), symbol
    for symbol in ("H01L 31/08", "H01L 31/18", "H01L 30/00", "H01L 32/00"):
        assert not pattern.matches(symbol), symbol


def test_main_group_range_boundaries(inventory_patterns):
    pattern = find(inventory_patterns, "main_group_range", "A01N 25/00", "A01N 65/00")
    for symbol in ("A01N 25/00", "A01N 25/34", "A01N 43/40", "A01N 65/00", "A01N 65/44"):
        assert pattern.matches(symbol), symbol
    for symbol in ("A01N", "A01N 24/00", "A01N 66/00", "A01N 1/02", "A01N 250/00", "A01P 25/00"):
        assert not pattern.matches(symbol), symbol
    short = find(inventory_patterns, "main_group_range", "F28D 17/00", "F28D 20/00")
    assert short.matches("F28D 20/02")
    assert short.matches("F28D 17/00")
    assert not short.matches("F28D 16/00")
    assert not short.matches("F28D 21/00")


def test_index_returns_every_matching_pattern_in_file_order(index):
    # C10L 5/00 is listed on lines 19 and 63 (under two topics), C10L 5/40..48 on line 20, 5/40 on 22, 5/44 on 65.
    assert [(p.level, p.code, p.payload) for p in index.match("C10L 5/44")] == [
        ("group", "C10L 5/00", 19),
        ("subgroup_range", "C10L 5/40", 20),
        ("group", "C10L 5/00", 63),
        ("group", "C10L 5/44", 65),
    ]
    assert [(p.code, p.payload) for p in index.match("C10L 5/401")] == [
        ("C10L 5/00", 19),
        ("C10L 5/40", 20),
        ("C10L 5/40", 22),
        ("C10L 5/00", 63),
    ]
    assert [p.payload for p in index.match("C10L 5/50")] == [19, 63]
    assert [p.payload for p in index.match("C10L 1/0213") if p.code == "C10L 1/02"] == [25, 27, 32, 36]


def test_index_class_and_subclass_levels(index):
    assert [(p.level, p.code) for p in index.match("G21")] == [("class", "G21")]
    assert [(p.level, p.code) for p in index.match("G21B")] == [("class", "G21"), ("subclass", "G21B")]
    assert [(p.level, p.code) for p in index.match("G21B 1/05")] == [("class", "G21"), ("subclass", "G21B")]
    assert [(p.level, p.code) for p in index.match("G21K 5/00")] == [("class", "G21")]
    assert [p.code for p in index.match("B61D 17/00")] == ["B61"]
    assert [p.code for p in index.match("A01H 5/10")] == ["A01H"]


def test_index_non_matches(index):
    for symbol in ("H04L 9/00", "C10L 50/00", "C10L 6/00", "A01N 66/00", "A01N", "B62", "Y02E 10/50", "C10"):
        assert index.match(symbol) == [], symbol


def test_index_accepts_messy_input_and_rejects_garbage(index):
    assert index.match("c10l0005440000") == index.match("C10L 5/44") != []
    assert index.match("Ｃ１０Ｌ　５／４４") == index.match("C10L 5/44")
    with pytest.raises(ValueError, match="Not an IPC/CPC symbol"):
        index.match("not a code")


def test_index_agrees_with_brute_force(inventory_patterns, index):
    symbols = set()
    for pattern in inventory_patterns:
        for code in filter(None, (pattern.code, pattern.range_end)):
            symbols.add(code)
            symbols.add(code[:3])
            symbols.add(code[:4])
            if " " in code:
                subclass, group = code.split(" ")
                main, sub = group.split("/")
                for other_main in filter(None, (int(main) - 1, int(main) + 1, int(main) * 10)):
                    symbols.add(f"{subclass} {other_main}/{sub}")
                for other_sub in (sub + "1", sub[:-1], str(int(sub) + 1).zfill(2), str(int(sub) - 1).zfill(2)):
                    if other_sub and int(other_sub) >= 0:
                        symbols.add(normalize_symbol(f"{subclass} {main}/{other_sub}"))
    randomiser = random.Random(20240601)
    for _ in range(500):
        symbols.add(normalize_symbol(f"{randomiser.choice('ABCDEFGH')}{randomiser.randint(1, 99):02d}A"))
    assert len(symbols) > 1000
    for symbol in sorted(symbols, key=symbol_key):
        assert index.match(symbol) == [p for p in inventory_patterns if p.matches(symbol)], symbol


def test_pattern_validation():
    with pytest.raises(ValueError, match="Unknown pattern level"):
        CodePattern("section", "H01")
    with pytest.raises(ValueError, match="needs range_end"):
        CodePattern("subgroup_range", "C10L 5/40")
    with pytest.raises(ValueError, match="takes no range_end"):
        CodePattern("group", "C10L 5/40", "C10L 5/48")
    for level, code, end in [
        ("class", "B61B", None),
        ("subclass", "B61", None),
        ("subclass", "A01H 1/00", None),
        ("group", "A01H", None),
        ("subgroup_range", "C10L 5/48", "C10L 5/40"),
        ("subgroup_range", "C10L 5/40", "C10L 6/48"),
        ("subgroup_range", "C10L 5/40", "C10G 5/48"),
        ("main_group_range", "A01N 65/00", "A01N 25/00"),
        ("main_group_range", "A01N 25/00", "A01P 65/00"),
        ("main_group_range", "A01N 25/10", "A01N 65/00"),
    ]:
        with pytest.raises(ValueError, match="does not fit level"):
            CodePattern(level, code, end)


def test_is_cpc_green():
    assert CPC_GREEN_SUBCLASSES == {"Y02A", "Y02B", "Y02C", "Y02D", "Y02E", "Y02P", "Y02T", "Y02W", "Y04S"}
    for subclass in sorted(CPC_GREEN_SUBCLASSES):
        assert is_cpc_green(subclass)
        assert is_cpc_green(f"{subclass} 10/00")
    assert is_cpc_green("Y02E 10/50")
    assert is_cpc_green("y02e0010500000")
    assert is_cpc_green("Y04S 40/20")
    for symbol in ("Y02", "Y04", "Y02F 10/00", "Y04B 1/00", "Y10S 903/93", "H01M 10/54", "Y10T 29/49"):
        assert not is_cpc_green(symbol), symbol
    with pytest.raises(ValueError):
        is_cpc_green("Y02-E")


# --- normalisation and (c) error messages -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("H01M10/54", "H01M 10/54"),
        ("h01m 10/54", "H01M 10/54"),
        ("H01M  10/54", "H01M 10/54"),
        ("  H01M\t10 / 54 ", "H01M 10/54"),
        ("H01M0010540000", "H01M 10/54"),
        ("Y02E0010500000", "Y02E 10/50"),
        ("A61K0031416400", "A61K 31/4164"),
        ("H01M0010000000", "H01M 10/00"),
        ("Y02E 10/50", "Y02E 10/50"),
        ("ＨＯ１Ｍ　１０／５４", "H01M 10/54"),
        ("Ｈ０１Ｍ１０／５４", "H01M 10/54"),
        ("HO1M 10/54", "H01M 10/54"),
        ("H01M 10/540", "H01M 10/54"),
        ("H01M 10/5400", "H01M 10/54"),
        ("H01M 10/5", "H01M 10/50"),
        ("H01M 10/0", "H01M 10/00"),
        ("H01M 10/052", "H01M 10/052"),
        ("H01M 10/0525", "H01M 10/0525"),
        ("H01M 0010/54", "H01M 10/54"),
        ("H01L 2224/48091", "H01L 2224/48091"),
        ("C10L 5", "C10L 5/00"),
        ("C10L 5/00", "C10L 5/00"),
        ("c10l5", "C10L 5/00"),
        ("B61", "B61"),
        ("b61", "B61"),
        ("A01H", "A01H"),
        ("a01h", "A01H"),
        ("Y04S", "Y04S"),
    ],
)
def test_normalize_symbol(text, expected):
    assert normalize_symbol(text) == expected
    assert normalize_symbol(expected) == expected


@pytest.mark.parametrize(
    "text",
    [
        "XYZ",
        "",
        "   ",
        "H",
        "H0",
        "H1M",
        "Z01M 10/54",
        "I01M 10/54",
        "H01M 10/",
        "H01M /54",
        "H01M 0/00",
        "H01M 12345/00",
        "H01M 10/1234567",
        "H01M 10/54/2",
        "H01M10540000",
        "H01M 10-54",
        "H01M 10/54 (2006.01)",
        "H01M 1O/54",
    ],
)
def test_normalize_symbol_rejects_bad_input_with_bilingual_message(text):
    with pytest.raises(ValueError) as error:
        normalize_symbol(text)
    message = str(error.value)
    assert message.startswith(f"Not an IPC/CPC symbol: {text!r}")
    assert "expected like 'H01M 10/54'" in message
    assert "不是有效的 IPC/CPC 分类号" in message


def test_normalize_symbol_rejects_non_strings_and_shortens_long_input():
    with pytest.raises(ValueError, match="Not an IPC/CPC symbol: None"):
        normalize_symbol(None)
    with pytest.raises(ValueError, match=r"Not an IPC/CPC symbol: 'xxxx+\.\.\. \(expected"):
        normalize_symbol("x" * 500)


# --- (d) ordering -----------------------------------------------------------------------------------------------


def test_symbol_key_orders_subgroups_as_decimal_fractions():
    ordered = ["C10L 5/00", "C10L 5/40", "C10L 5/401", "C10L 5/42", "C10L 5/48", "C10L 5/482", "C10L 5/50"]
    shuffled = ordered[:]
    random.Random(7).shuffle(shuffled)
    assert sorted(shuffled, key=symbol_key) == ordered


def test_symbol_key_orders_scheme_levels_and_main_groups_numerically():
    ordered = [
        "A01H",
        "A01H 1/00",
        "A01N",
        "A01N 25/00",
        "A01N 65/00",
        "B61",
        "B61B",
        "B61B 1/00",
        "B61B 1/02",
        "B61D",
        "H01M",
        "H01M 2/00",
        "H01M 10/00",
        "H01M 10/052",
        "H01M 10/0525",
        "H01M 10/054",
        "H01M 10/44",
        "H01M 10/54",
        "H01M 100/00",
        "H01M 2220/00",
        "Y02E 10/50",
        "Y04S 10/00",
    ]
    shuffled = ordered[::-1]
    assert sorted(shuffled, key=symbol_key) == ordered
    assert symbol_key("h01m0010540000") == symbol_key("H01M 10/54") == symbol_key("H01M 10/540")


def test_symbol_key_sorts_the_inventory_ranges_start_before_end(inventory_patterns):
    for pattern in inventory_patterns:
        if pattern.range_end:
            assert symbol_key(pattern.code) < symbol_key(pattern.range_end), pattern


# --- (e) prefixes -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("H01M", "H01M"),
        ("h01m", "H01M"),
        ("b61", "B61"),
        ("h", "H"),
        ("Ｙ", "Y"),
        ("Y02E 10/50", "Y02E 10/50"),
        ("Y02E10/50", "Y02E 10/50"),
        ("Y02E 10/500", "Y02E 10/50"),
        ("Y02E0010500000", "Y02E 10/50"),
        ("h01m 10", "H01M 10/"),
        ("H01M10", "H01M 10/"),
        ("H01M 10/", "H01M 10/"),
        ("H01M 10/00", "H01M 10/"),
        ("H01M0010000000", "H01M 10/"),
        ("Y02E 10/5", "Y02E 10/5"),
        ("H01M 10/052", "H01M 10/052"),
    ],
)
def test_normalize_prefix(text, expected):
    assert normalize_prefix(text) == expected


def test_main_group_prefix_stays_inside_the_main_group():
    prefix = normalize_prefix("H01M 10")
    assert "H01M 10/54".startswith(prefix)
    assert "H01M 10/00".startswith(prefix)
    assert not "H01M 100/00".startswith(prefix)
    assert not "H01M 101/02".startswith(prefix)
    subgroup = normalize_prefix("Y02E 10/50")
    assert "Y02E 10/502".startswith(subgroup)
    assert not "Y02E 10/52".startswith(subgroup)
    partial = normalize_prefix("Y02E 10/5")
    assert all(s.startswith(partial) for s in ("Y02E 10/50", "Y02E 10/52", "Y02E 10/58"))
    assert not "Y02E 10/60".startswith(partial)


@pytest.mark.parametrize("text", ["", "XYZ", "Z", "H0", "H01M /5", "H01M 0", "%", "H01M 10%"])
def test_normalize_prefix_rejects_bad_input(text):
    with pytest.raises(ValueError, match="不是有效的 IPC/CPC 分类号"):
        normalize_prefix(text)
