"""The three demo practices' delivered summaries, the HTML part rendered in headless Chromium at
phone (390 px) and desktop width, light and dark.

Checks what a practitioner would see: the whole page within three phone screens (2,600 px at
390 px wide) and the text part within 6,000 characters; what is due today and overdue on the
first phone screen; the practitioner's words (no rule, clock or template ids, no database
numbers for cases); links that open where the summary is read (no ``file://``); dates and
times as the practice's country writes them; nothing wider than the screen; every text
colour readable (WCAG 4.5:1) in light and dark mode; semantic headings; nothing a mail client
would block or fetch. The delivered message is parsed back: multipart/alternative, no
defects, lines within RFC 5322 / RFC 2045 limits.

Screenshots go to ``test-artifacts/summary/`` (``CHIEF_TEST_ARTIFACTS`` moves them; git
ignores it) for a look; assertion messages name elements, colours and figures only, never the
summary's text.

Chromium is Debian's (``/usr/bin/chromium``, or ``CHIEF_CHROMIUM``) driven over the DevTools
protocol by Playwright's Python package; without it this test fails with what to install
rather than skip: the layout is the feature.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
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
MAX_PHONE_HEIGHT = 2_600  # three phone screens, give or take the browser's bars
MAX_TEXT_CHARS = 6_000
PRACTICES = ("sports-medicine-us", "integrative-medicine", "occupational-therapy-uk")
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


@dataclass(frozen=True)
class Delivered:
    """One demo practice's delivered summary: the raw message, its parts, the HTML on disk."""

    practice: str
    raw: bytes
    text: str
    html: str
    path: Path
    home: Path


@pytest.fixture(scope="module")
def delivered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Delivered]:
    """Each demo practice's delivered summary, its HTML part written to a file."""
    out = {}
    for practice in PRACTICES:
        home = tmp_path_factory.mktemp(practice)
        result = run_demo(home, practice, None, progress=False)
        raw = Path(result["summary"]).read_bytes()
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        text, html = msg.get_body(preferencelist=("plain",)), msg.get_body(("html",))
        assert text is not None and html is not None
        path = _artifacts() / f"{practice}.html"
        path.write_text(str(html.get_content()), encoding="utf-8")
        out[practice] = Delivered(
            practice, raw, str(text.get_content()), str(html.get_content()), path, home
        )
    return out


@pytest.fixture(scope="module")
def summary_file(delivered: dict[str, Delivered]) -> Path:
    """The default demo practice's HTML summary."""
    return delivered["sports-medicine-us"].path


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


def _shot(page: Any, name: str, full: bool = False) -> None:
    page.screenshot(path=str(_artifacts() / f"{name}.png"), full_page=full)


@pytest.mark.parametrize("practice", PRACTICES)
def test_each_summary_fits_three_phone_screens_and_six_thousand_characters(
    browser: Browser, delivered: dict[str, Delivered], practice: str
) -> None:
    summary = delivered[practice]
    heights = {}
    for scheme in ("light", "dark"):
        page = _open(browser, summary.path, PHONE, scheme)
        heights[scheme] = page.evaluate("document.documentElement.scrollHeight")
        _shot(page, f"{practice}-phone-{scheme}")  # the first screen, as a phone shows it
        _shot(page, f"{practice}-phone-{scheme}-full", full=True)
        page.close()
    page = _open(browser, summary.path, DESKTOP)
    _shot(page, f"{practice}-desktop-light", full=True)
    page.close()
    assert heights["light"] == heights["dark"]
    assert heights["light"] <= MAX_PHONE_HEIGHT, f"{heights['light']} px tall at 390 px"
    assert len(summary.text) <= MAX_TEXT_CHARS, f"text part: {len(summary.text)} characters"


@pytest.mark.parametrize("practice", PRACTICES)
def test_todays_work_is_on_the_first_phone_screen(
    browser: Browser, delivered: dict[str, Delivered], practice: str
) -> None:
    page = _open(browser, delivered[practice].path, PHONE)
    boxes = page.evaluate(
        """() => Object.fromEntries(
             ['due-today', 'overdue', 'decide', 'drafts', 'calendar'].map(id => {
               const r = document.getElementById(id).getBoundingClientRect();
               const item = document.querySelector('#' + id + ' li');
               const first = item ? item.getBoundingClientRect().bottom : null;
               return [id, {top: r.top, bottom: r.bottom, first: first}];
             }))"""
    )
    chips = page.evaluate(
        "() => Array.from(document.querySelectorAll('header td'))"
        ".map(td => td.getBoundingClientRect().bottom)"
    )
    page.close()
    due, overdue = boxes["due-today"], boxes["overdue"]
    assert due["first"] is not None, "nothing due today in the demo"
    assert len(chips) == 4 and max(chips) < due["top"]  # the counts come first
    assert due["top"] >= 0 and due["bottom"] <= PHONE[1], f"due today at {due}"
    assert overdue["first"] is not None and overdue["first"] <= PHONE[1], "no overdue on screen 1"
    tops = [boxes[k]["top"] for k in ("due-today", "overdue", "decide", "drafts", "calendar")]
    assert tops == sorted(tops), "today's work out of order"


