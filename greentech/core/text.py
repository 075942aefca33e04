"""Text processing shared by search, matching and classification: normalisation and Chinese/English tokens.

Chinese runs are segmented with rjieba (jieba's Rust port); Latin runs are split into lower-case words with
a light plural stemmer. Stop words come from data/text/stopwords.txt.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import rjieba

from greentech.config import PACKAGE_DIR

_RUNS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[a-z0-9]+(?:[.\-][a-z0-9]+)*")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


_FULL_WIDTH_RE = re.compile("[\u3000\uff01-\uff5e]")


def _half_width(match) -> str:
    """The NFKC form of a full-width ASCII character or the ideographic space."""
    char = match.group()
    return " " if char == "\u3000" else chr(ord(char) - 0xFEE0)


def normalize(text: str | None) -> str:
    """NFKC (full-width to half-width), lower case, single spaces."""
    if not text:
        return ""
    if not text.isascii():  # NFKC leaves ASCII as it is
        # full-width ASCII (Ａ１，（）) and the ideographic space, the usual compatibility characters of Chinese
        # text, are mapped first; what is then already NFKC (the quick check, in C) needs no normalisation
        text = _FULL_WIDTH_RE.sub(_half_width, text)
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text)
    return " ".join(text.lower().split())


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    path = PACKAGE_DIR / "data" / "text" / "stopwords.txt"
    words = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.add(line)
    return frozenset(words)


def stem(word: str) -> str:
    """A light English stemmer: plural and a few common suffixes, enough to match 'batteries' with 'battery'."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def is_chinese(text: str) -> bool:
    return bool(_CJK.search(text or ""))


def tokens(text: str | None, *, keep_stopwords: bool = False) -> list[str]:
    """Lexical tokens of a Chinese, English or mixed text."""
    stop = frozenset() if keep_stopwords else stopwords()
    result = []
    for run in _RUNS.findall(normalize(text)):
        if _CJK.match(run):
            words = rjieba.cut(run)
        elif run in stop:
            continue
        else:
            words = [stem(run)]
        result.extend(word for word in words if word and word not in stop)
    return result


def language(text: str | None) -> str:
    """'zh', 'en' or 'mixed' by the share of Chinese characters among letters."""
    text = normalize(text)
    chinese = len(_CJK.findall(text))
    latin = sum(1 for char in text if "a" <= char <= "z")
    if chinese and latin > 3 * chinese:
        return "mixed"
    if chinese:
        return "zh" if latin <= chinese else "mixed"
    return "en"


# Search tokens (core.search stores index_tokens and asks with query_tokens)


_LATIN_CACHE = 1 << 16  # distinct Latin runs remembered (bounded: a few MiB at most)


@lru_cache(maxsize=_LATIN_CACHE)
def _latin(run: str) -> tuple[str, ...]:
    """The tokens of one Latin run: split at . and -, stemmed, stop words left out (cached, bounded)."""
    stop = stopwords()
    parts = re.split(r"[.\-]", run) if ("." in run or "-" in run) else (run,)
    return tuple(word for word in map(stem, parts) if word and word not in stop)


def _words(value: str | None, cut) -> list[str]:
    """Chinese runs segmented by `cut`, Latin runs split at . and - and stemmed; stop words left out.

    The Chinese runs of a text are segmented in one `cut` call, joined by newlines: rjieba segments the text
    between whitespace independently and returns each whitespace character as a token of its own, so the
    words are exactly those of one call per run (tested), without the cost of a call per run."""
    runs = _RUNS.findall(normalize(value))
    if not runs:
        return []
    stop = stopwords()
    chinese = [run for run in runs if run[0] >= "\u3400"]  # a run is all Chinese or all Latin
    if not chinese:
        return [word for run in runs for word in _latin(run)]
    # the words of each run, split apart at the newline tokens in C (a word of a run holds no whitespace)
    segments = " ".join(cut("\n".join(chinese))).split(" \n ")
    if len(chinese) == len(runs):
        return [word for segment in segments for word in segment.split() if word not in stop]
    result: list[str] = []
    extend = result.extend
    pending = iter(segments)
    for run in runs:
        if run[0] < "\u3400":
            extend(_latin(run))
        else:
            extend([word for word in next(pending).split() if word not in stop])
    return result


def _words_per_run(value: str | None, cut) -> list[str]:
    """The reference of `_words` (one `cut` call per run); the tests check that both give the same tokens."""
    stop = stopwords()
    result = []
    for run in _RUNS.findall(normalize(value)):
        words = cut(run) if _CJK.match(run) else [stem(part) for part in re.split(r"[.\-]", run)]
        result.extend(word for word in words if word and word not in stop)
    return result


def index_tokens(value: str | None) -> list[str]:
    """Tokens stored in the index: Chinese in search mode (words and their parts), English stemmed."""
    return _words(value, rjieba.cut_for_search)


def query_tokens(value: str | None) -> list[str]:
    """The words of a query, in order, without repeats (Chinese in precise mode, English stemmed)."""
    return list(dict.fromkeys(_words(value, rjieba.cut)))
