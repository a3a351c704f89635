"""The `groundgame` command.

groundgame demo [--port N] [--no-serve] [--reset]   embedded SQLite + real reference data + demo seed
groundgame serve [--host H] [--port N] [--workers N] production server (granian), configured by environment
groundgame data fetch [--source URL] [--cache-dir D] download the reference data, verifying checksums
groundgame data import [--data-dir D]                import it (idempotent, all-or-nothing per file)
groundgame count FILE --method M [--seats N] [--json] count a ballot file (BLT or PrefLib); M is scottish-stv,
                                                     meek, irv, schulze or approval; no database needed
groundgame opinion-map DIR [--json]                  opinion groups of a Pol.is export folder (comments.csv,
                                                     votes.csv); no database needed
groundgame <any Django management command> ...       e.g. `groundgame migrate`, `groundgame createsuperuser`
"""

import argparse
import os
import sys


def _django(settings_module: str | None = None) -> None:
    if settings_module:
        os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "groundgame.settings.dev")
    import django

    django.setup()


def _call(*args: str) -> None:
    from django.core.management import call_command

    call_command(*args)


def demo(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="groundgame demo", description="Run the demo on an embedded SQLite database.")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--no-serve", action="store_true", help="prepare the database, then exit")
    parser.add_argument("--reset", action="store_true", help="delete the demo database first")
    args = parser.parse_args(argv)
    _django(os.environ.get("DJANGO_SETTINGS_MODULE") or "groundgame.settings.dev")
    from django.conf import settings

    from groundgame.core.demo import prepare_demo

    database = settings.DATABASES["default"]
    if args.reset:
        if database["ENGINE"].endswith("sqlite3"):
            for suffix in ("", "-wal", "-shm"):
                path = f"{database['NAME']}{suffix}"
                if os.path.exists(path):
                    os.unlink(path)
            print(f"Deleted {database['NAME']}")
        else:
            print("--reset only deletes the embedded SQLite database; DATABASE_URL is set, so nothing was deleted.")
    ok, logins = prepare_demo(out=sys.stdout)
    if not ok:
        return 1
    url = f"http://127.0.0.1:{args.port}/"
    print("\nGroundgame demo is ready.")
    print(f"  Open {url}")
    for line in logins:
        print(f"  {line}")
    if args.no_serve:
        return 0
    print("  Press Ctrl+C to stop.\n", flush=True)
    _call("runserver", f"127.0.0.1:{args.port}", "--noreload", "--skip-checks")
    return 0


def serve(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="groundgame serve", description="Run the production server (granian).")
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "4")))
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "groundgame.settings.production")
    from django.core.exceptions import ImproperlyConfigured

    try:
        _django()  # fails here, before the server starts, without SECRET_KEY or with DEBUG on
    except ImproperlyConfigured as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    _call("collectstatic", "--noinput", "--verbosity=0")
    _call("createcachetable")  # the shared cache of sign-in throttles (settings/production.py); no-op once made
    command = [
        sys.executable, "-m", "granian", "--interface", "wsgi", "--host", args.host, "--port", str(args.port),
        "--workers", str(args.workers), "--blocking-threads", str(args.threads), "groundgame.wsgi:application",
    ]  # fmt: skip
    os.execv(sys.executable, command)  # noqa: S606
    return 0


def data(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="groundgame data", description="Reference data.")
    sub = parser.add_subparsers(dest="action", required=True)
    fetch = sub.add_parser("fetch", help="download the reference data into the cache, verifying checksums")
    fetch.add_argument("--source", help="base URL of a mirror (default: GROUNDGAME_DATA_SOURCE, else publishers)")
    fetch.add_argument("--cache-dir", help="default: GROUNDGAME_CACHE_DIR")
    load = sub.add_parser("import", help="import the reference data (idempotent)")
    load.add_argument("--data-dir", help="default: GROUNDGAME_DATA_DIR, else the download cache")
    load.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    _django()
    from django.core.management import CommandError

    try:
        if args.action == "fetch":
            options = [f"--source={args.source}"] if args.source else []
            options += [f"--cache-dir={args.cache_dir}"] if args.cache_dir else []
            _call("places_fetch_data", *options)
        else:
            options = [f"--data-dir={args.data_dir}"] if args.data_dir else []
            options += ["--quiet"] if args.quiet else []
            _call("migrate", "--verbosity=0")
            _call("places_import_all", *options)
    except CommandError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    return 0


def count(argv: list[str]) -> int:
    """Count a ballot file; plain Python, no Django setup, no database (groundgame.democracy.counting)."""
    from groundgame.democracy.counting.cli import main as count_main

    return count_main(argv)


def opinion_map(argv: list[str]) -> int:
    """Opinion map of a Pol.is export folder; plain Python, no Django setup (groundgame.listening.opinion)."""
    from groundgame.listening.opinion.cli import main as opinion_map_main

    return opinion_map_main(argv)


COMMANDS = {"demo": demo, "serve": serve, "data": data, "count": count, "opinion-map": opinion_map}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return 0
    if argv[0] in COMMANDS:
        return COMMANDS[argv[0]](argv[1:])
    _django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["groundgame", *argv])
    return 0


if __name__ == "__main__":
    sys.exit(main())
