from ...importers.results import import_constituency_results
from ._importing import ImportCommand


class Command(ImportCommand):
    help = "Import House of Commons Library results by constituency (2015, 2017, 2019, 2024)."
    importer = import_constituency_results
    options_for_importer = ("year",)

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--year", type=int, help="election year (default: from the file name)")
