"""Which browser on which system a session signed in from, in plain words.

The sessions page names each session "Firefox on Windows" instead of showing
the raw User-Agent header. The header is the browser's own claim, so this is
a description, never a security check; anything unrecognised is named as
such. Order matters: browsers built on Chrome also say "Chrome" and
"Safari", and Chrome says "Safari" too, so the more specific names come first.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

# (pattern, name): the first pattern found in the header names the browser.
BROWSERS = (
    (re.compile(r"\bEdg(e|A|iOS)?/"), "Edge"),
    (re.compile(r"\b(OPR|Opera)/"), "Opera"),
    (re.compile(r"\bSamsungBrowser/"), "Samsung Internet"),
    (re.compile(r"\bVivaldi/"), "Vivaldi"),
    (re.compile(r"\b(Firefox|FxiOS)/"), "Firefox"),
    (re.compile(r"\b(HeadlessChrome|Chrome|Chromium|CriOS)/"), "Chrome"),
    (re.compile(r"\bVersion/[\d.]+.*\bSafari/"), "Safari"),
)
SYSTEMS = (
    (re.compile(r"\b(iPhone|iPad|iPod)\b"), "iOS"),
    (re.compile(r"\bAndroid\b"), "Android"),
    (re.compile(r"\bCrOS\b"), "ChromeOS"),
    (re.compile(r"\bWindows\b"), "Windows"),
    (re.compile(r"\bMac OS X\b|\bMacintosh\b"), "macOS"),
    (re.compile(r"\bLinux\b|\bX11\b"), "Linux"),
)


def _first(table, header: str) -> str:
    return next((name for pattern, name in table if pattern.search(header)), "")


def describe(user_agent: str) -> str:
    """ "Firefox on Windows", "Safari on iOS", or as much of it as is known."""
    header = user_agent or ""
    browser, system = _first(BROWSERS, header), _first(SYSTEMS, header)
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    if browser:
        return browser
    if system:
        return _("A browser on %(system)s") % {"system": system}
    return _("An unknown browser")
