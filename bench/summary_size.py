"""How long the daily summary is where it is read: each demo practice's delivered summary,
its HTML part rendered in headless Chromium at phone width (390 CSS pixels), and its text part.

Printed, one ``name: value`` a line, per demo practice (``sports_medicine_us`` …):

``<practice>_phone_height_px``
    the HTML part's page height at 390 px wide (the goal: at most 2,600, three phone screens)
``<practice>_phone_screens``
    that height over one screen of 844 px (an iPhone 12-15)
``<practice>_desktop_height_px``
    the page height at 1,280 px wide
``<practice>_text_chars``
    characters in the text part (the goal: at most 6,000)
``<practice>_links_file``
    ``file://`` links in the delivered HTML (the goal: none; they open nothing on a phone)

    python bench/summary_size.py [--keep DIR]

Needs Debian's ``chromium`` (or ``CHIEF_CHROMIUM``) and Playwright's Python package (the test
extras). ``--keep DIR`` leaves the demo homes and phone screenshots there.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.cli.demo import run_demo  # noqa: E402

PRACTICES = ("sports-medicine-us", "integrative-medicine", "occupational-therapy-uk")
PHONE = (390, 844)
DESKTOP = (1280, 800)
FILE_LINK = 'href="file:'


def _parts(summary: Path) -> tuple[str, str]:
    msg = email.message_from_bytes(summary.read_bytes(), policy=email.policy.default)
    text = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return str(text.get_content()), str(html.get_content())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", type=Path, help="leave the demo homes and screenshots here")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="summary-size-"))
    work.mkdir(parents=True, exist_ok=True)
    chromium = os.environ.get("CHIEF_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"

    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=chromium, headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            for practice in PRACTICES:
                home = work / practice
                result = run_demo(home, practice, None, progress=False)
                text, html = _parts(Path(result["summary"]))
                page_file = home / "summary-delivered.html"
                page_file.write_text(html, encoding="utf-8")
                name = practice.replace("-", "_")
                heights = {}
                for label, (width, height) in (("phone", PHONE), ("desktop", DESKTOP)):
                    page = browser.new_page(viewport={"width": width, "height": height})
                    page.goto(page_file.resolve().as_uri())
                    heights[label] = page.evaluate("document.documentElement.scrollHeight")
                    if args.keep and label == "phone":
                        page.screenshot(path=str(home / "phone.png"), full_page=True)
                    page.close()
                print(f"{name}_phone_height_px: {heights['phone']}")
                print(f"{name}_phone_screens: {heights['phone'] / PHONE[1]:.2f}")
                print(f"{name}_desktop_height_px: {heights['desktop']}")
                print(f"{name}_text_chars: {len(text)}")
                print(f"{name}_links_file: {html.count(FILE_LINK)}")
            browser.close()
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
