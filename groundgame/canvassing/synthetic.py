"""A synthetic electoral register for a real constituency: plausible, deterministic by seed, and written in the
standard export shape so it goes through the real importer (register.py). For the demo, the tests and the
benchmarks; nobody in it exists.

    groundgame canvassing_generate_register --constituency E14000662 --seed 1 --out derby-north.csv

What it makes (defaults: 70,000 electors in 35,000 households):
- postcodes: the real full postcodes the postcode table places in the seat, a dozen or so consecutive doors of a
  street to each; when they run out (the shared data holds a sample), made-up postcodes in the seat's real
  postcode districts (those whose centroid lies in the seat, and those of the real postcodes placed there; the
  nearest districts to the seat's centre when there are none), their inward codes drawn from letters Royal Mail
  never uses there (C, K, M, V), so a synthetic postcode can never be a real address;
- streets: names built from common English street-name stems and types (Station Road, Oak Close...), each in one
  polling district and one postcode district, with houses numbered along both sides (odd one side, even the
  other; some streets one side only), a few numbers with a letter (12A), some named houses on lanes, and some
  buildings of flats ("Flat 3", "21 Station Road" or "Flat 3, Oak Court", "21 Station Road");
- polling districts: wards lettered AA, AB, AC..., each with 3 to 5 districts (AA1, AA2...) of about 2,000
  electors, electors numbered in street order within each, a few late additions with suffix /1;
- households of 1 to 6 electors (mean 2: 35% one, 40% two...), sharing a surname mostly;
- markers: about 20% postal voters ("A"), 0.5% proxy voters ("X"), 3% EU citizens ("G"), a few overseas electors
  ("F", listed without an address at the end of a district, as registers list "other electors"); about 1.5%
  attainers with the date they come of age in "Elector DOB".
"""

import csv
import datetime
import math
import random
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from groundgame.places.geometry import BoundaryIndex
from groundgame.places.models import Constituency, PostcodeDistrict, PostcodePlacement

HEADER = [
    "Elector Number Prefix",
    "Elector Number",
    "Elector Number Suffix",
    "Elector Markers",
    "Elector DOB",
    "Elector Title",
    "Elector Surname",
    "Elector Forename",
    "Elector Middlename",
    "PostCode",
    "Address1",
    "Address2",
    "Address3",
    "Address4",
    "Address5",
    "Address6",
]
WHOLE_NAME_HEADER = [c for c in HEADER if c not in ("Elector Surname", "Elector Forename", "Elector Middlename")]
WHOLE_NAME_HEADER.insert(WHOLE_NAME_HEADER.index("PostCode"), "Elector Name")

SYNTHETIC_INWARD_LETTERS = "CKMV"  # never used by Royal Mail in an inward code (see people/demo.py)
DISTRICT_SIZE = 2000
HOUSEHOLD_SIZES = ((1, 0.35), (2, 0.40), (3, 0.14), (4, 0.07), (5, 0.03), (6, 0.01))

