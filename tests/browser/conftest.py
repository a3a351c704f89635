"""Browser tests: Playwright driving Debian's chromium against a live Groundgame server on real reference data.

Why not pytest-django's `live_server`: asking for it makes a test `transactional_db`, which flushes every table
afterwards and would wipe the session's reference data (`reference_db`) for every later test in the worker. Instead
one session-scoped server thread is started *after* `reference_db` has committed the real data, and browser tests use
the ordinary `db` fixture (they only read).

The test database is SQLite in-memory (shared cache) by default: like Django's LiveServerTestCase, the main thread's
connection is handed to the server threads (`connections_override`), which keeps the in-memory database alive and
visible to them. On PostgreSQL (DATABASE_URL) the server threads open their own connections. Either way they see the
committed reference data, not a test's own (rolled back) writes: browser tests only read.

Playwright's sync API keeps an asyncio event loop running in the main thread while it is started, so Django refuses ORM
calls from that thread (SynchronousOnlyOperation). The browser is therefore package-scoped: it lives, with
DJANGO_ALLOW_ASYNC_UNSAFE set, only while tests of this folder run, and is stopped (and the variable removed) before any
other test runs in the same process. A session-scoped browser would break ORM calls in every later test of the worker,
and setting the variable for the whole session would leak into other tests' subprocesses (`manage.py check --deploy`
rightly reports it as async.E001). Serially it is one browser for the session; under xdist, one per run of browser
tests.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 1}
LAPTOP = {"viewport": {"width": 1280, "height": 800}}

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="session")
def live_url(reference_db, django_db_blocker) -> str:
    """Base URL of a threaded Django server (static files served from the app folders) on 127.0.0.1, random port."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.servers.basehttp import ThreadedWSGIServer
    from django.db import connections
    from django.test.testcases import LiveServerThread

    class Server(ThreadedWSGIServer):
        # Non-daemon request threads: server_close() waits for them, and each closes its database connection as it
        # ends, so that PostgreSQL can drop the test database afterwards ("being accessed by other users").
        daemon_threads = False

    class ServerThread(LiveServerThread):
        server_class = Server

    with django_db_blocker.unblock():
        shared = {}
        for conn in connections.all():
            if conn.vendor == "sqlite" and conn.is_in_memory_db():
                conn.ensure_connection()  # closing an in-memory database would destroy it; share the open one
                shared[conn.alias] = conn
        for conn in shared.values():
            conn.inc_thread_sharing()
        thread = ServerThread("127.0.0.1", StaticFilesHandler, connections_override=shared, port=0)
        thread.daemon = True
        thread.start()
        thread.is_ready.wait()
        if thread.error:
            raise thread.error
    try:
        yield f"http://127.0.0.1:{thread.port}"
    finally:
        thread.terminate()
        for conn in shared.values():
            conn.dec_thread_sharing()


@pytest.fixture(scope="package")
def browser():
    """One headless chromium while this folder's tests run; skips cleanly when chromium or Playwright is missing."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: browser tests need Debian's chromium (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # see the module docstring
        playwright = sync_api.sync_playwright().start()
        try:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()
        finally:
            _close_connections_opened_beside_the_event_loop()
            playwright.stop()


def _close_connections_opened_beside_the_event_loop() -> None:
    """Django keeps a thread's connections in thread-local storage, but in a thread with a running event loop in
    per-context storage instead: while Playwright runs, the main thread's ORM calls (the `db` fixture, test code) use
    a second connection. pytest-django never sees it, so close it here, while that storage is still the current one
    (on PostgreSQL it would otherwise keep the test database from being dropped)."""
    from django.db import connections

    connections.close_all()


@pytest.fixture
def open_page(live_url, browser, db):  # the server first: it shares the main connection as it was before Playwright
    """`open_page(path, **context_options)` -> a Playwright page in a fresh context, already at `path`.

    Contexts (cookies, storage) never leak between tests; JavaScript errors on the page fail the test."""
    contexts = []
    errors: list[str] = []

    def _open(path: str = "/", **options):
        context = browser.new_context(base_url=live_url, **(options or LAPTOP))
        context.set_default_timeout(5_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(path)
        return page

    yield _open
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def phone_page(open_page):
    """`phone_page(path)`: a page at phone size (390x844, touch, mobile viewport meta honoured)."""
    return lambda path="/": open_page(path, **PHONE)


@pytest.fixture
def laptop_page(open_page):
    return lambda path="/": open_page(path, **LAPTOP)


@pytest.fixture
def screenshot_dir(tmp_path) -> Path:
    """Where screenshots go: docs/screenshots/ when GROUNDGAME_SCREENSHOTS=1 (to refresh the pictures the docs show),
    otherwise a temporary folder, so that an ordinary test run never rewrites files in the source tree."""
    if os.environ.get("GROUNDGAME_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return SCREENSHOTS
    return tmp_path


_TOO_WIDE = """width => {
    const clipped = e => { for (let a = e.parentElement; a && a !== document.body; a = a.parentElement)
        if (getComputedStyle(a).overflowX !== 'visible') return true; return false; };
    const out = e => e.getBoundingClientRect().right > width + 1 && !clipped(e);
    return [...document.body.querySelectorAll('*')].filter(e => out(e) && ![...e.children].some(out)).slice(0, 5)
        .map(e => `${e.tagName.toLowerCase()}.${e.className} "${(e.textContent || '').trim().slice(0, 30)}"`);
}"""


@pytest.fixture
def assert_no_sideways_scroll():
    """`assert_no_sideways_scroll(page)`: the document is no wider than the screen, naming the elements that stick out.

    Compares with the emulated screen width, not window.innerWidth: on a mobile viewport chromium widens the layout
    viewport (and innerWidth) to fit content that overflows, so innerWidth would hide the very overflow we look for."""

    def check(page) -> None:
        width = page.viewport_size["width"]
        document_width = page.evaluate("document.documentElement.scrollWidth")
        if document_width > width:
            pytest.fail(
                f"{page.url} is {document_width}px wide on a {width}px screen; too wide: "
                f"{page.evaluate(_TOO_WIDE, width)}"
            )

    return check
