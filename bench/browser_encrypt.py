"""Browser encryption (informational): milliseconds for headless Chromium to encrypt a
4 MiB attachment (the policy's total limit) to the team's key with the vendored OpenPGP.js,
as the form does (a binary, uncompressed message that carries the file name).

The page is served by Playwright from a local origin (a secure context, as the form's is),
loads the vendored build with its integrity hash and fetches nothing else; the key is the
local stack's demo key. Median of repeated runs after a warm-up; --smoke encrypts 64 KiB
once (no timing value).
"""

from __future__ import annotations

import shutil
import statistics
from typing import Any

from bench import common

ATTACHMENT_BYTES = 4 * 1024 * 1024
SMOKE_BYTES = 64 * 1024
ORIGIN = "http://127.0.0.1:9"  # never contacted: Playwright answers every request
VENDORED = common.PROJECT_DIR / "chalicelib" / "web" / "static" / "vendor" / "openpgp.min.js"
TEAM_KEY = common.PROJECT_DIR / "chalicelib" / "demo-team-key.asc"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
# One run in the page: random bytes (not timed), then the form's encryption call (timed).
ENCRYPT = """async ([armoredKey, size]) => {
  const key = await openpgp.readKey({ armoredKey });
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(data.subarray(i, i + 65536));
  const start = performance.now();
  const message = await openpgp.createMessage({
    binary: data, filename: "memory-dump.bin", format: "binary" });
  const sealed = await openpgp.encrypt({ message, encryptionKeys: key, format: "binary" });
  return [performance.now() - start, sealed.length - size];
}"""


def page_html() -> str:
    from chalicelib.web.pages.shell import integrity

    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bench</title>'
        f'<script src="/openpgp.min.js" integrity="{integrity("openpgp.min.js")}"></script>'
        "</head><body></body></html>"
    )


def serve(route: Any) -> None:
    if route.request.url.endswith("/openpgp.min.js"):
        route.fulfill(body=VENDORED.read_bytes(), content_type="text/javascript")
    elif route.request.url.endswith("/bench.html"):
        route.fulfill(body=page_html(), content_type="text/html; charset=utf-8")
    else:
        route.abort()


def measure(size: int, runs: int) -> tuple[list[float], int, str]:
    """Milliseconds per run, the bytes encryption added, and the browser's version."""
    from playwright import sync_api

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    armored = TEAM_KEY.read_text()
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.route(f"{ORIGIN}/**", serve)
            page.goto(f"{ORIGIN}/bench.html")
            assert page.evaluate("typeof openpgp") == "object", "OpenPGP.js did not load"
            samples, added = [], 0
            for _ in range(runs):
                elapsed, added = page.evaluate(ENCRYPT, [armored, size])
                samples.append(float(elapsed))
            return samples, int(added), str(browser.version)
        finally:
            browser.close()


def main() -> None:
    args = common.arguments(__doc__.splitlines()[0])
    if args.smoke:
        samples, added, version = measure(SMOKE_BYTES, 1)
        detail = f"smoke: 64 KiB once, no timing value; Chromium {version}"
    else:
        runs = 7
        samples, added, version = measure(ATTACHMENT_BYTES, runs + 1)
        samples = samples[1:]  # the first run warms up the page's code
        detail = (
            f"OpenPGP.js {bundled_version()} ({VENDORED.stat().st_size:,} bytes) in "
            f"Chromium {version}, 4 MiB, median of {runs} (min {min(samples):.0f}, max "
            f"{max(samples):.0f} ms); the message adds {added} bytes"
        )
    common.figure(
        "browser_encrypt_4mb",
        statistics.median(samples),
        "ms",
        "none set (informational)",
        "a reporter's wait before sending, on this machine",
        detail,
    )


def bundled_version() -> str:
    banner = VENDORED.read_bytes()[:100].decode("ascii", "replace")
    return banner.split(" v", 1)[1].split(" ", 1)[0] if " v" in banner else "?"


if __name__ == "__main__":
    main()