STEMS = (
    "Station", "Church", "Mill", "Park", "School", "Chapel", "Vicarage", "Manor", "Grange", "Highfield", "Windmill",
    "Canal", "Victoria", "Albert", "Queen's", "King's", "Oak", "Ash", "Beech", "Elm", "Willow", "Chestnut", "Cedar",
    "Rowan", "Hawthorn", "Holly", "Laurel", "Maple", "Birch", "Poplar", "Sycamore", "Meadow", "Orchard", "Brook",
    "Spring", "Well", "Green", "Hill", "Valley", "Ridge", "Mount", "Forest", "Abbey", "Priory", "Castle", "Market",
    "Bridge", "Ferry", "Wharf", "Railway", "Midland", "Northern", "Western", "York", "Lancaster", "Stafford",
    "Leicester", "Nottingham", "Uttoxeter", "Ashbourne", "Burton", "Belper", "Duffield", "Kedleston", "Allestree",
    "Darley", "Breadsall", "Chaddesden", "Spondon", "Littleover", "Mickleover", "Markeaton", "Osmaston",
    "Normanton", "Sinfin", "Alvaston", "Stenson", "Derwent", "Trent", "Dove", "Wye", "Peak", "Pennine", "Cavendish",
    "Devonshire", "Rutland", "Chatsworth", "Haddon", "Hardwick", "Bakewell", "Matlock", "Buxton", "Ripley",
    "Heanor", "Ilkeston", "Morley", "Cromwell", "Nelson", "Wellington", "Gladstone", "Disraeli", "Peel", "Byron",
    "Shelley", "Keats", "Milton", "Chaucer", "Tennyson", "Wordsworth", "Darwin", "Newton", "Faraday", "Brunel",
    "Stephenson", "Arkwright", "Strutt", "Rolls", "Royce", "Nightingale", "Whitaker", "Fletcher", "Cooper",
    "Thornhill", "Fernhill", "Woodlands", "Larkhill", "Sunnyhill", "Broadway", "Crescent", "Lime", "Pear", "Cherry",
    "Plum", "Damson", "Heather", "Bramble", "Foxglove", "Primrose", "Bluebell", "Clover", "Juniper", "Hazel",
)  # fmt: skip
STREET_TYPES = (
    ("Road", 30), ("Street", 22), ("Avenue", 10), ("Close", 9), ("Lane", 8), ("Drive", 7), ("Way", 4),
    ("Crescent", 4), ("Grove", 3), ("Gardens", 3), ("Terrace", 2), ("Place", 2), ("Walk", 1), ("Mews", 1),
)  # fmt: skip
HOUSE_NAMES = (
    "Rose Cottage", "The Old Forge", "Ivy Cottage", "The Old School House", "Hillside", "The Coach House",
    "Orchard House", "The Barn", "Brook House", "Meadow View", "The Lodge", "Holly Cottage", "Fern Bank",
    "Stable Cottage", "The Old Vicarage", "Woodside", "Glebe House", "Lilac Cottage",
)  # fmt: skip
BLOCK_NAMES = ("Court", "House", "Lodge", "Mansions", "Heights", "Point")
FIRST_NAMES_F = (
    "Olivia", "Amelia", "Isla", "Ava", "Freya", "Lily", "Florence", "Mia", "Rosie", "Sophia", "Grace", "Evie",
    "Poppy", "Ella", "Emily", "Charlotte", "Ruby", "Chloe", "Hannah", "Jessica", "Lucy", "Megan", "Rebecca", "Sarah",
    "Emma", "Laura", "Aisha", "Fatima", "Zainab", "Maryam", "Amina", "Priya", "Anjali", "Simran", "Harpreet",
    "Sunita", "Nadia", "Yasmin", "Zofia", "Agnieszka", "Maria", "Helen", "Susan", "Karen", "Joanne", "Claire",
    "Nicola", "Gemma", "Bethany", "Jade", "Margaret", "Patricia", "Jean", "Christine", "Linda", "Janet", "Carol",
    "Elizabeth", "Mary", "Ann", "Julie", "Alison", "Deborah", "Tracey", "Kelly", "Danielle", "Amy", "Sophie",
)  # fmt: skip
FIRST_NAMES_M = (
    "Oliver", "George", "Harry", "Noah", "Jack", "Leo", "Arthur", "Muhammad", "Oscar", "Charlie", "Jacob", "Thomas",
    "Henry", "William", "Alfie", "Joshua", "Freddie", "Archie", "James", "Isaac", "Ethan", "Samuel", "Daniel",
    "Joseph", "Max", "Adam", "Ryan", "Dylan", "Callum", "Lewis", "Owen", "Imran", "Bilal", "Hamza", "Yusuf",
    "Arjun", "Rohan", "Sanjay", "Tomasz", "Piotr", "Andrei", "Mark", "Paul", "David", "John", "Michael", "Peter",
    "Robert", "Stephen", "Andrew", "Richard", "Christopher", "Anthony", "Kevin", "Gary", "Ian", "Neil", "Simon",
    "Martin", "Graham", "Brian", "Keith", "Colin", "Trevor", "Dean", "Lee", "Craig", "Matthew", "Luke",
)  # fmt: skip
SURNAMES = (
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson", "Roberts",
    "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes", "Green", "Hall", "Lewis", "Harris",
    "Clarke", "Patel", "Jackson", "Wood", "Turner", "Martin", "Cooper", "Hill", "Ward", "Morris", "Moore", "Clark",
    "Lee", "King", "Baker", "Harrison", "Morgan", "Allen", "James", "Scott", "Phillips", "Watson", "Davis", "Parker",
    "Price", "Bennett", "Young", "Griffiths", "Mitchell", "Kelly", "Cook", "Carter", "Richardson", "Bailey",
    "Collins", "Bell", "Shaw", "Murphy", "Miller", "Cox", "Richards", "Khan", "Marshall", "Anderson", "Simpson",
    "Ellis", "Adams", "Singh", "Begum", "Wilkinson", "Foster", "Chapman", "Powell", "Webb", "Rogers", "Gray",
    "Mason", "Ali", "Hunt", "Hussain", "Campbell", "Matthews", "Owen", "Palmer", "Holmes", "Mills", "Barnes",
    "Knight", "Lloyd", "Butler", "Russell", "Barker", "Fisher", "Stevens", "Jenkins", "Murray", "Dixon", "Harvey",
    "Graham", "Pearson", "Ahmed", "Fletcher", "Walsh", "Kaur", "Gibson", "Howard", "Andrews", "Stewart", "Elliott",
    "Reynolds", "Saunders", "Payne", "Fox", "Ford", "Pearce", "Day", "Brooks", "West", "Lawrence", "Cole",
    "Atkinson", "Bradley", "Spencer", "Gill", "Dawson", "Ball", "Burton", "O'Brien", "Watts", "Rose", "Booth",
    "Perry", "Ryan", "Grant", "Wells", "Armstrong", "Francis", "Rees", "Hayes", "Hart", "Hudson", "Newman",
    "Barrett", "Webster", "Hunter", "Gregory", "Carr", "Lowe", "Page", "Marsh", "Riley", "Dunn", "Woods", "Nowak",
    "Kowalski", "Okafor", "Mensah", "Adeyemi", "Chowdhury", "Rahman", "Islam", "Mahmood", "Iqbal", "Sharma",
    "Mistry", "Chauhan", "Nguyen", "Wong", "Chen", "Popescu", "Costa", "Silva", "Bainbridge", "Wragg", "Slack",
)  # fmt: skip
EU_SURNAMES = ("Nowak", "Kowalski", "Popescu", "Costa", "Silva", "Wiśniewski", "Rossi", "Müller", "García")


