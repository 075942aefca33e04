"""The site's own 404 and 500 pages (issue 16, defect 2): the header, the page's language and a way back."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from greentech.portal.views import HomeView


@pytest.fixture
def production(settings):
    settings.DEBUG = False


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "heading", "back"),
    [("zh-hans", "页面不存在", "返回首页"), ("en", "Page not found", "Back to the home page")],
)
@pytest.mark.parametrize("path", ["/market/review/", "/no/such/page/", "/organizations/999999/"])
def test_a_missing_page_is_the_sites_own_page(client, production, language, heading, back, path):
    client.cookies["django_language"] = language
    response = client.get(path)
    assert response.status_code == 404
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert heading in html and back in html
    assert 'class="navbar' in html  # the site's header with its menu
    assert 'href="/"' in html
    assert "The requested resource was not found on this server" not in html  # Django's bare page


def test_the_server_error_page_renders_without_database_or_context():
    """No `db` fixture: any query would raise. Django renders 500.html with an empty context."""
    for language in ("zh-hans", "en"):
        with translation.override(language):
            html = render_to_string("500.html")
        assert "服务器出错了" in html and "Something went wrong on our side" in html
        assert 'href="/"' in html and "返回首页" in html and "Back to the home page" in html
    assert html.index("Something went wrong") < html.index("服务器出错了")  # the page's language first


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "first"), [("zh-hans", "服务器出错了"), ("en", "Something went wrong")])
def test_a_server_error_is_the_sites_own_page(client, production, monkeypatch, language, first):
    def fail(self, request, *args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(HomeView, "get", fail)
    client.raise_request_exception = False
    client.cookies["django_language"] = language
    response = client.get("/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "辽宁省绿色技术创新服务平台" in html and 'href="/"' in html
    assert html.index(first) < html.index("返回首页" if language == "en" else "Back to the home page")
    assert "<h1>Server Error (500)</h1>" not in html  # Django's bare page
