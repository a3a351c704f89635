"""The register import: address parsing, elector numbers, a generated 2,000-elector file end to end, malformed
files (nothing written), re-import of a newer copy (in-place update and its diff), encodings, idempotency."""

import datetime

import pytest

from groundgame.canvassing import register, synthetic
from groundgame.canvassing.addresses import (
    BadElectorNumber,
    ParsedAddress,
    address_key,
    parse_address,
    parse_elector_number,
)
from groundgame.canvassing.models import Address, Elector, PollingDistrict, RegisterCopy, WalkListStop
from groundgame.core.models import AuditEvent
from groundgame.places.models import Postcode, PostcodeDistrict

from .factories import (
    CampaignFactory,
    ContactRecordFactory,
    WalkListFactory,
    make_seat,
    register_file,
    register_row,
)

REGISTER_DATE = datetime.date(2026, 12, 1)
DETAILS = register.CopyDetails(
    supplier="Derby City Council, Electoral Services",
    published_on=REGISTER_DATE,
    received_on=datetime.date(2026, 12, 3),
    permitted_purpose="Electoral purposes of the campaign",
    delete_by=datetime.date(2027, 8, 1),
)
NEWER = register.CopyDetails(
    supplier=DETAILS.supplier,
    published_on=datetime.date(2027, 3, 1),
    received_on=datetime.date(2027, 3, 2),
    permitted_purpose=DETAILS.permitted_purpose,
    delete_by=datetime.date(2027, 8, 1),
)


# --- addresses: a table of real shapes ----------------------------------------------------------------------------

ADDRESSES = [
    (["21 High Street", "Derby"], "DE22 1AA", ParsedAddress(number=21, street="High Street", town="Derby")),
    (
        ["Flat 3, 21 High Street", "Littleover", "Derby"],
        "DE23 6AB",
        ParsedAddress(flat="Flat 3", number=21, street="High Street", locality="Littleover", town="Derby"),
    ),
    (
        ["Flat 2", "21 High Street", "Derby"],
        "",
        ParsedAddress(flat="Flat 2", number=21, street="High Street", town="Derby"),
    ),
    (["2A Station Road", "Derby"], "", ParsedAddress(number=2, suffix="A", street="Station Road", town="Derby")),
    (
        ["12-14 Market Place", "Belper"],
        "",
        ParsedAddress(number=12, suffix="-14", street="Market Place", town="Belper"),
    ),
    (["21 - 23 Mill Lane", "Derby"], "", ParsedAddress(number=21, suffix="-23", street="Mill Lane", town="Derby")),
    (["21", "High Street", "Derby"], "", ParsedAddress(number=21, street="High Street", town="Derby")),
    (
        ["Flat 2 Oak House", "Cedar Road", "Derby"],
        "",
        ParsedAddress(flat="Flat 2", house_name="Oak House", street="Cedar Road", town="Derby"),
    ),
    (
        ["Flat 2", "Oak House", "Cedar Road", "Derby"],
        "",
        ParsedAddress(flat="Flat 2", house_name="Oak House", street="Cedar Road", town="Derby"),
    ),
    (
        ["Apartment 12", "The Mill", "1 Mill Street", "Derby"],
        "",
        ParsedAddress(flat="Apartment 12", house_name="The Mill", number=1, street="Mill Street", town="Derby"),
    ),
    (
        ["Rose Cottage", "Mill Lane", "Duffield", "Belper", "Derbyshire"],
        "",
        ParsedAddress(house_name="Rose Cottage", street="Mill Lane", locality="Duffield", town="Belper"),
    ),
    (
        ["Brook Farm", "Shottle", "Belper"],
        "",
        ParsedAddress(house_name="Brook Farm", locality="Shottle", town="Belper"),
    ),
    (
        ["3 Oak Court", "High Street", "Derby"],
        "",
        ParsedAddress(flat="3", house_name="Oak Court", street="High Street", town="Derby"),
    ),
    (
        ["12 Oak Court", "Allestree", "Derby"],
        "",
        ParsedAddress(number=12, street="Oak Court", locality="Allestree", town="Derby"),
    ),
    (["Park View", "Mill Lane", "Derby"], "", ParsedAddress(house_name="Park View", street="Mill Lane", town="Derby")),
    (
        ["Green Lane", "Chaddesden Park", "Derby"],
        "",
        ParsedAddress(street="Green Lane", locality="Chaddesden Park", town="Derby"),
    ),
    (
        ["Ground Floor Flat", "12 Park Road", "Derby"],
        "",
        ParsedAddress(flat="Ground Floor Flat", number=12, street="Park Road", town="Derby"),
    ),
    (["Top Flat 7 Duffield Road"], "", ParsedAddress(flat="Top Flat", number=7, street="Duffield Road")),
    (
        ["2F1 10 Marchmont Road", "Edinburgh"],
        "",
        ParsedAddress(flat="2F1", number=10, street="Marchmont Road", town="Edinburgh"),
    ),
    (["3/2 21 Byres Road", "Glasgow"], "", ParsedAddress(flat="3/2", number=21, street="Byres Road", town="Glasgow")),
    (["Flat A, 12 Park Road"], "", ParsedAddress(flat="Flat A", number=12, street="Park Road")),
    (["21 High Street", "Derby", "DE22 1AA"], "DE22 1AA", ParsedAddress(number=21, street="High Street", town="Derby")),
    (["  21   High  Street ", "", "Derby,"], "", ParsedAddress(number=21, street="High Street", town="Derby")),
]


