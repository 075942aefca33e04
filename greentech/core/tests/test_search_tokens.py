"""Search tokens (core.text.index_tokens / query_tokens): one rjieba call per text gives the tokens of one call
per Chinese run, in the same order; Latin runs are cached without changing them."""

import random

import pytest
import rjieba

from greentech.core import text as textlib

MIXED = [
    "一种退役动力锂电池梯次利用方法 Method for recycling lithium-ion batteries",
    "锅炉大气污染物排放浓度值符合《锅炉大气污染物排放标准》（GB13271）要求，效率≥92.5%",
    "Ｈ０１Ｍ　１０／５４：全角字符与半角字符；太阳能电池板，风力发电机。",
    "the of and",  # stop words only
    "",
    "光伏",
    "1.5kW 逆变器-光伏 a.b-c 沈阳市某新能源科技有限公司 ; 东北大学",
]


def test_index_tokens_of_a_mixed_text():
    tokens = textlib.index_tokens("锂电池回收 Lithium-ion batteries, 1.5kW")
    assert tokens == ["锂电", "电池", "锂电池", "回收", "lithium", "ion", "battery", "1", "5kw"]


@pytest.mark.parametrize("cut", [rjieba.cut_for_search, rjieba.cut], ids=["index", "query"])
def test_one_call_per_text_gives_the_tokens_of_one_call_per_run(cut):
    rng = random.Random(5)
    alphabet = "锂电池回收太阳能发电机风力 ab-c.d 1.5kW GB13271　Ｈ０１Ｍ，。、；the of\n\tﬁ①"
    texts = MIXED + ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60))) for _ in range(2000)]
    differing = [text for text in texts if textlib._words(text, cut) != textlib._words_per_run(text, cut)]
    assert differing == []
    assert textlib._words(MIXED[1], cut)  # not vacuous: the texts have tokens


def test_query_tokens_match_index_tokens():
    stored = set(textlib.index_tokens(MIXED[0]))
    assert set(textlib.query_tokens("锂电池 梯次利用 batteries")) <= stored


def _nfkc_reference(value: str) -> str:
    import unicodedata

    return " ".join(unicodedata.normalize("NFKC", value).lower().split())


def test_normalize_is_nfkc_lower_single_spaces():
    """The fast paths (ASCII as it is; full-width forms mapped, then the NFKC quick check) give exactly NFKC."""
    rng = random.Random(7)
    pool = [
        chr(code)
        for code in [
            *range(0x20, 0x7F),
            *range(0x3000, 0x3040),
            *range(0xFF00, 0xFFEF),
            *range(0x4E00, 0x4E20),
            0x2103,  # ℃ → °c
            0x33A1,  # ㎡ → m2
            0x0301,  # a combining acute after a full-width letter composes
            0x2460,  # ①
            0xFB01,  # ﬁ
            0xF900,  # a compatibility ideograph
            0x00E9,
            0x1100,
            0x1161,  # Hangul jamo compose
        ]
    ]
    for _ in range(50_000):
        value = "".join(rng.choice(pool) for _ in range(rng.randint(0, 12)))
        assert textlib.normalize(value) == _nfkc_reference(value), repr(value)
    assert textlib.normalize("ＰＭ２．５　治理，（节能）") == "pm2.5 治理,(节能)"
    assert textlib.normalize("Ａ\u0301") == "á"
