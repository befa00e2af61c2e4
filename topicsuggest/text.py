"""Vietnamese text as the topic model sees it: NFC, lowercase, and a diacritic-stripped copy (đ → d), so a
description typed with or without diacritics ("Đèn đường hỏng" / "den duong hong") lands on the same features."""
from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """NFC, lowercase, whitespace collapsed."""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text or "").lower()).strip()


def strip_diacritics(text: str) -> str:
    """'Đèn đường hỏng' → 'den duong hong' (after `normalise`)."""
    decomposed = unicodedata.normalize("NFD", normalise(text).replace("đ", "d"))
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if unicodedata.category(c) != "Mn"))


def model_text(text: str) -> str:
    """What the vectorisers read: the normalised text followed by its diacritic-stripped copy (once when they
    are the same, e.g. text typed without diacritics)."""
    kept, stripped = normalise(text), strip_diacritics(text)
    return kept if kept == stripped else f"{kept} | {stripped}"
