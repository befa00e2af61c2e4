"""Ward from a free-text address: only an explicit, official, unambiguous ward name counts.

"12 Hàng Bài, P. Hoàn Kiếm, Hà Nội", "phuong Hoan Kiem", "Xã Bát Tràng" name a ward. A bare name does not:
"Hoàn Kiếm" alone is also a street, a lake and the old district (quận) that is now split across several wards,
so "số 5 phố Hoàn Kiếm" or "quận Hoàn Kiếm" give no ward. The rules, all conservative (no ward rather than a
wrong ward):

- a type prefix is required: "Phường" / "phường" / "P." / "phuong" for a phường, "Xã" / "xã" / "X." / "xa" for a
  xã; the name must be of that kind ("xã Hoàn Kiếm" is nothing), and "thị xã Sơn Tây" (the old town) is not
  "xã Sơn Tây";
- the name follows the prefix and is followed by the end, punctuation or the next level ("Hà Nội", "quận…"),
  not by another word: "phường Láng Hạ" (an old ward) is not the new "Láng"; the longest official name wins;
- names match with diacritics (old-style "Hoà" = official "Hòa", any case, NFC or NFD input), or without any
  diacritics when the user typed none in the name (the prefix then must be one of the forms above);
- two different wards named in one address → no ward (also "phường Hoàn Kiếm hoặc phường Cửa Nam").
"""
from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from .models import Ward, WardKind
from .selectors import ward_by_code, ward_version

# Old-style tone placement at the end of a syllable ("hoà", "thuỷ") → the official new style ("hòa", "thủy").
_OLD_TONES = {"oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa", "oè": "òe", "oé": "óe", "oẻ": "ỏe",
              "oẽ": "õe", "oẹ": "ọe"}
_OLD_TONE_RE = re.compile("(" + "|".join(_OLD_TONES) + r")(?!\w)")
_DASH_RE = re.compile(r"\s*[-–—]\s*")
_SPACE_RE = re.compile(r"\s+")

# What may follow a ward name: the end, punctuation, or the next level of the address. Not another word:
# "phường Láng Hạ" and "phường Thanh Xuân Bắc" are old wards, not the new "Láng" and "Thanh Xuân".
_AFTER_NAME = (r"(?=\s*(?:$|[,.;:()\[\]/\\|]|-\s|(?:hà nội|ha noi|hn|quận|quan|huyện|huyen|thị xã|thi xa|tp|"
               r"thành phố|thanh pho|tỉnh|tinh|việt nam|viet nam|vn)(?!\w)))")
_AFTER_NAME_RE = re.compile(_AFTER_NAME)
_PREFIX_WORDS = {"phường", "phuong", "p.", "xã", "xa", "x."}
_PREFIXES = {
    # kind: (with diacritics, without); "p." / "x." are the same either way.
    WardKind.WARD: (r"phường\s*|p\.\s*", r"phuong\s*|p\.\s*"),
    WardKind.COMMUNE: (r"xã\s*|x\.\s*", r"xa\s*|x\.\s*"),
}


def normalise(text: str) -> str:
    """NFC, lower case, one space, ' - ' around dashes, official tone placement."""
    text = unicodedata.normalize("NFC", text).lower()
    text = _SPACE_RE.sub(" ", _DASH_RE.sub(" - ", text)).strip()
    return _OLD_TONE_RE.sub(lambda m: _OLD_TONES[m.group(1)], text)


def strip_diacritics(text: str) -> str:
    """Same length as `text` (one character for one): 'phường hoàn kiếm' → 'phuong hoan kiem'."""
    return "".join("d" if ch == "đ" else unicodedata.normalize("NFD", ch)[0] for ch in text)


@dataclass(frozen=True)
class _Pattern:
    regex: re.Pattern
    names: dict[str, str]  # matched name → ward code
    plain: bool  # the pattern without diacritics


class AddressMatcher:
    """Built from (code, name, kind) of the official wards; `match(text)` returns a code or None."""

    def __init__(self, wards: Iterable[tuple[str, str, str]]):
        self.patterns: list[_Pattern] = []
        wards = list(wards)
        for kind, (prefix, plain_prefix) in _PREFIXES.items():
            for plain in (False, True):
                names = {}
                for code, name, ward_kind in wards:
                    if ward_kind == kind:
                        key = normalise(name)
                        names[strip_diacritics(key) if plain else key] = code
                if not names:
                    continue
                alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
                regex = re.compile(
                    rf"(?<!\w)(?<!thị )(?<!thi )(?:{plain_prefix if plain else prefix})({alternatives})(?!\w)"
                )
                self.patterns.append(_Pattern(regex, names, plain))

    def match(self, text: str) -> str | None:
        text = normalise(text or "")
        if not text:
            return None
        plain_text = strip_diacritics(text)
        found: set[str] = set()  # names followed by the end, punctuation or the next address level
        mentioned: set[str] = set()  # any prefixed official name, even followed by another word
        for p in self.patterns:
            searched = plain_text if p.plain else text
            for m in p.regex.finditer(searched):
                if p.plain and (text[m.start(1):m.end(1)] != m.group(1)
                                or text[m.start():m.start(1)].strip() not in _PREFIX_WORDS):
                    continue  # diacritics were typed here: only the exact spelling counts
                mentioned.add(p.names[m.group(1)])
                if _AFTER_NAME_RE.match(searched, m.end()):
                    found.add(p.names[m.group(1)])
        return found.pop() if len(found) == 1 and mentioned == found else None


_lock = threading.Lock()
_cache: dict = {}


def address_matcher() -> AddressMatcher:
    """The process-wide matcher, rebuilt when the wards change (same version as the ward index)."""
    version = ward_version()
    with _lock:
        if _cache.get("version") != version:
            _cache["matcher"] = AddressMatcher(Ward.objects.values_list("code", "name", "kind"))
            _cache["version"] = version
        return _cache["matcher"]


def ward_from_address(text: str) -> Ward | None:
    """The ward an address names explicitly ("P. Hoàn Kiếm", "xã Bát Tràng"…), or None when unsure."""
    code = address_matcher().match(text)
    return ward_by_code(code) if code else None
