"""Reading delivery files: names, encodings and lines, streamed (memory does not grow with size)."""

import codecs
import datetime
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from amparo.exchange.runac import spec
from amparo.exchange.runac.errors import Issue, IssueCode, issue

READ_BLOCK = 1 << 20
UTF8 = "utf-8-sig"
ENCODING_LABELS = {"utf-8-sig": "UTF-8", "cp1252": "Windows-1252", "latin-1": "ISO-8859-1 (Latin-1)"}


@dataclass(frozen=True)
class Source:
    """A file of a delivery: its name as sent and how to open it (binary, from the start)."""

    name: str
    open: Callable[[], IO[bytes]]

    @classmethod
    def from_path(cls, path: str, name: str | None = None) -> "Source":
        file_path = Path(path)
        return cls(name=name or file_path.name, open=lambda: file_path.open("rb"))

    @classmethod
    def from_bytes(cls, name: str, content: bytes) -> "Source":
        return cls(name=name, open=lambda: io.BytesIO(content))


@dataclass
class FileName:
    """What a delivery file's name says: jurisdiction, unit, cut-off date and suffix (1 when none)."""

    name: str
    jurisdiction: str
    unit: spec.Unit
    cut_off: datetime.date
    suffix: int
    tolerances: list[str] = field(default_factory=list)


def parse_file_name(name: str) -> tuple[FileName | None, list[Issue]]:
    """Parse `{JUR}_{UNIT}_{ddmmyyyy}[-n]_RUNac.txt`; tolerated deviations come back as warnings."""
    match = spec.FILE_NAME.match(name)
    if match is None:
        return None, [issue(IssueCode.FILE_NAME_INVALID, file=name, value=name)]
    problems: list[Issue] = []
    tolerances: list[str] = []
    if any(match.group(f"space{index}") for index in range(1, 7)):
        tolerances.append("espacios alrededor de los guiones bajos")
    raw_unit = match.group("unit")
    if raw_unit.upper() not in spec.Unit.__members__:
        problems.append(issue(IssueCode.UNIT_UNKNOWN, file=name, value=raw_unit))
    elif raw_unit != raw_unit.upper():
        tolerances.append(f"unidad '{raw_unit}' en minúsculas")
    if match.group("extension") == "TXT":
        tolerances.append("extensión .TXT en mayúsculas")
    code = match.group("jurisdiction")
    if code not in spec.JURISDICTION_CODES:
        problems.append(issue(IssueCode.JURISDICTION_UNKNOWN, file=name, value=code))
    raw_date = match.group("date")
    try:
        cut_off = datetime.date(int(raw_date[4:]), int(raw_date[2:4]), int(raw_date[:2]))
    except ValueError:
        problems.append(issue(IssueCode.CUT_OFF_INVALID, file=name, value=raw_date))
        cut_off = None
    suffix = int(match.group("suffix") or 1)
    if match.group("suffix") is not None and suffix < 2:
        problems.append(issue(IssueCode.SUFFIX_INVALID, file=name, value=match.group("suffix")))
    if tolerances:
        problems.append(
            issue(IssueCode.FILE_NAME_TOLERATED, file=name, value=name, detail=", ".join(tolerances))
        )
    if any(problem.severity == "error" for problem in problems) or cut_off is None:
        return None, problems
    return FileName(
        name=name,
        jurisdiction=code,
        unit=spec.Unit(raw_unit.upper()),
        cut_off=cut_off,
        suffix=suffix,
        tolerances=tolerances,
    ), problems


def detect_encoding(source: Source) -> str:
    """UTF-8 (BOM or not) when the whole file decodes as UTF-8; else Windows-1252, else Latin-1.

    A first pass over the bytes, block by block: deciding before parsing means the rows are
    never decoded twice with different codecs.
    """
    for encoding in (UTF8, "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with source.open() as stream:
                while block := stream.read(READ_BLOCK):
                    decoder.decode(block)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    return "latin-1"


def encoding_label(encoding: str) -> str:
    return ENCODING_LABELS.get(encoding, encoding)


def strip_line_end(line: str) -> str:
    if line.endswith("\n"):
        line = line[:-1]
    if line.endswith("\r"):
        line = line[:-1]
    return line


def byte_blocks(stream: IO[bytes], size: int = READ_BLOCK) -> Iterator[bytes]:
    """Whole lines of the undecoded bytes (LF is one byte in every encoding read here), about a
    megabyte at a time, joined by LF, the block's last line end (LF or CRLF) dropped."""
    rest = b""
    while data := stream.read(size):
        data = rest + data
        cut = data.rfind(b"\n")
        if cut < 0:
            rest = data
            continue
        yield data[: cut - 1] if cut and data[cut - 1] == 13 else data[:cut]
        rest = data[cut + 1 :]
    if rest:
        yield rest
