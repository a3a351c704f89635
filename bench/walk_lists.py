"""Benchmark of cutting walk lists for a whole constituency (about 35,000 addresses).

    .venv/bin/python bench/walk_lists.py                                   # layout() below; turf, then the service
    GROUNDGAME_DATA_DIR=../shared/data .venv/bin/python bench/walk_lists.py --source synthetic    # a real seat
    .venv/bin/python bench/walk_lists.py --runs 5 --strict

Two sources of addresses:

- `layout` (default): `layout()` below, a constituency of 30 polling districts of about 1,170 addresses each, on
  main roads (100-250 doors), residential streets (20-80), cul-de-sacs (6-25) and blocks of flats (one number, up
  to 60 flats), numbered odd on one side and even on the other, 1% of doors with a name and no number, 1% without
  coordinates. Like imported registers, doors are located by postcode: each run of about 15 neighbouring doors on
  one side shares one point. Every door is located, so the walking order has real work to do.
- `synthetic`: the register helper's synthetic register (groundgame.canvassing.synthetic) for Derby North
  (E14000662, `--seat`), 70,000 electors in 35,000 households, imported through the real importer
  (canvassing.register) after the reference data of GROUNDGAME_DATA_DIR. Doors in the shared data's sample of
  real postcodes are located by postcode; the rest only by postcode district, which the cut treats as unlocated.

Either way it builds a fresh SQLite database (a file in a temporary folder, production settings, random keys,
migrated) and prints:
(a) turf.cut() alone on the doors (plain records in memory, as canvassing.walklists.district_doors reads them),
    with the cut's statistics;
(b) the full service, canvassing.walklists.walk_lists_cut, for every polling district of the campaign: reading
    the addresses, cutting, deleting the previous run's drafts and writing the lists, their stops and the audit
    rows in one transaction.

Target (issue 5): the constituency in under 3 s. `--strict` exits 1 when (b) misses it.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere: the project package is importable

from groundgame.canvassing.turf import CutStats, Door, cut  # noqa: E402

TARGET_SECONDS = 3.0
CENTRE = (52.92, -1.48)  # Derby
STREET_WORDS = (
    "Acacia", "Beech", "Cedar", "Derwent", "Elm", "Fern", "Gordon", "Hawthorn", "Ivy", "Juniper", "Kedleston",
    "Laurel", "Maple", "Nelson", "Oak", "Poplar", "Queen", "Rowan", "Station", "Trent", "Upper", "Victoria",
    "Willow", "York", "Abbey", "Bridge", "Church", "Duffield", "Empress", "Friar", "Grove", "Highfield",
)  # fmt: skip
STREET_KINDS = ("Road", "Street", "Avenue", "Lane", "Close", "Drive", "Crescent", "Way", "Gardens", "Terrace")
HOUSE_NAMES = ("Rose Cottage", "The Laurels", "Holly House", "Old Forge", "Mill House", "The Barn", "Orchard End")


def layout(addresses: int = 35_000, districts: int = 30, seed: int = 2029) -> list[Door]:
    """A plausible constituency's doors (see the module docstring), deterministic for a seed."""
    rng = random.Random(seed)
    per_district = math.ceil(addresses / districts)
    columns = math.ceil(math.sqrt(districts))
    metres_lat = 1 / 111_195
    metres_lon = metres_lat / math.cos(math.radians(CENTRE[0]))
    doors: list[Door] = []
    next_id = 1
    for d in range(districts):
        code = f"{chr(65 + d // 9)}{chr(65 + d % 9)}{d % 3 + 1}"
        origin = ((d % columns) * 1_100.0, (d // columns) * 1_100.0)  # metres east, north of the south-west corner
        names: set[str] = set()
        count = 0
        while count < per_district:
            roll = rng.random()
            houses = rng.randint(100, 250) if roll < 0.08 else rng.randint(6, 25) if roll < 0.4 else rng.randint(20, 80)
            houses = min(houses, per_district - count) or 1
            while True:
                name = f"{rng.choice(STREET_WORDS)} {rng.choice(STREET_KINDS)}"
                if name not in names:
                    names.add(name)
                    break
            x0 = origin[0] + rng.uniform(0, 1_000)
            y0 = origin[1] + rng.uniform(0, 1_000)
            angle = rng.uniform(0, math.pi)
            dx, dy = math.cos(angle), math.sin(angle)
            spacing = rng.uniform(7, 12)
            flats_at = rng.randrange(1, max(2, houses)) if rng.random() < 0.12 else None
            rural = rng.random() < 0.05
            numbers: list[tuple[int | None, str, str, str]] = []  # (number, suffix, flat, name)
            number = 0
            while len(numbers) < houses:
                number += 1
                if rural and rng.random() < 0.3:
                    numbers.append((None, "", "", f"{rng.choice(HOUSE_NAMES)} {number}"))
                elif number == flats_at:
                    for flat in range(1, min(houses - len(numbers), rng.randint(6, 60)) + 1):
                        numbers.append((number, "", f"Flat {flat}", ""))
                else:
                    numbers.append((number, "", "", ""))
                    if rng.random() < 0.02 and len(numbers) < houses:
                        numbers.append((number, "A", "", ""))
            # Doors along the street: odd on the left, even on the right; a postcode per ~15 doors of a side.
            by_side: dict[int, list[tuple[float, float, tuple]]] = {0: [], 1: []}
            for k, item in enumerate(numbers):
                num = item[0] if item[0] is not None else k + 1
                side = num % 2
                along = (num // 2) * spacing
                offset = 10.0 if side else -10.0
                by_side[side].append((x0 + dx * along - dy * offset, y0 + dy * along + dx * offset, item))
            for side_doors in by_side.values():
                for start in range(0, len(side_doors), 15):
                    chunk = side_doors[start : start + 15]
                    px = sum(p[0] for p in chunk) / len(chunk) + rng.uniform(-5, 5)
                    py = sum(p[1] for p in chunk) / len(chunk) + rng.uniform(-5, 5)
                    for _x, _y, (num, suffix, flat, house) in chunk:
                        located = rng.random() >= 0.01
                        doors.append(
                            Door(
                                id=next_id,
                                district=code,
                                street=name,
                                number=num,
                                suffix=suffix,
                                flat=flat,
                                name=house,
                                lat=CENTRE[0] + py * metres_lat if located else None,
                                lon=CENTRE[1] + px * metres_lon if located else None,
                            )
                        )
                        next_id += 1
            count += len(numbers)
    return doors[:addresses]


def time_turf(doors: list[Door], runs: int, target: int) -> list[float]:
    print(f"(a) turf.cut() alone: {len(doors):,} doors, target {target} doors per list")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        turfs = cut(doors, target_size=target)
        times.append(time.perf_counter() - started)
    stats = CutStats.of(turfs)
    sizes = sorted(t.doors for t in turfs)
    low, high = math.floor(target * 0.7), math.ceil(target * 1.3)
    inside = sum(low <= s <= high for s in sizes)
    print(
        f"    {stats.lists} lists, {stats.smallest}-{stats.largest} doors (median {statistics.median(sizes)}, "
        f"{inside / len(sizes):.0%} within {low}-{high}), walking {stats.distance_m / 1000:,.1f} km in all "
        f"({stats.distance_m / stats.lists:,.0f} m per list)"
    )
    print("    seconds: " + ", ".join(f"{t:.2f}" for t in times))
    return times


def setup_django() -> Path:
    """Production settings (DEBUG off), random keys, a fresh SQLite file in a temporary GROUNDGAME_HOME."""
    home = Path(tempfile.mkdtemp(prefix="groundgame-bench-walklists-"))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "groundgame.settings.production",
            "GROUNDGAME_HOME": str(home),
            "STATIC_ROOT": str(home / "static"),
            "SECRET_KEY": secrets.token_urlsafe(50),
            "GROUNDGAME_SUPPRESSION_KEY": secrets.token_urlsafe(32),
            "ALLOWED_HOSTS": "127.0.0.1",
        }
    )
    os.environ.pop("DEBUG", None)
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return home


def new_campaign(name: str, slug: str):
    from django.utils import timezone

    from groundgame.canvassing.models import Campaign
    from groundgame.people.models import LocalGroup

    national, _ = LocalGroup.objects.get_or_create(
        slug="national", defaults={"name": "National", "level": LocalGroup.Level.NATIONAL}
    )
    group = LocalGroup.objects.create(name=name, slug=slug, level=LocalGroup.Level.LOCAL, parent=national)
    return Campaign.objects.create(
        name=name, slug=slug, kind=Campaign.Kind.GENERAL, polling_date=timezone.localdate(), host=group
    )


def campaign_from_layout(doors: list[Door]):
    """A campaign holding `doors` as its addresses (one register copy, a polling district per district code)."""
    from django.utils import timezone

    from groundgame.canvassing.models import Address, PollingDistrict, RegisterCopy

    campaign = new_campaign("Layout", "layout")
    today = timezone.localdate()
    copy = RegisterCopy.objects.create(
        campaign=campaign,
        supplier="Bench",
        published_on=today,
        received_on=today,
        permitted_purpose="Benchmark",
        delete_by=today,
    )
    districts = {
        code: PollingDistrict.objects.create(campaign=campaign, code=code)
        for code in sorted({d.district for d in doors})
    }
    Address.objects.bulk_create(
        (
            Address(
                campaign=campaign,
                polling_district=districts[d.district],
                register_copy=copy,
                key=f"{d.id}",
                flat=d.flat,
                house_name=d.name,
                house_number=d.number,
                house_suffix=d.suffix,
                street=d.street,
                town="Derby",
                latitude=d.lat,
                longitude=d.lon,
                location_quality="postcode" if d.located else "none",
            )
            for d in doors
        ),
        batch_size=2_000,
    )
    return campaign


def campaign_from_synthetic(data_dir: Path, seat: str, seed: int, electors: int):
    """Reference data, then the synthetic register of `seat` through the real importer."""
    import datetime

    from groundgame.canvassing import register, synthetic
    from groundgame.canvassing.models import Address
    from groundgame.places.services import reference_data_import

    started = time.perf_counter()
    reference_data_import(data_dir=data_dir, quiet=True)
    constituency = synthetic.find_constituency(seat)
    path = Path(os.environ["GROUNDGAME_HOME"]) / "register.csv"
    synthetic.generate_file(path, constituency=constituency, seed=seed, electors=electors)
    campaign = new_campaign(constituency.name, "synthetic")
    campaign.constituencies.add(constituency)
    day = datetime.date(2026, 12, 1)
    details = register.CopyDetails(
        supplier="Synthetic register",
        published_on=day,
        received_on=day,
        permitted_purpose="Benchmark",
        delete_by=day + datetime.timedelta(days=365),
    )
    register.commit(path, campaign=campaign, copy=details, acting=None)
    counts = {
        q: Address.objects.filter(campaign=campaign, location_quality=q).count() for q in Address.LocationQuality.values
    }
    print(
        f"synthetic register of {constituency.name} imported in {time.perf_counter() - started:.1f} s: "
        + ", ".join(f"{n:,} addresses located by {q}" for q, n in counts.items())
    )
    return campaign


def time_service(campaign, runs: int, target: int) -> list[float]:
    """The full service: read + cut + delete the previous drafts + bulk write + audit."""
    from groundgame.canvassing import walklists

    districts = list(campaign.polling_districts.order_by("code"))
    addresses = campaign.addresses.count()
    print(f"(b) walk_lists_cut() on SQLite: {addresses:,} addresses in {len(districts)} polling districts")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        made = walklists.walk_lists_cut(campaign=campaign, polling_districts=districts, target_size=target, acting=None)
        times.append(time.perf_counter() - started)
    print(f"    {len(made)} lists written; each run replaced the previous run's drafts")
    print("    seconds: " + ", ".join(f"{t:.2f}" for t in times))
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", choices=["layout", "synthetic"], default="layout")
    parser.add_argument("--addresses", type=int, default=35_000, help="layout: how many addresses")
    parser.add_argument("--seat", default="E14000662", help="synthetic: the constituency's GSS code")
    parser.add_argument("--electors", type=int, default=70_000, help="synthetic: how many electors")
    parser.add_argument("--target", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2029)
    parser.add_argument("--turf-only", action="store_true", help="layout: skip the database part")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the service misses the target")
    args = parser.parse_args(argv)
    print(f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}")
    if args.source == "layout" and args.turf_only:
        time_turf(layout(args.addresses, seed=args.seed), args.runs, args.target)
        return 0
    home = setup_django()
    try:
        from groundgame.canvassing import walklists

        if args.source == "synthetic":
            data_dir = os.environ.get("GROUNDGAME_DATA_DIR")
            if not data_dir:
                parser.error("--source synthetic needs GROUNDGAME_DATA_DIR (the shared reference data)")
            campaign = campaign_from_synthetic(Path(data_dir), args.seat, args.seed, args.electors)
        else:
            campaign = campaign_from_layout(layout(args.addresses, seed=args.seed))
        doors = walklists.district_doors(campaign=campaign, polling_districts=campaign.polling_districts.all())
        time_turf(doors, args.runs, args.target)
        service = time_service(campaign, args.runs, args.target)
    finally:
        from django.db import connections

        connections.close_all()
        shutil.rmtree(home, ignore_errors=True)
    best = min(service)
    verdict = "met" if best < TARGET_SECONDS else "MISSED"
    print(f"target < {TARGET_SECONDS:.0f} s for the full service: {verdict} (best {best:.2f} s)")
    return 1 if args.strict and verdict != "met" else 0


if __name__ == "__main__":
    sys.exit(main())
