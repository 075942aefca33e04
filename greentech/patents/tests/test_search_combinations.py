"""Every combination of keyword, code prefix, green category, sort and facets, through the search page and the
search API: a 200 with the right patents in the right order (a code prefix or a category beside a keyword, and any
category filter, once answered 500: 'no such column: id' in queries.queryset_head)."""

import itertools

import pytest

from greentech.patents.models import GreenLabel, Patent
from greentech.patents.tests.test_search import patents  # noqa: F401 - the fixture: RECORDS imported

pytestmark = pytest.mark.django_db

# what each keyword matches in test_search.RECORDS (numbers without the kind)
KEYWORDS = {
    "": None,
    "battery": {"US11000003"},  # English, stemmed: "Batteries" too
    "回收": {"CN111000001", "CN111000002"},
    "光伏 钴": {"CN111000001", "CN111000002"},  # no patent has both words: any word
}
CODES = {"": None, "H01M": {"CN111000001", "US11000003"}, "B61": set()}
CATEGORIES = ("", "ipc-green-inventory", "cpc-y02:Y02E")
SORTS = ("", "newest", "oldest")  # "" is relevance with a keyword, newest without


def _category_numbers(group: str) -> set[str]:
    return set(Patent.objects.filter(labels__group=group).values_list("number", flat=True))


def _expected(q: str, code: str, category: str, sort: str) -> list[str] | set[str]:
    numbers = set(Patent.objects.values_list("number", flat=True))
    for wanted in (KEYWORDS[q], CODES[code], _category_numbers(category) if category else None):
        if wanted is not None:
            numbers &= wanted
    if q and sort in ("", "relevance"):
        return numbers  # ranked by relevance: the set is what is certain
    dates = dict(Patent.objects.values_list("number", "publication_date"))
    return sorted(numbers, key=lambda number: dates[number], reverse=sort != "oldest")


def _compare(expected, numbers: list[str]):
    return set(numbers) if isinstance(expected, set) else numbers


def test_every_combination_answers_with_the_right_patents(patents, client, api_client):  # noqa: F811
    for group in CATEGORIES[1:]:  # the category filters select something here, so their results can be wrong
        assert _category_numbers(group), group
    assert GreenLabel.objects.filter(group="cpc-y02:Y02E").exists()
    api = api_client(None)
    wrong = []
    for q, code, category, sort in itertools.product(KEYWORDS, CODES, CATEGORIES, SORTS):
        params = {name: value for name, value in (("q", q), ("code", code), ("category", category), ("sort", sort))}
        params = {name: value for name, value in params.items() if value}
        expected = _expected(q, code, category, sort)
        page = client.get("/patents/", params)
        if page.status_code != 200:
            wrong.append(("page", params, page.status_code))
        else:
            found = page.context["found"]
            numbers = [item.object.number for item in found.items]
            if _compare(expected, numbers) != expected or found.total != len(expected):
                wrong.append(("page", params, numbers, found.total))
            elif found.facets and sum(row["count"] for row in found.facets["office"]) != len(expected):
                wrong.append(("page facets", params, found.facets["office"]))
        for facets in ("false", "true"):
            response = api.get("/api/v1/patents/search/", {**params, "facets": facets})
            if response.status_code != 200:
                wrong.append(("api", params, facets, response.status_code))
                continue
            body = response.json()
            numbers = [item["patent"]["number"].removesuffix(item["patent"]["kind"]) for item in body["items"]]
            if _compare(expected, numbers) != expected or body["total"] != len(expected):
                wrong.append(("api", params, facets, numbers, body["total"]))
            elif facets == "true" and sum(row["count"] for row in body["facets"]["office"]) != len(expected):
                wrong.append(("api facets", params, body["facets"]["office"]))
    assert not wrong, f"{len(wrong)} combinations went wrong, e.g. {wrong[:5]}"
