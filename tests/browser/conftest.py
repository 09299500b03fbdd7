"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

Run them with `make test-browser` (or `pytest -m browser tests/browser`). Every test in this
folder is marked `browser` automatically.

Fixtures
  browser          one headless Chromium for the session (/usr/bin/chromium, never a download)
  page             a fresh context per test: Thai locale, Bangkok time, 1280x900; a screenshot
                   goes to test-results/ when the test fails
  console_errors   the page's console errors and uncaught exceptions, as a list of strings
  live             the live server (`live.url`), with the reference data loaded and committed
  signed_in_page   `signed_in_page("plans.add_plan", ...)` creates a user with those Django
                   permissions and signs `page` in by copying a `Client.force_login` session
                   cookie into the browser context; it returns the page. Staff and superusers
                   get a confirmed TOTP device and a session verified by it, as the second
                   factor they must use requires

The live server shares the test thread's in-memory SQLite connection, so data the test writes
is visible to it. Its tests are transactional (the tables are emptied after each one), which is
why `live` loads the reference data per test; pytest-django runs transactional tests after the
ordinary ones, so emptying the tables does not take the data from the rest of the suite.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from phaen.core.services import reference_load_all

CHROMIUM = os.environ.get("PHAEN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HERE = Path(__file__).resolve().parent
RESULTS = HERE.parent.parent / "test-results"

# Playwright's sync API keeps an asyncio event loop in this thread, which makes Django refuse
# ORM calls from the test ("You cannot call this from an async context"). The test code is
# synchronous, so the check does not apply.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test collected from this folder as a browser test (before `-m` selects)."""
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the item, so `page` knows whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Launch Debian's Chromium once for the whole session."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM} (make setup installs it).")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """Open a fresh browser context as a Thai user in Bangkok would."""
    context = browser.new_context(
        locale="th-TH",
        timezone_id="Asia/Bangkok",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        RESULTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        page.screenshot(path=str(RESULTS / f"{name}.png"), full_page=True)
    context.close()


@pytest.fixture
def console_errors(page: Page) -> list[str]:
    """Collect console errors and uncaught exceptions from `page` (attach before navigating)."""
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"console: {message.text} ({message.location.get('url', '')})")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    return errors


@pytest.fixture
def live(live_server: Any, transactional_db: Any) -> Any:
    """Return the live server, with the reference data committed where it can read it."""
    reference_load_all()
    return live_server


@pytest.fixture
def signed_in_page(page: Page, live: Any) -> Callable[..., Page]:
    """Return a function that signs `page` in as a new user holding the given permissions.

    Permissions are named as `user.has_perm` names them, "app_label.codename". Signing in
    copies the session cookie of a `Client.force_login` into the browser context: the login
    form is not what these tests are about, and this is faster.
    """

    def sign_in(
        *permissions: str,
        username: str = "browser-user",
        is_staff: bool = False,
        is_superuser: bool = False,
    ) -> Page:
        user = get_user_model().objects.create_user(
            username=username,
            password="x-browser-pass",
            is_staff=is_staff,
            is_superuser=is_superuser,
        )
        for name in permissions:
            app_label, _, codename = name.partition(".")
            try:
                permission = Permission.objects.get(
                    content_type__app_label=app_label, codename=codename
                )
            except Permission.DoesNotExist:
                raise AssertionError(f"No permission named {name!r}.") from None
            user.user_permissions.add(permission)
        client = Client()
        client.force_login(user)
        if is_staff or is_superuser:
            # Administrators must use TOTP (phaen.accounts.middleware): give them a device and
            # a session that django-otp counts as verified, as after signing in with a code.
            device = TOTPDevice.objects.create(user=user, name="browser", confirmed=True)
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        session_cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": session_cookie.value,
                    "url": live.url,
                    "httpOnly": True,
                    "sameSite": "Lax",
                }
            ]
        )
        return page

    return sign_in


@pytest.fixture
def sign_in_as(browser: Browser, live: Any) -> Iterator[Callable[[Any], Page]]:
    """Return a function that opens a new browser page signed in as an existing user.

    Each user gets a context of their own, so a test can walk several people through a flow
    (a planner submits, a committee member approves, the public reads). The second factor is
    passed as after signing in with a code.
    """
    contexts: list[Any] = []

    def open_as(user: Any | None) -> Page:
        context = browser.new_context(
            locale="th-TH", timezone_id="Asia/Bangkok", viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        if user is not None:
            client = Client()
            client.force_login(user)
            device, _ = TOTPDevice.objects.get_or_create(
                user=user, name="browser", defaults={"confirmed": True}
            )
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
            context.add_cookies(
                [
                    {
                        "name": settings.SESSION_COOKIE_NAME,
                        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                        "url": live.url,
                        "httpOnly": True,
                        "sameSite": "Lax",
                    }
                ]
            )
        return context.new_page()

    yield open_as
    for context in contexts:
        context.close()
