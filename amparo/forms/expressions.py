"""Form expressions: an XLSForm/XPath subset parsed ONCE into a small JSON AST.

The server evaluates the AST here (`evaluate`); the browser evaluates the very same AST in
`static/forms/expressions.js`. No `eval` anywhere. Both evaluators follow these rules, and
`tests/test_expression_agreement.py` runs one table of cases through both.

Grammar (lowest precedence first)::

    or  →  and  →  = !=  →  < <= > >=  →  + -  →  * div mod  →  unary -  →  primary
    primary: number | 'string' | "string" | ${name} | . | name(args…) | ( expr )

AST nodes are JSON lists, the operator first::

    ["num", 1.5]   ["str", "x"]   ["ref", "name"]   ["cur"]   ["neg", e]
    ["or"|"and"|"="|"!="|"<"|"<="|">"|">="|"+"|"-"|"*"|"div"|"mod", left, right]
    ["fn", "name", [arg, …]]

Values are XPath-like: "" (empty/missing), strings, numbers (floats), booleans and lists
(the values of a field inside a repeat seen from outside it). Select-multiple answers are
space-separated strings and yes/no answers are "yes"/"no", as in XLSForm. Dates are ISO
strings; in arithmetic and ordering they count as days since 1970-01-01.
"""

import datetime
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

Node = list[Any]
Value = Any  # str | float | bool | list[Value]

FUNCTIONS: dict[str, tuple[int, int | None]] = {
    # name: (minimum arguments, maximum arguments or None for any)
    "not": (1, 1),
    "true": (0, 0),
    "false": (0, 0),
    "if": (3, 3),
    "selected": (2, 2),
    "count-selected": (1, 1),
    "selected-at": (2, 2),
    "string-length": (1, 1),
    "concat": (0, None),
    "contains": (2, 2),
    "starts-with": (2, 2),
    "ends-with": (2, 2),
    "substr": (2, 3),
    "coalesce": (2, 2),
    "regex": (2, 2),
    "int": (1, 1),
    "number": (1, 1),
    "string": (1, 1),
    "boolean": (1, 1),
    "round": (1, 2),
    "today": (0, 0),
    "now": (0, 0),
    "date": (1, 1),
    "age": (1, 1),
    "count": (1, 1),
    "sum": (1, 1),
    "min": (1, None),
    "max": (1, None),
}


class ExpressionError(ValueError):
    """The text is not a valid expression; `position` is the 0-based character offset."""

    def __init__(self, message: str, position: int = 0):
        super().__init__(message)
        self.message = message
        self.position = position


# --- Tokenizer -----------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<ref>\$\{\s*(?P<refname>[A-Za-z_][A-Za-z0-9_.\-]*)\s*\})
      | (?P<num>\d+(?:\.\d*)?|\.\d+)
      | (?P<str>'[^']*'|"[^"]*")
      | (?P<op><=|>=|!=|=|<|>|\+|-|\*|\(|\)|,)
      | (?P<name>[A-Za-z_][A-Za-z0-9_\-]*(?::[A-Za-z_][A-Za-z0-9_\-]*)?)
      | (?P<dot>\.)
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    position: int


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            start = position + (len(text[position:]) - len(text[position:].lstrip()))
            raise ExpressionError(_("Unexpected character %(character)r") % {"character": text[start]}, start)
        kind = match.lastgroup or ""
        if kind == "refname":
            kind = "ref"
        start = match.start(kind)
        if kind == "ref":
            tokens.append(_Token("ref", match.group("refname"), start))
        else:
            tokens.append(_Token(kind, match.group(kind), start))
        position = match.end()
    tokens.append(_Token("end", "", len(text)))
    return tokens


# --- Parser --------------------------------------------------------------------------------------

_BINARY_LEVELS: list[tuple[str, ...]] = [
    ("or",),
    ("and",),
    ("=", "!="),
    ("<", "<=", ">", ">="),
    ("+", "-"),
    ("*", "div", "mod"),
]
_WORD_OPERATORS = {"or", "and", "div", "mod"}


