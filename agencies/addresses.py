"""Ward from a free-text address: an explicit, official, unambiguous ward name, or a pre-2025 unit it replaced.

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

Old addresses (before 1 July 2025: "phường Tràng Tiền, quận Hoàn Kiếm", "P. Hàng Bài, Q. Hoàn Kiếm", "xa Bat
Trang, huyen Gia Lam") are read the same way from the 526 old units (`OldUnit`, Resolution 1656/NQ-UBTVQH15),
with the old kinds (phường, xã, thị trấn / "TT.") and old districts (quận / "Q.", huyện / "H.", thị xã / "TX."):

- an old unit that went whole into one new ward gives that ward; one split between wards gives no ward, only
  the candidate wards (the dispatcher, or the citizen's pin, decides);
- an old name shared by several old districts (14 names) is told apart by the old district the address names;
  without it (or with a district that fits none of them) every unit of that name is a candidate;
- precedence: a new ward named explicitly wins, except when its name is the very name of the old unit and the
  address names that unit's old district — "phường Cửa Nam, quận Hoàn Kiếm" is the old Cửa Nam (split in four),
  "phường Cửa Nam" alone is the new one, and "phường Tràng Tiền, quận Hoàn Kiếm, nay phường Hoàn Kiếm" is the new
  Hoàn Kiếm (the citizen says where).

Over 300 lines: one matcher — normalisation, the name patterns and the precedence rules — read best together.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from ihanoi.snapshots import Snapshot

from .models import OldUnit, Ward, WardKind
from .selectors import ward_by_code

# Old-style tone placement at the end of a syllable ("hoà", "thuỷ") → the official new style ("hòa", "thủy").
_OLD_TONES = {"oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa", "oè": "òe", "oé": "óe", "oẻ": "ỏe",
              "oẽ": "õe", "oẹ": "ọe"}
_OLD_TONE_RE = re.compile("(" + "|".join(_OLD_TONES) + r")(?!\w)")
_DASH_RE = re.compile(r"\s*[-–—]\s*")
_SPACE_RE = re.compile(r"\s+")

# What may follow a ward name: the end, punctuation, or the next level of the address. Not another word:
# "phường Láng Hạ" and "phường Thanh Xuân Bắc" are old wards, not the new "Láng" and "Thanh Xuân".
_AFTER_NAME = (r"(?=\s*(?:$|[,.;:()\[\]/\\|]|-\s|q\.|h\.|tx\.|(?:hà nội|ha noi|hn|quận|quan|huyện|huyen|thị xã|"
               r"thi xa|tp|thành phố|thanh pho|tỉnh|tinh|việt nam|viet nam|vn)(?!\w)))")
_AFTER_NAME_RE = re.compile(_AFTER_NAME)
# kind: (prefix with diacritics, without, the abbreviation); the abbreviation is the same either way.
_PREFIXES = {
    "phường": ("phường", "phuong", "p."),
    "xã": ("xã", "xa", "x."),
    "thị trấn": ("thị trấn", "thi tran", "tt."),
    "quận": ("quận", "quan", "q."),
    "huyện": ("huyện", "huyen", "h."),
    "thị xã": ("thị xã", "thi xa", "tx."),
}
_PREFIX_WORDS = {word for forms in _PREFIXES.values() for word in forms}
_WARD_KIND_WORD = {WardKind.WARD: "phường", WardKind.COMMUNE: "xã"}


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
    names: dict[str, frozenset[str]]  # matched name → keys (one name may have several: a name in two districts)
    plain: bool  # the pattern without diacritics


class PrefixedNames:
    """Finds "<kind prefix> <name>" in a normalised text, for entries (key, name, kind word of `_PREFIXES`)."""

    def __init__(self, entries: Iterable[tuple[str, str, str]]):
        self.patterns: list[_Pattern] = []
        by_kind: dict[str, list[tuple[str, str]]] = {}
        for key, name, kind in entries:
            by_kind.setdefault(kind, []).append((key, normalise(name)))
        for kind, items in by_kind.items():
            word, plain_word, abbr = _PREFIXES[kind]
            for plain in (False, True):
                names: dict[str, set[str]] = {}
                for key, name in items:
                    names.setdefault(strip_diacritics(name) if plain else name, set()).add(key)
                prefix = rf"{re.escape(plain_word if plain else word)}\s*|{re.escape(abbr)}\s*"
                alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
                regex = re.compile(rf"(?<!\w)(?<!thị )(?<!thi )(?:{prefix})({alternatives})(?!\w)")
                self.patterns.append(_Pattern(regex, {n: frozenset(k) for n, k in names.items()}, plain))

    def find(self, text: str, plain_text: str) -> tuple[set[str], set[str]]:
        """(keys of names followed by the end, punctuation or the next address level, keys of every prefixed
        name, even one followed by another word). `plain_text` = strip_diacritics(text)."""
        found: set[str] = set()
        mentioned: set[str] = set()
        for p in self.patterns:
            searched = plain_text if p.plain else text
            for m in p.regex.finditer(searched):
                if p.plain and (text[m.start(1):m.end(1)] != m.group(1)
                                or text[m.start():m.start(1)].strip() not in _PREFIX_WORDS):
                    continue  # diacritics were typed here: only the exact spelling counts
                keys = p.names[m.group(1)]
                mentioned |= keys
                if _AFTER_NAME_RE.match(searched, m.end()):
                    found |= keys
        return found, mentioned


class AddressMatcher:
    """Built from (code, name, kind) of the official wards; `match(text)` returns a code or None."""

    def __init__(self, wards: Iterable[tuple[str, str, str]]):
        self.names = PrefixedNames((code, name, _WARD_KIND_WORD[kind]) for code, name, kind in wards)

    def match(self, text: str) -> str | None:
        text = normalise(text or "")
        if not text:
            return None
        found, mentioned = self.names.find(text, strip_diacritics(text))
        return found.pop() if len(found) == 1 and mentioned == found else None


@dataclass(frozen=True)
class OldUnitMatch:
    """One old unit (before July 2025) and the new ward codes it went into."""

    code: str
    name: str
    kind: str  # phường, xã, thị trấn
    district: str
    ward_codes: tuple[str, ...]
    whole: bool

    @property
    def label(self) -> str:
        return f"{self.name} ({self.district})"


@dataclass(frozen=True)
class OldReading:
    """The old units an address names, after the old district told apart units sharing a name."""

    units: tuple[OldUnitMatch, ...]
    district_named: bool  # the address names an old district that fits the units kept
    district_mismatch: bool  # it names old districts, none of which fits a unit of that name

    @property
    def ward_codes(self) -> tuple[str, ...]:
        return tuple(sorted({c for u in self.units for c in u.ward_codes}))


class OldUnitMatcher:
    """Built from the rows (old_code, old_name, old_kind, old_district, old_district_kind, new ward code, whole)."""

    def __init__(self, rows: Iterable[tuple[str, str, str, str, str, str, bool]]):
        pairs: dict[str, list] = {}
        districts: dict[str, str] = {}
        for code, name, kind, district, district_kind, ward_code, whole in rows:
            pairs.setdefault(code, []).append((name, kind, district, ward_code, whole))
            districts[district] = district_kind
        self.units = {
            code: OldUnitMatch(code, rs[0][0], rs[0][1], rs[0][2], tuple(sorted(r[3] for r in rs)),
                               len(rs) == 1 and rs[0][4])
            for code, rs in pairs.items()
        }
        self.names = PrefixedNames((u.code, u.name, u.kind) for u in self.units.values())
        self.districts = PrefixedNames((name, name, kind) for name, kind in districts.items())

    def match(self, text: str) -> OldReading | None:
        text = normalise(text or "")
        if not text:
            return None
        plain_text = strip_diacritics(text)
        found, mentioned = self.names.find(text, plain_text)
        if not found or mentioned != found:
            return None
        units = [self.units[c] for c in sorted(found)]
        named_districts, _mentioned = self.districts.find(text, plain_text)
        in_district = [u for u in units if u.district in named_districts]
        return OldReading(units=tuple(in_district or units), district_named=bool(in_district),
                          district_mismatch=bool(named_districts) and not in_district)


@dataclass(frozen=True)
class AddressReading:
    """What an address says, as codes: the ward to route to (or None) and the old units it was read from."""

    ward_code: str | None = None
    old: OldReading | None = None

    @property
    def candidate_codes(self) -> tuple[str, ...]:
        """The new wards an old unit went into, when the address gives no single ward."""
        return self.old.ward_codes if self.old is not None and self.ward_code is None else ()


class AddressReader:
    """The new wards' names and the old units together, with the precedence rule of the module docstring."""

    def __init__(self, wards: Iterable[tuple[str, str, str]], old_units: Iterable[tuple]):
        wards = list(wards)
        self.wards = AddressMatcher(wards)
        self.old_units = OldUnitMatcher(old_units)
        self.names = {code: strip_diacritics(normalise(name)) for code, name, _kind in wards}

    def read(self, text: str) -> AddressReading:
        new_code, old = self.wards.match(text), self.old_units.match(text)
        if old is not None and new_code is not None:
            # the same words read both ways (without diacritics "xa son dong" is both the new Sơn Đồng and the
            # old Sơn Đông): the old district decides
            same_name = self.names[new_code] in {strip_diacritics(normalise(u.name)) for u in old.units}
            if not (same_name and old.district_named):
                old = None  # the new ward named explicitly wins
        if old is None:
            return AddressReading(ward_code=new_code)
        codes = old.ward_codes
        return AddressReading(ward_code=codes[0] if len(codes) == 1 and not old.district_mismatch else None, old=old)


