"""XLSForm ⇄ Amparo form definitions.

`read_workbook(content, filename)` reads the survey / choices / settings sheets, checks
every row (types, names, labels, option lists, begin/end balance, expressions and
references through the same `load_definition` the builder uses) and reports EVERY problem
with its sheet, row and column; when Amparo finds none, pyxform converts the workbook to an
XForm as the final word. Nothing is imported unless both pass.

`write_workbook(definition, form_id)` writes an XLSForm (openpyxl) that pyxform converts
again. Amparo-only properties travel in extra columns pyxform ignores (`amparo_type`,
`amparo_sensitivity`, `amparo_minimum`, `amparo_maximum`, `amparo_pattern`,
`amparo_location_mode`); ranges and patterns are also folded into `constraint` so other
XLSForm tools (ODK, Enketo, Kobo) enforce them too.

Mapping: sections ⇄ top-level groups; nested groups are flattened into their parent (their
relevance joined to each child's with `and`); fields outside any group go to unnamed
sections `_s1`, `_s2`…; `begin repeat` ⇄ repeat groups; `text` (appearance multiline ⇄ long
text), integer, decimal, date, dateTime, select_one/select_multiple, geopoint ⇄ location,
image ⇄ photo, file, calculate, note. Metadata types (start, end, today, deviceid…) are
skipped with a warning; other types are refused.
"""

from amparo.forms.xlsform.common import CellProblem, ParsedWorkbook, XLSFormError
from amparo.forms.xlsform.reading import read_workbook
from amparo.forms.xlsform.writing import YES_NO_LIST, canonical, compose_constraint, write_workbook

__all__ = [
    "YES_NO_LIST",
    "CellProblem",
    "ParsedWorkbook",
    "XLSFormError",
    "canonical",
    "compose_constraint",
    "read_workbook",
    "write_workbook",
]
