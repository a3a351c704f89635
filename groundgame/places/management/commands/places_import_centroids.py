from ...importers.geography import import_centroids
from ._importing import ImportCommand


class Command(ImportCommand):
    help = "Import constituency centroids (CSV: code, name, latitude, longitude)."
    importer = import_centroids
    options_for_importer = ("boundary_set",)

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--boundary-set", choices=["2010", "2024"], help="default: from the file name")