class _Parser:
    def __init__(self, text: str):
        self.tokens = _tokenize(text)
        self.index = 0

    @property
    def current(self) -> _Token:
        return self.tokens[self.index]

    def _operator(self) -> str | None:
        token = self.current
        if token.kind == "op" and token.text not in ("(", ")", ","):
            return token.text
        if token.kind == "name" and token.text in _WORD_OPERATORS:
            return token.text
        return None

    def parse(self) -> Node:
        if self.current.kind == "end":
            raise ExpressionError(_("The expression is empty"), 0)
        node = self._binary(0)
        if self.current.kind != "end":
            raise ExpressionError(
                _("Unexpected %(text)r") % {"text": self.current.text}, self.current.position
            )
        return node

    def _binary(self, level: int) -> Node:
        if level == len(_BINARY_LEVELS):
            return self._unary()
        node = self._binary(level + 1)
        while (operator := self._operator()) in _BINARY_LEVELS[level]:
            self.index += 1
            node = [operator, node, self._binary(level + 1)]
        return node

    def _unary(self) -> Node:
        if self.current.kind == "op" and self.current.text == "-":
            self.index += 1
            return ["neg", self._unary()]
        return self._primary()

    def _expect(self, text: str) -> None:
        if not (self.current.kind == "op" and self.current.text == text):
            found = self.current.text or _("end of expression")
            raise ExpressionError(
                _("Expected %(expected)r, found %(found)r") % {"expected": text, "found": found},
                self.current.position,
            )
        self.index += 1

    def _primary(self) -> Node:
        token = self.current
        if token.kind == "num":
            self.index += 1
            return ["num", float(token.text)]
        if token.kind == "str":
            self.index += 1
            return ["str", token.text[1:-1]]
        if token.kind == "ref":
            self.index += 1
            return ["ref", token.text]
        if token.kind == "dot":
            self.index += 1
            return ["cur"]
        if token.kind == "op" and token.text == "(":
            self.index += 1
            node = self._binary(0)
            self._expect(")")
            return node
        if token.kind == "name" and token.text not in _WORD_OPERATORS:
            return self._call(token)
        found = token.text or _("end of expression")
        raise ExpressionError(_("Unexpected %(text)r") % {"text": found}, token.position)

    def _call(self, token: _Token) -> Node:
        name = token.text
        self.index += 1
        if not (self.current.kind == "op" and self.current.text == "("):
            raise ExpressionError(
                _("Unknown name %(name)r (field references are written ${name})") % {"name": name},
                token.position,
            )
        if name not in FUNCTIONS:
            raise ExpressionError(_("Unknown function %(name)s()") % {"name": name}, token.position)
        self.index += 1
        arguments: list[Node] = []
        if not (self.current.kind == "op" and self.current.text == ")"):
            arguments.append(self._binary(0))
            while self.current.kind == "op" and self.current.text == ",":
                self.index += 1
                arguments.append(self._binary(0))
        self._expect(")")
        minimum, maximum = FUNCTIONS[name]
        if len(arguments) < minimum or (maximum is not None and len(arguments) > maximum):
            raise ExpressionError(
                _("%(name)s() takes %(count)s") % {"name": name, "count": _arity_text(minimum, maximum)},
                token.position,
            )
        return ["fn", name, arguments]


def _arity_text(minimum: int, maximum: int | None) -> str:
    if maximum is None:
        return _("at least %(minimum)s argument(s)") % {"minimum": minimum}
    if minimum == maximum:
        return _("%(count)s argument(s)") % {"count": minimum}
    return _("%(minimum)s to %(maximum)s arguments") % {"minimum": minimum, "maximum": maximum}


def parse(text: str) -> Node:
    """Parse an expression into its JSON AST, or raise ExpressionError."""
    return _Parser(text).parse()


def references(node: Node) -> set[str]:
    """The field names an AST refers to through ${name}."""
    found: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if current[0] == "ref":
            found.add(current[1])
        elif current[0] == "fn":
            stack.extend(current[2])
        elif current[0] == "neg":
            stack.append(current[1])
        elif current[0] not in ("num", "str", "cur"):
            stack.extend(current[1:])
    return found


def uses_current(node: Node) -> bool:
    """Does the AST use `.` (the value being checked)?"""
    if node[0] == "cur":
        return True
    if node[0] == "fn":
        return any(uses_current(argument) for argument in node[2])
    if node[0] == "neg":
        return uses_current(node[1])
    if node[0] in ("num", "str", "ref"):
        return False
    return uses_current(node[1]) or uses_current(node[2])