@dataclass(frozen=True)
class AddressPlace:
    """An `AddressReading` with its ward rows: the ward to route to (or None), the old units it was read from
    (None when the address names a new ward, or nothing), the candidate wards of an old unit."""

    ward: Ward | None = None
    old: OldReading | None = None
    candidates: tuple[Ward, ...] = ()

    @property
    def needs_pin(self) -> bool:
        """An old address that gives no single ward: the citizen's pin would."""
        return self.ward is None and bool(self.candidates)


def _build_reader(alias: str) -> AddressReader:
    return AddressReader(
        Ward.objects.using(alias).values_list("code", "name", "kind"),
        OldUnit.objects.using(alias).values_list("old_code", "old_name", "old_kind", "old_district",
                                                 "old_district_kind", "ward__code", "whole"),
    )


# The process-wide reader (ihanoi/snapshots.py), rebuilt when a ward or an old unit is written anywhere.
reader_snapshot = Snapshot("address-reader", _build_reader, models=("agencies.Ward", "agencies.OldUnit"))


def address_reader() -> AddressReader:
    return reader_snapshot.get()


def place_from_address(text: str) -> AddressPlace:
    """The place an address names: a new ward named explicitly, or the old unit(s) it names (module docstring)."""
    reading = address_reader().read(text)
    if reading.old is None:
        return AddressPlace(ward=ward_by_code(reading.ward_code) if reading.ward_code else None)
    wards = tuple(Ward.objects.defer("boundary").filter(code__in=reading.old.ward_codes).order_by("code"))
    if reading.ward_code:
        return AddressPlace(ward=wards[0], old=reading.old)
    return AddressPlace(old=reading.old, candidates=wards)


