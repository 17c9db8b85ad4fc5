"""The demo practice's HTML summary, rendered in headless Chromium at phone and desktop width.

Checks what a practitioner would see: nothing wider than the screen, the drafts to sign on the
first phone screen, every text colour readable (WCAG 4.5:1) in light and dark mode, semantic
headings, and nothing a mail client would block or fetch (no scripts, no remote resources).
Screenshots go to ``test-artifacts/summary/`` (``CHIEF_TEST_ARTIFACTS`` moves them) for a
look; assertion messages name elements and colours only, never the summary's text.

Chromium is Debian's (``/usr/bin/chromium``, or ``CHIEF_CHROMIUM``) driven over the DevTools
protocol by Playwright's Python package; without it this test fails with what to install
rather than skip: the layout is the feature.
"""

from __future__ import annotations

import email
import email.policy
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.cli.demo import run_demo
from bot.summary.palette import contrast_ratio

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
PHONE = (390, 844)  # iPhone 12-15 CSS pixels
DESKTOP = (1280, 800)
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str:
    path = os.environ.get("CHIEF_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).is_file():
        pytest.fail(
            f"Chromium not found at {path}: install Debian's `chromium` (apt-get install "
            "chromium fonts-dejavu-core) or set CHIEF_CHROMIUM; this test is not skipped",
            pytrace=False,
        )
    return path


def _artifacts() -> Path:
    folder = Path(os.environ.get("CHIEF_TEST_ARTIFACTS") or ROOT / "test-artifacts") / "summary"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def summary_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo practice's delivered summary, its HTML part written to a file."""
    home = tmp_path_factory.mktemp("demo")
    result = run_demo(home, "sports-medicine-us", None, progress=False)
    msg = email.message_from_bytes(
        Path(result["summary"]).read_bytes(), policy=email.policy.default
    )
    html = msg.get_body(preferencelist=("html",))
    assert html is not None
    path = _artifacts() / "summary.html"
    path.write_text(str(html.get_content()), encoding="utf-8")
    return path


@dataclass
class Browser:
    context: Any
    requested: list[str]


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    executable = _chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright's Python package is missing: pip install -e '.[test]'")
    profile = tmp_path_factory.mktemp("chromium-profile")  # a fresh --user-data-dir
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=executable,
            headless=True,
            args=CHROMIUM_FLAGS,
            offline=True,
        )
        requested: list[str] = []

        def guard(route: Any) -> None:
            url = route.request.url
            if url.startswith("file:"):
                route.continue_()
            else:  # a mail client would fetch it: record and refuse
                requested.append(url.split("?")[0][:80])
                route.abort()

        context.route("**/*", guard)
        try:
            yield Browser(context, requested)
        finally:
            context.close()


def _open(browser: Browser, path: Path, size: tuple[int, int], scheme: str = "light") -> Any:
    page = browser.context.new_page()
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.emulate_media(color_scheme=scheme)
    page.goto(path.resolve().as_uri())
    page.wait_for_load_state("load")
    return page


_LAYOUT = """() => {
  const w = window.innerWidth;
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width && (r.right > w + 0.5 || r.left < -0.5)) wide.push(el.tagName.toLowerCase());
  }
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: w, wide: wide};
}"""

_COLOURS = """() => {
  const rgb = s => s.match(/[0-9.]+/g).map(Number);
  const background = el => {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length < 4 || c[3] > 0) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const pairs = new Set();
  for (const el of document.body.querySelectorAll('*')) {
    const own = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length) continue;
    const fg = rgb(getComputedStyle(el).color).slice(0, 3);
    pairs.add(JSON.stringify([el.tagName.toLowerCase(), fg, background(el)]));
  }
  return Array.from(pairs).map(p => JSON.parse(p));
}"""


