import pytest

from groundgame.places.selectors import clear_caches

from .factories import make_places


@pytest.fixture
def places(db):
    """The postcodes of factories.PLACES in the places tables; the lookup caches forgotten before and after, so no
    other test sees these points in place of the real data's."""
    make_places()
    yield
    clear_caches()
