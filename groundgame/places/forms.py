from django import forms
from django.utils.translation import gettext_lazy as _

from . import postcodes


class PostcodeForm(forms.Form):
    postcode = forms.CharField(
        label=_("Your postcode"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "postal-code", "autocapitalize": "characters", "placeholder": "e.g. DE22 1AA"}
        ),
        help_text=_("A full postcode (DE22 1AA) is most accurate; a district (DE22) works too."),
    )
    election = forms.TypedChoiceField(label=_("Base election"), coerce=int, required=False)

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["election"].choices = [(y, str(y)) for y in reversed(years)]

    def clean_postcode(self) -> str:
        try:
            return postcodes.parse(self.cleaned_data["postcode"]).text
        except postcodes.InvalidPostcode:
            raise forms.ValidationError(
                _("Enter a UK postcode like DE22 1AA, or a postcode district like DE22."), code="invalid"
            ) from None
