"""Public pages: find where you're needed, the target list, the hex cartogram, constituency pages."""

from django.conf import settings
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from . import charts, selectors
from .forms import PostcodeForm
from .models import CandidateResult, Constituency, ConstituencyResult
from .parties import party_colour, party_name


def _year(request, years: list[int]) -> int | None:
    try:
        year = int(request.GET.get("election", ""))
    except ValueError:
        return years[-1] if years else None
    return year if year in years else (years[-1] if years else None)


def find(request):
    """Phone-first: postcode in, nearest targets out, with the reasons."""
    years = selectors.election_years()
    form = PostcodeForm(request.GET or None, years=years)
    context = {"form": form, "years": years, "lookup": None, "problem": None}
    if not years:
        context["problem"] = _("No election results have been imported yet.")
    elif form.is_bound and form.is_valid():
        try:
            context["lookup"] = selectors.nearest_targets(
                postcode=form.cleaned_data["postcode"],
                year=form.cleaned_data.get("election") or None,
                limit=10,
            )
        except selectors.UnknownPostcode as exc:
            form.add_error("postcode", str(exc))
    template = "places/_find_results.html" if request.headers.get("HX-Request") else "places/find.html"
    return render(request, template, context)


def targets(request):
    years = selectors.election_years()
    if not years:
        return render(request, "places/targets.html", {"years": years, "seats": [], "election": None})
    election, seats = selectors.target_seats(year=_year(request, years))
    return render(request, "places/targets.html", {"years": years, "election": election, "seats": seats})


def hexmap(request):
    """The target-seat hex cartogram: one hexagon per seat, coloured by winner and marginality."""
    years = selectors.election_years()
    if not years:
        return render(request, "places/hexmap.html", {"years": years, "election": None})
    index = selectors.election_index(_year(request, years))
    selected = request.GET.get("seat", "").strip().upper()[:9] or None
    hexmap = charts.hex_cartogram(index, selected=selected)
    return render(
        request,
        "places/hexmap.html",
        {
            "years": years,
            "election": index.election,
            "hexmap": hexmap,
            "selected": next((c for c in hexmap.cells if c.selected), None),
            "swing_window": settings.GROUNDGAME_TARGET_SWING_WINDOW,
        },
    )


def constituency(request, boundary_set: str, code: str):
    """A seat: latest result and our standing, results history 2015-2024 across boundary changes, a small map."""
    seat = get_object_or_404(
        Constituency.objects.select_related("boundary_set"), boundary_set__slug=boundary_set, code=code
    )
    results = list(
        ConstituencyResult.objects.filter(constituency=seat).select_related("election").order_by("election__year")
    )
    history = charts.results_history(seat, results)
    latest = results[-1] if results else None
    standing, rank, candidates = None, None, []
    if latest is not None:
        index = selectors.election_index(latest.election.year)
        standing = selectors.seat_for(year=latest.election.year, code=seat.code)
        rank = index.ranks.get(seat.pk)
        candidates = [
            (candidate, 100.0 * candidate.votes / latest.valid_votes)
            for candidate in CandidateResult.objects.filter(result=latest).order_by("-votes", "surname")
        ]
    return render(
        request,
        "places/constituency.html",
        {
            "seat": seat,
            "results": results,
            "latest": latest,
            "standing": standing,
            "rank": rank,
            "candidates": candidates,
            "history": history,
            "outline": charts.boundary_outline(seat, fill=party_colour(latest.first_party) if latest else None),
            "latest_winner": party_name(latest.first_party) if latest else "",
            "map_year": latest.election.year if latest else None,
        },
    )
