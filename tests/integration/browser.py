"""Headless Chromium (Debian's chromium) for the tests of summary.html: the DOM after the
page has loaded and its fonts are ready, measured by a probe script, and screenshots.

Chromium runs with the flags this machine's closed network needs (no background
connections, no component updates, no sync) and an empty profile folder. Where it is
missing the browser tests skip with a message, except in CI (``TEICHAKU_REQUIRE_BROWSER=1``,
which ``.ci/run`` sets after installing it, or ``CI=true``): there they fail.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.required import unavailable

NAMES = ("chromium", "chromium-browser", "google-chrome")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)

#: Run after the page and its fonts have loaded: the page's width, every element that
#: reaches past it or scrolls sideways, the rendered text, the state of every font face and
#: the text of every table cell; written into the DOM as JSON for --dump-dom.
PROBE = """
window.addEventListener("load", async () => {
  await document.fonts.ready;
  const root = document.documentElement;
  const width = root.clientWidth;
  const overflowing = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    const name = el.tagName.toLowerCase() + (el.className ? "." + el.className : "");
    if (box.right > width + 0.5 || box.left < -0.5)
      overflowing.push(name + " spans " + Math.round(box.left) + ".." + Math.round(box.right));
    if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== "visible")
      overflowing.push(name + " scrolls sideways");
  }
  const result = {
    width: width,
    scrollWidth: root.scrollWidth,
    overflowing: overflowing,
    text: document.body.innerText,
    fonts: [...document.fonts].map(f => [f.family, f.status]),
    rendersIPAex: document.fonts.check('10pt "IPAexGothic"', "要約"),
  };
  const out = document.createElement("script");
  out.type = "application/json";
  out.id = "probe";
  out.textContent = JSON.stringify(result).replace(/</g, "\\\\u003c");
  document.body.appendChild(out);
});
"""


def _find() -> str | None:
    return next(filter(None, map(shutil.which, NAMES)), None)


def require_chromium() -> str:
    """Path of Chromium; skip (or fail where it is required) when it is absent."""
    path = _find()
    if path is None:
        message = (
            "Chromium not found: install it (as root: apt-get install chromium chromium-driver, "
            "as .ci/run does) to run the browser tests"
        )
        unavailable("BROWSER", message)
    return path


def _run(chromium: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        proc = subprocess.run(
            [chromium, *FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    if proc.returncode != 0:
        raise AssertionError(f"chromium failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return proc


def probe(chromium: str, page: Path, workdir: Path, width: int = 1280) -> dict:
    """Load a copy of ``page`` with the probe script in a window ``width`` pixels wide and
    return what the probe measured."""
    document = page.read_text(encoding="utf-8")
    assert "</body>" in document
    copy = workdir / f"probed-{page.name}"
    copy.write_text(document.replace("</body>", f"<script>{PROBE}</script>\n</body>"), "utf-8")
    proc = _run(
        chromium,
        f"--window-size={width},1000",
        "--virtual-time-budget=20000",
        "--dump-dom",
        copy.as_uri(),
    )
    found = re.search(
        r'<script type="application/json" id="probe">(.*?)</script>', proc.stdout, re.S
    )
    assert found, "the probe did not run: " + proc.stderr[-2000:]
    return json.loads(found.group(1))


def screenshot(chromium: str, page: Path, out: Path, width: int = 1280, height: int = 2400) -> Path:
    """A PNG of the top ``height`` pixels of ``page`` as Chromium renders it."""
    _run(
        chromium,
        f"--window-size={width},{height}",
        "--virtual-time-budget=20000",
        f"--screenshot={out}",
        page.as_uri(),
    )
    assert out.is_file(), f"no screenshot written: {out}"
    return out
