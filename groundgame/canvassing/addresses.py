"""UK register addresses and elector numbers, as plain functions (no Django): tested directly on a table of real
shapes (tests/canvassing/test_register.py).

Register exports give an address as up to six free-text lines (Address1..Address6) and a postcode, the lines in
the order a letter would carry them: a flat, a building, the house number and street, a locality, the town, maybe a
county, sometimes the postcode again. `parse_address` turns them into the parts a walk list sorts and shows:

    parse_address(["Flat 3, 21 High Street", "Littleover", "Derby"], "DE23 6AB")
    -> Parsed(flat="Flat 3", house_name="", number=21, suffix="", street="High Street", locality="Littleover",
              town="Derby")

What it recognises, in each comma-separated part of each line:
- a flat: "Flat 3", "Flat 3A", "Apartment 12", "Apt 4", "Unit 2", "Room 5", "Maisonette B", "Studio 1",
  "Ground Floor Flat", "First Floor", "Basement Flat", "Top Flat", Edinburgh's "2F1" / "PF2", and a leading
  "3/2" or "Flat A" followed by more text ("Flat 2 Oak House" -> flat "Flat 2", house name "Oak House");
- a house number and street: "21 High Street", "2A Station Road" (suffix "A"), "12-14 Market Place" (number 12,
  suffix "-14"), "21 - 23 Mill Lane", a number alone on a line followed by the street on the next ("21" /
  "High Street");
- a numbered building followed by a street: "3 Oak Court, High Street" -> flat "3", house name "Oak Court"
  (when the part after the number ends in a building word and the next part is a street);
- a house name: any part before the street that is not a flat ("Rose Cottage", "The Old Rectory");
- a street without a number: the first part ending in a street word (Road, Street, Lane, Close...) after the
  flat and house name, else the part after the house name;
- after the street: the last part is the town (a county after it, "Derbyshire", is dropped), the parts between
  are the locality.

The postcode is removed from the lines wherever it appears. Everything is kept as supplied apart from spacing
(registers often print streets in capitals; that is left to the page).
"""

import hashlib
import re
from dataclasses import dataclass

FLAT_WORDS = r"flat|apartment|apt|unit|room|maisonette|studio|suite|bedsit|annexe"
_FLAT = re.compile(rf"^(?:(?:{FLAT_WORDS})\.?\s+[0-9A-Za-z/-]+)(?=\s|$)", re.IGNORECASE)
_FLOOR = re.compile(
    r"^(?:(?:ground|first|second|third|fourth|top|lower|upper|basement|garden)(?:\s+floor)?(?:\s+(?:flat|rear|front))?"
    r"|(?:basement|garden)\s+flat)(?=\s*$)",
    re.IGNORECASE,
)
_FLOOR_FLAT = re.compile(
    r"^(?:ground|first|second|third|fourth|top|lower|upper|basement|garden)(?:\s+floor)?\s+(?:flat|rear|front)"
    r"(?:\s+(?:flat|rear|front))?(?=\s)",
    re.IGNORECASE,
)
_EDINBURGH = re.compile(r"^(?:\d{1,2}F\d{1,2}|PF\d{1,2}|BF\d?|GF\d?)(?=\s|$)", re.IGNORECASE)
_SLASH_FLAT = re.compile(r"^(\d+)/(\d+[A-Za-z]?)\s+")  # Glasgow "3/2 21 Byres Road": flat 3/2
_NUMBERED = re.compile(r"^(\d{1,5})\s*([A-Za-z](?![A-Za-z]))?(?:\s*[-–]\s*(\d{1,5}[A-Za-z]?))?(?:\s+|,|$)(.*)$")
_NUMBER_ONLY = re.compile(r"^(\d{1,5})\s*([A-Za-z])?(?:\s*[-–]\s*(\d{1,5}[A-Za-z]?))?$")

