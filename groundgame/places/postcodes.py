"""UK postcode normalisation and validation (no Django).

The pattern is the GOV.UK bulk-data pattern with its anchoring bug fixed, as documented in
shared/data/postcodes/POSTCODE_FORMAT.md: full-match, alternatives grouped, optional single space.
"""

import re
from dataclasses import dataclass

FULL_POSTCODE = re.compile(
    r"^(?:[Gg][Ii][Rr] ?0[Aa]{2}|(?:[A-Za-z][0-9]{1,2}|[A-Za-z][A-Ha-hJ-Yj-y][0-9]{1,2}|[A-Za-z][0-9][A-Za-z]"
    r"|[A-Za-z][A-Ha-hJ-Yj-y][0-9][A-Za-z]?) ?[0-9][A-Za-z]{2})$"
)
# The outward code alone (a postcode district): the same alternatives without the inward part.
OUTCODE = re.compile(
    r"^(?:[A-Za-z][0-9]{1,2}|[A-Za-z][A-Ha-hJ-Yj-y][0-9]{1,2}|[A-Za-z][0-9][A-Za-z]|[A-Za-z][A-Ha-hJ-Yj-y][0-9][A-Za-z]?)$"
)


class InvalidPostcode(ValueError):
    """The text is neither a UK postcode nor a postcode district."""


@dataclass(frozen=True)
class ParsedPostcode:
    text: str  # normalised: "DE22 1AA" for a full postcode, "DE22" for a district
    outcode: str
    is_full: bool


def normalise(text: str) -> str:
    """Strip, upper-case and collapse whitespace; put the single space before the 3-character inward code."""
    compact = re.sub(r"\s+", "", text or "").upper()
    if len(compact) >= 5 and FULL_POSTCODE.match(compact):
        return f"{compact[:-3]} {compact[-3:]}"
    return compact


def parse(text: str) -> ParsedPostcode:
    """Parse a full postcode ("de221aa", "DE22 1AA") or a district ("DE22"); raise InvalidPostcode otherwise."""
    value = normalise(text)
    if not value:
        raise InvalidPostcode("Enter a postcode.")
    if " " in value and FULL_POSTCODE.match(value):
        return ParsedPostcode(text=value, outcode=value[:-3].strip(), is_full=True)
    if OUTCODE.match(value):
        return ParsedPostcode(text=value, outcode=value, is_full=False)
    raise InvalidPostcode(f"'{text.strip()}' is not a UK postcode or postcode district.")
