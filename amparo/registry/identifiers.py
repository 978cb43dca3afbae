"""Amparo IDs: eight Crockford base-32 characters and a check character, shown "7K3M-Q9X2-T".

Crockford's alphabet leaves out I, L, O and U, so an ID read aloud or copied by hand
survives (O is read as 0, I and L as 1). The check character is Luhn mod 32 over the same
alphabet: it catches every single wrong character and nearly every swap of two
neighbouring characters, and it is always a letter or a digit.
"""

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
BASE = len(ALPHABET)
_TRANSLATE = str.maketrans({"O": "0", "I": "1", "L": "1", "-": None, " ": None})
DATA_LENGTH = 8


def check_character(data: str) -> str:
    """Luhn mod N check character for `data` (characters of ALPHABET)."""
    factor, total = 2, 0
    for char in reversed(data):
        addend = factor * ALPHABET.index(char)
        total += addend // BASE + addend % BASE
        factor = 1 if factor == 2 else 2
    return ALPHABET[(BASE - total % BASE) % BASE]


def new_amparo_id() -> str:
    data = "".join(secrets.choice(ALPHABET) for _ in range(DATA_LENGTH))
    return f"{data[:4]}-{data[4:]}-{check_character(data)}"


def parse_amparo_id(text: str) -> str | None:
    """Normalise what a person typed into the canonical ID, or None if it is not a valid one."""
    compact = text.strip().upper().translate(_TRANSLATE)
    if len(compact) != DATA_LENGTH + 1:
        return None
    data, check = compact[:DATA_LENGTH], compact[DATA_LENGTH]
    if any(char not in ALPHABET for char in data) or check_character(data) != check:
        return None
    return f"{data[:4]}-{data[4:]}-{check}"
