"""Fixtures for the browser tests: the app on loopback and headless Chromium.

Every page records its requests and console errors; at teardown a test fails
if its page asked any origin but the test server, or logged an error that the
test did not announce. A missing Chromium is a failure, never a skip.
"""

import re
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import sync_playwright

from tests.browser.harness import (
    DESKTOP,
    REAL_WEIGHTS,
    launch_chromium,
    running_app,
    write_tiny_weights,
)

# Records the pointer types the page saw, so a test knows which path ran.
RECORD_POINTERS = """
  window.seenPointerTypes = [];
  addEventListener('pointerdown', (e) => seenPointerTypes.push(e.pointerType),
    true);
"""


@pytest.fixture(scope="session")
def browser_weights(tmp_path_factory):
    if REAL_WEIGHTS.exists():
        return REAL_WEIGHTS
    return write_tiny_weights(tmp_path_factory.mktemp("weights") / "tiny.npz")


@pytest.fixture(scope="session")
def real_weights(browser_weights):
    """True when the trained model runs, so drawn digits must be read right."""
    return browser_weights == REAL_WEIGHTS


@pytest.fixture(scope="session")
def server_url(browser_weights):
    with running_app(browser_weights) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@dataclass
class PageLog:
    requests: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    expected_errors: tuple = ()

    def outside_requests(self, server_url):
        return [
            url
            for url in self.requests
            if not url.startswith(server_url + "/") and not url.startswith("data:")
        ]

    def unexpected_errors(self):
        return [
            text
            for text in self.errors
            if not any(re.search(p, text) for p in self.expected_errors)
        ]


class Pages:
    """Opens pages of the test server in fresh contexts and checks them."""

    def __init__(self, browser, server_url):
        self.browser = browser
        self.server_url = server_url
        self.contexts = []
        self.logs = {}

    def open(self, options=None, expected_errors=()):
        context = self.browser.new_context(**(options or DESKTOP))
        self.contexts.append(context)
        context.add_init_script(RECORD_POINTERS)
        page = context.new_page()
        log = self.logs[page] = PageLog(expected_errors=tuple(expected_errors))
        context.on("request", lambda request: log.requests.append(request.url))
        page.on("console", lambda m: m.type == "error" and log.errors.append(m.text))
        page.on("pageerror", lambda error: log.errors.append(str(error)))
        page.goto(self.server_url + "/")
        # main.js has run once the ten bars exist.
        page.locator("[data-testid=bars] li").nth(9).wait_for()
        return page

    def check(self):
        for log in self.logs.values():
            assert log.outside_requests(self.server_url) == []
            assert log.unexpected_errors() == []

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture
def pages(browser, server_url):
    pages = Pages(browser, server_url)
    yield pages
    pages.close()
    pages.check()
