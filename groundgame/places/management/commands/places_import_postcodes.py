from ...importers.postcodes import import_postcodes
from ._importing import ImportCommand


class Command(ImportCommand):
    help = "Import full postcodes (the shared sample's layout or ONSPD)."
    importer = import_postcodes
