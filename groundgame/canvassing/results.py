"""Results for organisers: how far the canvass has got and what the doorstep said, by walk list, polling district
and constituency, with quality flags. Pure reads, aggregates only (no elector names), for whoever the caller has
already checked may see them (results_views.py: the campaign's organisers and administrators).

Everything is counted in SQL, a fixed handful of grouped queries whatever the size of the campaign:

- doors: addresses in scope (a district's addresses; a walk list's stops);
- knocked: distinct addresses with any contact record; spoke: distinct addresses with a "spoke" record;
- contact rate: spoke / knocked;
- outcomes: contact records by door outcome (every record, superseded ones too: it measures the work);
- intentions: each elector's *latest* record (append-only events: the latest one is the elector's current status),
  counted by its voting intention (a party code, "undecided", "wont_vote"...; latest records without one are not
  counted), grouped by that record's district and walk list;
- issues and follow-ups: records tagging each of the survey's codes (any version of the campaign's survey).

Records whose register copy was deleted keep their district but lose their address and elector: they still count as
records and outcomes, no longer as doors knocked or intentions.

Quality flags (thresholds below, named so that the page and the docs can say them):

- too fast: a canvasser's consecutive doors on one walk list (the first record at each door) less than
  FAST_DOOR_SECONDS apart, flagged when it happens at least FAST_DOORS_TO_FLAG times on the list;
- improbable contact rate: a list with a contact rate above HIGH_CONTACT_RATE over at least HIGH_CONTACT_MIN_DOORS
  doors knocked; or no refusals and no "not in" at all over at least NO_REFUSALS_MIN_DOORS doors knocked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, OuterRef, Q, Subquery

from groundgame.people.models import Person
from groundgame.places.parties import party_colour

from .models import Campaign, ContactRecord, PollingDistrict, Survey, WalkList

FAST_DOOR_SECONDS = 10
"""Two doors knocked by one canvasser on one list less than this many seconds apart is too fast to be real."""
FAST_DOORS_TO_FLAG = 3
"""How many too-fast doors on one list (by one canvasser) raise the flag."""
HIGH_CONTACT_RATE = 0.9
"""A contact rate above this (spoke at more than 90% of doors knocked) is improbable..."""
HIGH_CONTACT_MIN_DOORS = 30
"""...over at least this many doors knocked."""
NO_REFUSALS_MIN_DOORS = 50
"""No refusal and no "not in" over at least this many doors knocked is improbable."""

THRESHOLDS = {
    "fast_door_seconds": FAST_DOOR_SECONDS,
    "fast_doors_to_flag": FAST_DOORS_TO_FLAG,
    "high_contact_rate": HIGH_CONTACT_RATE,
    "high_contact_min_doors": HIGH_CONTACT_MIN_DOORS,
    "no_refusals_min_doors": NO_REFUSALS_MIN_DOORS,
}

OUTCOMES = [value for value, _ in ContactRecord.Outcome.choices]


@dataclass
class Progress:
    """One row of the tables: a walk list, a polling district, a constituency or the whole campaign."""

    key: str
    name: str
    doors: int = 0
    knocked: int = 0
    spoke: int = 0
    records: int = 0
    outcomes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    intentions: dict[str, int] = field(default_factory=dict)
    issues: dict[str, int] = field(default_factory=dict)
    follow_ups: dict[str, int] = field(default_factory=dict)
    district: str = ""  # a walk list's district code
    intention_bars: list = field(default_factory=list)  # Share rows for the page (not in as_dict)

    @property
    def contact_rate(self) -> float | None:
        return self.spoke / self.knocked if self.knocked else None

    @property
    def knocked_share(self) -> float | None:
        return self.knocked / self.doors if self.doors else None

    @property
    def intention_total(self) -> int:
        return sum(self.intentions.values())

    def add(self, other: Progress) -> None:
        """Sum another row into this one (districts into their constituency: each address is in one district)."""
        self.doors += other.doors
        self.knocked += other.knocked
        self.spoke += other.spoke
        self.records += other.records
        for mine, theirs in (
            (self.outcomes, other.outcomes),
            (self.intentions, other.intentions),
            (self.issues, other.issues),
            (self.follow_ups, other.follow_ups),
        ):
            for code, n in theirs.items():
                mine[code] = mine.get(code, 0) + n

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "name": self.name,
            "district": self.district,
            "doors": self.doors,
            "knocked": self.knocked,
            "spoke": self.spoke,
            "contact_rate": None if self.contact_rate is None else round(self.contact_rate, 4),
            "records": self.records,
            "outcomes": dict(self.outcomes),
            "intentions": dict(self.intentions),
            "issues": dict(self.issues),
            "follow_ups": dict(self.follow_ups),
        }


@dataclass(frozen=True)
class Flag:
    """A quality flag on a walk list (and, for "too fast", one canvasser on it)."""

    kind: str  # "too_fast", "high_contact_rate", "no_refusals"
    walk_list: str  # its name
    walk_list_id: str  # its uuid
    canvasser: str  # a name, or ""
    count: int  # too-fast doors, or doors knocked
    detail: str

    def as_dict(self) -> dict:
        return self.__dict__.copy()


@dataclass(frozen=True)
class Share:
    """One bar of a breakdown: a code, its label, its count and its share of the total."""

    code: str
    label: str
    count: int
    share: float
    colour: str = ""

    @property
    def percent(self) -> int:
        return round(self.share * 100)


@dataclass
class CampaignResults:
    campaign: Campaign
    totals: Progress
    constituencies: list[Progress]
    districts: list[Progress]
    walk_lists: list[Progress]
    flags: list[Flag]
    labels: dict[str, dict[str, str]]  # "intentions" / "issues" / "follow_ups" / "outcomes" -> code -> label

    def breakdown(self, kind: str, counts: dict[str, int] | None = None) -> list[Share]:
        """The totals' intentions, issues, follow-ups or outcomes as shares, largest first (ties by label)."""
        counts = getattr(self.totals, kind) if counts is None else counts
        total = sum(counts.values())
        labels = self.labels.get(kind, {})
        rows = [
            Share(
                code=code,
                label=labels.get(code, code),
                count=n,
                share=n / total if total else 0.0,
                colour=party_colour(code) if kind == "intentions" else "",
            )
            for code, n in counts.items()
            if n
        ]
        return sorted(rows, key=lambda s: (-s.count, s.label))

    @property
    def intentions(self) -> list[Share]:
        return self.breakdown("intentions")

    @property
    def issues(self) -> list[Share]:
        return self.breakdown("issues")

    @property
    def follow_ups(self) -> list[Share]:
        return self.breakdown("follow_ups")

    @property
    def outcomes(self) -> list[Share]:
        return self.breakdown("outcomes")

    def as_dict(self) -> dict:
        return {
            "campaign": self.campaign.slug,
            "thresholds": dict(THRESHOLDS),
            "labels": self.labels,
            "totals": self.totals.as_dict(),
            "constituencies": [row.as_dict() for row in self.constituencies],
            "districts": [row.as_dict() for row in self.districts],
            "walk_lists": [row.as_dict() for row in self.walk_lists],
            "flags": [flag.as_dict() for flag in self.flags],
        }


