"""POST /api/v1/classify/: one object in, one result out; a list of up to 1,000 in, a list out in the same order;
anything invalid is a 400 naming the records; anonymous callers are allowed but throttled; the answer matches the
OpenAPI schema published at /api/schema/."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from greentech.classification.api.views import MAX_BATCH

pytestmark = pytest.mark.django_db

URL = "/api/v1/classify/"
PV = {"id": 1, "title": "一种光伏组件回收方法"}


@pytest.fixture(autouse=True)
def _fresh_throttle():
    """Anonymous requests share one throttle budget per address: start every test with a full one."""
    cache.clear()
    yield
    cache.clear()


def post(api_client, payload, user=None):
    return api_client(user).post(URL, payload, format="json")


# --- a minimal OpenAPI 3.0 schema check (types, required and documented properties, enums, nullable) ----------


def resolve(schema: dict, document: dict) -> dict:
    while "$ref" in schema:
        node = document
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def schema_errors(value, schema: dict, document: dict, where: str = "$") -> list[str]:
    """What does not fit `schema` in `value` (an empty list when it fits)."""
    schema = resolve(schema, document)
    if value is None:
        return [] if schema.get("nullable") or not schema else [f"{where}: null is not allowed"]
    for key in ("oneOf", "anyOf"):
        if key in schema:
            fits = [option for option in schema[key] if not schema_errors(value, option, document, where)]
            return [] if fits else [f"{where}: fits none of {key}"]
    if "allOf" in schema:
        return [error for option in schema["allOf"] for error in schema_errors(value, option, document, where)]
    kind = schema.get("type")
    checks = {
        "object": lambda v: isinstance(v, dict),
        "array": lambda v: isinstance(v, list),
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
    }
    if kind is None and "properties" in schema:
        kind = "object"
    if kind and not checks[kind](value):
        return [f"{where}: {type(value).__name__} is not {kind}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{where}: {value!r} not in {schema['enum']}"]
    errors = []
    if kind == "object":
        properties = schema.get("properties", {})
        errors += [f"{where}: missing {name}" for name in schema.get("required", []) if name not in value]
        errors += [f"{where}: undocumented {name}" for name in value if name not in properties]
        for name, item in value.items():
            if name in properties:
                errors += schema_errors(item, properties[name], document, f"{where}.{name}")
    if kind == "array":
        for index, item in enumerate(value):
            errors += schema_errors(item, schema.get("items", {}), document, f"{where}[{index}]")
    return errors


@pytest.fixture
def openapi(api_client) -> dict:
    response = api_client().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def operation(openapi: dict) -> dict:
    return openapi["paths"][URL]["post"]


def response_schema(openapi: dict) -> dict:
    return operation(openapi)["responses"]["200"]["content"]["application/json"]["schema"]


def request_schema(openapi: dict) -> dict:
    return operation(openapi)["requestBody"]["content"]["application/json"]["schema"]


# --- shapes ---------------------------------------------------------------------------------------------------


def test_one_object_gives_one_result_object(api_client):
    response = post(api_client, PV)
    assert response.status_code == 200, response.content
    data = response.json()
    assert isinstance(data, dict)
    assert (data["id"], data["green"], data["decided_by"], data["language"]) == (1, True, "text", "zh")
    assert 0.5 <= data["score"] <= 1.0
    top = data["categories"][0]
    assert top["scheme"] == "gic2019" and top["code"].startswith("3.")
    assert [node["level"] for node in top["path"]] == [1, 2]


def test_a_list_gives_a_list_in_the_same_order(api_client):
    payload = [
        {"id": "code", "ipc": ["C10L 5/44"]},
        {"id": "text", "title": "Classic recipe for chocolate chip cookies"},
        {"title": "Pitch control system for an onshore wind turbine"},
        {"id": 4, "cpc": ["Y02E 10/50"], "title": "一款多人在线角色扮演手机游戏"},
        {"id": 5, "cpc": ["G06F 16/00"]},
        {"id": [6, "x"], "ipc": ["garbage", "H01M 10/45"]},
    ]
    response = post(api_client, payload)
    assert response.status_code == 200, response.content
    data = response.json()
    assert isinstance(data, list)
    assert [item["id"] for item in data] == ["code", "text", None, 4, 5, [6, "x"]]
    assert [(item["green"], item["decided_by"]) for item in data] == [
        (True, "code"),
        (False, "text"),
        (True, "text"),
        (True, "code"),
        (False, "code"),
        (True, "code"),
    ]
    assert any("C10L 5/40 … C10L 5/48" in c["reason"] for c in data[0]["categories"])
    assert data[3]["categories"][0]["code"] == "Y02E 10/50"
    assert len(data[5]["warnings"]) == 1 and "garbage" in data[5]["warnings"][0]


def test_a_list_of_one_gives_a_list_of_one(api_client):
    response = post(api_client, [PV])
    assert response.status_code == 200
    assert isinstance(response.json(), list) and response.json()[0]["id"] == 1


def test_more_than_1000_records_is_a_400_with_a_message(api_client):
    assert MAX_BATCH == 1000
    response = post(api_client, [{"id": i, "ipc": ["C10L 5/44"]} for i in range(1001)])
    assert response.status_code == 400
    assert "1000" in response.json()["detail"] and "1001" in response.json()["detail"]


def test_exactly_1000_code_records_are_accepted(api_client):
    response = post(api_client, [{"id": i, "ipc": ["C10L 5/44" if i % 2 else "G06F 16/00"]} for i in range(1000)])
    assert response.status_code == 200
    data = response.json()
    assert [item["id"] for item in data] == list(range(1000))
    assert [item["green"] for item in data[:4]] == [False, True, False, True]


@pytest.mark.parametrize("payload", [[], "just a string", 42, None], ids=["empty-list", "string", "number", "null"])
def test_an_empty_list_or_no_object_is_a_400(api_client, payload):
    response = post(api_client, payload)
    assert response.status_code == 400
    assert "detail" in response.json()


def test_invalid_records_are_a_400_naming_their_index(api_client):
    payload = [
        PV,  # 0: fine
        {"id": 1},  # 1: nothing to classify
        {"title": ["not", "a", "string"]},  # 2: wrong type
        "a bare string",  # 3: not an object
        {"ipc": "C10L 5/44"},  # 4: the API takes lists of symbols
        {"title": "光伏", "abstract": "x"},  # 5: unknown field
        {"title": "   "},  # 6: blank
    ]
    response = post(api_client, payload)
    assert response.status_code == 400
    data = response.json()
    assert data["detail"]
    by_index = {item["index"]: item["errors"] for item in data["records"]}
    assert 0 not in by_index
    assert {1, 2, 3, 4, 6} <= set(by_index)
    assert "nothing to classify" in str(by_index[1])
    assert "title" in by_index[2]
    assert "ipc" in by_index[4]


def test_unknown_fields_are_refused_not_dropped(api_client):
    """A misspelt field ("titel") must not be silently ignored: the record would be classified without it."""
    response = post(api_client, [{"id": 1, "title": "光伏组件回收", "ipcs": ["C10L 5/44"]}])
    assert response.status_code == 400, response.content
    assert response.json()["records"][0]["index"] == 0


def test_one_invalid_object_is_a_400_at_index_0(api_client):
    response = post(api_client, {"id": 7, "text": {"zh": "光伏"}, "ipc": "C10L 5/44"})
    assert response.status_code == 400
    assert [item["index"] for item in response.json()["records"]] == [0]


# --- who may call it --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["visitor", "member", "admin"])
def test_anonymous_members_and_admins_may_classify(api_client, user_for, role):
    response = post(api_client, PV, user=user_for(role))
    assert response.status_code == 200, response.content
    assert response.json()["green"] is True


def test_anonymous_callers_are_throttled_members_are_not(api_client, member):
    anonymous = api_client()
    statuses = [anonymous.post(URL, [], format="json").status_code for _ in range(60)]
    assert statuses == [400] * 60  # every request counts, even an invalid one
    assert anonymous.post(URL, PV, format="json").status_code == 429
    signed_in = api_client(member)
    assert [signed_in.post(URL, [], format="json").status_code for _ in range(61)] == [400] * 61
    assert signed_in.post(URL, PV, format="json").status_code == 200


def test_the_api_root_links_to_classify(api_client):
    endpoints = api_client().get("/api/v1/").json()["endpoints"]
    assert endpoints["classify"].endswith(URL)


def test_get_is_not_allowed(api_client):
    assert api_client().get(URL).status_code == 405
    assert api_client().put(URL, PV, format="json").status_code == 405


# --- the OpenAPI schema -----------------------------------------------------------------------------------------


def test_the_path_is_in_the_schema_with_result_fields(openapi):
    assert URL in openapi["paths"]
    assert "post" in openapi["paths"][URL] and "get" not in openapi["paths"][URL]
    answer = resolve(response_schema(openapi), openapi)
    # one object or a list of them: find the object branch of the oneOf
    branches = [resolve(branch, openapi) for branch in answer.get("oneOf", [answer])]
    result = next(branch for branch in branches if "properties" in branch)
    assert {"id", "green", "score", "decided_by", "categories", "language", "warnings"} <= set(result["properties"])


def test_list_responses_match_the_schema(api_client, openapi):
    payload = [
        PV,
        {"id": "x", "ipc": ["C10L 5/44", "nonsense"], "cpc": ["Y02E 10/50"], "title": "A mobile game"},
        {"cpc": ["G06F 16/00"]},
        {"text": "Classic recipe for chocolate chip cookies"},
    ]
    data = post(api_client, payload).json()
    assert schema_errors(data, response_schema(openapi), openapi) == []
    assert schema_errors(payload, request_schema(openapi), openapi) == []
    # the checker does catch a result that drifts from the schema
    broken = [dict(data[0], green="yes", extra=1)]
    assert schema_errors(broken, response_schema(openapi), openapi) != []


def test_the_schema_documents_the_single_object_form(api_client, openapi):
    """The endpoint takes and answers one object as well as a list: the schema must say so (a client generated
    from it, or schemathesis, would otherwise treat the single-object answer as invalid)."""
    data = post(api_client, PV).json()
    assert schema_errors(PV, request_schema(openapi), openapi) == []
    assert schema_errors(data, response_schema(openapi), openapi) == []


def test_the_schema_examples_fit_the_schema(openapi):
    """Request examples must be requests and response examples must be results."""
    content = operation(openapi)["requestBody"]["content"]["application/json"]
    for name, example in content.get("examples", {}).items():
        assert schema_errors(example["value"], request_schema(openapi), openapi) == [], name
    content = operation(openapi)["responses"]["200"]["content"]["application/json"]
    for name, example in content.get("examples", {}).items():
        assert schema_errors(example["value"], response_schema(openapi), openapi) == [], name
