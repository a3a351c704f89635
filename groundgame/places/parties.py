"""Display names and colours for the party codes used in results files."""

from django.utils.translation import gettext_lazy as _

PARTIES = {
    "Con": (_("Conservative"), "#0087dc"),
    "Lab": (_("Labour"), "#e4003b"),
    "LD": (_("Liberal Democrat"), "#faa61a"),
    "SNP": (_("Scottish National Party"), "#fdf38e"),
    "PC": (_("Plaid Cymru"), "#005b54"),
    "Green": (_("Green"), "#02a95b"),
    "UKIP": (_("UKIP"), "#6d3177"),
    "BRX": (_("Brexit Party"), "#12b6cf"),
    "RUK": (_("Reform UK"), "#12b6cf"),
    "DUP": (_("Democratic Unionist Party"), "#d46a4c"),
    "SF": (_("Sinn Féin"), "#326760"),
    "SDLP": (_("SDLP"), "#2aa82c"),
    "UUP": (_("Ulster Unionist Party"), "#48a5ee"),
    "APNI": (_("Alliance"), "#f6cb2f"),
    "Spk": (_("Speaker"), "#909090"),
    "Ind": (_("Independent"), "#bbbbbb"),
    "Other": (_("Other"), "#bbbbbb"),
}
FALLBACK_COLOUR = "#aaaaaa"


def party_name(code: str) -> str:
    return str(PARTIES[code][0]) if code in PARTIES else code


def party_colour(code: str) -> str:
    return PARTIES[code][1] if code in PARTIES else FALLBACK_COLOUR
