"""The HTML view in a real headless Chromium, with the network cut off.

Chromium and its driver come from Debian (``chromium``, ``chromium-driver``, which
``.ci/run`` installs); Selenium drives them through the system chromedriver, never
through a driver or browser download. The tests skip only when those two programs
are missing.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SEEDS

from provenance.cli import cli
from provenance.export import select
from provenance.ingest import ingest_files
from provenance.store import EmbeddedStore
from provenance.tracker import Tracker

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver") or (
    "/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").exists() else None
)

pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None or CHROMEDRIVER is None,
        reason="Chromium and chromedriver are not installed (apt-get install chromium "
        "chromium-driver)",
    ),
    pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed"),
]

CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    # Every request would go to a proxy on a port where nothing listens.
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
    "--window-size=1600,1000",
]


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("html") / "store"
    with EmbeddedStore.open_write(path) as store:
        ingest_files(store, [SEEDS])
    return path


@pytest.fixture(scope="module")
def seed_html(seed_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("page") / "seed.html"
    result = CliRunner().invoke(
        cli, ["--store", str(seed_store), "export", "--format", "html", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM  # type: ignore[assignment]
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    # An explicit Service path: Selenium Manager never runs, nothing is downloaded.
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    # And the network is off for the page, as DevTools sees it.
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0},
    )
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _open(driver: object, page: Path, ready: bool = True) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    for log in ("performance", "browser"):  # forget earlier pages
        driver.get_log(log)  # type: ignore[attr-defined]
    driver.get(page.resolve().as_uri())  # type: ignore[attr-defined]
    if ready:
        WebDriverWait(driver, 10).until(
            lambda d: d.execute_script("return document.body.getAttribute('data-ready')") == "true"
        )


def _requests(driver: object) -> list[str]:
    """Every URL the browser asked for since the page was opened (DevTools' log)."""
    urls = []
    for entry in driver.get_log("performance"):  # type: ignore[attr-defined]
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def test_the_request_log_would_see_a_network_request(browser: object, tmp_path: Path) -> None:
    """A control: a page that asks for a remote image shows up in the checks below."""
    page = tmp_path / "remote.html"
    page.write_text('<!DOCTYPE html><img src="http://192.0.2.1/x.png"><p>x</p>')
    _open(browser, page, ready=False)
    assert "http://192.0.2.1/x.png" in _requests(browser)


def test_seed_page_draws_the_graph_and_answers_a_click(
    browser: object, seed_html: Path, seed_store: Path, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    d = browser
    _open(d, seed_html)
    # Nothing but the file itself was asked for, nor loaded.
    assert _requests(d) == [seed_html.resolve().as_uri()]
    resources = d.execute_script(  # type: ignore[attr-defined]
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    assert resources == []
    navigation = d.execute_script(  # type: ignore[attr-defined]
        "return performance.getEntriesByType('navigation').map(e => e.name)"
    )
    assert navigation == [seed_html.resolve().as_uri()]

    expected = select(Tracker(EmbeddedStore.open_read(seed_store))).graph.number_of_nodes()
    drawn = d.find_elements(By.CSS_SELECTOR, "#canvas g.node")  # type: ignore[attr-defined]
    assert len(drawn) == expected == 49
    assert len(d.find_elements(By.CSS_SELECTOR, "g.node.statement.single")) == 13  # type: ignore[attr-defined]

    node = d.find_element(  # type: ignore[attr-defined]
        By.CSS_SELECTOR, 'g.node[data-kind="statement"][data-id="blinken-attends"]'
    )
    node.click()
    panel = d.find_element(By.ID, "panel")  # type: ignore[attr-defined]
    assert panel.get_attribute("data-selected") == "blinken-attends"
    assert "Blinken will take part in the first Ukraine-NATO Council meeting" in panel.text
    origins = d.find_element(By.ID, "origins").text  # type: ignore[attr-defined]
    assert "US official" in origins and "anonymous" in origins
    assert d.find_element(By.ID, "independent-count").text == "1"  # type: ignore[attr-defined]
    chains = d.find_element(By.ID, "chains").text  # type: ignore[attr-defined]
    assert chains.replace("\n", " ").split(" → ") == [
        "TASS",
        "Ministry of Foreign Affairs press service",
        "US official",
    ]
    shot = tmp_path / "seed-blinken-attends.png"
    assert d.save_screenshot(str(shot))  # type: ignore[attr-defined]
    assert shot.stat().st_size > 10_000

    errors = [e for e in d.get_log("browser") if e["level"] == "SEVERE"]  # type: ignore[attr-defined]
    assert errors == []


def test_search_finds_statements_and_sources(browser: object, seed_html: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    d = browser
    _open(d, seed_html)
    box = d.find_element(By.ID, "search")  # type: ignore[attr-defined]
    box.send_keys("blinken")
    assert d.find_element(By.ID, "search-count").text.startswith("3 matches")  # type: ignore[attr-defined]
    assert len(d.find_elements(By.CSS_SELECTOR, "g.node.match")) == 3  # type: ignore[attr-defined]
    box.send_keys(Keys.ENTER)
    assert d.find_element(By.ID, "panel").get_attribute("data-selected").startswith("blinken")  # type: ignore[attr-defined]
    box.clear()
    box.send_keys("TASS")
    assert d.find_element(By.ID, "search-count").text.startswith("1 match")  # type: ignore[attr-defined]


def test_clicking_a_source_lists_what_rests_on_it(browser: object, seed_html: Path) -> None:
    from selenium.webdriver.common.by import By

    d = browser
    _open(d, seed_html)
    d.find_element(  # type: ignore[attr-defined]
        By.CSS_SELECTOR, 'g.node[data-kind="source"][data-id="foreign-ministry-statement"]'
    ).click()
    text = d.find_element(By.ID, "panel").text  # type: ignore[attr-defined]
    assert "Statements that rest on it only (3)" in text
    assert "The discussions are expected to address broader regional stability" in text
