"""The portal page /classify/: the form (Chinese by default, English on request), the verdict with its categories
and reasons, form errors, code-only input and invalid symbols."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

URL = "/classify/"
PV_TEXT = "在n型单晶硅片两面沉积本征非晶硅薄膜，电池光电转换效率超过24%，用于光伏发电。"


class Page(HTMLParser):
    """The text of the elements with an id, and the rows (cell texts) of the categories table."""

    VOID = {"input", "br", "img", "meta", "link", "hr"}

    def __init__(self, html: str):
        super().__init__()
        self.texts: dict[str, str] = {}
        self.rows: list[list[str]] = []
        self._open: list[tuple[str, str | None]] = []
        self._in_categories = 0
        self._cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        element_id = dict(attrs).get("id")
        self._open.append((tag, element_id))
        if element_id is not None:
            self.texts.setdefault(element_id, "")
        if element_id == "categories":
            self._in_categories = len(self._open)
        if self._in_categories and tag == "tr":
            self.rows.append([])
        if self._in_categories and tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        while self._open:
            open_tag, _element_id = self._open.pop()
            if self._in_categories and open_tag in ("td", "th") and self._cell is not None:
                self.rows[-1].append(" ".join("".join(self._cell).split()))
                self._cell = None
            if self._in_categories > len(self._open):
                self._in_categories = 0
            if open_tag == tag:
                break

    def handle_data(self, data):
        for _tag, element_id in self._open:
            if element_id is not None:
                self.texts[element_id] += data
        if self._cell is not None:
            self._cell.append(data)

    def text(self, element_id: str) -> str:
        return " ".join(self.texts[element_id].split())


def test_the_form_renders_in_chinese_by_default(client):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    page = Page(html)
    assert "classify-form" in page.texts
    assert "绿色技术分类" in html  # "Green classification"
    for label in ("标题", "正文", "IPC 分类号", "CPC 分类号"):
        assert f">{label}</label>" in html, label
    assert "例如 Y02E 10/50" in html
    assert page.text("result") == ""  # nothing classified yet
    assert "verdict" not in page.texts


def english(client):
    """The platform ignores Accept-Language (Chinese unless chosen): the language switcher sets this cookie."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_form_renders_in_english_on_request(client):
    html = english(client).get(URL).content.decode()
    assert "Green classification" in html and ">IPC codes</label>" in html
    assert "绿色技术分类" not in html


def test_a_chinese_green_text_shows_the_verdict_and_a_category_table(client):
    response = client.post(URL, {"title": "一种异质结太阳能电池片的制备方法", "text": PV_TEXT})
    assert response.status_code == 200
    page = Page(response.content.decode())
    assert page.text("verdict") == "绿色技术"  # "Green technology"
    assert "由文本判定" in page.text("result")  # "decided by the text"
    score = float(page.text("score"))
    assert 0.5 <= score <= 1.0
    header, *rows = page.rows
    assert header == ["分类体系", "类目", "得分", "理由"]
    assert len(rows) == 3
    assert rows[0][1].startswith("3.1.2 太阳能发电装备制造")
    assert "3 清洁能源产业 › 3.1" in rows[0][1]  # the level-1 › level-2 path
    assert "与目录说明的相似度" in rows[0][3]
    # the form keeps what was typed
    assert 'value="一种异质结太阳能电池片的制备方法"' in response.content.decode()


def test_a_non_green_text_says_so(client):
    page = Page(client.post(URL, {"title": "一种红烧肉的家常做法"}).content.decode())
    assert page.text("verdict") == "未识别为绿色技术"  # "Not identified as green"
    assert float(page.text("score")) < 0.5


def test_an_english_page_shows_english_category_names(client):
    response = english(client).post(URL, {"title": "Pitch control system for an onshore wind turbine"})
    page = Page(response.content.decode())
    assert page.text("verdict") == "Green technology"
    assert "decided by the text" in page.text("result")
    assert page.rows[1][1].startswith("3.1.1 Manufacture of wind power")


def test_an_empty_form_shows_the_form_error(client):
    response = client.post(URL, {"title": "", "text": "  ", "ipc": "", "cpc": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert "请填写标题、正文或 IPC/CPC 分类号。" in html  # "Give a title, a text or IPC/CPC codes."
    assert "alert-danger" in html
    assert "verdict" not in Page(html).texts


def test_codes_only_are_decided_by_the_codes(client):
    response = client.post(URL, {"ipc": "C10L 5/44"})
    page = Page(response.content.decode())
    assert page.text("verdict") == "绿色技术"
    assert "由分类号判定" in page.text("result")  # "decided by the classification codes"
    assert page.text("score") == "1.00"
    reasons = [row[3] for row in page.rows[1:]]
    assert "IPC C10L 5/44 ∈ C10L 5/40 … C10L 5/48" in reasons
    assert all("IPC 绿色清单" in row[0] for row in page.rows[1:])  # the scheme's name, not its slug


def test_several_codes_in_one_field_and_a_cpc(client):
    page = Page(client.post(URL, {"ipc": "G06F 16/00; H01M 10/45", "cpc": "Y02E 10/50"}).content.decode())
    assert page.text("verdict") == "绿色技术"
    categories = " ".join(row[1] for row in page.rows[1:])
    assert "H01M 10/44 … H01M 10/46" in categories and "Y02E 10/50" in categories


def test_non_green_codes_only_are_not_green(client):
    page = Page(client.post(URL, {"cpc": "G06F 16/00"}).content.decode())
    assert page.text("verdict") == "未识别为绿色技术"
    assert "由分类号判定" in page.text("result")
    assert page.rows[1:] == []


def test_invalid_symbols_show_a_warning(client):
    response = client.post(URL, {"title": "一种光伏组件回收方法", "ipc": "C10L 5/44, XX-99"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "alert-warning" in html and "XX-99" in html
    assert Page(html).text("verdict") == "绿色技术"


def test_separators_without_any_code_are_a_form_error_not_a_crash(client):
    """A field holding only separators passes the form's own check (it is not blank) but has no code: the page
    must say what is missing instead of failing with a server error."""
    response = client.post(URL, {"ipc": " , ; "})
    assert response.status_code == 200
    html = response.content.decode()
    assert "alert-danger" in html
    assert "verdict" not in Page(html).texts


def test_signed_in_members_use_the_same_page(client, member):
    client.force_login(member)
    page = Page(client.post(URL, {"cpc": "Y04S 10/123"}).content.decode())
    assert page.text("verdict") == "绿色技术"