@pytest.mark.parametrize(("lines", "postcode", "expected"), ADDRESSES, ids=[" / ".join(a[0]) for a in ADDRESSES])
def test_address_lines_are_parsed_into_their_parts(lines, postcode, expected):
    assert parse_address(lines, postcode) == expected


def test_address_key_ignores_case_punctuation_spacing_and_a_repeated_postcode():
    a = address_key(["Flat 3, 21 High Street", "Derby"], "DE22 1AA")
    assert a == address_key(["FLAT 3 21 HIGH STREET", "derby", "de22 1aa"], "de221aa")
    assert a != address_key(["Flat 4, 21 High Street", "Derby"], "DE22 1AA")
    assert len(address_key(["x" * 200, "y" * 200], "DE22 1AA")) <= 255


@pytest.mark.parametrize(
    ("text", "district", "number", "suffix"),
    [
        ("888", "", 888, None),
        ("888/1", "", 888, 1),
        ("AB1-888/1", "AB1", 888, 1),
        ("ab1 - 888", "AB1", 888, None),
        ("888.0", "", 888, None),
    ],  # fmt: skip
)
def test_elector_numbers_are_parsed_with_or_without_their_district(text, district, number, suffix):
    parsed = parse_elector_number(text)
    assert (parsed.district, parsed.number, parsed.suffix) == (district, number, suffix)


@pytest.mark.parametrize("text", ["", "AB1", "0", "AB1-", "12a", "AB1-888/x", "1-2-3"])
def test_bad_elector_numbers_are_refused(text):
    with pytest.raises(BadElectorNumber):
        parse_elector_number(text)


def test_suggested_mapping_recognises_the_usual_export_columns():
    header = ["PD", "ENO", "Elector Name", "Property Address 1", "Property Postcode", "Franchise Flag", "Notes"]
    assert register.suggest_mapping(header) == {
        "PD": "prefix",
        "ENO": "number",
        "Elector Name": "name",
        "Property Address 1": "address1",
        "Property Postcode": "postcode",
        "Franchise Flag": "franchise",
    }
    assert register.mapping_problems(register.suggest_mapping(synthetic.HEADER)) == []


def test_attainer_dates_and_dates_of_birth():
    assert register.attainer_date(datetime.date(2027, 5, 1), REGISTER_DATE) == datetime.date(2027, 5, 1)
    assert register.attainer_date(datetime.date(2009, 5, 1), REGISTER_DATE) == datetime.date(2027, 5, 1)
    assert register.attainer_date(datetime.date(1970, 5, 1), REGISTER_DATE) is None


