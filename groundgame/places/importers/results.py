"""Importers for House of Commons Library general election results: by constituency (2015 without a
header row; 2017, 2019, 2024 with headers that differ) and by candidate (2017, 2019, 2024)."""

import re
from datetime import date
from pathlib import Path

from ..models import CandidateResult, ConstituencyResult, Election
from .base import DataFileError, ImportSummary, progress, read_csv, sniff_headerless, update_fields
from .geography import Constituencies, boundary_set_get

# Polling dates and boundary sets of the general elections Groundgame knows.
ELECTIONS = {
    2015: (date(2015, 5, 7), "2010"),
    2017: (date(2017, 6, 8), "2010"),
    2019: (date(2019, 12, 12), "2010"),
    2024: (date(2024, 7, 4), "2024"),
}
# Column order of the Library's 2015 summary file, which some copies publish without a header row.
HEADERLESS_2015_COLUMNS = [
    "ons_id",
    "ons_region_id",
    "constituency_name",
    "county_name",
    "region_name",
    "country_name",
    "constituency_type",
    "declaration_time",
    "result",
    "first_party",
    "second_party",
    "electorate",
    "valid_votes",
    "invalid_votes",
    "majority",
    "con",
    "lab",
    "ld",
    "ukip",
    "green",
    "snp",
    "pc",
    "dup",
    "sf",
    "sdlp",
    "uup",
    "alliance",
    "other",
]
# Party vote columns (normalised header) -> the party code used everywhere else.
PARTY_COLUMNS = {
    "con": "Con",
    "lab": "Lab",
    "ld": "LD",
    "ukip": "UKIP",
    "brx": "BRX",
    "ruk": "RUK",
    "green": "Green",
    "snp": "SNP",
    "pc": "PC",
    "dup": "DUP",
    "sf": "SF",
    "sdlp": "SDLP",
    "uup": "UUP",
    "alliance": "APNI",
    "apni": "APNI",
    "other": "Other",
    "all_other_candidates": "Other",
}
PARTY_ALIASES = {"Alliance": "APNI", "Brexit": "BRX"}
# Region names as ONS spells them; the 2015 and 2017 files say "East" where the later ones say "East of England".
# Without this, every full import rewrote the region of 58 seats back and forth (running twice changed rows).
REGION_ALIASES = {"East": "East of England"}
REQUIRED = [
    "ons_id",
    "constituency_name",
    "result",
    "first_party",
    "second_party",
    "electorate",
    "valid_votes",
]
REQUIRED += ["majority"]


def election_year_from_name(path: Path, given: int | None) -> int:
    if given:
        year = given
    else:
        match = re.search(r"(?:ge)?(20\d\d)", path.name.lower())
        if not match:
            raise DataFileError(path, None, None, "cannot tell the election year from the file name: pass --year")
        year = int(match.group(1))
    if year not in ELECTIONS:
        raise DataFileError(path, None, None, f"unknown general election {year} (known: {sorted(ELECTIONS)})")
    return year


def election_get(year: int, path: Path) -> Election:
    polling_date, slug = ELECTIONS[year]
    election, _ = Election.objects.get_or_create(
        year=year, defaults={"polling_date": polling_date, "boundary_set": boundary_set_get(slug, path)}
    )
    return election


def party_code(value: str) -> str:
    return PARTY_ALIASES.get(value, value)