def _system_words(home: Path) -> set[str]:
    """Every rule id, clock id and template name the demo practice runs with."""
    words = set()
    for folder in (ROOT / "rules", home / "rules"):
        for path in folder.rglob("*.yaml"):
            words |= set(
                re.findall(
                    r"(?m)^\s*-?\s*id:\s*([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)", path.read_text()
                )
            )
    for path in (ROOT / "templates").rglob("*.j2"):
        words |= {path.name, path.stem, f"{path.parent.name}/{path.name}"}
    words -= {"summary.html", "summary.txt"}
    return {w for w in words if "_" in w or "." in w or "/" in w}


@pytest.mark.parametrize("practice", PRACTICES)
def test_the_summary_speaks_the_practitioners_words(
    browser: Browser, delivered: dict[str, Delivered], practice: str
) -> None:
    summary = delivered[practice]
    page = _open(browser, summary.path, PHONE)
    shown = page.evaluate("() => document.body.innerText")
    hrefs = page.evaluate(
        "() => Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href'))"
    )
    page.close()
    system = _system_words(summary.home)
    assert len(system) > 100  # rule ids, clock ids, template names
    for part, words in (("html", shown), ("text", summary.text)):
        found = sorted(w for w in system if w in words)
        assert found == [], f"{practice} {part}: system names shown: {found[:5]}"
        for pattern in (
            r"\bcase #?\d+\b",  # a database number; short ids are letters and digits
            r"\.j2\b",
            r"business days after|calendar days after|after message date|stated in the message",
            r"\b(?:prior_auth|medico_legal|local_authority|lab_result|supplement_order)\b",
            r"\b\d{4}-\d{2}-\d{2}\b",  # ISO dates: the practice's own format instead
            r"file:",
        ):
            assert not re.search(pattern, words), f"{practice} {part}: {pattern!r} matched"
    # Links open where the summary is read: web links only.
    assert hrefs and all(h.startswith("https://") for h in hrefs), "a link that opens nothing"


@pytest.mark.parametrize("practice", PRACTICES)
def test_dates_and_times_follow_the_practices_country(
    delivered: dict[str, Delivered], practice: str
) -> None:
    summary = delivered[practice]
    flat = " ".join(summary.text.split())
    if practice.endswith("-uk"):
        assert "Meadowbank Occupational Therapy — Tuesday 24 November" in flat
        assert re.search(r"was due Mon 23 Nov\b", flat) and "(GMT)" in flat
        assert not re.search(r"\d:\d\d [AP]M", flat) and "Nov 23" not in flat
    else:
        assert "— Tuesday, November 24" in flat
        assert "was due Mon, Nov 23" in flat and re.search(r"\b\d{1,2}:\d\d [AP]M\b", flat)
        zone = "(PST)" if practice == "integrative-medicine" else "(EST)"
        assert zone in flat and "23 Nov" not in flat


@pytest.mark.parametrize("practice", PRACTICES)
def test_the_delivered_message_parses_back_within_the_line_limits(
    delivered: dict[str, Delivered], practice: str
) -> None:
    raw = delivered[practice].raw
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg.get_content_type() == "multipart/alternative" and not msg.defects
    parts = list(msg.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert all(
        not p.defects and p["Content-Transfer-Encoding"] == "quoted-printable" for p in parts
    )
    lines = raw.split(b"\r\n")
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")  # CRLF only
    assert max(len(line) for line in lines) <= 998  # RFC 5322 2.1.1, the hard limit
    head, body = raw.split(b"\r\n\r\n", 1)
    long = [line.split(b":")[0] for line in head.split(b"\r\n") if len(line) > 78]
    assert long in ([], [b"Message-ID"]), long  # folded at 78 but for one unbreakable id
    # Each part: its headers folded at 78; its quoted-printable body in lines of at most 76
    # characters (RFC 2045 6.7).
    boundary = msg.get_boundary()
    assert boundary is not None
    sections = body.split(b"--" + boundary.encode())[1:-1]
    assert len(sections) == 2
    for section in sections:
        part_head, part_body = section.strip(b"\r\n").split(b"\r\n\r\n", 1)
        assert max(len(line) for line in part_head.split(b"\r\n")) <= 78
        assert max(len(line) for line in part_body.split(b"\r\n")) <= 76
    text = parts[0].get_content()
    assert max(len(line) for line in text.splitlines()) <= 78 + 20  # a long link may overrun


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
    assert [h.split(" (")[0] for h in facts["h2"]] == [
        "Due today",
        "Overdue",
        "To decide",
        "Drafts to sign",
        "Needs a look",
        "Today's calendar",
        "Everything else",
    ]
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