# --- the queries ---------------------------------------------------------------------------------------------------


def survey_labels(campaign: Campaign) -> dict[str, dict[str, str]]:
    """Codes and labels of every version of the campaign's survey (the newest label wins)."""
    labels: dict[str, dict[str, str]] = {"outcomes": {}, "intentions": {}, "issues": {}, "follow_ups": {}}
    for questions in Survey.objects.filter(campaign=campaign).order_by("version").values_list("questions", flat=True):
        for kind, found in labels.items():
            for item in (questions or {}).get(kind) or []:
                if isinstance(item, dict) and item.get("code"):
                    found[str(item["code"])] = str(item.get("label") or item["code"])
    for value, label in ContactRecord.Outcome.choices:
        labels["outcomes"].setdefault(value, str(label))
    return labels


def _tagged(name: str, code: str) -> Q:
    # A JSON list of codes, matched as text: '"housing"' inside '["nhs", "housing"]' (portable: SQLite, PostgreSQL).
    return Q(**{f"{name}__icontains": f'"{code}"'})


def _record_counts(campaign: Campaign, by: str, labels: dict) -> dict[int | None, dict]:
    """Per `by` (polling_district or walk_list): records, doors knocked and spoken to, outcomes, issues, follow-ups."""
    aggregates = {
        "records": Count("pk"),
        "knocked": Count("address", distinct=True),
        "spoke": Count("address", distinct=True, filter=Q(outcome=ContactRecord.Outcome.SPOKE)),
    }
    for outcome in OUTCOMES:
        aggregates[f"outcome__{outcome}"] = Count("pk", filter=Q(outcome=outcome))
    for kind in ("issues", "follow_ups"):
        for n, code in enumerate(labels[kind]):
            aggregates[f"{kind}__{n}"] = Count("pk", filter=_tagged(kind, code))
    rows = ContactRecord.objects.filter(campaign=campaign).values(by).annotate(**aggregates).order_by()
    return {row[by]: row for row in rows}


def _fill(progress: Progress, row: dict | None, labels: dict) -> None:
    if row is None:
        return
    progress.records, progress.knocked, progress.spoke = row["records"], row["knocked"], row["spoke"]
    progress.outcomes = {outcome: row[f"outcome__{outcome}"] for outcome in OUTCOMES}
    for kind in ("issues", "follow_ups"):
        counts = {code: row[f"{kind}__{n}"] for n, code in enumerate(labels[kind])}
        setattr(progress, kind, {code: n for code, n in counts.items() if n})


