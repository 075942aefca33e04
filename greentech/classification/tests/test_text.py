"""The text helpers the classifier stands on: greentech.core.text (normalisation, Chinese/English tokens,
language) and greentech.core.embeddings (the USE embedder and the on-disk vector cache)."""

from __future__ import annotations

import numpy as np
import pytest

from greentech.core import embeddings
from greentech.core import text as textlib

# --- normalize ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＡＢＣ１２３", "abc123"),  # full-width letters and digits
        ("Ｈ０１Ｍ　１０／５４", "h01m 10/54"),  # full-width space and slash
        ("光伏，组件（回收）", "光伏,组件(回收)"),  # full-width punctuation
        ("  Solar \t\n PANELS  ", "solar panels"),  # case and whitespace
        ("", ""),
        (None, ""),
    ],
)
def test_normalize(raw, expected):
    assert textlib.normalize(raw) == expected


# --- tokens ---------------------------------------------------------------------------------------------------


def test_chinese_tokens_are_segmented_words():
    assert textlib.tokens("光伏组件回收") == ["光伏", "组件", "回收"]
    assert textlib.tokens("一种光伏组件回收方法") == ["光伏", "组件", "回收"]  # 一种 and 方法 are stop words
    assert "一种" in textlib.tokens("一种光伏组件回收方法", keep_stopwords=True)


@pytest.mark.parametrize(
    ("word", "stem"),
    [("batteries", "battery"), ("modules", "module"), ("boxes", "box"), ("glasses", "glass"), ("gas", "gas")],
)
def test_english_plurals_are_stemmed(word, stem):
    assert textlib.stem(word) == stem
    assert textlib.tokens(word) == [stem]


def test_english_tokens_drop_stop_words_and_case():
    assert textlib.tokens("The Recycling of Batteries and PV Modules") == ["recycling", "battery", "pv", "module"]
    assert textlib.tokens("The recycling", keep_stopwords=True) == ["the", "recycling"]


def test_inflected_stop_words_are_dropped_too():
    """stopwords.txt lists "relates", "comprises", "includes", "provides": stemming must not let them through
    as "relate", "comprise", "include", "provide"."""
    stop = textlib.stopwords()
    assert {"relates", "comprises", "includes", "provides"} <= stop
    assert textlib.tokens("The invention relates to a battery; it comprises cells, includes and provides a cover") == [
        "battery",
        "cell",
        "cover",
    ]


def test_mixed_text_gives_both_kinds_of_tokens():
    assert textlib.tokens("锂电池 recycling of spent batteries 回收") == [
        "锂电池",
        "recycling",
        "spent",
        "battery",
        "回收",
    ]
    assert textlib.tokens("ＰＶ组件") == ["pv", "组件"]  # full width, and a Latin run inside Chinese


def test_symbols_and_numbers_stay_whole():
    assert textlib.tokens("NOx below 50 mg/m3 with SCR-catalyst 2.5") == [
        "nox",
        "below",
        "50",
        "mg",
        "m3",
        "scr-catalyst",
        "2.5",
    ]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("一种光伏组件回收方法", "zh"),
        ("基于LSTM的光伏功率预测方法", "zh"),  # a few Latin letters in a Chinese sentence
        ("Photovoltaic module recycling", "en"),
        ("一种 perovskite solar cell 叠层结构 with tandem design", "mixed"),
        ("Solar PV 光伏", "mixed"),
        ("", "en"),
    ],
)
def test_language(text, language):
    assert textlib.language(text) == language


def test_is_chinese():
    assert textlib.is_chinese("PV 光伏") and not textlib.is_chinese("PV module") and not textlib.is_chinese(None)


# --- embeddings -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def embedder():
    return embeddings.get_embedder("use")


def test_use_vectors_are_normalised_512_d(embedder):
    assert embedder is embeddings.get_embedder("use")  # one per process
    vectors = embedder.encode(["一种光伏组件回收方法", "Recycling photovoltaic modules", "x"])
    assert vectors.shape == (3, 512) and embedder.dimension == 512
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert embedder.encode([]).shape == (0, 512)


def test_a_translation_is_closer_than_an_unrelated_sentence(embedder):
    zh, en, other_zh, other_en = embedder.encode(
        [
            "一种风力发电机组叶片",
            "A blade for a wind turbine generator",
            "一种红烧肉的家常做法",
            "A multiplayer game for mobile phones",
        ]
    )
    assert float(zh @ en) > float(zh @ other_zh) + 0.1
    assert float(zh @ en) > float(zh @ other_en) + 0.1
    assert float(en @ zh) > float(en @ other_en) + 0.1


def test_encoding_is_deterministic(embedder):
    first = embedder.encode(["光伏组件回收"])
    assert np.allclose(first, embedder.encode(["光伏组件回收"]), atol=1e-6)


def test_cached_encode_stores_the_vectors_under_the_var_dir(embedder, tmp_path, monkeypatch):
    monkeypatch.setenv("GREENTECH_VAR_DIR", str(tmp_path))  # greentech.config.var_dir() reads it on every call
    texts = ["光伏组件回收", "Offshore wind turbine blade", "餐厨垃圾厌氧发酵"]
    vectors = embeddings.cached_encode(embedder, texts, label="tests")
    files = list((tmp_path / "cache" / "embeddings").glob("tests-use-*.npy"))
    assert len(files) == 1
    assert np.array_equal(np.load(files[0]), vectors)
    assert np.allclose(vectors, embedder.encode(texts), atol=1e-6)

    def refuse(*args, **kwargs):
        raise AssertionError("the second call must read the cache, not encode")

    monkeypatch.setattr(embedder, "encode", refuse)
    again = embeddings.cached_encode(embedder, texts, label="tests")
    assert np.array_equal(again, vectors)
    monkeypatch.undo()

    # other texts are another file; a damaged file (wrong shape) is encoded again and replaced
    monkeypatch.setenv("GREENTECH_VAR_DIR", str(tmp_path))
    embeddings.cached_encode(embedder, texts[:2], label="tests")
    assert len(list((tmp_path / "cache" / "embeddings").glob("tests-use-*.npy"))) == 2
    np.save(files[0], np.zeros((1, 3), dtype=np.float32))
    repaired = embeddings.cached_encode(embedder, texts, label="tests")
    assert np.array_equal(repaired, vectors) and np.load(files[0]).shape == (3, 512)
    assert not list((tmp_path / "cache" / "embeddings").glob("*.tmp*"))


def test_an_unknown_embedder_is_a_value_error():
    with pytest.raises(ValueError, match="Unknown embedder 'word2vec'"):
        embeddings.get_embedder("word2vec")