class NoSuchConstituency(LookupError):
    pass


@dataclass
class Street:
    name: str
    district_code: str  # polling district
    outcode: str
    addresses: list[list[str]] = field(default_factory=list)  # address lines per household


@dataclass(frozen=True)
class Seat:
    constituency: Constituency
    town: str
    postcodes_by_outcode: dict[str, list[str]]  # real postcodes placed in the seat
    outcodes: list[str]  # real districts of the seat (with and without real postcodes)


def find_constituency(code: str, boundary_set: str | None = None) -> Constituency:
    """The constituency with this GSS code (on the latest boundary set that has it, unless one is named)."""
    found = Constituency.objects.filter(code=code.strip().upper()).select_related("boundary_set")
    if boundary_set:
        found = found.filter(boundary_set__slug=boundary_set)
    constituency = found.order_by("-boundary_set__first_used").first()
    if constituency is None:
        raise NoSuchConstituency(f"No constituency {code} is imported (run `groundgame data import` first).")
    return constituency


def town_of(name: str) -> str:
    """The town a seat is named after: "Derby North" -> "Derby"; "Mid Derbyshire" -> "Derbyshire"."""
    words = re.split(r"\s+", re.sub(r"[,()]", " ", name).strip())
    skip = {"north", "south", "east", "west", "central", "mid", "and", "the", "city", "of", "outer", "inner"}
    kept = [w for w in words if w.lower() not in skip]
    for direction in ("North", "South", "East", "West", "Central"):
        if direction in words and words.index(direction) > 0:
            return " ".join(words[: words.index(direction)])
    return kept[0] if kept else name


