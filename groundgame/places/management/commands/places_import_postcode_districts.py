from ...importers.postcodes import import_postcode_districts
from ._importing import ImportCommand


class Command(ImportCommand):
    help = "Import postcode district centroids."
    importer = import_postcode_districts
