"""The printable walk sheet: the paper fallback of a walk list, one A4 document per list (fpdf2).

Each page has the list's name, polling district, campaign and date, then the doors in walking order grouped by
street; under each door its electors (elector number and name) when the reader may see the register, each with
boxes to tick for the door outcome and the voting intention and room for a note; a key explains the boxes. The
footer reminds the canvasser that the sheet holds register data.

    pdf_bytes = walk_sheet_pdf(walk_list=wl, stops=walklists.walk_list_stops(walk_list=wl, with_electors=True),
                               show_electors=True)

Text is set in DejaVu Sans when the system has it (Debian's fonts-dejavu-core: every name on a register prints),
otherwise in the PDF core font Helvetica, with letters outside Latin-1 reduced to their base letter (Ł -> L).
"""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from .models import WalkList
from .walklists import Stop

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
MARGIN = 12.0  # mm
ROW = 6.2  # mm: a row of the table, tall enough to tick and write in
BOX = 3.4  # mm: a tick box
GREY = (232, 232, 232)

OUTCOMES = (  # code on the sheet, meaning (the canvassing app's outcomes, in its order)
    ("N", gettext_lazy("Not in")),
    ("S", gettext_lazy("Spoke")),
    ("R", gettext_lazy("Refused")),
    ("M", gettext_lazy("Moved away")),
    ("D", gettext_lazy("Do not contact")),
    ("C", gettext_lazy("Come back later")),
)


def _font_files() -> tuple[Path, Path] | None:
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            return regular, bold
    return None


def _latin1(text: str) -> str:
    """What the core fonts can print: accents kept where Latin-1 has them, otherwise the base letter."""
    out = []
    for ch in text:
        try:
            ch.encode("latin-1")
            out.append(ch)
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", ch).encode("latin-1", "ignore").decode("latin-1")
            out.append(base or {"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ø": "O", "ø": "o"}.get(ch, "?"))
    return "".join(out)


@dataclass(frozen=True)
class Column:
    title: str
    width: float