def test_franchise_decides_who_votes_at_which_election():
    assert register.votes_in("", "general")
    assert not register.votes_in("G", "general")
    assert register.votes_in("G", "local")
    assert register.votes_in("F", "general")
    assert not register.votes_in("F", "local")


# --- a generated 2,000-elector file ---------------------------------------------------------------------------------


@pytest.fixture
def seat(db):
    return make_seat()


@pytest.fixture
def campaign(seat):
    campaign = CampaignFactory()
    campaign.constituencies.set([seat])
    return campaign


@pytest.fixture
def generated(tmp_path, seat):
    path = tmp_path / "register.csv"
    electors, households = synthetic.generate_file(path, constituency=seat, seed=7, electors=2000)
    return path, electors, households


def test_a_generated_2000_elector_register_imports_completely(generated, campaign):
    """Every elector with an address becomes an Elector in a household, located, in its polling district."""
    path, rows, households = generated
    report = register.commit(path, campaign=campaign, copy=DETAILS, acting=None)
    assert report.ok and report.committed
    assert report.electors == 2000 and report.no_address == rows - 2000
    assert Elector.objects.filter(campaign=campaign).count() == 2000
    assert Address.objects.filter(campaign=campaign).count() == households == report.households
    assert PollingDistrict.objects.filter(campaign=campaign).count() == report.polling_districts == 1
    assert report.located["none"] == 0
    assert report.located["postcode"] > 0  # the real postcodes placed in the seat
    copy = RegisterCopy.objects.get(campaign=campaign)
    assert copy.status == RegisterCopy.Status.CURRENT and copy.summary["electors"] == 2000
    assert len(copy.file_sha256) == 64 and copy.supplier == DETAILS.supplier
    elector = Elector.objects.select_related("address").filter(campaign=campaign).order_by("pk").first()
    assert elector.register_copy == copy and elector.address.register_copy == copy
    assert elector.uuid and elector.address.uuid
    assert Elector.objects.filter(campaign=campaign, postal_voter=True).count() == report.postal_voters > 0
    assert Elector.objects.filter(campaign=campaign, attainer_date__isnull=False).count() == report.attainers > 0
    assert Elector.objects.filter(campaign=campaign, franchise="G").exists()
    assert PollingDistrict.objects.get(campaign=campaign).constituency == campaign.constituencies.get()


def test_the_import_is_audited_with_ids_and_field_names_only(generated, campaign):
    path, _rows, _households = generated
    report = register.commit(path, campaign=campaign, copy=DETAILS, acting=None)
    events = AuditEvent.objects.filter(action__in=["registercopy.import", "elector.import"])
    assert {e.action for e in events} == {"registercopy.import", "elector.import"}
    copy_event = events.get(action="registercopy.import")
    assert copy_event.target_id == str(report.copy_id)
    surnames = set(Elector.objects.values_list("surname", flat=True))
    for event in events:
        assert not any(name in event.reason for name in surnames if len(name) > 3)


def test_importing_the_same_file_again_changes_nothing(generated, campaign):
    path, _rows, _households = generated
    register.commit(path, campaign=campaign, copy=DETAILS, acting=None)
    again = register.commit(path, campaign=campaign, copy=DETAILS, acting=None)
    assert again.already_imported and again.unchanged == 2000
    assert RegisterCopy.objects.filter(campaign=campaign).count() == 1
    assert register.dry_run(path, campaign=campaign).already_imported


def test_a_dry_run_writes_nothing(generated, campaign):
    path, _rows, _households = generated
    report = register.dry_run(path, campaign=campaign, register_date=REGISTER_DATE)
    assert report.ok and report.added == 2000 and not report.committed
    assert not Elector.objects.exists() and not RegisterCopy.objects.exists() and not PollingDistrict.objects.exists()


def test_the_whole_name_layout_imports_too(tmp_path, seat, campaign):
    path = tmp_path / "names.csv"
    synthetic.generate_file(path, constituency=seat, seed=3, electors=200, whole_names=True)
    preview = register.preview(path)
    assert preview.standard and "name" in preview.suggested.values()
    report = register.commit(path, campaign=campaign, copy=DETAILS, acting=None)
    assert report.electors == 200
    assert not Elector.objects.filter(surname="").exists()
    assert Elector.objects.exclude(first_names="").exists()


