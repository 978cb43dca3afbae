"""The fast path of the row checker: Arrow decides whether a block is clean and builds its columns.

A block is clean when the Python checker (`validation.FileChecker`) would report nothing
about it: every line of the right width, no blank line, no CR or NUL, no backslash, every
value valid. Values are judged by the same Python functions as there, once per distinct
value of a column (dates, integers, predefined values, equivalences); only lengths and the
row rules of MPE and MPJ are vectorised here. Anything else, and every block that is not
clean, goes through the Python checker, the one source of issues.

Used only for UTF-8 files loaded by COPY (PostgreSQL): the columns come back as Arrow
string arrays already in COPY's text form (NULL as \\N), which `copy_text` writes in C.
"""

import codecs
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from amparo.exchange.runac import spec
from amparo.exchange.runac.validation import FileChecker, estimated_birth_date, is_integer

_PARSE = pcsv.ParseOptions(
    delimiter="\t", quote_char=False, escape_char=False, double_quote=False, ignore_empty_lines=False
)
# Odd bytes the Python checker reports (CR, NUL) or must escape for COPY (backslash).
_ODD_BYTES = (b"\r", b"\x00", b"\\")


class ArrowBlockChecker:
    """Columns of a clean block of one file, or None when the Python checker must see it."""

    def __init__(self, checker: FileChecker) -> None:
        self.checker = checker
        self.columns = checker.columns
        self.width = checker.width
        names = [f"c{index}" for index in range(self.width)]
        self.read_options = pcsv.ReadOptions(column_names=names, use_threads=False)
        # The file was checked to be UTF-8 before reading (`reading.detect_encoding`).
        self.convert_options = pcsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False, check_utf8=False
        )
        self.file_number = str(checker.file_number)
        self.allowed = {column.name: {*column.choices, ""} for column in self.columns}
        self.birth_dates: dict[tuple[str, str], str] = {}

    def columns_of(self, block: bytes, first_line: int) -> dict[str, Any] | None:
        if not block or block[0] == 10 or block[-1] == 10:
            return None  # blank lines (those inside the block: the count of rows below)
        if block.startswith(codecs.BOM_UTF8):
            return None  # Arrow would drop it; here it is data
        if b"\r" in block:
            block = block.replace(b"\r\n", b"\n")  # as the Python checker does; a CR left is reported there
        if any(odd in block for odd in _ODD_BYTES):
            return None
        try:
            table = pcsv.read_csv(
                pa.BufferReader(block),
                read_options=pcsv.ReadOptions(
                    column_names=self.read_options.column_names,
                    use_threads=False,
                    block_size=max(len(block) + 1, 1 << 16),
                ),
                parse_options=_PARSE,
                convert_options=self.convert_options,
            )
        except pa.ArrowInvalid:
            return None  # a row of the wrong width
        count = table.num_rows
        if table.num_columns != self.width or count != block.count(b"\n") + 1:
            return None
        raw = [_array(table.column(index)) for index in range(self.width)]
        out: dict[str, Any] = {
            "file_number": pa.repeat(self.file_number, count),
            "line": pa.array(np.arange(first_line, first_line + count, dtype=np.int64)).cast(pa.string()),
        }
        for column, values in zip(self.columns, raw, strict=True):
            if not self._column(column, values, out):
                return None
        if not self._row_rules(raw, out):
            return None
        if self.checker.unit == spec.Unit.LEGAJOS:
            out["birth_date"] = self._birth_dates(raw, out)
        return out

    def _column(self, column: spec.Column, values: pa.Array, out: dict[str, Any]) -> bool:
        kind = column.kind
        if kind == spec.Kind.TEXT:
            lengths = pc.min_max(pc.binary_length(values)).as_py()
            limit = spec.MAX_ID_LENGTH if column.is_identifier else spec.MAX_TEXT_LENGTH
            # Bytes, not characters: a longer value in bytes only sends the block to the Python checker.
            if lengths["max"] > limit or (column.required and lengths["min"] == 0):
                return False
            out[column.attribute] = values
            return True
        if kind == spec.Kind.PREDEFINED:  # kept as sent: the distinct values are enough
            distinct = pc.unique(values).to_pylist()
            if (column.required and "" in distinct) or not self.allowed[column.name].issuperset(distinct):
                return False
            out[column.attribute] = values
            return True
        encoded = values.dictionary_encode()
        distinct = encoded.dictionary.to_pylist()
        if column.required and "" in distinct:
            return False
        checker = self.checker
        null = checker.null
        if kind == spec.Kind.INTEGER:
            if not all(value == "" or is_integer(value) for value in distinct):
                return False
            out[column.attribute] = _mapped(encoded, distinct, [value or null for value in distinct], values)
            return True
        if kind == spec.Kind.DATE:
            dates = checker.parsed_dates(distinct)
            if dates is None:
                return False
            iso = [null if date is None else date for date in dates]
            out[column.attribute] = _mapped(encoded, distinct, iso, values)
            return True
        # Equivalence-table ids: the local id as sent, then its national category.
        out[column.local_attribute] = values
        table = checker.equivalence_table(column)
        if table is None:
            out[column.attribute] = pa.repeat("", len(values))
            return True
        if not all(value == "" or value in table for value in distinct):
            return False
        categories = [table[value] if value else "" for value in distinct]
        out[column.attribute] = _mapped(encoded, distinct, categories, values)
        return True

    def _row_rules(self, raw: list[pa.Array], out: dict[str, Any]) -> bool:
        """The row rules of `FileChecker._check_row_rules`: True when no row breaks one."""
        unit = self.checker.unit
        names = spec.header(unit)
        if unit == spec.Unit.MPE:
            kinds = out["tipo_intervencion"]
            locals_ = out["tipo_intervencion_local"]
            # A closing-only value is allowed on CESE_MPE, and on rows whose local type has no category.
            allowed = pc.or_(
                pc.equal(kinds, spec.MEASURE_END), pc.and_(_filled(locals_), pc.equal(kinds, ""))
            )
            for name in spec.MPE_CLOSING_ONLY:
                if pc.any(pc.and_(_filled(raw[names.index(name)]), pc.invert(allowed))).as_py():
                    return False
        elif unit == spec.Unit.MPJ:
            movements = raw[2]
            entries, exits = pc.equal(movements, spec.ENTRY), pc.equal(movements, spec.EXIT)
            for names_, forbidden in ((spec.MPJ_EXIT_ONLY, entries), (spec.MPJ_ENTRY_ONLY, exits)):
                for name in names_:
                    if pc.any(pc.and_(_filled(raw[names.index(name)]), forbidden)).as_py():
                        return False
            associated = raw[names.index("ID_INGRESO_ASOCIADO")]
            if pc.any(pc.and_(exits, pc.invert(_filled(associated)))).as_py():
                return False
        return True

    def _birth_dates(self, raw: list[pa.Array], out: dict[str, Any]) -> pa.Array:
        """FECHA_NACIMIENTO, or the one estimated from FECHA_CREACION and EDAD_AL_INGRESO when empty."""
        births = out["fecha_nacimiento"]
        names = spec.header(spec.Unit.LEGAJOS)
        missing = pc.equal(raw[names.index("FECHA_NACIMIENTO")], "")
        if not pc.any(missing).as_py():
            return births
        created = pc.filter(out["fecha_creacion"], missing).to_pylist()
        ages = pc.filter(out["edad_al_ingreso"], missing).to_pylist()
        cache = self.birth_dates
        null = self.checker.null
        estimates = []
        for key in zip(created, ages, strict=True):
            value = cache.get(key)
            if value is None:
                day, age = key
                # The Python checker tells NULL by identity; these strings are copies of it.
                value = cache[key] = estimated_birth_date(day, null if age == null else age, null)  # type: ignore[assignment]
            estimates.append(value)
        return pc.replace_with_mask(births, missing, pa.array(estimates, pa.string()))


def _array(values: pa.ChunkedArray) -> pa.Array:
    return values.chunk(0) if values.num_chunks == 1 else values.combine_chunks()


def _filled(values: pa.Array) -> pa.Array:
    return pc.greater(pc.binary_length(values), 0)


def _mapped(
    encoded: pa.DictionaryArray, distinct: list[str], mapped: list[Any], values: pa.Array
) -> pa.Array:
    """Each value replaced by the mapping of its distinct value (the values themselves when unchanged)."""
    if mapped == distinct:
        return values
    return pa.array(mapped, pa.string()).take(encoded.indices)
