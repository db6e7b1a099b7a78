"""Check that the Python playwright package can drive Debian's chromium.

Run by `scripts/test-services.sh start` (with .venv/bin/python) so that a broken
browser setup fails early with a clear message instead of inside the tests.
Never runs `playwright install`: the browser is Debian's package.
"""

import os
import sys
from urllib.parse import quote

CHROMIUM = os.environ.get("OPSFLOW_TEST_CHROMIUM", "/usr/bin/chromium")
# Keep in sync with the `chromium_args` fixture in tests/conftest.py.
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
TITLE = "opsflow browser check 运营中心"


def main() -> int:
    if not os.access(CHROMIUM, os.X_OK):
        print(f"check-browser: {CHROMIUM} not found (apt-get install chromium)", file=sys.stderr)
        return 1
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        print(f"check-browser: Python playwright is not importable ({exc}); run 'make venv'", file=sys.stderr)
        return 1
    url = "data:text/html;charset=utf-8," + quote(f"<title>{TITLE}</title><p>ok</p>")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, timeout=60_000
            )
            try:
                page = browser.new_page()
                page.goto(url)
                title = page.title()
                version = browser.version
            finally:
                browser.close()
    except Exception as exc:  # noqa: BLE001 - report any launch failure plainly
        print(f"check-browser: launching {CHROMIUM} through playwright failed:\n{exc}", file=sys.stderr)
        return 1
    if title != TITLE:
        print(f"check-browser: unexpected page title {title!r}", file=sys.stderr)
        return 1
    print(f"check-browser: chromium {version} OK, title {title!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
