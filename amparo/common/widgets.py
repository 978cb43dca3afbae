import functools
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe


@functools.lru_cache(maxsize=64)
def _options(choices: tuple[tuple[Any, Any], ...]) -> tuple[list[str], dict[str, int]]:
    rendered = [f'<option value="{escape(value)}">{escape(label)}</option>' for value, label in choices]
    return rendered, {str(value): index for index, (value, _label) in enumerate(choices)}


class FastSelect(forms.Select):
    """A <select> rendered in one pass, its options built once per set of choices.

    Django renders every <option> through a template; for the ~250 countries that was most of
    a person page's server time (docs/performance.md). Flat choices only.
    """

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final_attrs = self.build_attrs(self.attrs, attrs)
        final_attrs["name"] = name
        choices = tuple((str(choice), str(label)) for choice, label in self.choices)
        rendered, index = _options(choices)
        options = list(rendered)
        values = value if isinstance(value, list | tuple) else [value]
        for item in values:
            position = index.get(str(item)) if item is not None else None
            if position is not None:
                options[position] = options[position].replace("<option ", "<option selected ", 1)
        return format_html("<select{}>{}</select>", flatatt(final_attrs), mark_safe("".join(options)))  # noqa: S308


class ListedChoiceIterator(forms.models.ModelChoiceIterator):
    """Reads the choices with one plain query. Django's own iterator calls `.iterator()`, which on
    PostgreSQL opens a server-side cursor (DECLARE … WITH HOLD, FETCH, CLOSE: three round trips)
    for what is a list of a few dozen units or areas."""

    def __iter__(self) -> Any:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class ListedModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField for short choice lists (see ListedChoiceIterator), drawn by FastSelect."""

    iterator = ListedChoiceIterator
    widget = FastSelect
