"""The Dagster UI in a real browser, started as `make ui` starts it (`dg dev` on loopback, the
local instance with the production run limits), seen through headless Chromium (Debian's).

Needs /usr/bin/chromium (make test installs it as root). In CI a missing browser fails the test.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from pipelines.local_instance import write_local_instance
from tests.conftest import PROJECT_ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# flags that need no network: this machine's network is closed (see the env notes)
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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def dagster_ui(tmp_path_factory):
    home = tmp_path_factory.mktemp("dagster_home")
    port = _free_port()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "COMPETENCE_OUTPUT_DIR": str(home / "var"),
        "COMPETENCE_LANDING_DIR": str(home / "landing"),
        "COMPETENCE_CONFIG_DIR": str(PROJECT_ROOT / "config"),
    }
    write_local_instance(home)
    dg_cli = Path(sys.executable).with_name("dg")
    process = subprocess.Popen(
        [str(dg_cli), "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{url}/server_info", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"dg dev did not come up on {url}")
            time.sleep(1)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def test_asset_graph_and_schedule_are_shown(dagster_ui):
    assert Path(CHROMIUM).exists(), f"Chromium not found at {CHROMIUM}; apt-get install chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            # the asset list is virtualised: a tall window renders every asset at once
            page = browser.new_page(viewport={"width": 1600, "height": 4000})
            page.goto(f"{dagster_ui}/assets", wait_until="domcontentloaded")
            for asset in (
                "roster_snapshot",
                "assessment_results",
                "rejected_rows",
                "source_files",
                "mail_clearance",
            ):
                page.get_by_text(asset, exact=True).first.wait_for(timeout=60_000)
            # the asset's page: its description printed whole (no "<week>" eaten as HTML), the
            # owning team (shown without "team:"), the stage tag and the declared columns
            page.goto(f"{dagster_ui}/assets/site_report_pdfs", wait_until="domcontentloaded")
            page.get_by_text("reports/YYYY-MM-DD/", exact=False).first.wait_for(timeout=60_000)
            for shown in ("quality", "stage: reporting", "compliance_rate", "DOUBLE"):
                page.get_by_text(shown, exact=True).first.wait_for(timeout=60_000)
            page.goto(f"{dagster_ui}/automation", wait_until="domcontentloaded")
            page.get_by_text("weekly_competence_schedule").first.wait_for(timeout=60_000)
            page.get_by_text("data_team_failure_alert").first.wait_for(timeout=60_000)
        finally:
            browser.close()