def test_synthetic_registers_are_deterministic_by_seed(seat):
    one = synthetic.generate(seat, seed=5, electors=500)
    assert one == synthetic.generate(seat, seed=5, electors=500)
    assert one != synthetic.generate(seat, seed=6, electors=500)


# --- re-import ------------------------------------------------------------------------------------------------------


def _rows():
    return [
        register_row(number=1, surname="Smith", forename="Jo", lines=["1 High Street", "Derby"]),
        register_row(number=2, surname="Smith", forename="Sam", lines=["1 High Street", "Derby"]),
        register_row(number=3, surname="Patel", forename="Priya", markers="A", lines=["2 High Street", "Derby"]),
        register_row(number=4, surname="Jones", forename="Ann", lines=["Flat 1", "3 High Street", "Derby"]),
        register_row(
            district="AA2",
            number=1,
            surname="Brown",
            forename="Ed",
            postcode="DE22 1AE",
            lines=["5 Station Road", "Derby"],
        ),  # fmt: skip
    ]


def test_a_newer_copy_updates_in_place_and_reports_additions_removals_and_changes(tmp_path, campaign):
    first = register_file(tmp_path / "first.csv", _rows())
    register.commit(first, campaign=campaign, copy=DETAILS, acting=None)
    before = {(e.polling_district.code, e.number): e for e in Elector.objects.select_related("polling_district")}
    stop_address = Address.objects.get(key__startswith="1 HIGH STREET")
    walk = WalkListFactory(campaign=campaign, polling_district=stop_address.polling_district)
    WalkListStop.objects.create(walk_list=walk, address=stop_address, position=1)
    contact = ContactRecordFactory(elector=before[("AA1", 2)])

    rows = _rows()
    rows[2][6] = "Patel-Shah"  # changed surname
    rows[3][3] = "G"  # changed markers
    del rows[1]  # Sam Smith left
    rows.append(register_row(number=1, suffix="1", surname="Khan", forename="Ali", lines=["1 High Street", "Derby"]))
    second = register_file(tmp_path / "second.csv", rows)
    dry = register.dry_run(second, campaign=campaign, register_date=NEWER.published_on)
    assert (dry.added, dry.changed, dry.removed, dry.unchanged) == (1, 2, 1, 2)
    assert dry.changed_fields == {"surname": 1, "markers": 1, "franchise": 1}
    assert {c.elector_number for c in dry.changes} == {"AA1-3", "AA1-4"}

    report = register.commit(second, campaign=campaign, copy=NEWER, acting=None)
    assert (report.added, report.changed, report.removed) == (1, 2, 1)
    old, new = RegisterCopy.objects.order_by("published_on")
    assert (old.status, new.status) == (RegisterCopy.Status.SUPERSEDED, RegisterCopy.Status.CURRENT)
    after = {
        (e.polling_district.code, e.number, e.suffix): e for e in Elector.objects.select_related("polling_district")
    }
    assert after[("AA1", 1, 0)].pk == before[("AA1", 1)].pk  # the same row, kept
    assert after[("AA1", 3, 0)].surname == "Patel-Shah" and after[("AA1", 3, 0)].pk == before[("AA1", 3)].pk
    assert after[("AA1", 4, 0)].franchise == "G"
    assert after[("AA1", 1, 1)].surname == "Khan" and after[("AA1", 1, 1)].address == after[("AA1", 1, 0)].address
    gone = after[("AA1", 2, 0)]
    assert gone.removed_at is not None and gone.register_copy == old  # stays with the older copy
    assert all(e.register_copy == new for k, e in after.items() if k != ("AA1", 2, 0))
    assert Address.objects.get(pk=stop_address.pk).register_copy == new  # the household kept its row and stop
    assert WalkListStop.objects.filter(address=stop_address).exists()
    contact.refresh_from_db()
    assert contact.elector == gone  # history stays linked until the older copy is deleted


