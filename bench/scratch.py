"""What the benchmark scripts share: a scratch PostgreSQL database created for one run and dropped after it."""

import contextlib
import os
import secrets
import shutil
import urllib.parse
from dataclasses import dataclass, field


@dataclass
class PostgresScratch:
    """A new, empty database created beside the one `admin_url` names; dropped by `drop()`."""

    admin_url: str
    name: str = field(default_factory=lambda: f"groundgame_bench_{os.getpid()}_{secrets.token_hex(3)}")

    def _admin(self):
        import dj_database_url
        import psycopg

        params = dj_database_url.parse(self.admin_url)
        kwargs = {"dbname": params["NAME"] or "postgres", "autocommit": True}
        for key, arg in (("USER", "user"), ("PASSWORD", "password"), ("HOST", "host"), ("PORT", "port")):
            if params.get(key):
                kwargs[arg] = params[key]
        kwargs.update(params.get("OPTIONS", {}))
        return psycopg.connect(**kwargs)

    def create(self) -> str:
        with self._admin() as conn:
            conn.execute(f"CREATE DATABASE \"{self.name}\" ENCODING 'UTF8' TEMPLATE template0")
        parts = urllib.parse.urlsplit(self.admin_url)
        return urllib.parse.urlunsplit(parts._replace(path=f"/{self.name}"))

    def drop(self) -> None:
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def cleanup(scratch: PostgresScratch | None, home) -> None:
    """End of a benchmark run: close connections, drop the scratch database, remove the temporary home."""
    if scratch is not None:
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        scratch.drop()
    shutil.rmtree(home, ignore_errors=True)
