"""The polling-day app's rows of the permission matrix (tests/people/test_permission_matrix.py explains roles, objects
and outcomes). build(world) gives the canvassing rows' campaigns "A" and "B" (tests/canvassing/permission_rows.py,
built first) a polling day each, with promises, a knock-up round, a teller's pass and a lift; "B via A" is B's object
inside A's URL.

- Running the day (plan, dashboard, rounds, places, passes, rehearsal): as managing the campaign (organisers of its
  group or region, administrators); A's register access holder (member_a) may see the campaign, so gets 403.
- Knock-up lists, committee rooms and lifts show electors: the register's gate (organisers, register access holders;
  administrators only through a grant of their own, hence 403).
- Telling (choosing a station): the register's gate, or an active member of the campaign's host group.
- The telling app's shell and service worker are public files with no data; its API answers to a pass's token only.
"""

from django.urls import reverse

from groundgame.pollingday import selectors, services
from groundgame.pollingday.models import DistrictArrangement, PollingLift
from tests.people.test_permission_matrix import FORBIDDEN, LOGIN, NOT_FOUND, OK, REDIRECT, Row, everyone, expect


def build(world) -> None:
    for label in ("A", "B"):
        campaign = world.extra["campaign", label]
        plan = services.plan_create(campaign=campaign, acting=None, promise_intentions=["Lab"], promise_min_certainty=4)
        services.promises_refresh(plan=plan, acting=None)
        room = plan.committee_rooms.get()
        knock_up_list = services.knock_up_round_create(committee_room=room, acting=None).lists.get()
        elector_id = selectors.knock_up_doors(knock_up_list)[0].promises[0]["elector_id"]
        services.knock_up_mark(
            knock_up_list=knock_up_list, elector_id=elector_id, outcome="lift", knocker=None, acting=None
        )
        teller_pass, _token = services.teller_pass_issue(station=plan.stations.get(), person=None, acting=None)
        world.extra["pd_room", label] = room
        world.extra["pd_list", label] = knock_up_list
        world.extra["pd_elector", label] = elector_id
        world.extra["pd_pass", label] = teller_pass
        world.extra["pd_lift", label] = PollingLift.objects.get(plan=plan)
        world.extra["pd_arrangement", label] = DistrictArrangement.objects.get(plan=plan)


def _slug(w, o):
    return w.extra["campaign", "A" if o == "B via A" else o].slug


def _campaign(name):
    return lambda w, o: reverse(name, args=[_slug(w, o)])


def _within(name, kind, attribute="pk"):
    def path(w, o):
        thing = w.extra[kind, "B" if o == "B via A" else o]
        return reverse(name, args=[_slug(w, o), getattr(thing, attribute)])

    return path


RUN = {
    "A": expect(LOGIN, FORBIDDEN, OK, OK, NOT_FOUND, NOT_FOUND, OK),
    "B": expect(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND, OK),
}
RUN_WRITE = {
    "A": expect(LOGIN, FORBIDDEN, REDIRECT, REDIRECT, NOT_FOUND, NOT_FOUND, REDIRECT),
    "B": expect(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, REDIRECT, NOT_FOUND, REDIRECT),
}
RUN_WRITE_OBJECT = {
    **RUN_WRITE,
    "B via A": expect(LOGIN, FORBIDDEN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
}
ELECTORS = {
    "A": expect(LOGIN, OK, OK, OK, NOT_FOUND, NOT_FOUND, FORBIDDEN),
    "B": expect(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND, FORBIDDEN),
    "B via A": expect(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, FORBIDDEN),
}
ELECTORS_WRITE = {
    "A": expect(LOGIN, REDIRECT, REDIRECT, REDIRECT, NOT_FOUND, NOT_FOUND, FORBIDDEN),
    "B": expect(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, REDIRECT, NOT_FOUND, FORBIDDEN),
    "B via A": expect(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, FORBIDDEN),
}
TELL = {
    "A": expect(LOGIN, OK, OK, OK, NOT_FOUND, NOT_FOUND, FORBIDDEN),
    "B": expect(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND, FORBIDDEN),
}
PUBLIC = {"-": everyone(OK)}
TOKEN_ONLY = {"A": everyone(401)}

ROWS: dict = {
    "pollingday:app": Row("GET", lambda w, o: reverse("pollingday:app"), PUBLIC),
    "pollingday:app_service_worker": Row("GET", lambda w, o: reverse("pollingday:app_service_worker"), PUBLIC),
    "pollingday:plan": Row("GET", _campaign("pollingday:plan"), RUN),
    "pollingday:dashboard": Row("GET", _campaign("pollingday:dashboard"), RUN),
    "pollingday:place_create": Row(
        "POST", _campaign("pollingday:place_create"), RUN_WRITE, data=lambda w, o: {"kind": "room", "name": "Extra"}
    ),
    "pollingday:promises_refresh": Row("POST", _campaign("pollingday:promises_refresh"), RUN_WRITE),
    "pollingday:mode_set": Row("POST", _campaign("pollingday:mode_set"), RUN_WRITE),
    "pollingday:arrangement_set": Row(
        "POST", _within("pollingday:arrangement_set", "pd_arrangement"), RUN_WRITE_OBJECT
    ),
    "pollingday:pass_revoke": Row("POST", _within("pollingday:pass_revoke", "pd_pass", "uuid"), RUN_WRITE_OBJECT),
    "pollingday:round_create": Row("POST", _within("pollingday:round_create", "pd_room"), RUN_WRITE_OBJECT),
    "pollingday:tell": Row("GET", _campaign("pollingday:tell"), TELL),
    "pollingday:room": Row("GET", _within("pollingday:room", "pd_room"), ELECTORS),
    "pollingday:knock_up": Row("GET", _within("pollingday:knock_up", "pd_list", "uuid"), ELECTORS),
    "pollingday:knock_up_mark": Row(
        "POST",
        _within("pollingday:knock_up_mark", "pd_list", "uuid"),
        ELECTORS_WRITE,
        data=lambda w, o: {"elector": w.extra["pd_elector", "B" if o == "B via A" else o], "outcome": "not_in"},
    ),
    "pollingday:lift_update": Row(
        "POST", _within("pollingday:lift_update", "pd_lift"), ELECTORS_WRITE, data=lambda w, o: {"status": "taken"}
    ),
    "api:telling_station": Row(
        "GET", lambda w, o: reverse("api:telling_station", args=[w.extra["pd_pass", o].uuid]), TOKEN_ONLY
    ),
    "api:telling_sync": Row(
        "POST",
        lambda w, o: reverse("api:telling_sync", args=[w.extra["pd_pass", o].uuid]),
        TOKEN_ONLY,
        data=lambda w, o: {"records": "[]"},
    ),
}