def test_an_elector_back_on_the_register_counts_as_added(tmp_path, campaign):
    register.commit(register_file(tmp_path / "a.csv", _rows()), campaign=campaign, copy=DETAILS, acting=None)
    register.commit(register_file(tmp_path / "b.csv", _rows()[:4]), campaign=campaign, copy=NEWER, acting=None)
    assert Elector.objects.filter(removed_at__isnull=False).count() == 1
    later = register.CopyDetails(**{**NEWER.__dict__, "published_on": datetime.date(2027, 4, 1),
                                    "received_on": datetime.date(2027, 4, 1)})  # fmt: skip
    report = register.commit(register_file(tmp_path / "c.csv", _rows()), campaign=campaign, copy=later, acting=None)
    assert report.added == 1 and not Elector.objects.filter(removed_at__isnull=False).exists()


# --- malformed files: row/field messages, nothing written ------------------------------------------------------------


def _refused(path, campaign, **options):
    with pytest.raises(register.RegisterImportRefused) as refused:
        register.commit(path, campaign=campaign, copy=DETAILS, acting=None, **options)
    assert not Elector.objects.exists() and not Address.objects.exists() and not RegisterCopy.objects.exists()
    return refused.value.report


def test_missing_columns_are_reported_and_nothing_is_written(tmp_path, campaign):
    header = ["Elector Number Prefix", "Elector Number", "Elector Surname", "Address1"]
    path = register_file(tmp_path / "f.csv", [["AA1", "1", "Smith", "1 High Street"]], header=header)
    report = _refused(path, campaign)
    assert any("postcode" in e.message for e in report.errors)
    named = _refused(path, campaign, mapping={"Elector Number": "number", "Postcode": "postcode", "Surname": "surname"})
    assert {(e.line, e.column) for e in named.errors} >= {(1, "Postcode"), (1, "Surname")}


def test_bad_elector_numbers_are_reported_by_line_and_column(tmp_path, campaign):
    rows = [register_row(number=1), register_row(number=2), register_row(number=3)]
    rows[1][1] = "two"
    rows[2][0] = "A-1"
    report = _refused(register_file(tmp_path / "f.csv", rows), campaign)
    assert [(e.line, e.column) for e in report.errors] == [(3, "Elector Number"), (4, "Elector Number Prefix")]
    assert "two" not in str(report.errors[0])  # messages never repeat the file's values


def test_duplicate_keys_name_both_lines(tmp_path, campaign):
    rows = [register_row(number=1), register_row(number=2), register_row(number=1, surname="Other")]
    report = _refused(register_file(tmp_path / "f.csv", rows), campaign)
    assert [(e.line, e.column) for e in report.errors] == [(4, "Elector Number")]
    assert "line 2" in report.errors[0].message


def test_a_prefix_disagreeing_with_a_full_elector_number_is_an_error(tmp_path, campaign):
    rows = [register_row(number=1)]
    rows[0][1] = "AB1-1"
    report = _refused(register_file(tmp_path / "f.csv", rows), campaign)
    assert report.errors[0].column == "Elector Number"


def test_rows_of_the_wrong_width_bad_dates_and_missing_surnames_are_errors(tmp_path, campaign):
    rows = [register_row(number=1), register_row(number=2, dob="31/02/2027"), register_row(number=3, surname="")]
    rows.append(["AA1", "4"])
    report = _refused(register_file(tmp_path / "f.csv", rows), campaign)
    assert [(e.line, e.column) for e in report.errors] == [
        (3, "Elector DOB"),
        (4, "Elector Surname"),
        (5, ""),
    ]


def test_a_windows_1252_file_is_refused_line_by_line_unless_its_encoding_is_chosen(tmp_path, campaign):
    rows = [register_row(number=1), register_row(number=2, surname="Brontë")]
    path = register_file(tmp_path / "f.csv", rows, encoding="cp1252")
    report = _refused(path, campaign)
    assert [(e.line, e.column) for e in report.errors] == [(3, "")]
    assert "Windows-1252" in report.errors[0].message
    ok = register.commit(path, campaign=campaign, copy=DETAILS, acting=None, encoding="cp1252")
    assert ok.electors == 2 and Elector.objects.filter(surname="Brontë").exists()


