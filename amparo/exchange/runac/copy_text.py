"""Checked columns as the text of a COPY … FROM STDIN (PostgreSQL's text format, its defaults).

Tab between values, LF after every row, NULL as \\N (the checker writes it already), and a
backslash doubled (with CR, LF and tab as \\r, \\n, \\t) only in blocks flagged `escape`.
Columns are lists of str (the Python checker) or Arrow string arrays (`arrow_check`).
"""

import functools
from typing import Any

NULL = "\\N"
_EMPTY = ""


def copy_text(columns: list[Any], *, escape: bool) -> bytes:
    """The rows of `columns` (all of the same length), each ended by LF, UTF-8 encoded."""
    if any(not isinstance(values, list) for values in columns):
        return _arrow_text(columns)
    if escape:
        columns = [[value if value == NULL else _escape(value) for value in values] for values in columns]
    return ("\n".join(map("\t".join, zip(*columns, strict=True))) + "\n").encode()


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")


def _arrow_text(columns: list[Any]) -> bytes:
    """Written in C: the values of a clean block hold no tab, LF, CR or backslash (see `arrow_check`)."""
    import pyarrow as pa  # noqa: PLC0415 - Arrow only for blocks the fast path checked
    import pyarrow.compute as pc  # noqa: PLC0415
    import pyarrow.csv as pcsv  # noqa: PLC0415

    count = len(columns[0])
    arrays = [pa.array(values, pa.string()) if isinstance(values, list) else values for values in columns]
    table = pa.Table.from_arrays(arrays, names=[str(index) for index in range(len(arrays))])
    stream = pa.BufferOutputStream()
    try:
        pcsv.write_csv(table, stream, write_options=_write_options())
        return stream.getvalue().to_pybytes()
    except pa.ArrowInvalid:
        pass  # a double quote: the CSV writer refuses it unquoted, COPY's text format takes it as is
    # LF after the last value, then every row's values joined by tab: the rows lie end to end.
    arrays[-1] = pc.binary_join_element_wise(arrays[-1], pa.repeat(_EMPTY, count), "\n")
    rows = pc.binary_join_element_wise(*arrays, "\t")
    _validity, offsets, data = rows.buffers()
    bounds = memoryview(offsets).cast("i")
    return data[bounds[rows.offset] : bounds[rows.offset + count]].to_pybytes()


@functools.cache
def _write_options() -> Any:
    import pyarrow.csv as pcsv  # noqa: PLC0415

    return pcsv.WriteOptions(include_header=False, delimiter="\t", quoting_style="none", batch_size=1 << 16)
