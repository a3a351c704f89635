from ...importers.geography import import_overlaps
from ._importing import ImportCommand


class Command(ImportCommand):
    help = "Import 2010-to-2024 constituency overlaps by population (mySociety)."
    importer = import_overlaps
    options_for_importer = ("codes",)

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--codes", required=True, help="ukparl.2025.csv (mySociety code -> GSS code)")