def _hex(rgb: list[float]) -> str:
    return "#" + "".join(f"{round(c):02x}" for c in rgb)


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone-390", "desktop-1280"])
def test_nothing_is_wider_than_the_screen(
    browser: Browser, summary_file: Path, size: tuple[int, int]
) -> None:
    page = _open(browser, summary_file, size)
    layout = page.evaluate(_LAYOUT)
    page.screenshot(path=str(_artifacts() / f"summary-{size[0]}.png"))
    page.screenshot(path=str(_artifacts() / f"summary-{size[0]}-full.png"), full_page=True)
    page.close()
    assert layout["innerWidth"] == size[0]
    assert layout["scrollWidth"] <= size[0], f"page is {layout['scrollWidth']}px wide"
    assert layout["wide"] == [], f"elements past the edge: {sorted(set(layout['wide']))}"
    assert browser.requested == [], "the summary asked for remote resources"


def test_to_sign_is_on_the_first_phone_screen(browser: Browser, summary_file: Path) -> None:
    page = _open(browser, summary_file, PHONE)
    boxes = page.evaluate(
        """() => Object.fromEntries(['to-sign', 'overdue'].map(id => {
             const r = document.getElementById(id).getBoundingClientRect();
             return [id, {top: r.top, bottom: r.bottom, height: r.height}];
           }))"""
    )
    chips = page.evaluate(
        "() => Array.from(document.querySelectorAll('header td'))"
        ".map(td => td.getBoundingClientRect().bottom)"
    )
    links = page.evaluate(
        "() => Array.from(document.querySelectorAll('#to-sign li a'))"
        ".map(a => a.getAttribute('href').split(':')[0])"
    )
    page.close()
    to_sign = boxes["to-sign"]
    assert to_sign["height"] > 100, "the to-sign section is empty"
    assert to_sign["top"] >= 0 and to_sign["bottom"] <= PHONE[1], f"to sign at {to_sign}"
    assert len(chips) == 4 and max(chips) < to_sign["top"]  # the counts come first
    assert boxes["overdue"]["top"] < PHONE[1]  # and the overdue heading starts on screen 1
    assert links and set(links) == {"file"}, "each draft links to its file in the Maildir"


def test_markup_is_safe_for_mail_clients_and_semantic(browser: Browser, summary_file: Path) -> None:
    page = _open(browser, summary_file, PHONE)
    facts = page.evaluate(
        """() => ({
          scripts: document.querySelectorAll('script').length,
          remote: Array.from(document.querySelectorAll('[src], link[href]')).length,
          resources: performance.getEntriesByType('resource').length,
          headings: Array.from(document.querySelectorAll('h1,h2,h3,h4,h5,h6'))
                         .map(h => Number(h.tagName[1])),
          h2: Array.from(document.querySelectorAll('h2')).map(h => h.textContent.trim()),
          lang: document.documentElement.lang,
          charts: Array.from(document.querySelectorAll('[role=img]'))
                       .filter(c => !(c.getAttribute('aria-label') || '').trim()).length,
          scheme: document.querySelector('meta[name=color-scheme]').content,
        })"""
    )
    page.close()
    assert facts["scripts"] == 0 and facts["remote"] == 0 and facts["resources"] == 0
    assert facts["lang"] == "en" and facts["scheme"] == "light dark"
    assert facts["h2"] == ["Needs you today", "The week ahead", "Everything else"]
    levels = facts["headings"]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), "heading skipped"
    assert facts["charts"] == 0, "a chart without a text alternative"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_text_is_readable(browser: Browser, summary_file: Path, scheme: str) -> None:
    page = _open(browser, summary_file, PHONE, scheme)
    pairs = page.evaluate(_COLOURS)
    page.screenshot(path=str(_artifacts() / f"summary-{PHONE[0]}-{scheme}.png"))
    page.close()
    assert len(pairs) >= 3
    poor = sorted(
        {
            (tag, _hex(fg), _hex(bg), round(contrast_ratio(_hex(fg), _hex(bg)), 2))
            for tag, fg, bg in pairs
            if contrast_ratio(_hex(fg), _hex(bg)) < 4.5
        }
    )
    assert poor == [], f"{scheme}: text below 4.5:1 (tag, colour, background, ratio): {poor}"
    if scheme == "dark":
        backgrounds = {_hex(bg) for _, _, bg in pairs}
        assert "#ffffff" not in backgrounds, "a white background left in dark mode"