def _latest_intentions(campaign: Campaign) -> list[dict]:
    """(polling_district, walk_list, intention, n) over each elector's latest record, when it states an intention."""
    latest = (
        ContactRecord.objects.filter(elector=OuterRef("elector"))
        .order_by("-recorded_at", "-received_at", "-id")
        .values("pk")[:1]
    )
    return list(
        ContactRecord.objects.filter(campaign=campaign, elector__isnull=False, pk=Subquery(latest))
        .exclude(intention="")
        .values("polling_district", "walk_list", "intention")
        .annotate(n=Count("pk"))
        .order_by()
    )


def _epoch(column: str) -> str:
    if connection.vendor == "sqlite":
        return f"(julianday({column}) * 86400.0)"
    return f"EXTRACT(EPOCH FROM {column})"


def _fast_doors(campaign: Campaign) -> list[tuple]:
    """(walk_list_id, canvasser_id, doors, too-fast doors, shortest gap in seconds) for each canvasser on a list with
    at least FAST_DOORS_TO_FLAG too-fast doors. A door's time is its first record (several electors at one door
    are recorded seconds apart, and rightly so)."""
    table = ContactRecord._meta.db_table
    sql = f"""
        WITH doors AS (
            SELECT walk_list_id, canvasser_id, address_id, MIN(recorded_at) AS at
            FROM {table}
            WHERE campaign_id = %s AND walk_list_id IS NOT NULL AND canvasser_id IS NOT NULL
              AND address_id IS NOT NULL
            GROUP BY walk_list_id, canvasser_id, address_id
        ), gaps AS (
            SELECT walk_list_id, canvasser_id,
                   {_epoch("at")} - LAG({_epoch("at")}) OVER (
                       PARTITION BY walk_list_id, canvasser_id ORDER BY at
                   ) AS gap
            FROM doors
        )
        SELECT walk_list_id, canvasser_id, COUNT(*),
               SUM(CASE WHEN gap < %s THEN 1 ELSE 0 END), MIN(gap)
        FROM gaps
        GROUP BY walk_list_id, canvasser_id
        HAVING SUM(CASE WHEN gap < %s THEN 1 ELSE 0 END) >= %s
        ORDER BY walk_list_id, canvasser_id
    """  # noqa: S608 (the table name and the epoch expression are ours; values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, [campaign.pk, FAST_DOOR_SECONDS, FAST_DOOR_SECONDS, FAST_DOORS_TO_FLAG])
        return cursor.fetchall()


def _flags(lists: list[Progress], ids: dict[int, WalkList], fast: list[tuple]) -> list[Flag]:
    by_uuid = {str(w.uuid): w for w in ids.values()}
    flags = []
    if fast:
        people = {p.pk: str(p) for p in Person.objects.filter(pk__in={row[1] for row in fast})}
        for walk_list_id, canvasser_id, doors, too_fast, shortest in fast:
            walk_list = ids.get(walk_list_id)
            if walk_list is None:
                continue
            flags.append(
                Flag(
                    kind="too_fast",
                    walk_list=walk_list.name,
                    walk_list_id=str(walk_list.uuid),
                    canvasser=people.get(canvasser_id, ""),
                    count=int(too_fast),
                    detail=f"{int(too_fast)} of {doors} doors less than {FAST_DOOR_SECONDS}\u00a0s after the "
                    f"previous one (shortest {max(float(shortest or 0), 0):.0f}\u00a0s)",
                )
            )
    for row in lists:
        walk_list = by_uuid[row.key]
        rate = row.contact_rate
        if row.knocked >= HIGH_CONTACT_MIN_DOORS and rate is not None and rate > HIGH_CONTACT_RATE:
            flags.append(
                Flag(
                    kind="high_contact_rate",
                    walk_list=walk_list.name,
                    walk_list_id=row.key,
                    canvasser="",
                    count=row.knocked,
                    detail=f"spoke at {rate:.0%} of {row.knocked} doors knocked",
                )
            )
        no_refusals = row.outcomes[ContactRecord.Outcome.REFUSED] + row.outcomes[ContactRecord.Outcome.NOT_IN] == 0
        if row.knocked >= NO_REFUSALS_MIN_DOORS and no_refusals:
            flags.append(
                Flag(
                    kind="no_refusals",
                    walk_list=walk_list.name,
                    walk_list_id=row.key,
                    canvasser="",
                    count=row.knocked,
                    detail=f"no refusal and no “not in” over {row.knocked} doors knocked",
                )
            )
    return flags


