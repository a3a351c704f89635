from ...importers.geography import import_boundaries
from ._importing import ImportCommand


class Command(ImportCommand):
    help = "Import ONS constituency boundaries (GeoJSON)."
    importer = import_boundaries
    options_for_importer = ("boundary_set",)

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--boundary-set", choices=["2010", "2024"], help="default: from the file")
