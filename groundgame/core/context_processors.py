from .attributions import ATTRIBUTIONS


def site(request):
    return {"data_attributions": ATTRIBUTIONS}
