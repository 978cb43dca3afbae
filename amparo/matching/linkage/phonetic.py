"""A phonetic key for Spanish names.

Spanish spelling is close to pronunciation, so the key keeps the vowels and merges only the
letters Latin American Spanish pronounces alike: b/v/w, s/z/c(e,i), c(a,o,u)/k/qu, g(e,i)/j/x
(Ximena, Jiménez, Giménez), ll/y, y as a vowel (Ruy/Rui), and drops the silent h. "ch" stays
distinct. The input is already folded (lower-case ASCII, ñ → n) by `normalize.fold_name`.
"""

import re
from functools import lru_cache

_GU_SOFT = re.compile(r"gu(?=[ei])")
_G_SOFT = re.compile(r"g(?=[ei])")
_C_SOFT = re.compile(r"c(?=[ei])")
_Y_VOWEL = re.compile(r"y(?![aeiou])")
_N_BEFORE_LABIAL = re.compile(r"n(?=[bp])")
_REPEATS = re.compile(r"(.)\1+")


@lru_cache(maxsize=200_000)
def phonetic_token(word: str) -> str:
    """The key of one folded word: "vázquez" → "baskes", "hernández" → "ernandes"."""
    if not word:
        return ""
    key = word.replace("ch", "C").replace("ll", "y").replace("qu", "k").replace("ph", "f")
    key = _GU_SOFT.sub("G", key)
    key = _G_SOFT.sub("j", key).replace("G", "g")
    key = _C_SOFT.sub("s", key).replace("c", "k")
    if key.startswith("x"):
        key = "j" + key[1:]
    key = key.replace("x", "ks").replace("z", "s").replace("h", "")
    key = key.replace("v", "b").replace("w", "b")
    key = _Y_VOWEL.sub("i", key)
    key = _N_BEFORE_LABIAL.sub("m", key)
    key = _REPEATS.sub(r"\1", key).replace("C", "ch")
    return key or word


def phonetic_key(folded: str) -> str:
    """The key of a folded multi-word name, word by word."""
    return " ".join(phonetic_token(word) for word in folded.split())
