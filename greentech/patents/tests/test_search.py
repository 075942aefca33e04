"""Finding patents: keywords (Chinese and English), code prefixes, filters, facets, sorting, CLI and API."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from greentech.core.permissions import SYSTEM
from greentech.patents import importing, queries
from greentech.patents.tests.conftest import PATENTSVIEW

pytestmark = pytest.mark.django_db

RECORDS = [
    {
        "number": "CN111000001A",
        "title": "一种退役锂电池回收方法",
        "abstract": "通过放电、破碎和湿法冶金回收锂电池中的钴和锂。",
        "applicants": ["沈阳某新能源科技有限公司"],
        "ipc": ["H01M 10/54"],
        "publication_date": "2019-05-01",
        "legal_status": "granted",
        "region": "沈阳市",
    },
    {
        "number": "CN111000002A",
        "title": "一种光伏组件回收装置",
        "abstract": "拆解光伏组件回收银和硅。",
        "applicants": ["大连某光伏有限公司"],
        "cpc": ["Y02E10/50"],
        "publication_date": "2021-08-15",
        "legal_status": "pending",
        "region": "大连市",
    },
    {
        "number": "US11000003B2",
        "title": "Lithium battery recycling process",
        "abstract": "Batteries are shredded and the cathode metals recovered by leaching.",
        "applicants": ["North Clean Technologies Ltd."],
        "ipc": ["H01M 10/54", "C22B 7/00"],
        "publication_date": "2022-02-01",
        "legal_status": "granted",
    },
    {
        "number": "CN111000004A",
        "title": "一种纺织品印花方法",
        "abstract": "使用数码喷墨在棉布上印花。",
        "ipc": ["D06P 5/30"],
        "publication_date": "2020-03-03",
    },
]


@pytest.fixture
def patents(write_jsonl):
    report = importing.run(write_jsonl(RECORDS), label_text=False)
    assert report.ok


def numbers(found):
    return [item.object.number for item in found.items]


def test_keywords_in_chinese_and_english(patents):
    found = queries.find(SYSTEM, {"q": "锂电池"})
    assert numbers(found) == ["CN111000001"]
    assert "<mark>" in str(found.items[0].snippet)
    assert numbers(queries.find(SYSTEM, {"q": "锂电"})) == ["CN111000001"]  # search-mode segmentation
    assert numbers(queries.find(SYSTEM, {"q": "batteries recycling"})) == ["US11000003"]  # stemmed
    found = queries.find(SYSTEM, {"q": "光伏 钴"})
    assert found.mode == "any" and set(numbers(found)) == {"CN111000001", "CN111000002"}
    assert queries.find(SYSTEM, {"q": "的"}).total == 0  # only a stop word


def test_code_prefix_with_or_without_the_space(patents):
    assert set(numbers(queries.find(SYSTEM, {"code": "H01M"}))) == {"CN111000001", "US11000003"}
    assert set(numbers(queries.find(SYSTEM, {"code": "h01m10/54"}))) == {"CN111000001", "US11000003"}
    assert numbers(queries.find(SYSTEM, {"code": "Y02E 10/50"})) == ["CN111000002"]
    assert numbers(queries.find(SYSTEM, {"code": "Y02E10/5"})) == ["CN111000002"]
    assert queries.find(SYSTEM, {"code": "H01M 100"}).total == 0  # a main group prefix stays in its group
    with pytest.raises(ValidationError) as error:
        queries.find(SYSTEM, {"code": "not a code"})
    assert "H01M 10/54" in str(error.value)


def test_filters_sorting_and_facets(patents):
    assert numbers(queries.find(SYSTEM, {"green": "true", "sort": "oldest"})) == [
        "CN111000001",
        "CN111000002",
        "US11000003",
    ]
    assert numbers(queries.find(SYSTEM, {"office": "US"})) == ["US11000003"]
    assert numbers(queries.find(SYSTEM, {"city": "大连市"})) == ["CN111000002"]
    # no status and no grant date: pending
    assert numbers(queries.find(SYSTEM, {"legal_status": "pending"})) == ["CN111000002", "CN111000004"]
    assert numbers(queries.find(SYSTEM, {"date_from": "2020-01-01", "date_to": "2021-12-31"})) == [
        "CN111000002",
        "CN111000004",
    ]
    assert numbers(queries.find(SYSTEM, {"applicant": "大连某光伏"})) == ["CN111000002"]
    assert numbers(queries.find(SYSTEM, {"q": "回收", "sort": "newest"})) == ["CN111000002", "CN111000001"]
    assert numbers(queries.find(SYSTEM, {"category": "cpc-y02:Y02E"})) == ["CN111000002"]
    found = queries.find(SYSTEM, {"q": "回收"}, facets=True)
    facets = {name: {row["value"]: row["count"] for row in rows} for name, rows in found.facets.items()}
    assert facets["office"] == {"CN": 2}
    assert facets["city"] == {"沈阳市": 1, "大连市": 1}
    assert facets["green"] == {True: 2}
    assert facets["year"] == {2021: 1, 2019: 1}
    everything = queries.find(SYSTEM, {}, facets=True)
    office = {row["value"]: row["count"] for row in everything.facets["office"]}
    assert office == {"CN": 3, "US": 1}
    green = {row["value"]: row["count"] for row in everything.facets["green"]}
    assert green == {True: 3, False: 1}
    with pytest.raises(ValidationError):
        queries.find(SYSTEM, {"sort": "price"})


def test_cli_search(patents, capsys):
    call_command("search", "patents", "锂电池", "--format", "json")
    payload = json.loads(capsys.readouterr().out)
    assert payload["total"] == 1 and payload["results"][0]["title"] == "一种退役锂电池回收方法"
    call_command("search", "patents", "recycling", "--code", "H01M", "--green", "--top", "5")
    out = capsys.readouterr().out
    assert "US11000003B2" in out and "CN111000004" not in out


def test_api_search_and_list(patents, api_client):
    client = api_client()
    response = client.get("/api/v1/patents/search/", {"q": "光伏", "facets": "1"})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 1 and body["items"][0]["patent"]["number"] == "CN111000002A"
    assert [(row["value"], row["count"]) for row in body["facets"]["office"]] == [("CN", 1)]
    response = client.get("/api/v1/patents/", {"code": "Y02E 10/50"})
    assert [row["number"] for row in response.json()["results"]] == ["CN111000002A"]
    assert client.get("/api/v1/patents/search/", {"code": "??"}).status_code == 400
    detail = client.get(f"/api/v1/patents/{body['items'][0]['patent']['id']}/").json()
    assert detail["labels"][0]["source"] == "code" and "Y02E 10/50" in detail["labels"][0]["reason"]


def test_patentsview_real_rows_are_found(db):
    importing.run(PATENTSVIEW)
    assert numbers(queries.find(SYSTEM, {"q": "antireflective"})) == ["US10134923"]
    assert numbers(queries.find(SYSTEM, {"code": "H01L 31/02"})) == ["US10134923"]


def test_a_year_out_of_range_is_a_clear_400(api_client):
    for year in ("0.0", "2.6969942984061616e+16", "12"):
        response = api_client(None).get(f"/api/v1/patents/?year={year}")
        assert response.status_code == 400, (year, response.status_code)
    assert api_client(None).get("/api/v1/patents/?year=2021").status_code == 200


def test_cli_search_results_carry_their_natural_key(patents, capsys):
    """`--format json` names each patent by its publication number, as offers are named by their reference."""
    call_command("search", "patents", "锂电池", "--format", "json")
    result = json.loads(capsys.readouterr().out)["results"][0]
    assert result["key_field"] == "number"
    assert result["key"].startswith("CN111000001")