# --- Evaluator -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Environment:
    """What an evaluation sees: field values by name, the current value `.`, today and now."""

    lookup: Callable[[str], Value]
    current: Value = ""
    today: str = ""
    now: str = ""


_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?")
_EPOCH = datetime.date(1970, 1, 1)


def _date_parts(text: str) -> tuple[datetime.date, float] | None:
    match = _DATE.match(text)
    if match is None:
        return None
    try:
        day = datetime.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None
    fraction = 0.0
    if match.group(4) is not None:
        fraction = (int(match.group(4)) * 3600 + int(match.group(5)) * 60 + int(match.group(6) or 0)) / 86400
    return day, fraction


_NUMBER = re.compile(r"^\s*-?(\d+(\.\d*)?|\.\d+)\s*$")


def to_number(value: Value) -> float:
    if isinstance(value, list):
        return to_number(value[0]) if value else math.nan
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    text = str(value)
    if _NUMBER.match(text):
        return float(text)
    parts = _date_parts(text)
    if parts is not None:
        return (parts[0] - _EPOCH).days + parts[1]
    return math.nan


def _format_number(number: float) -> str:
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number == int(number) and abs(number) < 1e21:
        return str(int(number))
    text = repr(number)
    if "e" in text and 1e-6 <= abs(number) < 1e21:  # JavaScript writes these without an exponent
        return format(Decimal(text), "f")
    if "e" in text:  # JavaScript spelling of the exponent: 1e-07 → 1e-7
        mantissa, exponent = text.split("e")
        sign = "-" if exponent.startswith("-") else "+"
        text = f"{mantissa}e{sign}{int(exponent.lstrip('+-'))}"
    return text


def to_string(value: Value) -> str:
    if isinstance(value, list):
        return to_string(value[0]) if value else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _format_number(float(value))
    return str(value)


def to_boolean(value: Value) -> bool:
    if isinstance(value, list):
        return len(value) > 0
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return not (value == 0 or math.isnan(value))
    return str(value) != ""


def _items(value: Value) -> list[Value]:
    return value if isinstance(value, list) else [value]


def _compare_equal(left: Value, right: Value) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return to_boolean(left) == to_boolean(right)
    if isinstance(left, int | float) or isinstance(right, int | float):
        return to_number(left) == to_number(right)
    return to_string(left) == to_string(right)


def _compare(operator: str, left: Value, right: Value) -> bool:
    if isinstance(left, list) or isinstance(right, list):
        return any(_compare(operator, a, b) for a in _items(left) for b in _items(right))
    if operator == "=":
        return _compare_equal(left, right)
    if operator == "!=":
        return not _compare_equal(left, right)
    a, b = to_number(left), to_number(right)
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[operator]


def _arithmetic(operator: str, left: Value, right: Value) -> float:
    a, b = to_number(left), to_number(right)
    if operator == "+":
        return a + b
    if operator == "-":
        return a - b
    if operator == "*":
        return a * b
    if operator == "div":
        if b == 0:
            return math.nan if a == 0 or math.isnan(a) else math.copysign(math.inf, a) * math.copysign(1, b)
        return a / b
    if b == 0 or math.isinf(a) or math.isnan(a) or math.isnan(b):
        return math.nan
    if math.isinf(b):
        return a
    return math.fmod(a, b)


def _words(value: Value) -> list[str]:
    return [word for word in to_string(value).split(" ") if word]


_FIRST_DAY = -719162  # 0001-01-01
_LAST_DAY = 2932896  # 9999-12-31


def _number_to_date(number: float) -> str:
    if math.isnan(number) or not _FIRST_DAY <= number < _LAST_DAY + 1:
        return ""
    return (_EPOCH + datetime.timedelta(days=math.floor(number))).isoformat()


def _age(value: Value, today: str) -> Value:
    born = _date_parts(to_string(value))
    now = _date_parts(today)
    if born is None or now is None:
        return ""
    birth, day = born[0], now[0]
    years = day.year - birth.year - (1 if (day.month, day.day) < (birth.month, birth.day) else 0)
    return float(years)


def _round(number: float, digits: float) -> float:
    if math.isnan(number) or math.isinf(number) or math.isnan(digits):
        return number
    factor = 10.0 ** int(digits)
    return math.copysign(math.floor(abs(number) * factor + 0.5) / factor, number)


