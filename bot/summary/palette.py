"""The summary's colours, light and dark, each text colour checked against its background.

Mail clients honour inline styles and drop most ``<style>`` blocks, so the light palette is
written inline; clients that do honour ``@media (prefers-color-scheme: dark)`` (Apple Mail,
iOS Mail, Outlook for Mac) get the dark palette from one small style block, and the others
invert the light one themselves. Every text colour is declared with an explicit background
so an inverting client keeps the pair together. The pairs in :data:`TEXT_PAIRS` must reach
WCAG 2.x contrast 4.5:1 (success criterion 1.4.3, normal text); a test computes them.
"""

from __future__ import annotations

__all__ = ["DARK", "LIGHT", "TEXT_PAIRS", "contrast_ratio", "dark_mode_css", "relative_luminance"]

LIGHT: dict[str, str] = {
    "page": "#ffffff",
    "card": "#f3f5f8",
    "text": "#1b2733",
    "muted": "#4f5b67",
    "heading": "#12395c",
    "link": "#0b52b8",
    "alert": "#a3001b",
    "alert_bg": "#fdecee",
    "rule": "#d5dbe1",
    "chip": "#e6edf5",
    # Chart fills (not text): the ageing buckets young to old, timeline, referrals.
    "age0": "#4f8fd6",
    "age1": "#e0a526",
    "age2": "#e0672c",
    "age3": "#b3172f",
    "bar": "#3d7cc9",
    "bar_today": "#12395c",
    "bar_late": "#b3172f",
    "track": "#e3e8ee",
}

DARK: dict[str, str] = {
    "page": "#121820",
    "card": "#1c2631",
    "text": "#e4e9ee",
    "muted": "#aab6c2",
    "heading": "#a9cdf2",
    "link": "#8cbcf5",
    "alert": "#ff9aa5",
    "alert_bg": "#3a1d22",
    "rule": "#334150",
    "chip": "#263444",
    "age0": "#6fa8e8",
    "age1": "#e8b54a",
    "age2": "#ec8450",
    "age3": "#e0576b",
    "bar": "#6fa8e8",
    "bar_today": "#a9cdf2",
    "bar_late": "#e0576b",
    "track": "#2a3643",
}

# (text colour, background) pairs the templates use, by palette key.
TEXT_PAIRS: tuple[tuple[str, str], ...] = (
    ("text", "page"),
    ("text", "card"),
    ("text", "chip"),
    ("muted", "page"),
    ("muted", "card"),
    ("heading", "page"),
    ("heading", "card"),
    ("heading", "chip"),
    ("link", "page"),
    ("link", "card"),
    ("alert", "page"),
    ("alert", "card"),
    ("alert", "alert_bg"),
    ("text", "alert_bg"),
)

# Elements carry a class per palette role; the dark block overrides colour and background.
_ROLES: tuple[tuple[str, str, str | None], ...] = (
    # (class, text key, background key)
    ("c-page", "text", "page"),
    ("c-card", "text", "card"),
    ("c-chip", "heading", "chip"),
    ("c-muted", "muted", None),
    ("c-heading", "heading", None),
    ("c-link", "link", None),
    ("c-alert", "alert", None),
    ("c-alertbox", "text", "alert_bg"),
    ("c-rule", "rule", None),
)
_FILLS = ("age0", "age1", "age2", "age3", "bar", "bar_today", "bar_late", "track")


def dark_mode_css() -> str:
    """The ``prefers-color-scheme: dark`` rules (one line each, ``!important`` beats inline)."""
    rules = []
    for cls, text, background in _ROLES:
        decl = f"color:{DARK[text]}!important;"
        if background:
            decl += f"background-color:{DARK[background]}!important;"
        if cls == "c-rule":
            decl = f"border-color:{DARK['rule']}!important;"
        rules.append(f".{cls}{{{decl}}}")
    rules += [f".f-{name}{{background-color:{DARK[name]}!important;}}" for name in _FILLS]
    return "@media (prefers-color-scheme: dark){" + "".join(rules) + "}"


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of ``#rrggbb``."""
    value = colour.lstrip("#")
    if len(value) != 6:
        raise ValueError(f"not a #rrggbb colour: {colour!r}")
    channels = []
    for i in (0, 2, 4):
        c = int(value[i : i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    r, g, b = channels
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours, 1.0 to 21.0."""
    a, b = relative_luminance(foreground), relative_luminance(background)
    light, dark = max(a, b), min(a, b)
    return (light + 0.05) / (dark + 0.05)
