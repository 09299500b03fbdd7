"""The page shell as a user meets it: Thai first, a working language switcher, htmx loaded."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import NoReverseMatch, reverse
from playwright.sync_api import Page, expect


def _core_pages_mounted() -> bool:
    try:
        reverse("core:logout")
    except NoReverseMatch:
        return False
    return True


def test_home_page_opens_in_thai_with_the_shell_and_htmx(
    page: Page, console_errors: list[str], live: Any
) -> None:
    # Given a visitor whose browser asks for Thai
    # When they open the home page
    page.goto(f"{live.url}/")

    # Then the page is in Thai, with the header, navigation and footer a user can see
    expect(page.locator("html")).to_have_attribute("lang", "th")
    expect(page.get_by_role("link", name="Phaen · แผน")).to_be_visible()
    navigation = page.get_by_role("navigation", name="เมนูหลัก")
    expect(navigation.get_by_role("link", name="แผน", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    expect(navigation.get_by_role("link", name="พื้นที่")).to_have_attribute("href", "/geography/")
    expect(navigation.get_by_role("link", name="หน่วยงาน")).to_be_visible()
    expect(navigation.get_by_role("link", name="API")).to_have_attribute("href", "/api/docs")
    expect(page.get_by_role("contentinfo")).to_contain_text("CC BY 4.0")
    # the home page needs no breadcrumb trail
    expect(page.get_by_role("navigation", name="เส้นทางนำทาง")).to_be_hidden()
    # and htmx has loaded with Phaen's configuration, without a single console error
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.evaluate("window.htmx.config.includeIndicatorStyles") is False
    assert page.evaluate("document.documentElement.classList.contains('js')")
    assert console_errors == []


def test_language_switcher_changes_language_and_comes_back(
    page: Page, console_errors: list[str], live: Any
) -> None:
    # Given a visitor on the Thai home page
    page.goto(f"{live.url}/")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("แผน")

    # When they choose English in the switcher
    page.get_by_role("button", name="English").click()

    # Then the same page comes back in English
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url == f"{live.url}/"
    expect(heading).to_have_text("Plans")
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Areas")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Data sources")).to_be_visible()
    expect(page.get_by_role("button", name="English")).to_have_attribute("aria-current", "true")

    # When they choose Thai again
    page.get_by_role("button", name="ไทย").click()

    # Then everything is Thai again
    expect(page.locator("html")).to_have_attribute("lang", "th")
    expect(heading).to_have_text("แผน")
    expect(page.get_by_role("heading", name="แหล่งข้อมูล")).to_be_visible()
    expect(page.get_by_role("button", name="ไทย")).to_have_attribute("aria-current", "true")
    assert console_errors == []


def test_switching_language_keeps_the_page_and_its_query_string(page: Page, live: Any) -> None:
    page.goto(f"{live.url}/geography/?from=test")
    expect(page.get_by_role("navigation", name="เส้นทางนำทาง")).to_be_visible()

    page.get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url == f"{live.url}/geography/?from=test"
    expect(page.get_by_role("navigation", name="Breadcrumb")).to_contain_text("Home")


def test_skip_link_is_the_first_stop_and_moves_to_the_content(page: Page, live: Any) -> None:
    page.goto(f"{live.url}/geography/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="ข้ามไปยังเนื้อหาหลัก")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()

    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()


def test_menu_folds_behind_a_button_on_a_phone(page: Page, live: Any) -> None:
    # Given a phone-sized screen
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{live.url}/geography/")
    navigation = page.get_by_role("navigation", name="เมนูหลัก")
    menu_button = page.get_by_role("button", name="เมนู")

    # Then the navigation is folded away
    expect(menu_button).to_have_attribute("aria-expanded", "false")
    expect(navigation).to_be_hidden()

    # When the user opens the menu, the links are there
    menu_button.click()
    expect(menu_button).to_have_attribute("aria-expanded", "true")
    expect(navigation.get_by_role("link", name="พื้นที่")).to_be_visible()


def test_menu_button_is_not_shown_on_a_wide_screen(page: Page, live: Any) -> None:
    page.goto(f"{live.url}/geography/")

    expect(page.get_by_role("button", name="เมนู")).to_be_hidden()
    expect(page.get_by_role("navigation", name="เมนูหลัก")).to_be_visible()


def test_signed_in_user_sees_their_name_and_no_administration(
    signed_in_page: Any, live: Any
) -> None:
    # Given a planner signed in with a permission, who is not staff
    page = signed_in_page("plans.add_plan", username="somchai")

    # When they open a page
    page.goto(f"{live.url}/geography/")

    # Then the header shows who they are, and no admin link
    header = page.get_by_role("banner")
    expect(header).to_contain_text("somchai")
    expect(header.get_by_role("button", name="ออกจากระบบ")).to_be_visible()
    expect(header.get_by_role("link", name="ผู้ดูแลระบบ")).to_have_count(0)


@pytest.mark.parametrize(
    "is_staff",
    [
        True,
        pytest.param(
            False,
            marks=pytest.mark.xfail(
                not _core_pages_mounted(),
                reason="the admin's logout ignores users who are not staff: mount phaen.core.urls",
                strict=True,
            ),
        ),
    ],
    ids=["staff", "planner"],
)
def test_signing_out_ends_the_session(signed_in_page: Any, live: Any, is_staff: bool) -> None:
    page = signed_in_page(username="somchai", is_staff=is_staff)
    page.goto(f"{live.url}/geography/")

    with page.expect_navigation():
        page.get_by_role("banner").get_by_role("button", name="ออกจากระบบ").click()
    page.goto(f"{live.url}/geography/")

    expect(page.get_by_role("banner").get_by_role("link", name="เข้าสู่ระบบ")).to_be_visible()


def test_staff_see_the_administration_link(signed_in_page: Any, live: Any) -> None:
    page = signed_in_page(username="admin-user", is_staff=True)

    page.goto(f"{live.url}/geography/")

    navigation = page.get_by_role("navigation", name="เมนูหลัก")
    expect(navigation.get_by_role("link", name="ผู้ดูแลระบบ")).to_have_attribute("href", "/admin/")


def test_admin_login_page_opens_in_thai_with_phaen_branding(
    page: Page, console_errors: list[str], live: Any
) -> None:
    page.goto(f"{live.url}/admin/login/")

    expect(page.locator("html")).to_have_attribute("lang", "th")
    expect(page.get_by_role("link", name="Phaen · แผน — ผู้ดูแลระบบ")).to_be_visible()
    expect(page.get_by_role("button", name="เข้าสู่ระบบ")).to_be_visible()
    assert console_errors == []


def test_api_docs_answer_and_describe_the_api(page: Page, live: Any) -> None:
    # The docs page itself pulls Swagger UI from a CDN unless "ninja" is an installed app, so
    # only the page and the schema it reads are checked here.
    response = page.goto(f"{live.url}/api/docs")
    assert response is not None and response.status == 200

    schema = page.request.get(f"{live.url}/api/openapi.json")
    assert schema.status == 200
    assert json.loads(schema.text())["info"]["title"] == "Phaen API"


def test_failed_htmx_request_is_reported_in_the_messages_area(page: Page, live: Any) -> None:
    # Given a page with an htmx control whose request fails (the messages area is empty)
    page.goto(f"{live.url}/geography/")
    messages = page.locator("#messages")
    expect(messages).to_be_hidden()
    page.evaluate(
        """() => {
            const button = document.createElement("button");
            button.textContent = "load";
            button.setAttribute("hx-get", "/no/such/fragment/");
            document.querySelector("main").append(button);
            htmx.process(button);
        }"""
    )

    # When the user sets it off
    page.get_by_role("button", name="load").click()

    # Then the failure is announced in Thai, with the status
    alert = messages.get_by_role("alert")
    expect(alert).to_have_text("เซิร์ฟเวอร์ไม่สามารถดำเนินการตามคำขอได้ โปรดลองอีกครั้ง (404)")
    expect(messages).to_be_visible()


def test_data_confirm_asks_first_and_a_no_keeps_the_user_on_the_page(page: Page, live: Any) -> None:
    # Given a form that asks for confirmation
    page.goto(f"{live.url}/geography/")
    page.evaluate(
        """() => {
            const form = document.createElement("form");
            form.action = "/organisations/";
            form.dataset.confirm = "ลบจริงหรือไม่";
            form.innerHTML = '<button type="submit">ลบ</button>';
            document.querySelector("main").append(form);
        }"""
    )
    questions: list[str] = []

    def answer(dialog: Any) -> None:
        questions.append(dialog.message)
        if len(questions) == 1:
            dialog.dismiss()
        else:
            dialog.accept()

    page.on("dialog", answer)

    # When the user says no, nothing is submitted
    page.get_by_role("button", name="ลบ").click()
    assert questions == ["ลบจริงหรือไม่"]
    page.wait_for_timeout(300)  # a submission, had it gone, would have left the page by now
    assert page.url == f"{live.url}/geography/"

    # When the user says yes, the form goes
    with page.expect_navigation():
        page.get_by_role("button", name="ลบ").click()
    assert page.url.startswith(f"{live.url}/organisations/")