def seat_places(constituency: Constituency) -> Seat:
    """The real postcodes and postcode districts of a seat (ordered, so generation is deterministic)."""
    placed = (
        PostcodePlacement.objects.filter(constituency=constituency, approximate=False)
        .order_by("postcode__postcode")
        .values_list("postcode__postcode", "postcode__outcode")
    )
    by_outcode: dict[str, list[str]] = defaultdict(list)
    for postcode, outcode in placed:
        by_outcode[outcode].append(postcode)
    districts = list(PostcodeDistrict.objects.order_by("outcode").values_list("outcode", "latitude", "longitude"))
    outcodes = set(by_outcode)
    if constituency.boundary:
        index = BoundaryIndex([constituency.boundary])
        for outcode, lat, lon in districts:
            placement = index.locate(lat, lon)
            if placement is not None and not placement.approximate:
                outcodes.add(outcode)
    if not outcodes and constituency.centroid_lat is not None:
        lat0, lon0 = constituency.centroid_lat, constituency.centroid_lon
        scale = math.cos(math.radians(lat0))
        nearest = sorted((math.hypot(lat - lat0, (lon - lon0) * scale), outcode) for outcode, lat, lon in districts)
        outcodes = {outcode for _distance, outcode in nearest[:3]}
    if not outcodes:
        raise NoSuchConstituency(f"{constituency.code}: no postcode districts are imported for this seat.")
    return Seat(constituency, town_of(constituency.name), dict(by_outcode), sorted(outcodes))


