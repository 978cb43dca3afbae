"""Edits of a draft definition (plain JSON dicts) made by the form builder.

Each function takes a definition dict and returns a changed deep copy; validation of the
result is `services.form_draft_save`'s job (it refuses anything `load_definition` rejects).
"""

import copy
import re
from typing import Any

Definition = dict[str, Any]


class BuilderError(ValueError):
    pass


def _copy(definition: Definition) -> Definition:
    result = copy.deepcopy(definition)
    result.setdefault("sections", [])
    result.setdefault("option_lists", [])
    return result


def _section(definition: Definition, name: str) -> dict[str, Any]:
    for section in definition["sections"]:
        if section.get("name") == name:
            return section
    raise BuilderError(f"no section {name!r}")


def locate(definition: Definition, name: str) -> tuple[list[dict[str, Any]], int]:
    """The list holding field `name` and its index there (sections' and repeats' field lists)."""

    def search(fields: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int] | None:
        for index, item in enumerate(fields):
            if item.get("name") == name:
                return fields, index
            if item.get("type") == "repeat":
                found = search(item.setdefault("fields", []))
                if found is not None:
                    return found
        return None

    for section in definition.get("sections", []):
        found = search(section.setdefault("fields", []))
        if found is not None:
            return found
    raise BuilderError(f"no field {name!r}")


def field_get(definition: Definition, name: str) -> dict[str, Any]:
    fields, index = locate(copy.deepcopy(definition), name)
    return fields[index]


def section_of(definition: Definition, name: str) -> str:
    for section in definition.get("sections", []):
        try:
            locate({"sections": [section]}, name)
        except BuilderError:
            continue
        return str(section.get("name"))
    raise BuilderError(f"no field {name!r}")


def rename_references(definition: Definition, old: str, new: str) -> None:
    """Rewrite ${old} as ${new} in every expression of the definition (in place)."""
    pattern = re.compile(r"\$\{\s*" + re.escape(old) + r"\s*\}")

    def fix(item: dict[str, Any]) -> None:
        for key in ("relevant", "constraint", "calculation"):
            if isinstance(item.get(key), str):
                item[key] = pattern.sub("${" + new + "}", item[key])
        for label_key in ("label",):
            label = item.get(label_key)
            if isinstance(label, dict):
                item[label_key] = {code: pattern.sub("${" + new + "}", text) for code, text in label.items()}
        for child in item.get("fields", []) or []:
            fix(child)

    for section in definition.get("sections", []):
        fix(section)


def section_add(definition: Definition, *, data: dict[str, Any]) -> Definition:
    result = _copy(definition)
    result["sections"].append({**data, "fields": []})
    return result


def section_update(definition: Definition, name: str, *, data: dict[str, Any]) -> Definition:
    result = _copy(definition)
    section = _section(result, name)
    section.update(data)
    if data.get("name") and data["name"] != name:
        rename_references(result, name, data["name"])
    return result


def section_delete(definition: Definition, name: str) -> Definition:
    result = _copy(definition)
    result["sections"] = [section for section in result["sections"] if section.get("name") != name]
    return result


def _move(items: list[Any], index: int, offset: int) -> None:
    target = index + offset
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]


def section_move(definition: Definition, name: str, offset: int) -> Definition:
    result = _copy(definition)
    names = [section.get("name") for section in result["sections"]]
    if name not in names:
        raise BuilderError(f"no section {name!r}")
    _move(result["sections"], names.index(name), offset)
    return result


def field_add(definition: Definition, *, section: str, parent: str = "", data: dict[str, Any]) -> Definition:
    """Append a field to a section, or to the repeat group `parent`."""
    result = _copy(definition)
    item = dict(data)
    if item.get("type") == "repeat":
        item.setdefault("fields", [])
    if parent:
        fields, index = locate(result, parent)
        if fields[index].get("type") != "repeat":
            raise BuilderError(f"{parent!r} is not a repeat group")
        fields[index].setdefault("fields", []).append(item)
    else:
        _section(result, section).setdefault("fields", []).append(item)
    return result


def field_update(definition: Definition, name: str, *, data: dict[str, Any]) -> Definition:
    result = _copy(definition)
    fields, index = locate(result, name)
    children = fields[index].get("fields", [])
    fields[index] = {**data, **({"fields": children} if data.get("type") == "repeat" else {})}
    if data.get("name") and data["name"] != name:
        rename_references(result, name, data["name"])
    return result


def field_delete(definition: Definition, name: str) -> Definition:
    result = _copy(definition)
    fields, index = locate(result, name)
    del fields[index]
    return result


def field_move(definition: Definition, name: str, offset: int) -> Definition:
    """Move a field up (-1) or down (+1) within its list; at a section's edge it moves to the next section."""
    result = _copy(definition)
    fields, index = locate(result, name)
    target = index + offset
    if 0 <= target < len(fields):
        _move(fields, index, offset)
        return result
    sections = result["sections"]
    for position, section in enumerate(sections):
        if section.get("fields") is fields:
            neighbour = position + offset
            if 0 <= neighbour < len(sections):
                item = fields.pop(index)
                destination = sections[neighbour].setdefault("fields", [])
                if offset > 0:
                    destination.insert(0, item)
                else:
                    destination.append(item)
            break
    return result


def option_list_save(
    definition: Definition, old_name: str | None, *, name: str, options: list[dict[str, Any]]
) -> Definition:
    result = _copy(definition)
    lists = result["option_lists"]
    entry = {"name": name, "options": options}
    if old_name is None:
        lists.append(entry)
        return result
    for index, option_list in enumerate(lists):
        if option_list.get("name") == old_name:
            lists[index] = entry
            break
    else:
        raise BuilderError(f"no option list {old_name!r}")
    if old_name != name:

        def fix(fields: list[dict[str, Any]]) -> None:
            for item in fields:
                if item.get("options") == old_name:
                    item["options"] = name
                fix(item.get("fields", []) or [])

        for section in result["sections"]:
            fix(section.get("fields", []))
    return result


def option_list_delete(definition: Definition, name: str) -> Definition:
    result = _copy(definition)
    result["option_lists"] = [item for item in result["option_lists"] if item.get("name") != name]
    return result


def parse_option_lines(text: str, languages: tuple[str, ...] = ("es", "en")) -> list[dict[str, Any]]:
    """'value | Etiqueta | Label' lines → options (labels in `languages` order)."""
    options = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        label = {language: text for language, text in zip(languages, parts[1:], strict=False) if text}
        options.append({"value": parts[0], "label": label or {languages[0]: parts[0]}})
    return options


def option_lines(options: list[dict[str, Any]], languages: tuple[str, ...] = ("es", "en")) -> str:
    lines = []
    for option in options:
        label = option.get("label") or {}
        texts = [label.get(language, "") for language in languages]
        while texts and not texts[-1]:
            texts.pop()
        lines.append(" | ".join([str(option.get("value", "")), *texts]))
    return "\n".join(lines)
