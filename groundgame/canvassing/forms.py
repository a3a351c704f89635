"""Forms of the organisers' canvassing pages: campaigns, register copies, register access, the register upload."""

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from groundgame.places.models import BoundarySet, Constituency

from . import register
from .models import Campaign, RegisterCopy
from .services import clean_parties

MAX_UPLOAD_BYTES = 40 * 1024 * 1024  # a 100,000-elector register is about 8 MB
DEFAULT_PURPOSE = gettext_lazy(
    "Electoral purposes of the campaign only (canvassing and getting out the vote), as the register was supplied "
    "for. Not to be passed on or used for anything else."
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def latest_boundary_set() -> BoundarySet | None:
    return BoundarySet.objects.filter(constituencies__isnull=False).order_by("-first_used").first()


def constituencies_text(constituencies) -> str:
    return ", ".join(f"{c.name} ({c.code})" for c in constituencies)


def parse_constituencies(text: str) -> list[Constituency]:
    """Constituencies from "Derby North (E14000662), E14001191, Bolton West": each a GSS code or an exact name, on
    the latest boundary set holding it."""
    found, problems = [], []
    for part in [p.strip() for p in re.split(r"[,;\n]+", text or "") if p.strip()]:
        match = re.search(r"\b([ENSW]\d{8})\b", part.upper())
        seats = Constituency.objects.select_related("boundary_set").order_by("-boundary_set__first_used")
        seat = seats.filter(code=match.group(1)).first() if match else seats.filter(name__iexact=part).first()
        if seat is None:
            problems.append(part)
        elif seat not in found:
            found.append(seat)
    if problems:
        raise ValidationError(
            _("We don't know these constituencies: %(names)s. Use the name or GSS code, e.g. E14000662.")
            % {"names": ", ".join(problems)}
        )
    return found


class CampaignForm(forms.Form):
    host = forms.ModelChoiceField(label=gettext_lazy("Run by"), queryset=None, empty_label=None)
    name = forms.CharField(
        label=gettext_lazy("Name"), max_length=200, help_text=gettext_lazy("e.g. Derby North, general election 2029")
    )
    kind = forms.ChoiceField(label=gettext_lazy("Election"), choices=Campaign.Kind.choices)
    polling_date = forms.DateField(label=gettext_lazy("Polling day"), widget=DateInput())
    constituencies = forms.CharField(
        label=gettext_lazy("Constituencies"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Names or GSS codes, separated by commas."),
    )
    areas = forms.CharField(label=gettext_lazy("Wards or other areas"), max_length=300, required=False)
    parties = forms.CharField(
        label=gettext_lazy("Parties on the ballot"),
        required=False,
        help_text=gettext_lazy("Party codes as in the results files, separated by commas: Lab, Con, LD, Green, RUK."),
    )

    def __init__(self, *args, hosts, campaign: Campaign | None = None, **kwargs):
        if campaign is not None:
            kwargs.setdefault(
                "initial",
                {
                    "host": campaign.host_id,
                    "name": campaign.name,
                    "kind": campaign.kind,
                    "polling_date": campaign.polling_date,
                    "constituencies": constituencies_text(campaign.constituencies.order_by("name")),
                    "areas": campaign.areas,
                    "parties": ", ".join(p["code"] for p in campaign.parties),
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["host"].queryset = hosts
        if campaign is not None:
            del self.fields["host"]  # a campaign stays with the group that runs it

    def clean_constituencies(self):
        return parse_constituencies(self.cleaned_data["constituencies"])

    def clean_parties(self):
        codes = [c.strip() for c in re.split(r"[,;\s]+", self.cleaned_data["parties"] or "") if c.strip()]
        return clean_parties(codes)

    def clean_polling_date(self):
        day = self.cleaned_data["polling_date"]
        if day < datetime.date(2000, 1, 1):
            raise ValidationError(_("Enter the polling day of an election this campaign is for."))
        return day


class CopyDetailsForm(forms.Form):
    """The record kept of a register copy (on upload, and to correct it later)."""

    supplier = forms.CharField(
        label=gettext_lazy("Supplied by"),
        max_length=200,
        help_text=gettext_lazy("e.g. Derby City Council, Electoral Services"),
    )
    published_on = forms.DateField(label=gettext_lazy("Register date"), widget=DateInput())
    received_on = forms.DateField(label=gettext_lazy("Received on"), widget=DateInput())
    permitted_purpose = forms.CharField(
        label=gettext_lazy("Permitted purpose"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("What the register was supplied for, as the supply letter says."),
    )
    delete_by = forms.DateField(
        label=gettext_lazy("Delete by"),
        widget=DateInput(),
        help_text=gettext_lazy(
            "On this date the copy and everything taken from it are deleted automatically (contact records stay "
            "as anonymous counts)."
        ),
    )

    def clean(self):
        data = super().clean()
        needed = ("supplier", "published_on", "received_on", "permitted_purpose", "delete_by")
        if all(data.get(name) for name in needed):
            details = register.CopyDetails(**{name: data[name] for name in needed})
            for problem in details.problems():
                self.add_error(None, problem)
        return data

    def details(self) -> register.CopyDetails:
        data = self.cleaned_data
        return register.CopyDetails(
            supplier=data["supplier"],
            published_on=data["published_on"],
            received_on=data["received_on"],
            permitted_purpose=data["permitted_purpose"],
            delete_by=data["delete_by"],
        )

    @staticmethod
    def initial_for(campaign: Campaign) -> dict:
        today = timezone.localdate()
        return {
            "published_on": today,
            "received_on": today,
            "permitted_purpose": str(DEFAULT_PURPOSE),
            "delete_by": max(campaign.polling_date, today) + datetime.timedelta(days=90),
        }


class RegisterUploadForm(CopyDetailsForm):
    file = forms.FileField(
        label=gettext_lazy("Register file (CSV)"),
        help_text=gettext_lazy("The council's register export, one elector per row; at most 40 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv,text/plain"}),
    )
    encoding = forms.ChoiceField(
        label=gettext_lazy("Text encoding"),
        choices=[(k, v) for k, v in register.ENCODINGS.items()],
        initial="utf-8",
        help_text=gettext_lazy("UTF-8 unless the check says otherwise (older Excel saves Windows-1252)."),
    )
    field_order = ["file", "encoding", "supplier", "published_on", "received_on", "permitted_purpose", "delete_by"]

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("The file is %(size)s; the most you can upload is %(limit)s.")
                % {"size": filesizeformat(file.size), "limit": filesizeformat(MAX_UPLOAD_BYTES)}
            )
        if file.size == 0:
            raise ValidationError(_("The file is empty."))
        return file


def field_choices() -> list[tuple[str, str]]:
    return [("", _("— Don't import —"))] + [(name, register.FIELD_LABELS[name]) for name in register.FIELDS]


class MappingForm(forms.Form):
    """One select per column of the file: the register field it fills."""

    def __init__(self, *args, header: list[str], mapping: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.header = header
        self.column_fields: dict[str, str] = {}
        choices = field_choices()
        for index, column in enumerate(header):
            if not column:
                continue
            name = f"column-{index}"
            self.fields[name] = forms.ChoiceField(
                label=column, choices=choices, required=False, initial=mapping.get(column, "")
            )
            self.column_fields[name] = column

    def columns(self, samples: list[list[str]]) -> list[tuple[str, list[str], forms.BoundField | None]]:
        out = []
        for index, column in enumerate(self.header):
            values = [row[index].strip() for row in samples if index < len(row) and row[index].strip()]
            name = f"column-{index}"
            out.append((column, values[:3], self[name] if name in self.fields else None))
        return out

    def clean(self):
        data = super().clean()
        chosen: dict[str, str] = {}
        for name, column in self.column_fields.items():
            target = data.get(name)
            if not target:
                continue
            if target in chosen:
                self.add_error(
                    name,
                    _("This field is already filled from the column “%(column)s”: choose one of the two.")
                    % {"column": chosen[target]},
                )
            else:
                chosen[target] = column
        for problem in register.mapping_problems({c: f for f, c in chosen.items()}):
            self.add_error(None, problem)
        return data

    def mapping(self) -> dict[str, str]:
        return {
            column: self.cleaned_data[name] for name, column in self.column_fields.items() if self.cleaned_data[name]
        }


class GrantForm(forms.Form):
    person = forms.ModelChoiceField(
        label=gettext_lazy("Person"),
        queryset=None,
        help_text=gettext_lazy("Active members of the group running the campaign, or of a group within it."),
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["person"].label_from_instance = lambda p: f"{p.first_name} {p.last_name}".strip() or f"#{p.pk}"


class ElectorSearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Search"),
        required=False,
        help_text=gettext_lazy("Surname, street, postcode or elector number (AB1-888)."),
    )
    district = forms.ChoiceField(label=gettext_lazy("Polling district"), required=False)

    def __init__(self, *args, districts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = [("", _("All"))] + [(d, d) for d in districts]


class ConfirmDeleteForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy("I understand: the electors and households of this copy are deleted now, for good."),
    )


class RegisterCopyForm(CopyDetailsForm):
    def __init__(self, *args, copy: RegisterCopy, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "supplier": copy.supplier,
                "published_on": copy.published_on,
                "received_on": copy.received_on,
                "permitted_purpose": copy.permitted_purpose,
                "delete_by": copy.delete_by,
            },
        )
        super().__init__(*args, **kwargs)