def test_a_utf16_file_or_an_empty_file_cannot_be_read(tmp_path, campaign):
    path = tmp_path / "utf16.csv"
    path.write_text("Elector Number,Surname\n1,Smith\n", encoding="utf-16")
    with pytest.raises(register.RegisterFileError):
        register.preview(path)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(register.RegisterFileError):
        register.dry_run(empty, campaign=campaign)


def test_a_bad_postcode_is_a_warning_and_the_household_is_not_located(tmp_path, campaign):
    rows = [register_row(number=1, postcode="NOT A POSTCODE"), register_row(number=2, postcode="ZZ99 9ZZ")]
    report = register.commit(register_file(tmp_path / "f.csv", rows), campaign=campaign, copy=DETAILS, acting=None)
    assert report.ok and report.warning_count == 2  # a bad postcode, and a district nobody knows
    assert report.located == {"postcode": 0, "district": 0, "none": 2}
    assert set(Address.objects.values_list("location_quality", flat=True)) == {"none"}


def test_households_are_located_by_full_postcode_then_district_centroid(tmp_path, campaign):
    rows = [
        register_row(number=1, postcode="DE22 1AA"),  # in the postcode table
        register_row(number=2, postcode="DE21 9KM", lines=["2 Oak Road", "Derby"]),  # only its district
    ]
    register.commit(register_file(tmp_path / "f.csv", rows), campaign=campaign, copy=DETAILS, acting=None)
    full = Address.objects.get(postcode="DE22 1AA")
    district = Address.objects.get(postcode="DE21 9KM")
    assert (full.location_quality, full.latitude) == ("postcode", Postcode.objects.get(postcode="DE22 1AA").latitude)
    centroid = PostcodeDistrict.objects.get(outcode="DE21").latitude
    assert (district.location_quality, district.latitude) == ("district", centroid)


def test_electors_without_an_address_are_counted_not_imported(tmp_path, campaign):
    rows = [register_row(number=1), register_row(number=2, markers="F", postcode="", lines=[])]
    report = register.commit(register_file(tmp_path / "f.csv", rows), campaign=campaign, copy=DETAILS, acting=None)
    assert report.no_address == 1 and report.electors == 1


def test_markers_and_columns_set_postal_proxy_and_franchise(tmp_path, campaign):
    header = [*synthetic.HEADER, "Postal Voter", "Proxy"]
    rows = [
        register_row(number=1, markers="A") + ["", ""],
        register_row(number=2, markers="X") + ["", ""],
        register_row(number=3, markers="g") + ["yes", "no"],
        register_row(number=4) + ["", "Y"],
    ]
    register.commit(
        register_file(tmp_path / "f.csv", rows, header=header), campaign=campaign, copy=DETAILS, acting=None
    )
    flags = {e.number: (e.postal_voter, e.proxy_voter, e.franchise, e.markers) for e in Elector.objects.all()}
    assert flags == {
        1: (True, False, "", "A"),
        2: (False, True, "", "X"),
        3: (True, False, "G", "G"),
        4: (False, True, "", ""),
    }


def test_a_generic_file_is_imported_through_a_mapping(tmp_path, campaign):
    header = ["Ref", "Family name", "Given names", "House", "Road", "Town", "Post code"]
    rows = [["AA1-7/1", "Smith", "Jo", "7", "High Street", "Derby", "DE22 1AA"]]
    path = register_file(tmp_path / "generic.csv", rows, header=header)
    assert not register.preview(path).standard
    mapping = {"Ref": "number", "Family name": "surname", "Given names": "first_names", "House": "address1",
               "Road": "address2", "Town": "address3", "Post code": "postcode"}  # fmt: skip
    register.commit(path, campaign=campaign, copy=DETAILS, acting=None, mapping=mapping)
    elector = Elector.objects.select_related("address", "polling_district").get()
    assert elector.elector_number == "AA1-7/1"
    assert (elector.address.house_number, elector.address.street, elector.address.town) == (7, "High Street", "Derby")


