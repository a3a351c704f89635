"""The reference data files Groundgame imports, in import order, with where to download each one.

`relpath` is the file's place in a data directory (GROUNDGAME_DATA_DIR, or the download cache, which
has the same layout). `url` is where `groundgame data fetch` downloads it when no mirror is configured:
a public copy pinned to a commit, byte-identical to the publisher's release (see docs/data.md). Files that
were derived for Groundgame's reference set have no public URL and come from the mirror named by
GROUNDGAME_DATA_SOURCE. Every download is verified against `sha256`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import geography, postcodes, results

RAW = "https://raw.githubusercontent.com/{repo}/{commit}/{path}"


@dataclass(frozen=True)
class DataFile:
    relpath: str
    family: str
    sha256: str
    importer: Callable
    options: dict = field(default_factory=dict)
    url: str | None = None
    publisher: str = ""
    required: bool = True
    # Other catalogue files the importer reads alongside this one (option name -> relpath).
    companions: dict = field(default_factory=dict)

    def run(self, data_dir: Path, *, quiet: bool = False):
        extra = {name: Path(data_dir) / rel for name, rel in self.companions.items()}
        return self.importer(Path(data_dir) / self.relpath, quiet=quiet, **self.options, **extra)


def _raw(repo: str, commit: str, path: str) -> str:
    return RAW.format(repo=repo, commit=commit, path=path)


OI = ("open-innovations/constituencies", "8c28561bc48cf1a8b947b51becf2e4e4ae1162e7")
HOCL = "House of Commons Library"
ONS = "Office for National Statistics"

CATALOGUE: list[DataFile] = [
    DataFile(
        "boundaries/pcon-2010-2023-dec2022-uk-buc.geojson",
        "boundaries",
        "45d68b676c7484168ca9727b9370662bb1416ee7e88d3f477affc129694688f4",
        geography.import_boundaries,
        {"boundary_set": "2010"},
        _raw(*OI, "src/_data/geojson/Westminster_Parliamentary_Constituencies_Dec_2022_UK_BUC.geojson"),
        ONS,
    ),
    DataFile(
        "boundaries/pcon-2024-jul2024-uk-buc.geojson",
        "boundaries",
        "b0186fbdb96fabf8915e09a4aa1314d7a6eaaaaa1803093dae1091a97a5de8f6",
        geography.import_boundaries,
        {"boundary_set": "2024"},
        _raw(
            *OI,
            "src/_data/geojson/Westminster_Parliamentary_Constituencies_July_2024_Boundaries_UK_BUC.geojson",
        ),
        ONS,
    ),
    DataFile(
        "boundaries/pcon-2010-2023-centroids.csv",
        "centroids",
        "a71ffe0d96cbfa68e2a21950be0dbe49761e9cce62c4eb46ee86f314840a6d6d",
        geography.import_centroids,
        {"boundary_set": "2010"},
        publisher=ONS,
        required=False,
    ),
    DataFile(
        "boundaries/pcon-2024-centroids.csv",
        "centroids",
        "a6a830cac886964b352f442fc5318199f1005fc0321d8076005eec3ad8dbe43e",
        geography.import_centroids,
        {"boundary_set": "2024"},
        publisher=ONS,
        required=False,
    ),
    DataFile(
        "elections/hocl-ge2015-results-summary.noheader.csv",
        "results",
        "617691ca7d8d766b3e7bea582af6ac7c29c25dd7b454af2f9410470979ccffe3",
        results.import_constituency_results,
        {"year": 2015},
        _raw(
            "N-cunningham/2017-UK-General-Election-seat-predictor",
            "8fd88c64bfc8f94373fbd3139c8ced7793e18ef2",
            "hocl-ge2015-results-summary.csv",
        ),
        HOCL,
    ),
    DataFile(
        "elections/HoC-GE2017-constituency-results.csv",
        "results",
        "712ba94fdf55051c767e6915a8fc50b531464a0bb6a60fc0b9f088911b6a8d7e",
        results.import_constituency_results,
        {"year": 2017},
        _raw(
            "YijingZhou33/Mapping-the-2016-EU-referendum",
            "1df4de934486634669040c03f8ac410112b73778",
            "data/HoC-GE2017-constituency-results.csv",
        ),
        HOCL,
    ),
    DataFile(
        "elections/HoC-GE2019-results-by-constituency.csv",
        "results",
        "eb5c48380bd49d801fc27631bd61c8add510265a74e53ef2a42fa437df1a8a71",
        results.import_constituency_results,
        {"year": 2019},
        _raw(
            "thicknavyrain/leaflet_vote_share_2019",
            "1c66345b95673ce1f45f4953affb3d82dd17350b",
            "HoC-GE2019-results-by-constituency.csv",
        ),
        HOCL,
    ),
    DataFile(
        "elections/HoC-GE2024-results-by-constituency.csv",
        "results",
        "602b9f8d31958c2c6932c76a7e6f718a65b14e8941eb1372b3bf48461932529c",
        results.import_constituency_results,
        {"year": 2024},
        _raw(
            "KenlynLi11/CFG",
            "3deb490d7edca3c2d53b200be534c70c711df0ba",
            "HoC-GE2024-results-by-constituency.csv",
        ),
        HOCL,
    ),
    DataFile(
        "elections/HoC-GE2017-results-by-candidate.csv",
        "candidates",
        "365fb31747723c0c5d108909a12411a13f7cbe522ebebc9755656b9fddca8283",
        results.import_candidate_results,
        {"year": 2017},
        _raw(
            "Dani115jay/DataCamp",
            "2c545dc4ed962dbd30bcbe2166a562495da3ce69",
            "HoC-GE2017-results-by-candidate.csv",
        ),
        HOCL,
        required=False,
    ),
    DataFile(
        "elections/HoC-GE2019-results-by-candidate.csv",
        "candidates",
        "59d4eeac4f62711d068559a779a5db564bd3af4aa129c032727b54d40612a473",
        results.import_candidate_results,
        {"year": 2019},
        _raw(
            "alifensome/data-analysis-general-2019",
            "385ef60af03f818d191540afed49ae5113b42caf",
            "HoC-GE2019-results-by-candidate.csv",
        ),
        HOCL,
        required=False,
    ),
    DataFile(
        "elections/HoC-GE2024-results-by-candidate.csv",
        "candidates",
        "d46c6fa33a6e5228a9760b297d10482a501c7e7713d64a8aa73756d6222f21ba",
        results.import_candidate_results,
        {"year": 2024},
        _raw(
            "Jjaewalker/ElectionData",
            "1fb24a384c725183b69eb721d98e3d028a56f2ce",
            "HoC-GE2024-results-by-candidate.csv",
        ),
        HOCL,
        required=False,
    ),
    DataFile(
        "hexmaps/uk-constituencies-2010.hexjson",
        "hexjson",
        "11c73aee6daec55de06a5dc18e3baabc7c85e9f45333300140f6c55e32e7820e",
        geography.import_hexjson,
        {"boundary_set": "2010"},
        _raw("odileeds/hexmaps", "5383e24a0fbfb1a53e0dcafdf902bf6213e22b75", "maps/constituencies.hexjson"),
        "Open Innovations",
    ),
    DataFile(
        "hexmaps/uk-constituencies-2024.hexjson",
        "hexjson",
        "e453fcdc5536ef91ab6cb4b4ce42502646c9ebb144e211e876448c5e99bf6ba6",
        geography.import_hexjson,
        {"boundary_set": "2024"},
        _raw(
            "open-innovations/ge-2024",
            "9c0247cbd0ea1d802210c4f59be9fa4d2c59e12c",
            "src/_data/hexjson/constituencies.hexjson",
        ),
        "Open Innovations",
    ),
    DataFile(
        "deprivation/pcon2010_imd_uk.csv",
        "deprivation",
        "d5c15d8eb1ed1098209795213df744bf922c388295403edd3519e45fcce26904",
        geography.import_deprivation,
        {"boundary_set": "2010"},
        _raw(*OI, "src/_data/sources/society/constituency_imd.csv"),
        "mySociety",
        required=False,
    ),
    DataFile(
        "deprivation/pcon2024_imd_uk.csv",
        "deprivation",
        "c3b62eb0d641ebdc23e8f835fdb77e96db537cc5bfaea92fab66e72de6210f7b",
        geography.import_deprivation,
        {"boundary_set": "2024"},
        _raw(*OI, "src/themes/society/imd/_data/release/parl25_imd.csv"),
        "mySociety",
        required=False,
    ),
    DataFile(
        "lookups/ukparl.2025.csv",
        "overlap codes",
        "23806d15aee0cfba155650aef51dc594e151de5f579fdc8da828054bedce1273",
        None,
        url=_raw(*OI, "lookups/ukparl.2025.csv"),
        publisher="mySociety",
        required=False,
    ),
    DataFile(
        "lookups/PARL10_PARL25_combo_overlap.csv",
        "overlaps",
        "daa77a9d81783185bfe2f4646579a7e74aec91215fdcea57228de8e3f0eb783a",
        geography.import_overlaps,
        url=_raw(*OI, "lookups/PARL10_PARL25_combo_overlap.csv"),
        publisher="mySociety",
        required=False,
        companions={"codes": "lookups/ukparl.2025.csv"},
    ),
    DataFile(
        "postcodes/gb-postcode-district-centroids-codepoint-2014.csv",
        "postcode districts",
        "c42dd949018e95e5f451f93da61e274b04200e1d26e801a2bdda0dcbeb00e16f",
        postcodes.import_postcode_districts,
        publisher="Ordnance Survey (Code-Point Open)",
    ),
    DataFile(
        "postcodes/gb-postcodes-sample-DE22-M19-LS2-LS6-codepoint-2014.csv",
        "postcodes",
        "28f841da41f8de774a6b7d0e89320532b37f9a890d45ea2a12d6a36e5b48389b",
        postcodes.import_postcodes,
        publisher="Ordnance Survey (Code-Point Open)",
        required=False,
    ),
]


def importable() -> list[DataFile]:
    return [f for f in CATALOGUE if f.importer is not None]
