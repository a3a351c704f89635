import pytest

from .factories import make_places


@pytest.fixture
def places(db):
    """The postcodes of factories.PLACES in the places tables."""
    make_places()