class _Sheet(FPDF):
    """A4 portrait; every page starts with the list's name, the subtitle and the column titles (the first page
    with the key too), so that a loose page still says which list it belongs to."""

    def __init__(
        self,
        *,
        title: str,
        subtitle: str,
        key: str,
        footer_text: str,
        columns: list[Column],
        box_titles: list[tuple[str, float]],
        unicode_font: bool,
    ):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.sheet_title, self.subtitle, self.key, self.footer_text = title, subtitle, key, footer_text
        self.columns, self.box_titles = columns, box_titles
        self.unicode_font = unicode_font
        fonts = _font_files() if unicode_font else None
        if fonts:
            self.add_font("Sheet", "", str(fonts[0]))
            self.add_font("Sheet", "B", str(fonts[1]))
            self.family = "Sheet"
        else:
            self.family = "Helvetica"
            self.unicode_font = False
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=MARGIN + 6)
        self.set_title(title)
        self.set_creator("Groundgame")

    def text_of(self, text: str) -> str:
        return text if self.unicode_font else _latin1(text)

    def font(self, size: float, bold: bool = False) -> None:
        self.set_font(self.family, "B" if bold else "", size)

    def header(self) -> None:
        self.font(14, bold=True)
        self.cell(0, 7, self.text_of(self.sheet_title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.font(9)
        self.multi_cell(0, 4.5, self.text_of(self.subtitle), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if self.page_no() == 1:
            self.font(7)
            self.multi_cell(0, 3.6, self.text_of(self.key), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1.5)
        self.font(7.5, bold=True)
        self.set_fill_color(*GREY)
        for column in self.columns:
            self.cell(column.width, 5, self.text_of(column.title), border=1, fill=True, align="C")
        self.ln(5)
        self.font(6.5, bold=True)  # the letters over the tick boxes
        self.set_x(MARGIN + sum(c.width for c in self.columns[:-3]))
        for code, width in self.box_titles:
            self.cell(width, 3.5, self.text_of(code), align="C")
        self.ln(3.5)

    def footer(self) -> None:
        self.set_y(-MARGIN - 3)
        self.font(7)
        text = f"{self.footer_text}   {_('Page %(page)s of %(pages)s') % {'page': self.page_no(), 'pages': '{nb}'}}"
        self.cell(0, 4, self.text_of(text), align="C")

    def boxes(self, width: float, count: int) -> None:
        """`count` tick boxes centred in cells of `width` each, on the current row."""
        x, y = self.get_x(), self.get_y()
        for i in range(count):
            self.rect(x + i * width + (width - BOX) / 2, y + (ROW - BOX) / 2, BOX, BOX)
        self.set_x(x + width * count)


def _door_label(stop: Stop) -> str:
    a = stop.address
    number = f"{a.house_number}{a.house_suffix}" if a.house_number is not None else a.house_name
    return ", ".join(p for p in (a.flat, number) if p) or "?"


def _street_runs(stops: Sequence[Stop]) -> list[tuple[str, list[Stop]]]:
    """Consecutive stops of one street, in walking order."""
    runs: list[tuple[str, list[Stop]]] = []
    for stop in stops:
        street = stop.address.street or stop.address.locality or _("(no street)")
        if runs and runs[-1][0] == street:
            runs[-1][1].append(stop)
        else:
            runs.append((street, [stop]))
    return runs


def _run_title(street: str, stops: list[Stop]) -> str:
    """ "Acacia Avenue  (2–40 even, 39–1 odd)": the numbers in walking order, side by side."""
    numbers = [s.address.house_number for s in stops if s.address.house_number is not None]
    sides: list[list[int]] = []
    for n in numbers:
        if sides and sides[-1][-1] % 2 == n % 2:
            sides[-1].append(n)
        else:
            sides.append([n])
    if not sides:
        return street
    if len(sides) > 4:  # numbers that zigzag (flats, a one-sided street with odd and even): just the span
        return f"{street}  ({min(numbers)}–{max(numbers)})"
    parts = []
    for side in sides:
        span = f"{side[0]}" if side[0] == side[-1] else f"{side[0]}–{side[-1]}"
        parts.append(f"{span} {_('odd') if side[0] % 2 else _('even')}")
    return f"{street}  ({', '.join(parts)})"


def walk_sheet_pdf(
    *,
    walk_list: WalkList,
    stops: Sequence[Stop],
    show_electors: bool,
    parties: Sequence[dict] | None = None,
    printed_on: datetime.date | None = None,
    unicode_font: bool = True,
    compress: bool = True,
) -> bytes:
    """The walk sheet of `walk_list` as PDF bytes. `stops` come from walklists.walk_list_stops (electors included
    only when `show_electors`, which the caller sets from canvassing.view_electors). `compress=False` and
    `unicode_font=False` leave the text readable in the file (the tests search it)."""
    campaign, district = walk_list.campaign, walk_list.polling_district
    parties = list(campaign.parties if parties is None else parties)[:6]
    printed_on = printed_on or timezone.localdate()
    intentions = [(p.get("code", "")[:5], p.get("name", "")) for p in parties] + [("?", _("Undecided"))]
    box_w, party_w = 5.4, 7.6
    outcome_col = Column(_("Outcome"), box_w * len(OUTCOMES))
    intention_col = Column(_("Intention"), party_w * len(intentions))
    usable = 210 - 2 * MARGIN
    if show_electors:
        fixed = [Column(_("Door"), 16), Column(_("Elector no."), 20), Column(_("Name"), 46)]
    else:
        fixed = [Column(_("Door"), 36)]
    notes = usable - sum(c.width for c in fixed) - outcome_col.width - intention_col.width
    columns = [*fixed, outcome_col, intention_col, Column(_("Notes"), notes)]

    district_name = f"{district.code} {district.name}".strip()
    subtitle = _("%(campaign)s · polling district %(district)s · %(doors)s doors · printed %(date)s") % {
        "campaign": campaign.name,
        "district": district_name,
        "doors": len(stops),
        "date": formats.date_format(printed_on, "j M Y"),
    }
    if walk_list.assigned_to_id:
        subtitle += " · " + _("for %(name)s") % {"name": walk_list.assigned_to}
    footer = _(
        "Contains electoral register data: use it only for this campaign, keep it safe, return it to your organiser."
    )
    key = _("Key. Outcome: %(outcomes)s. Intention: %(intentions)s. Tick one box of each; note issues and follow-ups.")
    key %= {
        "outcomes": ", ".join(f"{code} = {meaning}" for code, meaning in OUTCOMES),
        "intentions": ", ".join(f"{code} = {name}" for code, name in intentions),
    }
    box_titles = [(code, box_w) for code, _m in OUTCOMES] + [(code, party_w) for code, _n in intentions]
    pdf = _Sheet(
        title=walk_list.name,
        subtitle=subtitle,
        key=key,
        footer_text=footer,
        columns=columns,
        box_titles=box_titles,
        unicode_font=unicode_font,
    )
    pdf.set_compression(compress)
    pdf.add_page()

    def street_title(text: str) -> None:
        pdf.font(9, bold=True)
        pdf.set_fill_color(*GREY)
        pdf.cell(0, ROW, pdf.text_of(text), border="B", fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    for street, run in _street_runs(stops):
        if pdf.will_page_break(ROW * 2.2):  # never a street's title alone at the foot of a page
            pdf.add_page()
        street_title(_run_title(street, run))
        for stop in run:
            people = stop.electors if show_electors else []
            rows = people or [None]
            if pdf.will_page_break(ROW * len(rows)) and len(rows) * ROW < 200:  # a household on one page
                pdf.add_page()
                street_title(_("%(street)s (continued)") % {"street": street})
            for i, elector in enumerate(rows):
                pdf.font(8.5, bold=i == 0)
                pdf.cell(
                    fixed[0].width, ROW, pdf.text_of(_door_label(stop)) if i == 0 else "", border="T" if i == 0 else 0
                )
                pdf.font(8.5)
                if show_electors:
                    number = elector.elector_number if elector else ""
                    name = " ".join(p for p in (elector.first_names, elector.surname) if p) if elector else ""
                    if elector is not None and elector.postal_voter:
                        name += " " + _("(postal)")
                    pdf.cell(fixed[1].width, ROW, pdf.text_of(number), border="T" if i == 0 else 0)
                    pdf.cell(fixed[2].width, ROW, pdf.text_of(name)[:38], border="T" if i == 0 else 0)
                pdf.boxes(box_w, len(OUTCOMES))
                pdf.boxes(party_w, len(intentions))
                x, y = pdf.get_x(), pdf.get_y()
                pdf.line(x + 1, y + ROW - 1, x + notes - 1, y + ROW - 1)
                pdf.ln(ROW)
    return bytes(pdf.output())