def import_constituency_results(path: Path, *, year: int | None = None, quiet: bool = False) -> ImportSummary:
    path = Path(path)
    year = election_year_from_name(path, year)
    summary = ImportSummary(f"results {year}", path)
    election = election_get(year, path)
    seats = Constituencies(election.boundary_set)
    # Seats are created from a results file only while the boundary set is empty; once boundaries (or
    # another election) defined it, an unknown code means the file is for another year or boundary set.
    may_create = not seats.by_code
    columns = HEADERLESS_2015_COLUMNS if sniff_headerless(path, r"[ESWN]\d{8},") else None
    existing = {r.constituency_id: r for r in ConstituencyResult.objects.filter(election=election)}
    seen: set[str] = set()
    for row in progress(read_csv(path, required=REQUIRED, columns=columns), quiet=quiet, description=str(year)):
        summary.rows += 1
        code = row.text("ons_id")
        if code in seen:
            raise DataFileError(path, row.line, "ons_id", f"constituency {code} appears twice")
        seen.add(code)
        if not may_create and code not in seats.by_code:
            raise DataFileError(
                path,
                row.line,
                "ons_id",
                f"{code} is not a constituency of {election.boundary_set}: is this the {year} results file?",
            )
        constituency = seats.get(
            code, path=path, line=row.line, field_name="ons_id", name=row.text("constituency_name")
        )
        region = row.text("region_name", required=False) if row.has("region_name") else ""
        region = REGION_ALIASES.get(region, region)
        if region and constituency.region != region:
            constituency.region = region
            constituency.save(update_fields=["region"])
        party_votes = {}
        for column, party in PARTY_COLUMNS.items():
            if row.has(column):
                votes = row.integer(column, required=False)
                if votes:
                    party_votes[party] = party_votes.get(party, 0) + votes
        other_winner = None
        for column in ("other_winner", "of_which_other_winner"):
            if row.has(column):
                other_winner = row.integer(column, required=False) or None
        values = {
            "electorate": row.integer("electorate"),
            "valid_votes": row.integer("valid_votes"),
            "invalid_votes": row.integer("invalid_votes", required=False) if row.has("invalid_votes") else 0,
            "majority": row.integer("majority"),
            "result": row.text("result"),
            "first_party": party_code(row.text("first_party")),
            "second_party": party_code(row.text("second_party")),
            "party_votes": party_votes,
            "other_winner_votes": other_winner,
        }
        if values["valid_votes"] == 0:
            raise DataFileError(path, row.line, "valid_votes", "must be more than 0")
        if values["majority"] > values["valid_votes"]:
            raise DataFileError(path, row.line, "majority", "is larger than the valid votes")
        if sum(party_votes.values()) != values["valid_votes"]:
            summary.warnings.append(
                f"line {row.line} ({code}): party columns sum to {sum(party_votes.values())}, "
                f"valid votes are {values['valid_votes']}"
            )
        result = existing.pop(constituency.pk, None)
        if result is None:
            ConstituencyResult.objects.create(election=election, constituency=constituency, **values)
            summary.created += 1
        elif update_fields(result, values):
            result.save(update_fields=list(values))
            summary.updated += 1
        else:
            summary.unchanged += 1
    if summary.rows == 0:
        raise DataFileError(path, 2, None, "no result rows")
    if existing:
        ConstituencyResult.objects.filter(pk__in=[r.pk for r in existing.values()]).delete()
        summary.deleted = len(existing)
    return summary


def import_candidate_results(path: Path, *, year: int | None = None, quiet: bool = False) -> ImportSummary:
    """Results by candidate. Totals that disagree with the constituency file are a warning, not an error."""
    path = Path(path)
    year = election_year_from_name(path, year)
    summary = ImportSummary(f"candidates {year}", path)
    election = Election.objects.filter(year=year).first()
    results = {
        r.constituency.code: r
        for r in ConstituencyResult.objects.filter(election__year=year).select_related("constituency")
    }
    if election is None or not results:
        raise DataFileError(path, None, None, f"import the {year} constituency results before the candidates")
    existing = {
        (c.result_id, c.party_abbreviation, c.first_name, c.surname): c
        for c in CandidateResult.objects.filter(result__election=election)
    }
    seen: set[tuple] = set()
    totals: dict[str, int] = {}
    required = ["ons_id", "party_name", "party_abbreviation", "votes"]
    for row in progress(read_csv(path, required=required), quiet=quiet, description=f"candidates {year}"):
        summary.rows += 1
        code = row.text("ons_id")
        result = results.get(code)
        if result is None:
            raise DataFileError(path, row.line, "ons_id", f"no {year} constituency result for {code}")
        first = row.text("candidate_first_name" if row.has("candidate_first_name") else "firstname", required=False)
        surname = row.text("candidate_surname" if row.has("candidate_surname") else "surname")
        abbreviation = row.text("party_abbreviation", required=False) or row.text("party_name")
        key = (result.pk, abbreviation, first, surname)
        if key in seen:
            raise DataFileError(path, row.line, "candidate_surname", f"candidate {first} {surname} appears twice")
        seen.add(key)
        votes = row.integer("votes")
        totals[code] = totals.get(code, 0) + votes
        values = {
            "party_name": row.text("party_name"),
            "gender": row.text("candidate_gender" if row.has("candidate_gender") else "gender", required=False),
            "sitting_mp": row.text("sitting_mp", required=False).lower() == "yes",
            "votes": votes,
        }
        candidate = existing.pop(key, None)
        if candidate is None:
            CandidateResult.objects.create(
                result=result, party_abbreviation=abbreviation, first_name=first, surname=surname, **values
            )
            summary.created += 1
        elif update_fields(candidate, values):
            candidate.save(update_fields=list(values))
            summary.updated += 1
        else:
            summary.unchanged += 1
    if existing:
        CandidateResult.objects.filter(pk__in=[c.pk for c in existing.values()]).delete()
        summary.deleted = len(existing)
    for code, result in results.items():
        if totals.get(code, 0) != result.valid_votes:
            summary.warnings.append(
                f"{result.constituency.name} ({code}): candidate votes sum to {totals.get(code, 0):,}, "
                f"the constituency file says {result.valid_votes:,} valid votes"
            )
    return summary
