"""End-to-end fixtures: a real `owm serve` process and a real headless Chromium.

- `owm_server` (session): a fresh SQLite database in a temporary folder, migrated,
  with one ward (in a zone where it is day now, see `daytime_zone`) and one user per
  role (`USERS`, password `PASSWORD`), then `owm serve` as a subprocess on a free
  port (`support.servers.OwmServe`), its board refreshing every
  `BOARD_REFRESH_SECONDS`; yields a `LiveServer` with its base URL and a unit of
  work on the same database (to set up data through the service functions, never
  through SQL). Stopped at the end of the session.
- `browser` (session): the system's Chromium (`OWM_TEST_CHROMIUM`, default
  /usr/bin/chromium) driven by Playwright; never `playwright install`.
- `context`, `page` (function): a fresh browser context (no cookies) per test;
  `signed_in(page, server, "nurse")` signs a role in through the sign-in page.
- `screenshot(page, name)`: writes `test-artifacts/screenshots/<name>.png`.

The tests carry the `e2e` marker (added here to every test of this folder).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from support.servers import OwmServe, free_port
from support.wards import staffed_ward

__all__ = [
    "BOARD_REFRESH_SECONDS",
    "PASSWORD",
    "SCREENSHOTS",
    "USERS",
    "LiveServer",
    "daytime_zone",
    "screenshot",
    "signed_in",
]

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
PASSWORD = "correct horse battery staple"
WARD_NAME = "Ward 7 (withdrawal unit)"
BOARD_REFRESH_SECONDS = 2
"""The e2e server's board refreshes every 2 s, so a test sees it change by itself."""


def daytime_zone(now: datetime | None = None) -> str:
    """A fixed-offset IANA zone in which it is now around midday.

    The server runs on the real clock; the protocol doses differently at night
    (22:00-06:00 ward time), so the scenario's ward lives in a zone where the run
    happens by day, whatever the hour on the machine (Etc/GMT-3 is UTC+3).
    """
    hour = (now or datetime.now(UTC)).hour
    offset = 12 - hour  # -11 .. +12
    if offset == 0:
        return "Etc/UTC"
    return f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


USERS: dict[str, tuple[str, str]] = {
    # role: (username, full name)
    "nurse": ("nina", "Nina Nurse"),
    "physician": ("phil", "Dr Phil Physician"),
    "pharmacist": ("pia", "Pia Pharmacist"),
    "admin": ("adam", "Adam Admin"),
}
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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


@dataclass
class LiveServer:
    """A running `owm serve`: where it listens and how to reach its database."""

    base_url: str
    database_url: str
    data_dir: Path
    log_path: Path
    ward_tz: str = "Etc/UTC"
    ward_id: int = 0
    user_ids: dict[str, int] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return self.base_url + path

    def uow(self):  # type: ignore[no-untyped-def]
        """A unit of work on the server's database (the system clock)."""
        from owm.store.engine import make_engine
        from owm.store.uow import UnitOfWork, session_factory

        engine = _engines.setdefault(self.database_url, make_engine(self.database_url))
        return UnitOfWork(session_factory(engine))

    def actor(self, role: str):  # type: ignore[no-untyped-def]
        """The service-layer actor of the test user with `role`."""
        from owm.service.actor import Actor

        return Actor(user_id=self.user_ids[role], role=role)  # type: ignore[arg-type]

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


_engines: dict[str, object] = {}


def _seed(server: LiveServer) -> None:
    """Migrate the database, create the ward and one user per role (as `owm` itself does)."""
    from owm.store.migrate import migrate

    migrate(server.database_url)
    staffed = staffed_ward(
        server.uow,
        name=WARD_NAME,
        timezone=server.ward_tz,
        roles=USERS,
        users=USERS,
        password=PASSWORD,
        system="e2e-fixture",
    )
    server.ward_id = staffed.ward_id
    server.user_ids = {role: actor.user_id for role, actor in staffed.actors.items()}


@pytest.fixture(scope="session")
def owm_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("owm-e2e")
    database_url = f"sqlite:///{data_dir / 'owm.db'}"
    port = free_port()
    server = LiveServer(
        base_url=f"http://127.0.0.1:{port}",
        database_url=database_url,
        data_dir=data_dir,
        log_path=data_dir / "server.log",
        ward_tz=daytime_zone(),
    )
    _seed(server)
    env = {
        **os.environ,
        "OWM_DATABASE_URL": database_url,
        "OWM_DATA_DIR": str(data_dir),
        "OWM_SECRET_KEY": "e2e-" + "k" * 40,
        "OWM_BOARD_REFRESH_SECONDS": str(BOARD_REFRESH_SECONDS),
    }
    process = OwmServe(
        env=env,
        log_path=server.log_path,
        port=port,
        cwd=data_dir,
        ready_path="/login",
        start_timeout=60,
    )
    process.start()
    server.base_url = process.url  # another port when the first one was taken meanwhile
    try:
        yield server
    finally:
        process.stop(timeout=20)


def _chromium_path() -> str:
    path = os.environ.get("OWM_TEST_CHROMIUM") or "/usr/bin/chromium"
    if not Path(path).exists() and not shutil.which(path):
        pytest.fail(
            f"Chromium not found at {path!r}: install the Debian package (apt-get install chromium) "
            "or set OWM_TEST_CHROMIUM"
        )
    return path


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    chromium = playwright_driver.chromium.launch(
        executable_path=_chromium_path(), headless=True, args=CHROMIUM_ARGS
    )
    try:
        yield chromium
    finally:
        chromium.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    ctx = browser.new_context(
        viewport={"width": 1400, "height": 1000}, locale="en-GB", timezone_id="UTC"
    )
    ctx.set_default_timeout(15_000)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def signed_in(page: Page, server: LiveServer, role: str) -> Page:
    """Sign the test user of `role` in through the sign-in page; returns the page."""
    username, _ = USERS[role]
    page.goto(server.url("/login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot to test-artifacts/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
