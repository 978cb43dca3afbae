from django import forms

from amparo.common.widgets import FastSelect


class CountryForm(forms.Form):
    country = forms.ChoiceField(
        choices=[("", "—"), ("MX", "México"), ("GT", "Guatemala <GT>")], widget=FastSelect, required=False
    )


def test_renders_like_a_select_with_the_value_selected_and_labels_escaped():
    html = str(CountryForm(data={"country": "GT"})["country"])

    assert html == (
        '<select id="id_country" name="country">'
        '<option value="">—</option><option value="MX">México</option>'
        '<option selected value="GT">Guatemala &lt;GT&gt;</option></select>'
    )


def test_posted_value_round_trips():
    form = CountryForm(data={"country": "MX"})

    assert form.is_valid() is True
    assert form.cleaned_data["country"] == "MX"
