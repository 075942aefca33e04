import json
import pytest
pytestmark = pytest.mark.django_db

def test_explore(api_client, client):
    c = api_client()
    r = c.get("/api/schema/", {"format": "json"})
    s = r.json()
    print(json.dumps(s["paths"]["/api/v1/classify/"], indent=1)[:3000])
    for name in ("ClassifyResult", "CategoryScore", "Path", "ClassifyRequest", "ClassifyRequestRequest"):
        print(name, json.dumps(s["components"]["schemas"].get(name), indent=1)[:1500])
    r = c.post("/api/v1/classify/", {"id": 1, "title": "一种光伏组件回收方法"}, format="json")
    print(r.status_code, r.json())
    r = c.post("/api/v1/classify/", [{"id": 1}, {"title": 5}, "x", {"ipc": "C10L 5/44"}], format="json")
    print(r.status_code, r.json())
    r = c.get("/api/v1/classify/")
    print(r.status_code, r.content[:300])
    r = client.post("/classify/", {"ipc": ","})
    print(r.status_code)
