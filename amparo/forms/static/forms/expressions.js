// Amparo form expressions: evaluates the JSON AST produced by amparo/forms/expressions.py.
// Same rules as the Python evaluator (see that module's docstring); no eval anywhere.
// Works in the browser (window.AmparoExpressions) and under node (module.exports).
(function (root) {
  "use strict";

  const NUMBER = /^\s*-?(\d+(\.\d*)?|\.\d+)\s*$/;
  const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?/;
  const DAY_MS = 86400000;
  const FIRST_DAY = -719162;
  const LAST_DAY = 2932896;

  function utcDays(year, month, day) {
    const date = new Date(0);
    date.setUTCFullYear(year, month - 1, day);
    date.setUTCHours(0, 0, 0, 0);
    if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
      return null;
    }
    return Math.round(date.getTime() / DAY_MS);
  }

  function dateParts(text) {
    const match = DATE.exec(text);
    if (!match) return null;
    const year = Number(match[1]);
    const month = Number(match[2]);
    const day = Number(match[3]);
    if (year < 1 || month < 1 || month > 12) return null;
    const days = utcDays(year, month, day);
    if (days === null) return null;
    let fraction = 0;
    if (match[4] !== undefined) {
      fraction = (Number(match[4]) * 3600 + Number(match[5]) * 60 + Number(match[6] || 0)) / 86400;
    }
    return { year: year, month: month, day: day, days: days, fraction: fraction };
  }

  function toNumber(value) {
    if (Array.isArray(value)) return value.length ? toNumber(value[0]) : NaN;
    if (typeof value === "boolean") return value ? 1 : 0;
    if (typeof value === "number") return value;
    const text = String(value);
    if (NUMBER.test(text)) return parseFloat(text);
    const parts = dateParts(text);
    if (parts) return parts.days + parts.fraction;
    return NaN;
  }

  function formatNumber(number) {
    if (Number.isNaN(number)) return "NaN";
    if (number === Infinity) return "Infinity";
    if (number === -Infinity) return "-Infinity";
    if (Object.is(number, -0)) return "0";
    return String(number);
  }

  function toString(value) {
    if (Array.isArray(value)) return value.length ? toString(value[0]) : "";
    if (typeof value === "boolean") return value ? "true" : "false";
    if (typeof value === "number") return formatNumber(value);
    return String(value);
  }

  function toBoolean(value) {
    if (Array.isArray(value)) return value.length > 0;
    if (typeof value === "boolean") return value;
    if (typeof value === "number") return !(value === 0 || Number.isNaN(value));
    return String(value) !== "";
  }

  function items(value) {
    return Array.isArray(value) ? value : [value];
  }

  function equal(left, right) {
    if (typeof left === "boolean" || typeof right === "boolean") return toBoolean(left) === toBoolean(right);
    if (typeof left === "number" || typeof right === "number") return toNumber(left) === toNumber(right);
    return toString(left) === toString(right);
  }

  function compare(operator, left, right) {
    if (Array.isArray(left) || Array.isArray(right)) {
      return items(left).some((a) => items(right).some((b) => compare(operator, a, b)));
    }
    if (operator === "=") return equal(left, right);
    if (operator === "!=") return !equal(left, right);
    const a = toNumber(left);
    const b = toNumber(right);
    if (operator === "<") return a < b;
    if (operator === "<=") return a <= b;
    if (operator === ">") return a > b;
    return a >= b;
  }

  function arithmetic(operator, left, right) {
    const a = toNumber(left);
    const b = toNumber(right);
    if (operator === "+") return a + b;
    if (operator === "-") return a - b;
    if (operator === "*") return a * b;
    if (operator === "div") return a / b;
    return a % b;
  }

  function words(value) {
    return toString(value).split(" ").filter((word) => word !== "");
  }

  function chars(text) {
    return Array.from(text);
  }

  function pad(number, width) {
    return String(number).padStart(width, "0");
  }

  function numberToDate(number) {
    if (Number.isNaN(number) || !(number >= FIRST_DAY && number < LAST_DAY + 1)) return "";
    const date = new Date(Math.floor(number) * DAY_MS);
    return pad(date.getUTCFullYear(), 4) + "-" + pad(date.getUTCMonth() + 1, 2) + "-" + pad(date.getUTCDate(), 2);
  }

  function age(value, today) {
    const born = dateParts(toString(value));
    const now = dateParts(today);
    if (!born || !now) return "";
    const before = now.month < born.month || (now.month === born.month && now.day < born.day);
    return now.year - born.year - (before ? 1 : 0);
  }

  function round(number, digits) {
    if (!Number.isFinite(number) || Number.isNaN(digits)) return number;
    const factor = Math.pow(10, Math.trunc(digits));
    const magnitude = Math.floor(Math.abs(number) * factor + 0.5) / factor;
    return number < 0 || Object.is(number, -0) ? -magnitude : magnitude;
  }

  function flatten(values) {
    const flat = [];
    values.forEach((value) => items(value).forEach((item) => flat.push(item)));
    return flat;
  }

  function call(name, args, env) {
    if (name === "if") return evaluate(toBoolean(evaluate(args[0], env)) ? args[1] : args[2], env);
    if (name === "coalesce") {
      const first = evaluate(args[0], env);
      return toString(first) !== "" ? first : evaluate(args[1], env);
    }
    const values = args.map((arg) => evaluate(arg, env));
    switch (name) {
      case "not": return !toBoolean(values[0]);
      case "true": return true;
      case "false": return false;
      case "boolean": return toBoolean(values[0]);
      case "selected": return words(values[0]).indexOf(toString(values[1]).trim()) !== -1;
      case "count-selected": return words(values[0]).length;
      case "selected-at": {
        const list = words(values[0]);
        const index = toNumber(values[1]);
        if (Number.isNaN(index) || index < 0 || index >= list.length) return "";
        return list[Math.trunc(index)];
      }
      case "string-length": return chars(toString(values[0])).length;
      case "concat": return flatten(values).map(toString).join("");
      case "contains": return toString(values[0]).indexOf(toString(values[1])) !== -1;
      case "starts-with": return toString(values[0]).startsWith(toString(values[1]));
      case "ends-with": return toString(values[0]).endsWith(toString(values[1]));
      case "substr": {
        const text = chars(toString(values[0]));
        const start = toNumber(values[1]);
        const end = values.length > 2 ? toNumber(values[2]) : text.length;
        if (Number.isNaN(start) || Number.isNaN(end)) return "";
        return text.slice(Math.max(0, Math.trunc(start)), Math.max(0, Math.trunc(end))).join("");
      }
      case "regex":
        try {
          return new RegExp(toString(values[1])).test(toString(values[0]));
        } catch (error) {
          return false;
        }
      case "int": {
        const number = toNumber(values[0]);
        return Number.isFinite(number) ? Math.trunc(number) : number;
      }
      case "number": return toNumber(values[0]);
      case "string": return toString(values[0]);
      case "round": return round(toNumber(values[0]), values.length > 1 ? toNumber(values[1]) : 0);
      case "today": return env.today || "";
      case "now": return env.now || "";
      case "date": {
        const value = values[0];
        if (typeof value === "number") return numberToDate(value);
        const parts = dateParts(toString(value));
        return parts ? numberToDate(parts.days) : "";
      }
      case "age": return age(values[0], env.today || "");
      case "count": {
        const value = values[0];
        if (Array.isArray(value)) return value.length;
        return toString(value) === "" ? 0 : 1;
      }
      case "sum":
        return items(values[0]).filter((item) => toString(item) !== "").reduce((total, item) => total + toNumber(item), 0);
      case "min":
      case "max": {
        const numbers = flatten(values).filter((item) => toString(item) !== "").map(toNumber);
        if (!numbers.length || numbers.some(Number.isNaN)) return NaN;
        return name === "min" ? Math.min.apply(null, numbers) : Math.max.apply(null, numbers);
      }
      default:
        throw new Error("Unknown function " + name + "()");
    }
  }

  function evaluate(node, env) {
    const kind = node[0];
    switch (kind) {
      case "num": return node[1];
      case "str": return node[1];
      case "ref": return env.lookup(node[1]);
      case "cur": return env.current === undefined ? "" : env.current;
      case "neg": return -toNumber(evaluate(node[1], env));
      case "fn": return call(node[1], node[2], env);
      case "or": return toBoolean(evaluate(node[1], env)) || toBoolean(evaluate(node[2], env));
      case "and": return toBoolean(evaluate(node[1], env)) && toBoolean(evaluate(node[2], env));
      default: {
        const left = evaluate(node[1], env);
        const right = evaluate(node[2], env);
        if (kind === "=" || kind === "!=" || kind === "<" || kind === "<=" || kind === ">" || kind === ">=") {
          return compare(kind, left, right);
        }
        return arithmetic(kind, left, right);
      }
    }
  }

  const api = { evaluate: evaluate, toString: toString, toNumber: toNumber, toBoolean: toBoolean };
  if (typeof module !== "undefined" && module.exports) {
    module.exports = api;
  } else {
    root.AmparoExpressions = api;
  }
})(typeof window !== "undefined" ? window : globalThis);