STREET_WORDS = frozenset(
    (
        "road", "rd", "street", "st", "lane", "ln", "avenue", "ave", "close", "cl", "drive", "dr", "way", "crescent",
        "cres", "place", "pl", "gardens", "gdns", "grove", "gr", "terrace", "ter", "tce", "walk", "hill", "row",
        "square", "sq", "mews", "parade", "view", "rise", "green", "park", "vale", "gate", "gardens", "wharf", "quay",
        "boulevard", "broadway", "circus", "croft", "end", "fields", "field", "hollow", "lea", "meadow", "meadows",
        "mount", "nook", "orchard", "paddock", "path", "promenade", "ridge", "side", "spur", "vale", "villas", "wynd",
        "brae", "loan", "causeway", "embankment", "approach", "bank", "chase", "court", "ct", "dale", "glade", "grange",
        "heights", "parkway", "yard", "wood", "bridge", "cottages"
    )
)  # fmt: skip
STRONG_STREET_WORDS = frozenset(
    (
        "road", "rd", "street", "st", "lane", "ln", "avenue", "ave", "close", "drive", "dr", "way", "crescent", "cres",
        "place", "gardens", "gdns", "grove", "terrace", "tce", "walk", "row", "square", "sq", "mews", "parade",
        "boulevard", "wynd"
    )
)  # fmt: skip
BUILDING_WORDS = frozenset(
    (
        "house", "court", "lodge", "mansions", "apartments", "buildings", "building", "tower", "point", "heights",
        "chambers", "block", "hall", "flats", "centre", "works", "mill"
    )
)  # fmt: skip
COUNTIES = frozenset(
    (
        "derbyshire", "nottinghamshire", "leicestershire", "staffordshire", "cheshire", "lancashire", "yorkshire",
        "lincolnshire", "northamptonshire", "warwickshire", "shropshire", "worcestershire", "gloucestershire",
        "oxfordshire", "buckinghamshire", "bedfordshire", "hertfordshire", "cambridgeshire", "berkshire", "hampshire",
        "wiltshire", "somerset", "dorset", "devon", "cornwall", "kent", "surrey", "sussex", "essex", "suffolk",
        "norfolk", "cumbria", "northumberland", "durham", "merseyside", "middlesex", "herefordshire", "rutland", "avon",
        "cleveland", "humberside"
    )
)  # fmt: skip
COUNTY_PREFIXES = ("north ", "south ", "east ", "west ", "greater ", "county ")


@dataclass(frozen=True)
class ParsedAddress:
    flat: str = ""
    house_name: str = ""
    number: int | None = None
    suffix: str = ""
    street: str = ""
    locality: str = ""
    town: str = ""


def clean(text: str) -> str:
    """Spacing collapsed (no-break spaces too), stray commas trimmed."""
    return " ".join(text.split()).strip(" ,") if text else ""


def _compact_postcode(text: str) -> str:
    return "".join(text.split()).upper() if text else ""


def _is_county(part: str) -> bool:
    lower = part.lower()
    for prefix in COUNTY_PREFIXES:
        if lower.startswith(prefix):
            lower = lower[len(prefix) :]
    return lower in COUNTIES


def _last_word(part: str) -> str:
    words = re.findall(r"[A-Za-z']+", part.lower())
    return words[-1] if words else ""


def _is_street(part: str) -> bool:
    return _last_word(part) in STREET_WORDS


def _is_strong_street(part: str) -> bool:
    """Ends in a word that only streets end in (not Park, Green, Hill..., which end localities too)."""
    return _last_word(part) in STRONG_STREET_WORDS


def _is_building(part: str) -> bool:
    return _last_word(part) in BUILDING_WORDS


def _split_flat(part: str) -> tuple[str, str]:
    """("Flat 3", rest) when the part starts with a flat, else ("", part)."""
    for pattern in (_FLAT, _FLOOR_FLAT, _FLOOR, _EDINBURGH):
        match = pattern.match(part)
        if match:
            return clean(match.group(0)), clean(part[match.end() :])
    match = _SLASH_FLAT.match(part)
    if match:
        return f"{match.group(1)}/{match.group(2)}", clean(part[match.end() :])
    return "", part


def _number(match: re.Match) -> tuple[int, str]:
    number = int(match.group(1))
    suffix = (match.group(2) or "").upper()
    if match.group(3):
        suffix = f"{suffix}-{match.group(3).upper()}"
    return number, suffix[:10]


