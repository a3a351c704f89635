"""Display names and colours for the party codes used in results files."""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

PARTIES = {
    "Con": (gettext_lazy("Conservative"), "#0087dc"),
    "Lab": (gettext_lazy("Labour"), "#e4003b"),
    "LD": (gettext_lazy("Liberal Democrat"), "#faa61a"),
    "SNP": (gettext_lazy("Scottish National Party"), "#fdf38e"),
    "PC": (gettext_lazy("Plaid Cymru"), "#3f8428"),
    "Green": (gettext_lazy("Green"), "#02a95b"),
    "UKIP": (gettext_lazy("UKIP"), "#6d3177"),
    "BRX": (gettext_lazy("Brexit Party"), "#12b6cf"),
    "RUK": (gettext_lazy("Reform UK"), "#12b6cf"),
    "DUP": (gettext_lazy("Democratic Unionist Party"), "#d46a4c"),
    "SF": (gettext_lazy("Sinn Féin"), "#326760"),
    "SDLP": (gettext_lazy("SDLP"), "#99ff66"),
    "UUP": (gettext_lazy("Ulster Unionist Party"), "#48a5ee"),
    "APNI": (gettext_lazy("Alliance"), "#f6cb2f"),
    "Spk": (gettext_lazy("Speaker"), "#909090"),
    "Ind": (gettext_lazy("Independent"), "#bbbbbb"),
    "Other": (gettext_lazy("Other"), "#bbbbbb"),
}
FALLBACK_COLOUR = "#aaaaaa"


def describe_result(text: str) -> str:
    """Expand the party codes in a results-file result: 'Con gain from Lab' -> 'Conservative gain from Labour'."""
    match = re.fullmatch(r"(\S+) (hold|gain from) (\S+)", text.strip()) or re.fullmatch(r"(\S+) (hold)", text.strip())
    if not match:
        return text
    winner = party_name(match.group(1))
    if match.group(2) == "hold":
        return _("%(winner)s hold") % {"winner": winner}
    return _("%(winner)s gain from %(loser)s") % {"winner": winner, "loser": party_name(match.group(3))}


def party_name(code: str) -> str:
    return str(PARTIES[code][0]) if code in PARTIES else code


def party_colour(code: str) -> str:
    return PARTIES[code][1] if code in PARTIES else FALLBACK_COLOUR