def campaign_results(*, campaign: Campaign) -> CampaignResults:
    """Every aggregate of the results page and API, in a fixed number of queries."""
    labels = survey_labels(campaign)
    districts = list(
        PollingDistrict.objects.filter(campaign=campaign)
        .annotate(doors=Count("addresses", distinct=True))
        .values("pk", "code", "name", "doors", "constituency_id", "constituency__code", "constituency__name")
        .order_by("code")
    )
    walk_lists = {
        w.pk: w
        for w in WalkList.objects.filter(campaign=campaign)
        .select_related("polling_district")
        .annotate(doors=Count("stops"))
        .order_by("polling_district__code", "name")
    }
    by_district = _record_counts(campaign, "polling_district", labels)
    by_list = _record_counts(campaign, "walk_list", labels)
    intentions = _latest_intentions(campaign)
    fast = _fast_doors(campaign)

    district_rows: dict[int, Progress] = {}
    for d in districts:
        row = Progress(key=d["code"], name=d["name"] or d["code"], doors=d["doors"])
        _fill(row, by_district.get(d["pk"]), labels)
        district_rows[d["pk"]] = row
    list_rows: dict[int, Progress] = {}
    for pk, w in walk_lists.items():
        row = Progress(key=str(w.uuid), name=w.name, doors=w.doors, district=w.polling_district.code)
        _fill(row, by_list.get(pk), labels)
        list_rows[pk] = row
    for item in intentions:
        for rows, key in ((district_rows, item["polling_district"]), (list_rows, item["walk_list"])):
            if key in rows:
                counts = rows[key].intentions
                counts[item["intention"]] = counts.get(item["intention"], 0) + item["n"]

    totals = Progress(key=campaign.slug, name=campaign.name)
    seats: dict[int | None, Progress] = {}
    for d in districts:
        row = district_rows[d["pk"]]
        totals.add(row)
        seat = seats.get(d["constituency_id"])
        if seat is None:
            seat = seats[d["constituency_id"]] = Progress(
                key=d["constituency__code"] or "", name=d["constituency__name"] or "No constituency set"
            )
        seat.add(row)
    # Records no district holds (none in practice: a record keeps its district) still count in the totals.
    stray = by_district.get(None)
    if stray is not None:
        extra = Progress(key="", name="")
        _fill(extra, stray, labels)
        totals.add(extra)

    found = CampaignResults(
        campaign=campaign,
        totals=totals,
        constituencies=sorted(seats.values(), key=lambda s: (not s.key, s.name)),
        districts=list(district_rows.values()),
        walk_lists=list(list_rows.values()),
        flags=_flags(list(list_rows.values()), walk_lists, fast),
        labels=labels,
    )
    for row in [totals, *found.constituencies, *found.districts, *found.walk_lists]:
        row.intention_bars = found.breakdown("intentions", row.intentions)
    return found


# --- the map: polling districts shaded by contact rate ------------------------------------------------------------

# Contact rate bands (spoke / doors knocked): lower bound, fill colour (light to dark: more conversations).
CONTACT_BANDS = [(0.0, "#eff3ff"), (0.2, "#bdd7e7"), (0.35, "#6baed6"), (0.5, "#3182bd"), (0.65, "#08519c")]
NOT_STARTED_COLOUR = "#d9d9d9"
HULL_MARGIN_DEGREES = 0.0004  # about 40 m around the outermost doors, so a single street still shows as an area


def contact_colour(rate: float | None) -> str:
    if rate is None:
        return NOT_STARTED_COLOUR
    colour = CONTACT_BANDS[0][1]
    for lower, fill in CONTACT_BANDS:
        if rate >= lower:
            colour = fill
    return colour


def district_map(*, campaign: Campaign, districts: list[Progress]) -> dict:
    """GeoJSON of the campaign's polling districts (the area around their doors located by full postcode: the
    register has no district boundaries), each with its progress and a fill colour for its contact rate. One query.
    Districts with fewer than three located doors are left off the map (they stay in the table)."""
    from shapely.geometry import MultiPoint, mapping

    from .models import Address

    points: dict[str, list[tuple[float, float]]] = {}
    located = Address.objects.filter(campaign=campaign, location_quality=Address.LocationQuality.POSTCODE)
    for code, lat, lon in located.values_list("polling_district__code", "latitude", "longitude").iterator():
        points.setdefault(code, []).append((lon, lat))
    features = []
    for row in districts:
        doors = points.get(row.key, [])
        if len(set(doors)) < 3:
            continue
        area = MultiPoint(doors).convex_hull.buffer(HULL_MARGIN_DEGREES, quad_segs=4).simplify(0.0001)
        rate = row.contact_rate
        features.append(
            {
                "type": "Feature",
                "geometry": mapping(area),
                "properties": {
                    "code": row.key,
                    "name": row.name,
                    "doors": row.doors,
                    "knocked": row.knocked,
                    "contact_rate": None if rate is None else round(rate, 3),
                    "fill": contact_colour(rate),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}
