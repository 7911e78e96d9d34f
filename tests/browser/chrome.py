"""Headless Chromium through selenium and the system chromedriver, for the report's browser test.

Run directly to screenshot a report:  python tests/browser/chrome.py REPORT.html OUT.png [width]
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile

CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync")


def missing() -> str | None:
    """Why a browser cannot be started here, or None when it can."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install 'selenium>=4.11')"
    if not any(os.path.exists(p) for p in CHROMIUM_CANDIDATES) and not shutil.which("chromium"):
        return "chromium is not installed (apt-get install chromium chromium-driver)"
    if not os.path.exists(CHROMEDRIVER) and not shutil.which("chromedriver"):
        return "chromedriver is not installed (apt-get install chromium-driver)"
    return None


def start(width: int = 1280, height: int = 1600):
    """A headless Chromium WebDriver with its own throwaway profile; caller quits it."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    for flag in FLAGS:
        opts.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="cleaner-chrome-")
    opts.add_argument(f"--user-data-dir={profile}")
    opts.add_argument(f"--window-size={width},{height}")
    binary = next((p for p in CHROMIUM_CANDIDATES if os.path.exists(p)), shutil.which("chromium"))
    if binary:
        opts.binary_location = binary
    driver_path = CHROMEDRIVER if os.path.exists(CHROMEDRIVER) else shutil.which("chromedriver")
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=opts)
    driver._cleaner_profile = profile  # removed by quit()
    return driver


def quit(driver) -> None:
    profile = getattr(driver, "_cleaner_profile", None)
    driver.quit()
    if profile:
        shutil.rmtree(profile, ignore_errors=True)


def full_page_screenshot(driver, out: str, width: int = 1280) -> None:
    """The whole page, not just the viewport (Chrome DevTools' captureBeyondViewport)."""
    import base64

    height = driver.execute_script("return Math.ceil(document.documentElement.scrollHeight)")
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": min(max(height, 600), 16000), "scale": 1},
    })
    with open(out, "wb") as fh:
        fh.write(base64.b64decode(shot["data"]))


if __name__ == "__main__":
    report, png = os.path.abspath(sys.argv[1]), sys.argv[2]
    width = int(sys.argv[3]) if len(sys.argv) > 3 else 1280
    d = start(width)
    try:
        d.get("file://" + report)
        full_page_screenshot(d, png, width)
        for entry in d.get_log("browser") if hasattr(d, "get_log") else []:
            print("console:", entry)
    finally:
        quit(d)
    print(png)
