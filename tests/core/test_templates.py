"""The page shell (base.html) and the shared partials other apps build their pages from."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.core.paginator import Paginator
from django.template import engines
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.utils import translation

from tests.conftest import pass_second_factor

TEMPLATES = Path(settings.BASE_DIR) / "phaen" / "templates"


class Elements(HTMLParser):
    """Collect every start tag with its attributes, and the text, of an HTML fragment."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.text.append(data.strip())

    def find(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        return [
            a
            for t, a in self.tags
            if t == tag and all(a.get(k.replace("_", "-")) == v for k, v in attrs.items())
        ]

    def ids(self) -> set[str]:
        return {a["id"] for _, a in self.tags if "id" in a}


def render(source: str, context: dict[str, Any] | None = None, request: Any = None) -> str:
    return engines["django"].from_string(source).render(context or {}, request)


# The shell ----------------------------------------------------------------------------------

shell = pytest.mark.urls("tests.core.shell_urls")


@shell
def test_shell_is_thai_first_with_title_breadcrumbs_and_navigation(
    client: Client, db: Any, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(0):
        response = client.get("/shell-demo/?q=" + quote("ดิจิทัล"))  # as a browser sends it

    html = response.content.decode()
    page = Elements(html)
    assert response.status_code == 200
    assert page.find("html")[0]["lang"] == "th"
    assert "<title>Demo · Phaen · แผน</title>" in html
    assert "ข้ามไปยังเนื้อหาหลัก" in page.text
    assert page.find("li", aria_current="page")
    assert page.find("a", href="/api/docs", **{"class": "site-nav__link"})
    assert page.find("a", href="/geography/")
    assert page.find("a", href="/organisations/")
    assert not page.find("a", href="/admin/")
    assert page.find("a", href="/accounts/login/?next=" + quote("/shell-demo/?q=" + quote("ดิจิทัล")))
    assert "CC BY 4.0" in page.text


@shell
def test_shell_loads_htmx_deferred_sends_csrf_and_has_no_inline_script(
    client: Client, db: Any
) -> None:
    html = client.get("/shell-demo/").content.decode()
    page = Elements(html)

    scripts = page.find("script")
    assert [s["src"] for s in scripts] == [
        "/static/vendor/htmx/htmx.min.js",
        "/static/phaen/phaen.js",
    ]
    assert all("defer" in s for s in scripts)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline <script> breaks a strict CSP"
    assert not re.search(r"\son[a-z]+=", html), "inline event handlers break a strict CSP"
    assert "<style" not in html
    headers = page.find("body")[0]["hx-headers"]
    assert re.fullmatch(r'\{"X-CSRFToken": "[A-Za-z0-9]{64}"\}', headers)


@shell
def test_language_switcher_posts_to_set_language_and_returns_to_the_same_page(
    client: Client, db: Any
) -> None:
    page = Elements(client.get("/shell-demo/?q=1").content.decode())

    form = page.find("form", **{"class": "language-switcher"})[0]
    assert form["action"] == "/i18n/setlang/"
    assert form["method"] == "post"
    assert page.find("input", name="next", value="/shell-demo/?q=1")
    assert page.find("input", name="csrfmiddlewaretoken")
    buttons = {b["value"]: b for b in page.find("button", name="language")}
    assert set(buttons) == {"th", "en"}
    assert buttons["th"].get("aria-current") == "true"
    assert "aria-current" not in buttons["en"]


@shell
def test_choosing_english_turns_the_shell_english(client: Client, db: Any) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/shell-demo/"})
    assert response.status_code == 302
    assert response["Location"] == "/shell-demo/"

    page = Elements(client.get("/shell-demo/").content.decode())

    assert page.find("html")[0]["lang"] == "en"
    assert "Skip to main content" in page.text
    assert "Data sources" in page.text
    assert "ข้ามไปยังเนื้อหาหลัก" not in page.text


@shell
def test_signed_in_staff_see_their_name_sign_out_and_administration(
    client: Client, db: Any, django_assert_max_num_queries: Any
) -> None:
    user = get_user_model().objects.create_user(
        username="somsri", password="x", first_name="สมศรี", is_staff=True
    )
    client.force_login(user)
    pass_second_factor(client, user)

    # the session, the user and the TOTP device the session was verified with; nothing per link
    with django_assert_max_num_queries(3):
        html = client.get("/shell-demo/").content.decode()

    page = Elements(html)
    assert "สมศรี" in page.text
    assert page.find("form", action="/accounts/logout/", method="post")
    assert page.find("a", href="/admin/")


@pytest.mark.urls("tests.core.shell_urls_bare")
def test_shell_renders_while_apps_have_no_routes_yet(client: Client, db: Any) -> None:
    response = client.get("/shell-demo/")

    page = Elements(response.content.decode())
    assert response.status_code == 200
    assert page.find("a", href="/api/docs")  # a fixed address, not a route lookup
    assert not page.find("a", href="/geography/")


def test_not_found_page_uses_the_shell_in_thai(client: Client, db: Any) -> None:
    response = client.get("/no/such/page/here/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "ไม่พบหน้าที่ต้องการ" in html
    assert 'class="site-header"' in html


def test_server_error_page_stands_alone_in_both_languages() -> None:
    html = render_to_string("500.html")

    assert '<html lang="th">' in html
    assert "ระบบขัดข้อง" in html
    assert "Server error" in html
    assert "/static/phaen/phaen.css" in html


def test_every_partial_documents_its_context() -> None:
    for template in sorted((TEMPLATES / "partials").glob("*.html")):
        assert template.read_text(encoding="utf-8").startswith("{% comment %}"), template.name


# Messages -------------------------------------------------------------------------------------


def test_messages_announce_errors_at_once_and_the_rest_politely() -> None:
    html = render_to_string(
        "partials/messages.html",
        {"messages": [Message(constants.ERROR, "ผิดพลาด"), Message(constants.SUCCESS, "สำเร็จ")]},
    )

    page = Elements(html)
    assert page.find("div", id="messages")
    assert page.find("div", role="alert", **{"class": "message message--error"})
    assert page.find("div", role="status", **{"class": "message message--success"})
    assert "hx-swap-oob" not in html


def test_messages_area_is_always_there_and_can_be_swapped_out_of_band() -> None:
    html = render_to_string("partials/messages.html", {"messages": [], "oob": True})

    assert Elements(html).find("div", id="messages", hx_swap_oob="true")


# Pagination -----------------------------------------------------------------------------------


def _pagination(url: str, number: int, **extra: Any) -> Elements:
    request = RequestFactory().get(url)
    page_obj = Paginator(list(range(95)), 10).page(number)
    with translation.override("th"):
        html = render_to_string(
            "partials/pagination.html", {"page_obj": page_obj, **extra}, request=request
        )
    return Elements(html)


def _query(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


def test_pagination_keeps_every_other_query_parameter() -> None:
    nav = _pagination("/plans/?q=ดิจิทัล&page=3&level=1&level=2", 3)

    links = {a["rel"]: a["href"] for a in nav.find("a") if "rel" in a}
    assert set(links) == {"first", "prev", "next", "last"}
    assert _query(links["next"]) == {"q": ["ดิจิทัล"], "page": ["4"], "level": ["1", "2"]}
    assert _query(links["prev"])["page"] == ["2"]
    assert _query(links["first"])["page"] == ["1"]
    assert _query(links["last"])["page"] == ["10"]
    assert "แสดงรายการที่ 21–30 จากทั้งหมด 95 รายการ" in nav.text
    assert "หน้า 3 จาก 10" in nav.text


def test_pagination_on_the_first_page_offers_no_way_back() -> None:
    nav = _pagination("/plans/", 1)

    rels = {a["rel"] for a in nav.find("a") if "rel" in a}
    assert rels == {"next", "last"}


def test_pagination_shows_numbered_pages_when_the_view_gives_a_range() -> None:
    paginator = Paginator(list(range(95)), 10)
    nav = _pagination(
        "/plans/?page=5", 5, page_range=list(paginator.get_elided_page_range(5, on_each_side=1))
    )

    current = nav.find("a", aria_current="page")
    assert len(current) == 1 and _query(current[0]["href"])["page"] == ["5"]
    numbered = [
        _query(a["href"])["page"][0] for a in nav.find("a", **{"class": "pagination__link"})
    ]
    assert "4" in numbered and "6" in numbered and "8" not in numbered


def test_pagination_can_load_pages_with_htmx() -> None:
    nav = _pagination("/plans/?page=2", 2, hx_target="#results")

    nxt = nav.find("a", rel="next")[0]
    assert nxt["hx-get"] == nxt["href"]
    assert nxt["hx-target"] == "#results"
    assert nxt["hx-push-url"] == "true"


def test_pagination_renders_nothing_for_a_single_page() -> None:
    request = RequestFactory().get("/plans/")
    page_obj = Paginator([1, 2], 10).page(1)

    html = render_to_string("partials/pagination.html", {"page_obj": page_obj}, request=request)

    assert html.strip() == ""


# Forms ------------------------------------------------------------------------------------------


class PlanForm(forms.Form):
    name_th = forms.CharField(label="ชื่อภาษาไทย", help_text="ชื่อเต็มตามเอกสาร")
    note = forms.CharField(label="หมายเหตุ", required=False)
    agreed = forms.BooleanField(label="ยืนยัน")
    level = forms.ChoiceField(
        label="ระดับ", choices=[("1", "1"), ("2", "2")], widget=forms.RadioSelect
    )

    def clean(self) -> dict[str, Any]:
        raise forms.ValidationError("ข้อมูลไม่ครบ")


def _fields(form: forms.Form) -> str:
    with translation.override("th"):
        return render(
            '{% include "partials/form_errors.html" %}'
            "{% for field in form %}{% include 'partials/field.html' %}{% endfor %}",
            {"form": form},
        )


def test_invalid_field_is_marked_and_described_for_assistive_technology() -> None:
    form = PlanForm(data={"note": "x"})
    assert not form.is_valid()

    page = Elements(_fields(form))

    name_input = page.find("input", name="name_th")[0]
    assert name_input["aria-invalid"] == "true"
    described = name_input["aria-describedby"].split()
    assert described == ["id_name_th_helptext", "id_name_th_error"]
    assert set(described) <= page.ids()
    assert page.find("label", **{"for": "id_name_th"})
    assert "aria-invalid" not in page.find("input", name="note")[0]
    assert page.find("ul", id="id_name_th_error", **{"class": "field__errors"})


def test_checkbox_has_its_label_after_it_and_radios_are_a_fieldset() -> None:
    form = PlanForm(data={})
    form.is_valid()

    html = _fields(form)
    page = Elements(html)

    assert page.find("label", **{"for": "id_agreed", "class": "field__label"})
    fieldset = page.find("fieldset", **{"class": "field__fieldset"})[0]
    assert fieldset["aria-describedby"] == "id_level_error"
    assert "id_level_error" in page.ids()
    assert page.find("legend", **{"class": "field__label"})


def test_error_summary_lists_form_errors_and_links_to_each_field() -> None:
    form = PlanForm(data={"note": "x"})
    form.is_valid()

    page = Elements(_fields(form))

    summary = page.find("div", role="alert", data_error_summary="")
    assert summary and summary[0]["tabindex"] == "-1"
    assert "มีข้อผิดพลาด" in page.text
    assert "ข้อมูลไม่ครบ" in page.text
    assert page.find("a", href="#id_name_th")


def test_error_summary_is_absent_for_a_valid_or_unbound_form() -> None:
    html = render('{% include "partials/form_errors.html" %}', {"form": PlanForm()})

    assert html.strip() == ""


# Empty states and badges -------------------------------------------------------------------------


def test_empty_state_has_a_default_message_and_an_optional_action() -> None:
    with translation.override("th"):
        plain = Elements(render('{% include "partials/empty.html" %}'))
        helpful = Elements(
            render(
                '{% include "partials/empty.html" with message="ไม่พบแผน" '
                'action_url="/plans/" action_label="ล้างตัวกรอง" %}'
            )
        )

    assert "ยังไม่มีข้อมูล" in plain.text
    assert not plain.find("a")
    assert "ไม่พบแผน" in helpful.text
    assert helpful.find("a", href="/plans/")


def test_level_and_status_badges_carry_their_value_as_a_class() -> None:
    with translation.override("th"):
        level = Elements(render('{% include "partials/badge_level.html" with level=2 %}'))
        status = Elements(
            render(
                '{% include "partials/badge_status.html" '
                'with status="in_force" label="มีผลบังคับใช้" %}'
            )
        )

    assert level.find("span", **{"class": "badge badge--level badge--level-2"})
    assert "ระดับที่ 2" in level.text
    assert status.find("span", **{"class": "badge badge--status badge--status-in_force"})
    assert "มีผลบังคับใช้" in status.text


def test_thai_date_of_an_aware_time_is_the_date_in_thailand():
    import datetime as dt

    from django.utils import translation

    from phaen.core.templatetags.thai import thai_date

    # 22 Feb 2025 00:30 in Bangkok is still 21 Feb in UTC.
    moment = dt.datetime(2025, 2, 21, 17, 30, tzinfo=dt.UTC)
    with translation.override("th"):
        assert thai_date(moment) == "22 กุมภาพันธ์ 2568"
