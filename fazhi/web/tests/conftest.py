"""Browser fixtures shared by the Playwright journeys (headless Debian chromium)."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from conftest import PASSWORD

# axe-core from the npm package (package.json pins it), injected from disk: never a CDN
AXE = Path(__file__).resolve().parents[3] / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}

# Playwright's sync API runs an event loop in this thread; the ORM calls below are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield b
        b.close()


def login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("待办事项")


def nav_to(page: Page, label: str) -> None:
    """Open a navigation entry the way a user does: the menu button on a phone, then the group's
    dropdown, then the entry."""
    toggler = page.locator("nav button.navbar-toggler")
    if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
        toggler.click()
    name = re.compile(f"^{re.escape(label)}$")
    menu = page.locator("#nav-main li.dropdown").filter(has=page.locator("a.dropdown-item", has_text=name))
    menu.locator("button.dropdown-toggle").click()
    menu.locator("a.dropdown-item", has_text=name).click()


def axe_check(page: Page) -> None:
    """Run axe-core on the page as it is now; fail on any violation of impact serious or critical."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # evaluated by the browser's devtools protocol: the page's Content-Security-Policy (no
        # inline script) would refuse it as a script tag, as it should
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;true")
    found = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
            .filter(v => v.impact === "serious" || v.impact === "critical")
            .map(v => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map(n => n.target.join(" ")).join("; ")}`)"""
    )
    assert not found, f"{page.url}: " + " | ".join(found)


def no_sideways_scroll(page: Page) -> None:
    width, viewport = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= viewport, f"{page.url} is {width}px wide in a {viewport}px window"


def page_ok(page: Page) -> None:
    """What every page of a journey keeps: plain Chinese (no English, codes, digests or raw data
    outside 技术信息), no serious axe violation, no sideways scrolling."""
    from fazhi.web.pagecheck import page_problems

    page.wait_for_load_state("load")
    problems = page_problems(page.content())
    assert not problems, f"{page.url}: " + " | ".join(problems[:10])
    no_sideways_scroll(page)
    axe_check(page)


def portal_nav_to(page: Page, label: str) -> None:
    """A section of the public portal from its menu (the menu button first on a phone)."""
    toggler = page.locator("nav button.navbar-toggler")
    if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
        toggler.click()
    page.locator("#nav-portal a.nav-link", has_text=re.compile(f"^{re.escape(label)}$")).click()
