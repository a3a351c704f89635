"""`groundgame data fetch`: downloads into the cache, verified against the catalogue's sha256.

Every test talks to a local HTTP server on 127.0.0.1 (port 0) that serves a temporary directory laid out
like the data directory, holding copies of a few real reference files; never the internet.
"""

import hashlib
import shutil
import socket
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from groundgame import cli
from groundgame.places import datasources
from groundgame.places.importers.catalogue import CATALOGUE

# Small real files: two required ones (2015 results, district centroids) and an optional one.
SERVED = [
    "elections/hocl-ge2015-results-summary.noheader.csv",
    "postcodes/gb-postcode-district-centroids-codepoint-2014.csv",
    "lookups/ukparl.2025.csv",
]


def catalogue_entries(relpaths: list[str]):
    by_path = {f.relpath: f for f in CATALOGUE}
    return [by_path[p] for p in relpaths]


class Mirror:
    """A local HTTP mirror of a data directory that records the paths it was asked for."""

    def __init__(self, root: Path):
        self.root = root
        self.requests: list[str] = []
        mirror = self

        class Handler(SimpleHTTPRequestHandler):
            def do_GET(self):
                mirror.requests.append(self.path)
                super().do_GET()

            def log_message(self, format, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(root)))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def mirror(tmp_path, data_dir, monkeypatch):
    """Serve copies of SERVED from tmp_path/mirror; the catalogue is narrowed to those files."""
    root = tmp_path / "mirror"
    for relpath in SERVED:
        (root / relpath).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(data_dir / relpath, root / relpath)
    monkeypatch.setattr(datasources, "CATALOGUE", catalogue_entries(SERVED))
    with Mirror(root) as server:
        yield server


@pytest.fixture
def cache_dir(tmp_path) -> Path:
    return tmp_path / "cache"