def _flatten(arguments: list[Value]) -> list[Value]:
    flat: list[Value] = []
    for argument in arguments:
        flat.extend(_items(argument))
    return flat


def _call(name: str, arguments: list[Node], environment: Environment) -> Value:  # noqa: C901
    if name == "if":
        condition = to_boolean(evaluate(arguments[0], environment))
        return evaluate(arguments[1] if condition else arguments[2], environment)
    if name == "coalesce":
        first = evaluate(arguments[0], environment)
        return first if to_string(first) != "" else evaluate(arguments[1], environment)
    values = [evaluate(argument, environment) for argument in arguments]
    if name == "not":
        return not to_boolean(values[0])
    if name == "true":
        return True
    if name == "false":
        return False
    if name == "boolean":
        return to_boolean(values[0])
    if name == "selected":
        return to_string(values[1]).strip() in _words(values[0])
    if name == "count-selected":
        return float(len(_words(values[0])))
    if name == "selected-at":
        words, index = _words(values[0]), to_number(values[1])
        if math.isnan(index) or index < 0 or index >= len(words):
            return ""
        return words[int(index)]
    if name == "string-length":
        return float(len(to_string(values[0])))
    if name == "concat":
        return "".join(to_string(item) for item in _flatten(values))
    if name == "contains":
        return to_string(values[1]) in to_string(values[0])
    if name == "starts-with":
        return to_string(values[0]).startswith(to_string(values[1]))
    if name == "ends-with":
        return to_string(values[0]).endswith(to_string(values[1]))
    if name == "substr":
        text = to_string(values[0])
        start = to_number(values[1])
        end = to_number(values[2]) if len(values) > 2 else float(len(text))
        if math.isnan(start) or math.isnan(end):
            return ""
        return text[max(0, int(start)) : max(0, int(end))]
    if name == "regex":
        try:
            return re.search(to_string(values[1]), to_string(values[0]), re.ASCII) is not None
        except re.error:
            return False
    if name == "int":
        number = to_number(values[0])
        return number if math.isnan(number) or math.isinf(number) else float(math.trunc(number))
    if name == "number":
        return to_number(values[0])
    if name == "string":
        return to_string(values[0])
    if name == "round":
        return _round(to_number(values[0]), to_number(values[1]) if len(values) > 1 else 0.0)
    if name == "today":
        return environment.today
    if name == "now":
        return environment.now
    if name == "date":
        value = values[0]
        if isinstance(value, int | float) and not isinstance(value, bool):
            return _number_to_date(float(value))
        parts = _date_parts(to_string(value))
        return parts[0].isoformat() if parts else ""
    if name == "age":
        return _age(values[0], environment.today)
    if name == "count":
        value = values[0]
        return float(len(value)) if isinstance(value, list) else (0.0 if to_string(value) == "" else 1.0)
    if name == "sum":
        return float(sum(to_number(item) for item in _items(values[0]) if to_string(item) != ""))
    if name in ("min", "max"):
        numbers = [to_number(item) for item in _flatten(values) if to_string(item) != ""]
        if not numbers or any(math.isnan(number) for number in numbers):
            return math.nan
        return min(numbers) if name == "min" else max(numbers)
    raise ExpressionError(f"Unknown function {name}()")


def evaluate(node: Node, environment: Environment) -> Value:
    """Evaluate an AST. Never raises for bad data: impossible arithmetic gives NaN, as in XPath."""
    kind = node[0]
    if kind == "num":
        return float(node[1])
    if kind == "str":
        return node[1]
    if kind == "ref":
        return environment.lookup(node[1])
    if kind == "cur":
        return environment.current
    if kind == "neg":
        return -to_number(evaluate(node[1], environment))
    if kind == "fn":
        return _call(node[1], node[2], environment)
    if kind == "or":
        return to_boolean(evaluate(node[1], environment)) or to_boolean(evaluate(node[2], environment))
    if kind == "and":
        return to_boolean(evaluate(node[1], environment)) and to_boolean(evaluate(node[2], environment))
    left = evaluate(node[1], environment)
    right = evaluate(node[2], environment)
    if kind in ("=", "!=", "<", "<=", ">", ">="):
        return _compare(kind, left, right)
    return _arithmetic(kind, left, right)