def or_list(items: list[str]) -> str:
    """'A', 'A or B', 'A, B or C' in the reader's language."""
    if len(items) < 2:
        return "".join(items)
    return _("%(list)s or %(last)s") % {"list": ", ".join(items[:-1]), "last": items[-1]}


def old_address_hint(place: AddressPlace) -> str:
    """For the citizen, in their language: 'Tràng Tiền (cũ) nay thuộc Phường Hoàn Kiếm hoặc Phường Cửa Nam.'
    (+ 'place the pin' when the old unit gives no single ward); '' when the address names no old unit."""
    if place.old is None:
        return ""
    names = {w.code: w.full_name for w in ([place.ward] if place.ward else place.candidates)}
    several = len(place.old.units) > 1
    sentences = [_("%(old)s (old) is now part of %(wards)s.") % {
        "old": unit.label if several else unit.name, "wards": or_list([names[c] for c in unit.ward_codes])}
        for unit in place.old.units]
    if place.needs_pin:
        sentences.append(_("Place the pin on the map so that the report reaches the right ward."))
    return " ".join(sentences)


def ward_from_address(text: str) -> Ward | None:
    """The ward an address names: "P. Hoàn Kiếm", "xã Bát Tràng", or an old unit gone whole into one ward
    ("P. Hàng Bài, Q. Hoàn Kiếm"); None when unsure."""
    return place_from_address(text).ward
