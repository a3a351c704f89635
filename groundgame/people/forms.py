"""Forms of the people pages. They validate input; the writes themselves go through services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from groundgame.places import postcodes

from .models import LocalGroup, Membership, Person, PersonNote, PrivacyRequest, Skill


class PersonForm(forms.Form):
    """The editable fields of a person (services.PERSON_FIELDS). Status and join date are for organisers."""

    first_name = forms.CharField(label=_("First name"), max_length=80)
    last_name = forms.CharField(label=_("Last name"), max_length=80, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False, help_text=_("For example 07700 900123."))
    postcode = forms.CharField(label=_("Postcode"), max_length=10, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=Person.Status.choices)
    joined_on = forms.DateField(
        label=_("Joined on"), required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text=_("YYYY-MM-DD")
    )
    skills = forms.ModelMultipleChoiceField(
        label=_("Skills"), queryset=Skill.objects.order_by("name"), required=False, widget=forms.CheckboxSelectMultiple
    )
    interests = forms.CharField(label=_("Interests"), max_length=300, required=False)
    languages = forms.CharField(
        label=_("Languages"), max_length=100, required=False, help_text=_("Language codes, comma-separated: en, cy")
    )
    accessibility_needs = forms.CharField(
        label=_("Accessibility needs"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, person: Person, can_change_status: bool, **kwargs):
        initial = {name: getattr(person, name) for name in self.base_fields if name not in {"languages", "skills"}}
        initial["languages"] = ", ".join(person.languages or [])
        initial["skills"] = list(person.skills.all()) if person.pk else []
        super().__init__(*args, initial=initial, **kwargs)
        if not can_change_status:
            del self.fields["status"]
            del self.fields["joined_on"]

    def clean_languages(self) -> list[str]:
        codes = [c.strip().lower() for c in self.cleaned_data["languages"].split(",") if c.strip()]
        for code in codes:
            if not code.replace("-", "").isalpha() or len(code) > 10:
                raise forms.ValidationError(_("Use language codes such as en or cy, separated by commas."))
        return list(dict.fromkeys(codes))

    def changes(self) -> dict:
        """The cleaned values, for services.person_update (which records only what actually changed)."""
        return dict(self.cleaned_data)


class DecideForm(forms.Form):
    approve = forms.TypedChoiceField(choices=[("1", _("Approve")), ("0", _("Decline"))], coerce=lambda v: v == "1")


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class DirectoryForm(forms.Form):
    """Search and filters of the member directory (GET)."""

    q = forms.CharField(label=_("Name or email"), required=False, max_length=100)
    group = forms.ModelChoiceField(label=_("Group"), queryset=LocalGroup.objects.none(), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=[("", _("Any role")), *Membership.Role.choices], required=False)
    skill = forms.ModelChoiceField(label=_("Skill"), queryset=Skill.objects.all(), required=False)
    postcode = forms.CharField(label=_("Near postcode"), required=False, max_length=10)
    km = forms.IntegerField(label=_("Within (km)"), required=False, min_value=1, max_value=1000)

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups
        self.fields["group"].empty_label = _("Any group")
        self.fields["skill"].empty_label = _("Any skill")

    def clean_postcode(self) -> str:
        value = self.cleaned_data["postcode"].strip()
        if not value:
            return ""
        try:
            return postcodes.parse(value).text
        except postcodes.InvalidPostcode:
            raise forms.ValidationError(_("Enter a UK postcode like DE22 1AA, or a district like DE22.")) from None

    def clean(self):
        data = super().clean()
        if data.get("postcode") and not data.get("km"):
            self.add_error("km", _("Say how far from the postcode, in kilometres."))
        if data.get("km") and not data.get("postcode"):
            self.add_error("postcode", _("Enter the postcode to measure from."))
        return data


class PrivacyRequestForm(forms.Form):
    """Open a privacy request for a person, found by id or email address."""

    person = forms.CharField(
        label=_("Person"), max_length=254, help_text=_("Their number (as in /people/123/) or email address.")
    )
    kind = forms.ChoiceField(label=_("Kind of request"), choices=PrivacyRequest.Kind.choices)
    received_on = forms.DateField(
        label=_("Received on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Today if empty."),
    )
    details = forms.CharField(label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class CloseRequestForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(PrivacyRequest.Status.DONE, _("Done")), (PrivacyRequest.Status.REFUSED, _("Refused"))]
    )


class EraseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that this removes the person's personal data everywhere and cannot be undone."),
        required=True,
    )


class AuditFilterForm(forms.Form):
    target_type = forms.CharField(
        label=_("Record type"), required=False, max_length=100, help_text=_("e.g. people.person")
    )
    target_id = forms.CharField(label=_("Record id"), required=False, max_length=64)
    actor = forms.IntegerField(label=_("Actor (user id)"), required=False, min_value=1)


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    visibility = forms.ChoiceField(label=_("Visible to"), choices=PersonNote.Visibility.choices)

    def __init__(self, *args, can_write_steward_notes: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_write_steward_notes:  # organisers write notes their fellow organisers read
            self.fields["visibility"].choices = [
                c for c in PersonNote.Visibility.choices if c[0] == PersonNote.Visibility.ORGANISERS
            ]
