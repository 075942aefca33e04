"""IPC and CPC patent classification symbols: normalisation, ordering, prefixes and pattern matching.

Pure Python (stdlib only) so it can be used from migrations, management commands and bulk imports alike.

Canonical symbol forms (what :func:`normalize_symbol` returns and what the database stores):

* class: ``"B61"`` (section letter A-H or Y, two digits)
* subclass: ``"A01H"``
* main group: ``"C10L 5/00"``
* subgroup: ``"H01M 10/54"``, ``"C10L 1/182"``

The subclass is followed by one space, the main group number without leading zeros, ``"/"`` and the subgroup
digits. Subgroup digits are a decimal fraction (``5/401`` lies between ``5/40`` and ``5/42``), so they always have
at least two digits and never end in a zero beyond the second digit (``10/540`` is ``10/54``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

__all__ = [
    "CPC_GREEN_SUBCLASSES",
    "CodePattern",
    "PatternIndex",
    "is_cpc_green",
    "normalize_prefix",
    "normalize_symbol",
    "symbol_key",
]

#: CPC subclasses tagging climate-change mitigation/adaptation (Y02) and smart-grid (Y04S) technologies.
CPC_GREEN_SUBCLASSES = frozenset({"Y02A", "Y02B", "Y02C", "Y02D", "Y02E", "Y02P", "Y02T", "Y02W", "Y04S"})

#: Pattern levels understood by :class:`CodePattern` (the values of the WIPO Green Inventory ``level`` column).
LEVELS = frozenset({"class", "subclass", "group", "subgroup_range", "main_group_range"})

# A canonical symbol. Groups: 1 class, 2 subclass letter, 3 main group, 4 subgroup digits.
_CANONICAL_RE = re.compile(r"([A-HY][0-9]{2})(?:([A-Z])(?: ([1-9][0-9]{0,3})/([0-9]{2}(?:[0-9]{0,3}[1-9])?))?)?")
# 14-character fixed USPTO/EPO format: subclass, main group zero-padded to 4, subgroup right-padded to 6.
_FIXED_RE = re.compile(r"([A-HY][0-9]{2})([A-Z])([0-9]{4})([0-9]{6})")
# Free-form input after NFKC, upper-casing and whitespace collapsing. Group 5 is the slash (for "H01M 10/").
_LOOSE_RE = re.compile(r"([A-HY][0-9O]{2})(?:([A-Z])(?: ?([0-9]{1,4})(?: ?(/) ?([0-9]{1,6})?)?)?)?")


def _bad_input(text: object) -> ValueError:
    """Build the bilingual error raised for anything that is not an IPC/CPC symbol."""
    shown = repr(text) if len(repr(text)) <= 80 else repr(text)[:77] + "..."
    return ValueError(
        f"Not an IPC/CPC symbol: {shown} (expected like 'H01M 10/54', 'H01M 10/00', 'H01M' or 'H01' / "
        f"不是有效的 IPC/CPC 分类号，应形如 'H01M 10/54'、'H01M 10/00'、'H01M' 或 'H01')"
    )


def _parse(text: object) -> tuple[str, str, int | None, str | None, bool]:
    """Split messy input into (class, subclass letter, main group, raw subgroup digits, has slash).

    The subclass letter is ``""`` and the main group ``None`` when absent; raises ``ValueError`` when the input
    is not a classification symbol (or a symbol followed by a bare ``"/"``).
    """
    if not isinstance(text, str):
        raise _bad_input(text)
    cleaned = " ".join(unicodedata.normalize("NFKC", text).upper().split())
    match = _FIXED_RE.fullmatch(cleaned)
    if match:
        cls, letter, main, sub = match.groups()
        slash = True
    else:
        match = _LOOSE_RE.fullmatch(cleaned)
        if match is None:
            raise _bad_input(text)
        cls, letter, main, slash_char, sub = match.groups()
        slash = slash_char is not None
    if main is not None and int(main) == 0:
        raise _bad_input(text)
    # A letter O typed for a zero in the class digits ("HO1M") is unambiguous: no class has a letter there.
    return cls.replace("O", "0"), letter or "", None if main is None else int(main), sub, slash


def _canonical_subgroup(digits: str) -> str:
    """Right-pad subgroup digits to two and drop insignificant trailing zeros beyond the second digit."""
    digits = digits.ljust(2, "0")
    return digits[:2] + digits[2:].rstrip("0")


def normalize_symbol(text: str) -> str:
    """Return the canonical form of an IPC/CPC class, subclass, main group or subgroup symbol.

    Accepts upper or lower case, any amount of whitespace (or none) between subclass and group, full-width
    characters (normalised with NFKC), a letter O typed for a zero in the class digits, a zero-padded main
    group, a one-digit subgroup (right-padded: ``10/5`` is ``10/50``), a bare main group (``"C10L 5"``) and
    the 14-character fixed format (``"H01M0010540000"``)::

        >>> normalize_symbol("h01m  10/540")
        'H01M 10/54'
        >>> normalize_symbol("Y02E0010500000")
        'Y02E 10/50'
        >>> normalize_symbol("C10L 5")
        'C10L 5/00'

    Raises ``ValueError`` (message in English and Chinese, naming the input) for anything else.
    """
    if isinstance(text, str) and _CANONICAL_RE.fullmatch(text):
        return text
    cls, letter, main, sub, slash = _parse(text)
    if main is None:
        return cls + letter
    if slash and sub is None:
        raise _bad_input(text)
    return f"{cls}{letter} {main}/{_canonical_subgroup(sub or '00')}"


def _split(symbol: str) -> tuple[str, str | None, int | None, str | None]:
    """Return (class, subclass, main group, subgroup digits) of a symbol, normalising it first if needed."""
    match = _CANONICAL_RE.fullmatch(symbol) if isinstance(symbol, str) else None
    if match is None:
        match = _CANONICAL_RE.fullmatch(normalize_symbol(symbol))
    cls, letter, main, sub = match.groups()
    return cls, cls + letter if letter else None, None if main is None else int(main), sub


def symbol_key(symbol: str) -> tuple[str, int, str]:
    """Return a sort key putting symbols in classification-scheme order.

    Order is by class/subclass, then main group as a number (``5/00 < 10/00 < 100/00``), then subgroup as a
    decimal fraction (``5/40 < 5/401 < 5/42 < 5/48 < 5/482 < 5/50``). A class sorts before its subclasses, a
    subclass before its groups and a main group (``10/00``) before its subgroups. Messy input is normalised first.
    """
    cls, subclass, main, sub = _split(symbol)
    # Canonical subgroup digits compare as strings exactly as they compare as decimal fractions.
    return subclass or cls, main or 0, sub or ""


def normalize_prefix(text: str) -> str:
    """Return a canonical prefix for searching canonical symbols with ``LIKE 'prefix%'`` (or ``startswith``).

    * a section, class or subclass is returned as is: ``"h"`` -> ``"H"``, ``"b61"`` -> ``"B61"``,
      ``"h01m"`` -> ``"H01M"``;
    * a main group, with or without ``/00`` or a trailing ``/``, ends with the slash: ``"h01m 10"``,
      ``"H01M 10/"`` and ``"H01M 10/00"`` -> ``"H01M 10/"``. The slash is what keeps the prefix inside the main
      group: ``"H01M 10/"`` matches ``"H01M 10/54"`` but not ``"H01M 100/00"`` or ``"H01M 101/00"``, which a bare
      ``"H01M 10"`` would also match;
    * a subgroup is canonicalised (``"Y02E10/500"`` -> ``"Y02E 10/50"``) and matches itself and its digit
      extensions (``"Y02E 10/50"`` matches ``"Y02E 10/50"`` and ``"Y02E 10/502"``, not ``"Y02E 10/52"``);
    * a one-digit subgroup is kept as a partial prefix (``"Y02E 10/5"`` matches ``Y02E 10/50`` ... ``10/58``),
      unlike :func:`normalize_symbol`, which would read it as ``10/50``.

    The result contains no ``%``, ``_`` or backslash, so it needs no escaping in ``LIKE``. Raises ``ValueError``
    for input that is not a symbol or a section letter.
    """
    if isinstance(text, str):
        section = unicodedata.normalize("NFKC", text).strip().upper()
        if len(section) == 1 and section in "ABCDEFGHY":
            return section
    cls, letter, main, sub, _slash = _parse(text)
    if main is None:
        return cls + letter
    if sub is None:
        return f"{cls}{letter} {main}/"
    if len(sub) == 1:
        return f"{cls}{letter} {main}/{sub}"
    sub = _canonical_subgroup(sub)
    return f"{cls}{letter} {main}/" if sub == "00" else f"{cls}{letter} {main}/{sub}"


def is_cpc_green(symbol: str) -> bool:
    """Return True if a CPC symbol lies in one of :data:`CPC_GREEN_SUBCLASSES` (Y02A-Y02W, Y04S).

    Bare classes (``"Y02"``) are not green; messy input is normalised first and invalid input raises ``ValueError``.
    """
    return _split(symbol)[1] in CPC_GREEN_SUBCLASSES


@dataclass(frozen=True)
class CodePattern:
    """One WIPO IPC Green Inventory pattern: a class, subclass, group or inclusive range of groups.

    ``code`` and ``range_end`` are normalised on construction (an empty ``range_end`` becomes ``None``), so
    ``"H01L 31/000"`` is stored as ``"H01L 31/00"``. Semantics of :meth:`matches`:

    * ``class`` ``"B61"``: every symbol starting with B61 (the class itself, its subclasses and groups);
    * ``subclass`` ``"A01H"``: the subclass and every group in it;
    * ``group`` with a main group ``"C10L 5/00"``: that main group and all its subgroups ``C10L 5/xx``;
    * ``group`` with a subgroup ``"C10L 5/40"``: that subgroup and its deeper subgroups. Depth is not in the
      symbol, so these are taken to be the subgroups whose digits start with ``40`` (``5/40``, ``5/401``,
      ``5/4012``);
    * ``subgroup_range`` ``"C10L 5/40"`` .. ``"C10L 5/48"``: same main group, subgroup between start and end
      inclusive, the end including its digit extensions (``5/48`` and ``5/482`` are in, ``5/49`` is out);
    * ``main_group_range`` ``"A01N 25/00"`` .. ``"A01N 65/00"``: same subclass, main group 25 to 65, any subgroup.

    ``payload`` is free for the caller (a topic, a database id, a source line number). Raises ``ValueError``
    for an unknown level or codes that do not fit the level.
    """

    level: str
    code: str
    range_end: str | None = None
    payload: object = None

    def __post_init__(self) -> None:
        """Normalise ``code``/``range_end`` and validate them against ``level``."""
        object.__setattr__(self, "code", normalize_symbol(self.code))
        end = self.range_end
        if isinstance(end, str) and not end.strip():
            end = None
        object.__setattr__(self, "range_end", None if end is None else normalize_symbol(end))
        self._bounds  # noqa: B018 - computes and validates the bounds now rather than on first match

    @cached_property
    def _bounds(self) -> tuple[str, int, int, str, str, int]:
        """Return (scope, main low, main high, subgroup low, subgroup high, high length) for matching.

        ``scope`` is the class for class-level patterns and the subclass otherwise. A symbol matches when it is
        in scope, its main group lies in [main low, main high] (class/subclass levels skip this) and its
        subgroup digits ``s`` satisfy ``low <= s and s[:length] <= high``; the empty strings and length 0 used
        by levels without a subgroup bound make that always true.
        """
        cls, subclass, main, sub = _split(self.code)
        level, end = self.level, self.range_end
        if level not in LEVELS:
            raise ValueError(f"Unknown pattern level {level!r} (expected one of {sorted(LEVELS)} / 未知的模式层级)")
        if (end is None) == level.endswith("_range"):
            raise ValueError(
                f"Pattern level {level!r} {'needs' if end is None else 'takes no'} range_end "
                f"(code {self.code!r}, range_end {end!r} / 区间模式必须且只能有 range_end)"
            )
        shape_ok = {
            "class": subclass is None,
            "subclass": subclass is not None and main is None,
            "group": main is not None,
            "subgroup_range": main is not None,
            "main_group_range": main is not None and sub == "00",
        }[level]
        if end is not None and shape_ok:
            _, end_subclass, end_main, end_sub = _split(end)
            if level == "subgroup_range":
                shape_ok = (end_subclass, end_main) == (subclass, main) and sub <= end_sub
            else:
                shape_ok = end_subclass == subclass and end_sub == "00" and main <= end_main
        if not shape_ok:
            raise ValueError(
                f"Pattern code {self.code!r}{f' .. {end!r}' if end else ''} does not fit level "
                f"{level!r} / 分类号与模式层级不符"
            )
        if level == "class":
            return cls, 0, 0, "", "", 0
        if level == "subclass":
            return subclass, 0, 0, "", "", 0
        if level == "group":
            return (subclass, main, main, "", "", 0) if sub == "00" else (subclass, main, main, sub, sub, len(sub))
        if level == "subgroup_range":
            return subclass, main, main, sub, end_sub, len(end_sub)
        return subclass, main, end_main, "", "", 0

    def matches(self, symbol: str) -> bool:
        """Return True if ``symbol`` (canonical or messy; invalid input raises ``ValueError``) is covered."""
        cls, subclass, main, sub = _split(symbol)
        scope, main_low, main_high, low, high, length = self._bounds
        if self.level == "class":
            return cls == scope
        if subclass != scope:
            return False
        if self.level == "subclass":
            return True
        return main is not None and main_low <= main <= main_high and low <= sub and sub[:length] <= high


class PatternIndex:
    """Fast lookup of the :class:`CodePattern` objects matching a symbol, for bulk imports.

    Patterns are bucketed by class, by subclass and by ``"<subclass> <main group>"`` (main group ranges are
    expanded to every main group in them). Each bucket already holds the class- and subclass-level patterns that
    apply to it, in input order, so :meth:`match` costs one regex match, one or two dictionary lookups and a
    short filter, and returns matches in the order the patterns were given (duplicates included).
    """

    def __init__(self, patterns: Iterable[CodePattern]) -> None:
        """Index ``patterns``; they are kept in the given order."""
        self.patterns: tuple[CodePattern, ...] = tuple(patterns)
        by_class: dict[str, list[CodePattern]] = {}
        by_subclass: dict[str, list[CodePattern]] = {}
        by_main: dict[str, list[tuple[str, str, int, CodePattern]]] = {}
        # First pass: every bucket key, so that class/subclass patterns can be copied into each bucket below.
        for pattern in self.patterns:
            scope, main_low, main_high = pattern._bounds[:3]
            if pattern.level != "class":
                by_subclass.setdefault(scope, [])
            if pattern.level not in ("class", "subclass"):
                for main in range(main_low, main_high + 1):
                    by_main.setdefault(f"{scope} {main}", [])
        subclasses_of: dict[str, list[str]] = {}
        for subclass in by_subclass:
            subclasses_of.setdefault(subclass[:3], []).append(subclass)
        main_keys_of: dict[str, list[str]] = {}
        for key in by_main:
            main_keys_of.setdefault(key[:4], []).append(key)
        # Second pass, in input order.
        for pattern in self.patterns:
            scope, main_low, main_high, low, high, length = pattern._bounds
            if pattern.level == "class":
                by_class.setdefault(scope, []).append(pattern)
                subclasses = subclasses_of.get(scope, [])
            elif pattern.level == "subclass":
                subclasses = [scope]
            else:
                for main in range(main_low, main_high + 1):
                    by_main[f"{scope} {main}"].append((low, high, length, pattern))
                continue
            for subclass in subclasses:
                by_subclass[subclass].append(pattern)
                for key in main_keys_of.get(subclass, []):
                    by_main[key].append(("", "", 0, pattern))
        self._by_class = {key: tuple(value) for key, value in by_class.items()}
        self._by_subclass = {key: tuple(value) for key, value in by_subclass.items()}
        self._by_main = {key: tuple(value) for key, value in by_main.items()}

    def match(self, symbol: str) -> list[CodePattern]:
        """Return the patterns covering ``symbol`` in input order (``[]`` if none).

        ``symbol`` may be canonical (fast path) or messy (normalised first); invalid input raises ``ValueError``.
        """
        found = _CANONICAL_RE.fullmatch(symbol) if isinstance(symbol, str) else None
        if found is None:
            symbol = normalize_symbol(symbol)
            found = _CANONICAL_RE.fullmatch(symbol)
        sub = found[4]
        if sub is not None:
            entries = self._by_main.get(symbol[: found.end(3)])
            if entries is not None:
                return [pattern for low, high, length, pattern in entries if low <= sub and sub[:length] <= high]
        if found[2] is not None:
            patterns = self._by_subclass.get(symbol[:4])
            if patterns is not None:
                return list(patterns)
        return list(self._by_class.get(found[1], ()))