def closed_port() -> int:
    """A local port nothing listens on (connections are refused at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(directory: Path) -> list[Path]:
    return [p for p in directory.rglob("*") if p.is_file()] if directory.exists() else []


def test_fetch_downloads_every_file_from_the_mirror_and_verifies_it(mirror, cache_dir, data_dir):
    reported = []
    outcomes = datasources.fetch_all(cache_dir=cache_dir, source=mirror.url, report=reported.append)

    assert [o.status for o in outcomes] == ["downloaded"] * len(SERVED)
    assert reported == outcomes
    assert sorted(mirror.requests) == sorted(f"/{p}" for p in SERVED)
    for data_file in catalogue_entries(SERVED):
        cached = cache_dir / data_file.relpath
        assert sha256(cached) == data_file.sha256
        assert cached.read_bytes() == (data_dir / data_file.relpath).read_bytes()
    # Nothing but the verified files: no temporary downloads left behind.
    assert sorted(leftovers(cache_dir)) == sorted(cache_dir / p for p in SERVED)


def test_second_fetch_reports_present_and_downloads_nothing(mirror, cache_dir):
    datasources.fetch_all(cache_dir=cache_dir, source=mirror.url)
    mirror.requests.clear()

    outcomes = datasources.fetch_all(cache_dir=cache_dir, source=mirror.url)

    assert [o.status for o in outcomes] == ["present"] * len(SERVED)
    assert mirror.requests == []


def test_a_file_whose_bytes_differ_fails_with_a_checksum_message_and_leaves_nothing_in_the_cache(mirror, cache_dir):
    corrupt = SERVED[0]
    served = mirror.root / corrupt
    original = served.read_bytes()
    served.write_bytes(original.replace(b"Derby North", b"Derby Nurth", 1))
    assert served.read_bytes() != original and len(served.read_bytes()) == len(original)

    outcomes = {o.data_file.relpath: o for o in datasources.fetch_all(cache_dir=cache_dir, source=mirror.url)}

    assert outcomes[corrupt].status == "failed"
    assert "checksum mismatch" in outcomes[corrupt].detail
    assert mirror.url + corrupt in outcomes[corrupt].detail
    assert not (cache_dir / corrupt).exists()
    # The good files still arrive; the bad one leaves no partial or temporary file behind.
    assert {p: o.status for p, o in outcomes.items() if p != corrupt} == {p: "downloaded" for p in SERVED[1:]}
    assert sorted(leftovers(cache_dir)) == sorted(cache_dir / p for p in SERVED[1:])


def test_a_cached_file_that_no_longer_matches_is_downloaded_again(mirror, cache_dir):
    datasources.fetch_all(cache_dir=cache_dir, source=mirror.url)
    damaged = cache_dir / SERVED[1]
    damaged.write_bytes(damaged.read_bytes()[:1000])
    mirror.requests.clear()

    outcomes = {o.data_file.relpath: o.status for o in datasources.fetch_all(cache_dir=cache_dir, source=mirror.url)}

    assert outcomes[SERVED[1]] == "downloaded"
    assert mirror.requests == [f"/{SERVED[1]}"]
    assert sha256(damaged) == catalogue_entries([SERVED[1]])[0].sha256


def test_a_file_missing_from_the_mirror_fails_and_is_not_cached(mirror, cache_dir):
    (mirror.root / SERVED[2]).unlink()

    outcomes = {o.data_file.relpath: o for o in datasources.fetch_all(cache_dir=cache_dir, source=mirror.url)}

    assert outcomes[SERVED[2]].status == "failed"
    assert "not found" in outcomes[SERVED[2]].detail.lower()
    assert not (cache_dir / SERVED[2]).exists()


def test_an_unreachable_source_reports_failed_for_every_file(cache_dir, monkeypatch):
    monkeypatch.setattr(datasources, "CATALOGUE", catalogue_entries(SERVED))
    source = f"http://127.0.0.1:{closed_port()}"

    outcomes = datasources.fetch_all(cache_dir=cache_dir, source=source)

    assert [o.status for o in outcomes] == ["failed"] * len(SERVED)
    assert all(o.detail.startswith(f"{source}/{o.data_file.relpath}") for o in outcomes)
    assert leftovers(cache_dir) == []


@override_settings(GROUNDGAME_DATA_SOURCE=None)
def test_a_file_without_a_public_url_and_no_mirror_reports_no_source(cache_dir, monkeypatch):
    unpublished = [f for f in CATALOGUE if f.url is None]
    assert unpublished, "the catalogue has derived files that only a mirror provides"
    monkeypatch.setattr(datasources, "CATALOGUE", unpublished)

    outcomes = datasources.fetch_all(cache_dir=cache_dir)

    assert {o.status for o in outcomes} == {"no source"}
    assert all("GROUNDGAME_DATA_SOURCE" in o.detail for o in outcomes)


def test_fetch_uses_the_configured_mirror_and_cache_by_default(mirror, cache_dir):
    with override_settings(GROUNDGAME_DATA_SOURCE=mirror.url, GROUNDGAME_CACHE_DIR=cache_dir):
        outcomes = datasources.fetch_all()

    assert [o.status for o in outcomes] == ["downloaded"] * len(SERVED)
    assert all((cache_dir / p).exists() for p in SERVED)


def test_management_command_fetches_and_reports_each_file(mirror, cache_dir, capsys):
    call_command("places_fetch_data", f"--source={mirror.url}", f"--cache-dir={cache_dir}")

    out = capsys.readouterr().out
    assert all(f"downloaded  {p}" in out for p in SERVED)
    assert all((cache_dir / p).exists() for p in SERVED)


def test_management_command_raises_command_error_when_required_files_fail(cache_dir, monkeypatch, capsys):
    monkeypatch.setattr(datasources, "CATALOGUE", catalogue_entries(SERVED))

    with pytest.raises(CommandError, match=r"3 file\(s\) could not be fetched"):
        call_command("places_fetch_data", f"--source=http://127.0.0.1:{closed_port()}", f"--cache-dir={cache_dir}")

    assert capsys.readouterr().out.count("failed") == len(SERVED)


def test_groundgame_data_fetch_exits_non_zero_when_files_fail(mirror, cache_dir, capsys):
    (mirror.root / SERVED[0]).write_bytes(b"not the 2015 results\n")

    status = cli.main(["data", "fetch", "--source", mirror.url, "--cache-dir", str(cache_dir)])

    captured = capsys.readouterr()
    assert status == 1
    assert "Error: 1 file(s) could not be fetched" in captured.err
    assert "checksum mismatch" in captured.out
    assert not (cache_dir / SERVED[0]).exists()


def test_groundgame_data_fetch_succeeds_when_every_file_verifies(mirror, cache_dir, capsys):
    status = cli.main(["data", "fetch", "--source", mirror.url, "--cache-dir", str(cache_dir)])

    assert status == 0
    assert all((cache_dir / p).exists() for p in SERVED)