def _district_codes(count: int, rng: random.Random) -> list[str]:
    """AA1, AA2, AA3, AB1... in wards of 3 to 5 districts."""
    codes, ward = [], 0
    while len(codes) < count:
        letters = chr(65 + ward // 26 % 26) + chr(65 + ward % 26)
        for n in range(1, rng.randint(3, 5) + 1):
            codes.append(f"{letters}{n}")
        ward += 1
    return codes[:count]


def _weighted(rng: random.Random, items) -> object:
    total = sum(w for _item, w in items)
    pick = rng.uniform(0, total)
    for item, weight in items:
        pick -= weight
        if pick <= 0:
            return item
    return items[-1][0]


def _household_sizes(households: int, electors: int, rng: random.Random) -> list[int]:
    sizes = [_weighted(rng, HOUSEHOLD_SIZES) for _ in range(households)]
    difference = electors - sum(sizes)
    while difference:
        i = rng.randrange(households)
        if difference > 0 and sizes[i] < 8:
            sizes[i] += 1
            difference -= 1
        elif difference < 0 and sizes[i] > 1:
            sizes[i] -= 1
            difference += 1
    return sizes


class _Postcodes:
    """Hands out postcodes to runs of doors: real ones of the outcode first, then made-up ones (an inward code
    with at least one letter Royal Mail never uses there: about 1,400 per district, then reused in turn)."""

    REAL_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

    def __init__(self, seat: Seat, rng: random.Random):
        self.real = {outcode: list(codes) for outcode, codes in seat.postcodes_by_outcode.items()}
        for codes in self.real.values():
            rng.shuffle(codes)
        self.rng = rng
        self.made: dict[str, list[str]] = {}
        self.given: dict[str, int] = defaultdict(int)

    def _made_up(self, outcode: str) -> list[str]:
        codes = self.made.get(outcode)
        if codes is None:
            letters = self.REAL_LETTERS + SYNTHETIC_INWARD_LETTERS
            codes = [
                f"{outcode} {digit}{first}{second}"
                for digit in range(10)
                for first in letters
                for second in letters
                if first in SYNTHETIC_INWARD_LETTERS or second in SYNTHETIC_INWARD_LETTERS
            ]
            self.rng.shuffle(codes)
            self.made[outcode] = codes
        return codes

    def next(self, outcode: str) -> str:
        real = self.real.get(outcode)
        if real:
            return real.pop()
        codes = self._made_up(outcode)
        code = codes[self.given[outcode] % len(codes)]
        self.given[outcode] += 1
        return code


def _street_names(count: int, rng: random.Random) -> list[str]:
    names, seen = [], set()
    stems = list(STEMS)
    while len(names) < count:
        name = f"{rng.choice(stems)} {_weighted(rng, STREET_TYPES)}"
        if name in seen:
            if len(seen) > len(STEMS) * len(STREET_TYPES) * 0.6:  # running out: number them as real towns do
                name = f"{name} {len([n for n in names if n.startswith(name)]) + 1}"
            else:
                continue
        seen.add(name)
        names.append(name)
    return names


def _doors(count: int, street: str, rng: random.Random) -> list[list[str]]:
    """Address lines (without town) for `count` households along a street: both sides numbered, some flats."""
    doors: list[list[str]] = []
    one_side = rng.random() < 0.15
    rural = street.endswith(("Lane", "Walk")) and rng.random() < 0.5
    number = rng.choice((1, 2)) if one_side else 1
    block = 0
    names = list(HOUSE_NAMES)
    rng.shuffle(names)
    while len(doors) < count:
        remaining = count - len(doors)
        if rural and names and rng.random() < 0.35:
            doors.append([names.pop(), street])
        elif remaining >= 4 and rng.random() < 0.04:  # a building of flats
            flats = min(remaining, rng.randint(4, 12))
            block += 1
            named = rng.random() < 0.5
            block_name = f"{street.split()[0]} {rng.choice(BLOCK_NAMES)}"
            for flat in range(1, flats + 1):
                label = f"Flat {flat}"
                if named:
                    doors.append([f"{label}, {block_name}", f"{number} {street}"])
                else:
                    doors.append([label, f"{number} {street}"])
            number += 2 if one_side else 1
        else:
            doors.append([f"{number} {street}"])
            if remaining >= 2 and rng.random() < 0.01:  # a house divided, or built in a garden: 7, then 7A
                doors.append([f"{number}A {street}"])
            number += 2 if one_side else 1
    return doors[:count]


def generate(
    constituency: Constituency,
    *,
    seed: int = 1,
    electors: int = 70_000,
    households: int | None = None,
    register_date: datetime.date | None = None,
    whole_names: bool = False,
) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of a synthetic register for the seat. Same seed and reference data, same register."""
    if electors < 1:
        raise ValueError("electors must be positive")
    rng = random.Random(seed)
    households = households or max(1, round(electors / 2))
    households = min(households, electors)
    register_date = register_date or datetime.date(2026, 12, 1)
    seat = seat_places(constituency)
    sizes = _household_sizes(households, electors, rng)
    district_count = max(1, round(electors / DISTRICT_SIZE))
    codes = _district_codes(district_count, rng)
    # Streets of 20 to 180 households, each in one polling district and one postcode district.
    lengths = []
    left = households
    while left > 0:
        length = min(left, int(rng.triangular(12, 180, 45)))
        lengths.append(length)
        left -= length
    names = _street_names(len(lengths), rng)
    weights = [(o, 100 + len(seat.postcodes_by_outcode.get(o, []))) for o in seat.outcodes]
    per_district = math.ceil(len(lengths) / len(codes))
    streets = [
        Street(name, codes[min(i // per_district, len(codes) - 1)], _weighted(rng, weights))
        for i, name in enumerate(names)
    ]
    pool = _Postcodes(seat, rng)
    header = WHOLE_NAME_HEADER if whole_names else HEADER
    rows: list[list[str]] = []
    numbers: dict[str, int] = defaultdict(int)
    late_numbers: dict[str, int] = {}
    household = 0
    for street, length in zip(streets, lengths, strict=True):
        doors = _doors(length, street.name, rng)
        postcode, used = pool.next(street.outcode), 0
        run = rng.randint(8, 20)
        for lines in doors:
            if used >= run:
                postcode, used, run = pool.next(street.outcode), 0, rng.randint(8, 20)
            used += 1
            rows += _household_rows(
                lines + [seat.town],
                postcode,
                sizes[household],
                street.district_code,
                numbers,
                rng,
                register_date,
                late_numbers,
            )
            household += 1
    # "Other electors": overseas electors listed without an address after each district's ordinary electors.
    for code in codes:
        for _ in range(rng.randint(0, 3)):
            numbers[code] += 1
            surname, first, middle, title = _person(rng, rng.choice(SURNAMES))
            rows.append(_row(code, numbers[code], 0, "F", "", title, surname, first, middle, "", [], whole_names))
    rows.sort(key=lambda r: (codes.index(r[0]), int(r[1]), int(r[2] or 0)))
    if whole_names:
        rows = [_whole_name(r) for r in rows]
    return header, rows


def _person(rng: random.Random, surname: str) -> tuple[str, str, str, str]:
    female = rng.random() < 0.51
    first = rng.choice(FIRST_NAMES_F if female else FIRST_NAMES_M)
    middle = rng.choice(FIRST_NAMES_F if female else FIRST_NAMES_M) if rng.random() < 0.4 else ""
    title = ""
    if rng.random() < 0.3:
        title = "Dr" if rng.random() < 0.03 else rng.choice(("Mrs", "Ms", "Miss")) if female else "Mr"
    return surname, first, middle, title


def _household_rows(lines, postcode, size, code, numbers, rng, register_date, late_numbers) -> list[list[str]]:
    rows = []
    eu = rng.random() < 0.03
    family = rng.choice(EU_SURNAMES if eu else SURNAMES)
    postal_household = rng.random() < 0.2
    for i in range(size):
        surname = family if i == 0 or rng.random() < 0.8 else rng.choice(SURNAMES)
        surname, first, middle, title = _person(rng, surname)
        markers = ""
        if eu and (i == 0 or rng.random() < 0.7):
            markers += "G"
        if postal_household and rng.random() < 0.9:
            markers += "A"
        elif rng.random() < 0.005:
            markers += "X"
        dob = ""
        if (i >= 2 and rng.random() < 0.07) or rng.random() < 0.005:  # an attainer: a date in the coming year
            dob = (register_date + datetime.timedelta(days=rng.randint(1, 365))).isoformat()
        # Added after publication: the previous number's /1 (once per number).
        late = rng.random() < 0.01 and numbers[code] > 0 and late_numbers.get(code) != numbers[code]
        if late:
            late_numbers[code] = numbers[code]
            number, suffix = numbers[code], 1
        else:
            numbers[code] += 1
            number, suffix = numbers[code], 0
        rows.append(_row(code, number, suffix, markers, dob, title, surname, first, middle, postcode, lines, False))
    return rows


def _row(code, number, suffix, markers, dob, title, surname, first, middle, postcode, lines, whole) -> list[str]:
    padded = (list(lines) + [""] * 6)[:6]
    return [code, str(number), str(suffix), markers, dob, title, surname, first, middle, postcode, *padded]


def _whole_name(row: list[str]) -> list[str]:
    surname, first, middle = row[6], row[7], row[8]
    name = f"{surname}, {first} {middle}".strip()
    return [*row[:6], name, *row[9:]]


def write_csv(path: Path | str, header: list[str], rows: list[list[str]]) -> None:
    with Path(path).open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)


def generate_file(
    path: Path | str,
    *,
    constituency: Constituency,
    progress: Callable[[int], None] | None = None,
    **options,
) -> tuple[int, int]:
    """Write a synthetic register to `path`; return (electors, households) written."""
    header, rows = generate(constituency, **options)
    write_csv(path, header, rows)
    households = len({(r[-7], *r[-6:]) for r in rows if any(r[-6:])})
    return len(rows), households
