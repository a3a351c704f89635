"""Where reference data comes from: GROUNDGAME_DATA_DIR, else the download cache, which
`groundgame data fetch` fills from each file's public source (or a configured mirror), verifying
every download against the catalogue's sha256."""

import hashlib
import os
import shutil
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from .importers.catalogue import CATALOGUE, DataFile

TIMEOUT_SECONDS = 30


class FetchError(Exception):
    """A download failed or did not match its checksum."""


@dataclass
class Fetched:
    data_file: DataFile
    status: str  # "downloaded", "present", "no source", "failed"
    detail: str = ""


def data_dir() -> Path:
    """The directory importers read: GROUNDGAME_DATA_DIR when set, else the download cache."""
    return Path(settings.GROUNDGAME_DATA_DIR) if settings.GROUNDGAME_DATA_DIR else Path(settings.GROUNDGAME_CACHE_DIR)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def source_url(data_file: DataFile, source: str | None) -> str | None:
    """A configured mirror (same layout as the data directory) wins; else the file's public URL."""
    if source:
        return source.rstrip("/") + "/" + data_file.relpath
    return data_file.url


def fetch_one(data_file: DataFile, *, cache_dir: Path, source: str | None) -> Fetched:
    target = Path(cache_dir) / data_file.relpath
    if target.exists() and sha256_of(target) == data_file.sha256:
        return Fetched(data_file, "present")
    url = source_url(data_file, source)
    if url is None:
        return Fetched(data_file, "no source", "no public copy: set GROUNDGAME_DATA_SOURCE to a mirror")
    if not url.startswith(("https://", "http://", "file://")):
        return Fetched(data_file, "failed", f"unsupported URL {url}")
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".download-")
    digest = hashlib.sha256()
    try:
        with os.fdopen(handle, "wb") as out, urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            for chunk in iter(lambda: response.read(1 << 16), b""):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != data_file.sha256:
            raise FetchError(
                f"checksum mismatch from {url}: got {digest.hexdigest()[:12]}…, expected {data_file.sha256[:12]}…"
            )
        shutil.move(tmp_name, target)
        return Fetched(data_file, "downloaded", url)
    except (urllib.error.URLError, OSError, FetchError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        return Fetched(data_file, "failed", f"{url}: {reason}")
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)


def fetch_all(*, cache_dir: Path | None = None, source: str | None = None, report=None) -> list[Fetched]:
    cache_dir = Path(cache_dir or settings.GROUNDGAME_CACHE_DIR)
    source = source if source is not None else settings.GROUNDGAME_DATA_SOURCE
    outcomes = []
    for data_file in CATALOGUE:
        outcome = fetch_one(data_file, cache_dir=cache_dir, source=source)
        outcomes.append(outcome)
        if report:
            report(outcome)
    return outcomes


def has_required_files(directory: Path) -> bool:
    return all((Path(directory) / f.relpath).exists() for f in CATALOGUE if f.required and f.importer)


HOW_TO_PROVIDE_DATA = """\
Groundgame needs its reference data (election results, boundaries, postcode centroids) and could not get it.
Provide it in one of these ways:
  1. Point GROUNDGAME_DATA_DIR at a copy of the reference data directory, e.g.
       export GROUNDGAME_DATA_DIR=/path/to/shared/data
  2. With internet access, run `groundgame data fetch`; files without a public copy come from a mirror:
       export GROUNDGAME_DATA_SOURCE=https://your-mirror.example/groundgame-data
See docs/data.md for every file, its publisher and licence."""
