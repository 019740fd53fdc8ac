"""The owner's HTML report as the owner sees it: a real headless Chromium
opens the page of a constructed month, on a phone (390×844) and on a
desktop, in French and in English.

What is checked is what a reader would notice: the verdict is on screen,
every chart has a size and stays inside the screen's width, nothing is
asked from the network and nothing goes wrong in the console. The pages'
screenshots are kept in ``$STAMPDESK_ARTIFACTS`` (else ``test-artifacts/``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import ARTIFACTS, CHROMIUM_ARGS, DESKTOP, PHONE

from helpers import report_history
from stampdesk.report_formats import report_html
from stampdesk.services.report import Report

LOCALES = {"fr": ("fr_FR", "Europe/Paris"), "en": ("en_GB", "Europe/London")}


@pytest.fixture(params=sorted(LOCALES))
def march(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Report, str]]:
    """The report of the constructed March, in the shop's language."""
    locale, zone = LOCALES[request.param]
    desk = report_history(f"sqlite:///{tmp_path / 'shop.db'}", locale=locale, timezone=zone)
    try:
        yield desk.report("2026-03-01", "2026-03-30"), locale
    finally:
        desk.close()


@pytest.mark.parametrize(("screen", "size"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_the_report_page_reads_on_a_phone_and_a_desktop(
    chromium_path: str,
    march: tuple[Report, str],
    tmp_path: Path,
    screen: str,
    size: dict[str, int],
) -> None:
    from playwright.sync_api import sync_playwright

    report, locale = march
    page_file = tmp_path / "report.html"
    page_file.write_text(report_html(report, locale), encoding="utf-8")
    requests: list[str] = []
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            phone = screen == "phone"
            context = browser.new_context(
                viewport=size,
                device_scale_factor=2 if phone else 1,
                is_mobile=phone,
                has_touch=phone,
                locale=locale.replace("_", "-"),
            )
            page = context.new_page()
            page.set_default_timeout(10_000)
            page.on("request", lambda r: requests.append(r.url))
            page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(page_file.as_uri())
            page.wait_for_load_state("load")

            verdict = page.locator("#verdict")
            assert verdict.is_visible()
            assert verdict.inner_text() == report.verdict
            box = verdict.bounding_box()
            assert box is not None and box["y"] < size["height"] / 2  # near the top, read first

            width = size["width"]
            charts: list[dict[str, Any]] = page.eval_on_selector_all(
                "svg",
                "els => els.map(e => { const r = e.getBoundingClientRect();"
                " return {label: e.getAttribute('aria-label'), role: e.getAttribute('role'),"
                " left: r.left, right: r.right, width: r.width, height: r.height}; })",
            )
            # Five tiles' plots, the weeks, the coupons and the channels.
            assert len(charts) == 8
            for chart in charts:
                assert chart["role"] == "img" and chart["label"], chart
                assert chart["width"] > 20 and chart["height"] > 10, chart
                assert chart["left"] >= 0 and chart["right"] <= width, chart
            # The page scrolls down, never sideways.
            assert page.evaluate("document.documentElement.scrollWidth") <= width

            # Each week's bars say what they are: members' and walk-ins' visits.
            bars = page.locator("#weeks-chart rect title")
            assert bars.count() == 2 * len(report.weeks)
            assert page.get_by_role("img", name=report.verdict).count() == 0  # labels are the charts'
            top = page.locator("table.top tbody tr")
            assert top.count() == len(report.top_customers)
            assert top.first.locator("th").inner_text() == "Ana"
            french = locale.startswith("fr")
            assert page.locator("text=" + ("Panier moyen" if french else "Average basket")).first.is_visible()
            heat = page.locator("table.heat td[style]")
            assert heat.count() >= 1  # February's members: half came back in March

            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            shot = ARTIFACTS / f"report-{screen}-{locale[:2]}.png"
            page.screenshot(path=str(shot), full_page=True)
            # Printed on A4 (its 186 mm between margins, at 96 dpi): no chart cut.
            paper = browser.new_context(viewport={"width": 703, "height": 1000})
            printed = paper.new_page()
            printed.emulate_media(media="print")
            printed.goto(page_file.as_uri())
            right = printed.eval_on_selector_all(
                "svg", "els => Math.max(...els.map(e => e.getBoundingClientRect().right))"
            )
            assert right <= 703
            assert printed.evaluate("document.documentElement.scrollWidth") <= 703
            assert printed.pdf(format="A4", margin={"top": "12mm", "bottom": "12mm"}).startswith(b"%PDF")
        finally:
            browser.close()
    assert problems == []
    assert requests == [page_file.as_uri()] * len(requests) and len(requests) == 1
    assert shot.stat().st_size > 10_000
