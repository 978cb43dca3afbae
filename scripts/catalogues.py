"""Maintain the gettext catalogues.

    uv run python scripts/catalogues.py fill-english                 # English msgstr = msgid
    uv run python scripts/catalogues.py export es OUT.json [--parts N]  # untranslated/fuzzy Spanish entries
    uv run python scripts/catalogues.py apply es IN.json [IN.json …]    # write translations back

The JSON is a list of {"msgid", "msgid_plural", "msgctxt", "occurrence", "msgstr" | "msgstr_plural"}.
Then compile with `make messages` (or `manage.py compilemessages`).
"""

import argparse
import json
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "amparo" / "locale"


def catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"), wrapwidth=0)


def key(entry: polib.POEntry) -> tuple[str, str, str]:
    return entry.msgctxt or "", entry.msgid, entry.msgid_plural or ""


PLURAL_FORMS = "nplurals=2; plural=(n != 1);"


def normalise_plural_forms() -> None:
    """Two plural forms in both languages (gettext's newer Spanish rule has a third, for millions)."""
    for language in ("es", "en"):
        po = catalogue(language)
        po.metadata["Plural-Forms"] = PLURAL_FORMS
        for entry in po:
            if entry.msgid_plural:
                entry.msgstr_plural = {
                    index: text for index, text in entry.msgstr_plural.items() if index < 2
                }
        po.save()


def fill_english() -> None:
    normalise_plural_forms()
    po = catalogue("en")
    for entry in po:
        if entry.msgid_plural:
            entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
        else:
            entry.msgstr = entry.msgid
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    po.save()


def export(language: str, out: Path, parts: int) -> None:
    po = catalogue(language)
    pending = [
        {
            "msgctxt": entry.msgctxt or "",
            "msgid": entry.msgid,
            "msgid_plural": entry.msgid_plural or "",
            "occurrence": entry.occurrences[0][0] if entry.occurrences else "",
            **({"msgstr_plural": ["", ""]} if entry.msgid_plural else {"msgstr": ""}),
        }
        for entry in po
        if not entry.obsolete and (not entry.translated() or "fuzzy" in entry.flags)
    ]
    size = -(-len(pending) // parts)
    for index in range(parts):
        chunk = pending[index * size : (index + 1) * size]
        target = out if parts == 1 else out.with_name(f"{out.stem}.{index + 1}{out.suffix}")
        target.write_text(json.dumps(chunk, ensure_ascii=False, indent=1))
        print(f"{target}: {len(chunk)} entries")  # noqa: T201


def apply(language: str, sources: list[Path]) -> None:
    po = catalogue(language)
    by_key = {key(entry): entry for entry in po}
    applied = 0
    for source in sources:
        for item in json.loads(source.read_text()):
            entry = by_key.get((item.get("msgctxt", ""), item["msgid"], item.get("msgid_plural", "")))
            if entry is None:
                continue
            if entry.msgid_plural:
                plural = item.get("msgstr_plural") or []
                if len(plural) == 2 and all(plural):
                    entry.msgstr_plural = {0: plural[0], 1: plural[1]}
                    applied += 1
            elif item.get("msgstr"):
                entry.msgstr = item["msgstr"]
                applied += 1
            if "fuzzy" in entry.flags and (entry.msgstr or entry.msgid_plural):
                entry.flags.remove("fuzzy")
    po.save()
    print(f"{applied} translations applied")  # noqa: T201


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("fill-english")
    export_parser = sub.add_parser("export")
    export_parser.add_argument("language")
    export_parser.add_argument("out", type=Path)
    export_parser.add_argument("--parts", type=int, default=1)
    apply_parser = sub.add_parser("apply")
    apply_parser.add_argument("language")
    apply_parser.add_argument("sources", type=Path, nargs="+")
    args = parser.parse_args()
    if args.command == "fill-english":
        fill_english()
    elif args.command == "export":
        export(args.language, args.out, args.parts)
    else:
        apply(args.language, args.sources)


if __name__ == "__main__":
    main()