def parse_address(lines: list[str], postcode: str = "") -> ParsedAddress:
    """The parts of an address given as register lines (see the module docstring)."""
    compact = _compact_postcode(postcode)
    parts: list[str] = []
    for line in lines:
        line = clean(line)
        if not line or (compact and _compact_postcode(line) == compact):
            continue
        for part in line.split(","):
            part = clean(part)
            if part and not (compact and _compact_postcode(part) == compact):
                parts.append(part)
    flat, names = "", []
    for index, part in enumerate(parts):
        following = parts[index + 1] if index + 1 < len(parts) else ""
        found_flat, rest = _split_flat(part)
        if found_flat and not flat:
            flat = found_flat
            if not rest:
                continue
            part = rest
        only = _NUMBER_ONLY.match(part)
        if only and following:  # "21" then "High Street" on the next line
            number, suffix = _number(only)
            return _finish(flat, names, number, suffix, following, parts[index + 2 :])
        numbered = _NUMBERED.match(part)
        if numbered and re.search(r"[A-Za-z]", numbered.group(4) or ""):
            rest = clean(numbered.group(4))
            if _is_building(rest) and following and (_is_strong_street(following) or _NUMBERED.match(following)):
                # "3 Oak Court, High Street": flat 3 of Oak Court, on High Street
                number, suffix = _number(numbered)
                flat = flat or f"{number}{suffix}"
                names.append(rest)
                continue
            number, suffix = _number(numbered)
            return _finish(flat, names, number, suffix, rest, parts[index + 1 :])
        if _is_street(part) and not (following and (_is_strong_street(following) or _NUMBERED.match(following))):
            return _finish(flat, names, None, "", part, parts[index + 1 :])
        names.append(part)
    # No street: "Brook Farm, Shottle, Belper" (a house name, then the locality and town).
    return _finish(flat, names[:1], None, "", "", names[1:])


def _finish(flat, names, number, suffix, street, after) -> ParsedAddress:
    after = list(after)
    while len(after) > 1 and _is_county(after[-1]):
        after.pop()
    town = after[-1] if after else ""
    locality = ", ".join(after[:-1])
    return ParsedAddress(
        flat=flat[:60],
        house_name=", ".join(names)[:100],
        number=number,
        suffix=suffix,
        street=street[:120],
        locality=locality[:120],
        town=town[:80],
    )


_NOT_KEY = re.compile(r"[^A-Z0-9]+")


def address_key(lines: list[str], postcode: str) -> str:
    """The matching key of a household across register copies: its lines (upper-case, letters and digits only,
    the postcode line dropped) and compact postcode. At most 255 characters (long ones end in a hash)."""
    compact = _compact_postcode(postcode)
    normal = []
    for line in lines:
        text = _NOT_KEY.sub(" ", line.upper()).strip() if line else ""
        if text and text.replace(" ", "") != compact:
            normal.append(text)
    key = "|".join(normal) + "#" + compact
    if len(key) > 255:
        key = key[:214] + "~" + hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()  # a key, not a secret
    return key


# --- elector numbers --------------------------------------------------------------------------------------------

_DISTRICT = re.compile(r"^[A-Z0-9]{1,10}$")
_FULL_NUMBER = re.compile(r"^([A-Z0-9]{1,10})\s*[-–]\s*(\d{1,7})(?:\s*/\s*(\d{1,4}))?$")
_PLAIN_NUMBER = re.compile(r"^(\d{1,7})(?:\s*/\s*(\d{1,4}))?$")


class BadElectorNumber(ValueError):
    pass


@dataclass(frozen=True)
class ElectorNumber:
    district: str  # "" when the text gave none
    number: int
    suffix: int | None  # None when the text gave none

    def __str__(self) -> str:
        return f"{self.district}-{self.number}" + (f"/{self.suffix}" if self.suffix else "")


def parse_district(text: str) -> str:
    code = re.sub(r"\s+", "", text or "").upper()
    if not _DISTRICT.match(code):
        raise BadElectorNumber("not a polling district code (letters and digits, like AB1)")
    return code


def parse_elector_number(text: str) -> ElectorNumber:
    """ "888", "888/1", "AB1-888" or "AB1-888/1" (an elector number, with or without its polling district)."""
    value = (text or "").strip().upper()
    if value.isdigit() and len(value) <= 7:  # the usual case
        if int(value) < 1:
            raise BadElectorNumber("elector numbers start at 1")
        return ElectorNumber("", int(value), None)
    if value.endswith(".0"):  # a spreadsheet turned 888 into 888.0
        value = value[:-2]
    match = _PLAIN_NUMBER.match(value)
    if match:
        district = ""
    else:
        match = _FULL_NUMBER.match(value)
        if not match:
            raise BadElectorNumber("not an elector number (like 888, 888/1 or AB1-888/1)")
        district, match = match.group(1), _PLAIN_NUMBER.match(f"{match.group(2)}/{match.group(3) or ''}".rstrip("/"))
    number = int(match.group(1))
    if number < 1:
        raise BadElectorNumber("elector numbers start at 1")
    suffix = int(match.group(2)) if match.group(2) is not None else None
    return ElectorNumber(district, number, suffix)


def parse_suffix(text: str) -> int:
    value = (text or "").strip()
    if value.endswith(".0"):
        value = value[:-2]
    if not value:
        return 0
    if not value.isdigit() or int(value) > 32767:
        raise BadElectorNumber("not an elector number suffix (a whole number like 0 or 1)")
    return int(value)
