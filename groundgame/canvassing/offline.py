"""Installable pages that open and run with no signal: a shell page the same for everyone, ES modules through an
import map, and a service worker (static/canvassing/app/sw.js) that keeps the shell and its files.

The canvasser app (app_views.py) and the polling-day telling app (pollingday/app_views.py) are each one `OfflineApp`.
The service worker is served from the app's own folder so that its scope covers the shell; its text is sw.js with
the cache's name prefix, the list of files to keep and a version (a hash of those files, of the worker and of the
shell's template) put in front, so any change to them installs a new worker.
"""

import functools
import hashlib
import json
from dataclasses import dataclass

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.template.loader import get_template
from django.templatetags.static import static
from django.urls import reverse

SERVICE_WORKER = "canvassing/app/sw.js"


def no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-cache"
    return response


@dataclass(frozen=True)
class OfflineApp:
    shell_url: str  # the shell's URL name
    template: str
    modules: tuple[tuple[str, str], ...]  # (import specifier, static path)
    entry: str
    styles: tuple[str, ...]
    files: tuple[str, ...]  # icons and anything else the shell loads
    cache_prefix: str
    extra_urls: tuple[str, ...] = ()  # URL names also kept (the manifest)

    def static_files(self) -> list[str]:
        return [*self.styles, *(path for _, path in self.modules), self.entry, *self.files]

    def version(self) -> str:
        return _version(self)

    def precache(self) -> list[str]:
        return [
            reverse(self.shell_url),
            *(reverse(n) for n in self.extra_urls),
            *(static(n) for n in self.static_files()),
        ]

    def import_map(self) -> str:
        return json.dumps({"imports": {name: static(path) for name, path in self.modules}})

    def service_worker(self, request: HttpRequest) -> HttpResponse:
        path = finders.find(SERVICE_WORKER)
        with open(path, encoding="utf-8") as handle:
            source = handle.read()
        head = (
            f"const CACHE_PREFIX = {json.dumps(self.cache_prefix)};\n"
            f"const VERSION = {json.dumps(self.version())};\n"
            f"const SHELL = {json.dumps(reverse(self.shell_url))};\n"
            f"const PRECACHE = {json.dumps(self.precache())};\n"
        )
        response = HttpResponse(head + source, content_type="text/javascript; charset=utf-8")
        response["Service-Worker-Allowed"] = reverse(self.shell_url)
        return no_store(response)


@functools.cache
def _version(app: OfflineApp) -> str:
    """A hash of everything the service worker keeps (and of itself): a new version on any change."""
    digest = hashlib.sha256(app.cache_prefix.encode())
    for name in [*app.static_files(), SERVICE_WORKER]:
        path = finders.find(name)
        digest.update(name.encode())
        digest.update(open(path, "rb").read() if path else b"missing")  # noqa: SIM115
        digest.update(static(name).encode())  # the hashed name in production
    digest.update(get_template(app.template).template.source.encode())
    return digest.hexdigest()[:16]