def test_the_copy_record_is_checked(tmp_path, campaign):
    path = register_file(tmp_path / "f.csv", [register_row()])
    bad = register.CopyDetails(**{**DETAILS.__dict__, "delete_by": datetime.date(2026, 1, 1), "supplier": " "})
    with pytest.raises(register.RegisterImportRefused) as refused:
        register.commit(path, campaign=campaign, copy=bad, acting=None)
    assert len(refused.value.report.errors) == 2
    assert not RegisterCopy.objects.exists()


def test_progress_is_reported_while_reading_and_writing(generated, campaign):
    path, _rows, _households = generated
    seen = []
    register.commit(path, campaign=campaign, copy=DETAILS, acting=None, progress=lambda *a: seen.append(a))
    stages = {stage for stage, _done, _total in seen}
    assert stages == {"read", "write"}
    assert seen[-1][1] == seen[-1][2]


def test_the_raw_writer_fills_every_column_the_models_require():
    """register._RawWriter inserts named columns only: every other column must be nullable or the UUID."""
    from groundgame.canvassing.register import _ADDRESS_COLUMNS, ELECTOR_FIELDS

    given = {
        Address: {"campaign", "polling_district", "register_copy", "key", *_ADDRESS_COLUMNS, "uuid"},
        Elector: {
            "campaign",
            "polling_district",
            "register_copy",
            "address",
            "number",
            "suffix",
            *ELECTOR_FIELDS,
            "uuid",
        },  # fmt: skip
    }
    for model, names in given.items():
        for field in model._meta.concrete_fields:
            if field.primary_key or field.name in names:
                continue
            assert field.null, f"{model.__name__}.{field.name} is not filled by the register import"


@pytest.mark.realdata
@pytest.mark.django_db
def test_a_synthetic_register_for_derby_north_uses_its_real_postcodes(reference_db):
    """E14000662 (Derby North, 2010 boundaries): real postcodes placed in the seat and its real districts."""
    seat = synthetic.find_constituency("E14000662")
    places = synthetic.seat_places(seat)
    assert "DE22" in places.outcodes and len(places.postcodes_by_outcode["DE22"]) > 500
    header, rows = synthetic.generate(seat, seed=1, electors=3000)
    postcodes = {r[9] for r in rows if r[9]}
    assert postcodes & set(places.postcodes_by_outcode["DE22"])
    assert {p.split()[0] for p in postcodes} <= set(places.outcodes)


# --- the command ----------------------------------------------------------------------------------------------------


def test_the_command_dry_runs_then_imports(generated, campaign, capsys):
    from django.core.management import CommandError, call_command

    path, _rows, _households = generated
    call_command("canvassing_import_register", str(path), "--campaign", campaign.slug, "--dry-run", "--quiet")
    assert "Dry run register.csv" in capsys.readouterr().out and not Elector.objects.exists()
    with pytest.raises(CommandError, match="--supplier"):
        call_command("canvassing_import_register", str(path), "--campaign", campaign.slug, "--quiet")
    call_command(
        "canvassing_import_register", str(path), "--campaign", campaign.slug, "--quiet",
        "--supplier", "Derby City Council", "--published-on", "2026-12-01", "--delete-by", "2027-08-01",
    )  # fmt: skip
    assert "is now the campaign's current copy" in capsys.readouterr().out
    assert Elector.objects.filter(campaign=campaign).count() == 2000
    assert RegisterCopy.objects.get().delete_by == datetime.date(2027, 8, 1)


def test_the_command_refuses_a_bad_file_and_needs_a_mapping_for_other_layouts(tmp_path, campaign):
    from django.core.management import CommandError, call_command

    bad = register_file(tmp_path / "bad.csv", [register_row(number=1), register_row(number=1)])
    with pytest.raises(CommandError, match="1 errors"):
        call_command("canvassing_import_register", str(bad), "--campaign", campaign.slug, "--quiet", "--supplier", "x")
    other = register_file(tmp_path / "other.csv", [["1", "Smith"]], header=["No", "Name"])
    with pytest.raises(CommandError, match="--map"):
        call_command("canvassing_import_register", str(other), "--campaign", campaign.slug, "--dry-run")
    assert not RegisterCopy.objects.exists()
