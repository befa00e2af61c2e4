"""Hanoi reference data: the 126 wards (shipped GeoJSON), the old units they replaced (shipped CSV), the bodies
that handle reports, topics and rules.

`load_hanoi()` is idempotent: it upserts by natural key (ward code, agency code, topic code, rule identity,
old unit code + new ward) and running it twice changes nothing. Agencies are the city's real bodies after the
2025 mergers; contact emails are left empty on purpose (fill them in the admin), staff notifications go to
members' own emails.

Who does the work, as the city works since 1 July 2025 (two-level local government, no districts):
- in the urban wards (phường) public lighting, drainage and trees are the city companies' (Hapulico, Thoát nước
  Hà Nội, Công viên cây xanh: city-wide rules); in the communes (xã) they are the commune committee's (UBND xã):
  one ward-specific rule per commune and topic (`COMMUNE_TOPICS`);
- security goes to the unit's own police, "Công an phường X" / "Công an xã X" (126 since 2025, one per unit,
  generated from the ward list): one ward-specific rule per unit; the city police rule stays as the fallback;
- water supply: several companies serve Hanoi and their areas are not published per new ward, so the seed
  cannot say which one serves a ward: the rule sends it to the dispatcher with that note (a ward rule to the
  right company, added in the admin, wins over it).
"""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext_noop
from shapely.geometry import shape

from .models import Agency, AgencyKind, OldUnit, RoutingRule, RoutingTarget, Topic, Urgency, Ward, WardKind

DATA = Path(__file__).resolve().parent / "data"
WARDS_GEOJSON = DATA / "hanoi-wards-2025.geojson"
OLD_UNITS_CSV = DATA / "hanoi-old-units-2025.csv"
COORDINATION_CODE = "ioc-hanoi"
DISPATCHER = "dispatcher"  # TopicSeed.route_to: the dispatcher queue, with the rule's note
WARD = "ward"  # TopicSeed.route_to: the ward's people's committee
COMMUNE_TOPICS = ("public-lighting", "drainage", "trees", "fallen-tree")  # the commune committee's work in a xã
POLICE_TOPIC = "security-order"  # the unit's own police
SEED_PRIORITY = 100
WATER_NOTE = gettext_noop("several companies supply water in Hanoi and their areas are not known per new ward: "
                          "the dispatcher assigns the company serving the address")

# (code, name, short name, kind)
CITY_AGENCIES: list[tuple[str, str, str, str]] = [
    # named as in QĐ 6372/QĐ-UBND (22/12/2025), the scheme establishing it
    (COORDINATION_CODE, "Trung tâm Giám sát, điều hành thông minh thành phố Hà Nội (IOC)", "Trung tâm IOC",
     AgencyKind.COORDINATION),
    ("so-xay-dung", "Sở Xây dựng Hà Nội", "Sở Xây dựng", AgencyKind.CITY_DEPARTMENT),
    ("so-nong-nghiep-moi-truong", "Sở Nông nghiệp và Môi trường Hà Nội", "Sở NN&MT", AgencyKind.CITY_DEPARTMENT),
    ("so-quy-hoach-kien-truc", "Sở Quy hoạch - Kiến trúc Hà Nội", "Sở QH-KT", AgencyKind.CITY_DEPARTMENT),
    ("so-cong-thuong", "Sở Công Thương Hà Nội", "Sở Công Thương", AgencyKind.CITY_DEPARTMENT),
    ("so-y-te", "Sở Y tế Hà Nội", "Sở Y tế", AgencyKind.CITY_DEPARTMENT),
    ("so-van-hoa-the-thao", "Sở Văn hóa và Thể thao Hà Nội", "Sở VH&TT", AgencyKind.CITY_DEPARTMENT),
    ("cong-an-thanh-pho", "Công an thành phố Hà Nội", "Công an TP", AgencyKind.POLICE),
    ("chieu-sang-hapulico", "Công ty TNHH MTV Chiếu sáng và Thiết bị đô thị (Hapulico)", "Hapulico",
     AgencyKind.PUBLIC_UTILITY),
    ("cong-vien-cay-xanh", "Công ty TNHH MTV Công viên cây xanh Hà Nội", "Công viên cây xanh",
     AgencyKind.PUBLIC_UTILITY),
    ("thoat-nuoc-ha-noi", "Công ty TNHH MTV Thoát nước Hà Nội", "Thoát nước Hà Nội", AgencyKind.PUBLIC_UTILITY),
    ("urenco", "Công ty TNHH MTV Môi trường đô thị Hà Nội (URENCO)", "URENCO", AgencyKind.PUBLIC_UTILITY),
    ("nuoc-sach-ha-noi", "Công ty TNHH MTV Nước sạch Hà Nội", "Nước sạch Hà Nội", AgencyKind.PUBLIC_UTILITY),
    ("evn-hanoi", "Tổng công ty Điện lực TP Hà Nội (EVNHANOI)", "EVNHANOI", AgencyKind.PUBLIC_UTILITY),
]


@dataclass(frozen=True)
class TopicSeed:
    code: str
    name_vi: str
    name_en: str
    group: str
    days: int
    route_to: str  # agency code, WARD (the ward's people's committee) or DISPATCHER (with `note`)
    urgency: str = Urgency.NORMAL
    hours: int | None = None
    keywords: str = ""
    note: str = "seed: city-wide default"


TOPICS: list[TopicSeed] = [
    TopicSeed("traffic-roads", "Giao thông, hư hỏng đường sá", "Traffic & roads", "Hạ tầng", 5, "ward",
              keywords="ổ gà, hư hỏng mặt đường, pothole"),
    TopicSeed("traffic-lights", "Đèn tín hiệu giao thông", "Traffic lights", "Hạ tầng", 2, "so-xay-dung",
              keywords="đèn đỏ, đèn giao thông, traffic signal"),
    TopicSeed("public-lighting", "Chiếu sáng công cộng", "Public lighting", "Hạ tầng", 3, "chieu-sang-hapulico",
              keywords="đèn đường, mất điện chiếu sáng, street light"),
    TopicSeed("waste", "Rác thải, vệ sinh môi trường", "Waste & sanitation", "Môi trường", 2, "ward",
              keywords="rác, phế thải, garbage"),
    TopicSeed("trees", "Cây xanh", "Trees", "Môi trường", 3, "cong-vien-cay-xanh",
              keywords="cây xanh, cắt tỉa, trees"),
    TopicSeed("fallen-tree", "Cây đổ, gãy cản trở giao thông", "Fallen tree blocking a road", "Khẩn cấp", 1,
              "cong-vien-cay-xanh", urgency=Urgency.URGENT, hours=4, keywords="cây đổ, cành gãy, fallen tree"),
    TopicSeed("drainage", "Thoát nước, ngập úng", "Drainage & flooding", "Hạ tầng", 3, "thoat-nuoc-ha-noi",
              keywords="ngập, cống, nắp hố ga, flooding"),
    TopicSeed("urban-order", "Lấn chiếm vỉa hè, trật tự đô thị", "Sidewalk encroachment & urban order",
              "Trật tự đô thị", 3, "ward", keywords="lấn chiếm, vỉa hè, sidewalk"),
    TopicSeed("illegal-construction", "Xây dựng trái phép", "Illegal construction", "Trật tự đô thị", 10, "ward",
              urgency=Urgency.COMPLEX, keywords="xây dựng không phép, construction"),
    TopicSeed("environment-noise", "Ô nhiễm môi trường, tiếng ồn", "Environment & noise", "Môi trường", 5, "ward",
              keywords="ô nhiễm, tiếng ồn, khói bụi, noise"),
    TopicSeed("water-supply", "Cấp nước sạch", "Water supply", "Dịch vụ", 2, DISPATCHER,
              keywords="mất nước, vỡ ống, water",
              note=WATER_NOTE),
    TopicSeed("electricity", "Điện sinh hoạt", "Electricity", "Dịch vụ", 2, "evn-hanoi",
              keywords="mất điện, dây điện, electricity"),
    TopicSeed("security-order", "An ninh trật tự", "Security & public order", "An ninh", 3, "cong-an-thanh-pho",
              keywords="an ninh, trộm cắp, security",
              note="seed: fallback; each ward's and commune's police has its own rule"),
    TopicSeed("other", "Lĩnh vực khác", "Other", "Khác", 5, "ward"),
]


def police_code(ward: Ward) -> str:
    return f"ca-{ward.code}"


def police_name(ward: Ward) -> str:
    """The official naming: 'Công an phường Hoàn Kiếm', 'Công an xã Bát Tràng'."""
    return f"Công an {'phường' if ward.kind == WardKind.WARD else 'xã'} {ward.name}"


def _ward_kind(kind: str) -> str:
    return WardKind.WARD if kind.strip().lower() == "phường" else WardKind.COMMUNE


def _upsert(model, lookup: dict, values: dict) -> bool:
    """Create or update; returns True if anything was written."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        model.objects.create(**lookup, **values)
        return True
    changed = {k: v for k, v in values.items() if getattr(obj, k) != v}
    if changed:
        for k, v in changed.items():
            setattr(obj, k, v)
        obj.save(update_fields=list(changed) + (["updated_at"] if hasattr(obj, "updated_at") else []))
    return bool(changed)


def _sync(model, key: tuple[str, ...], rows: list[dict], existing) -> int:
    """Upsert many rows by their natural key in a few queries (`existing`: the queryset they may already be in).
    Fields are attribute names (`ward_id`). Returns how many rows were created or changed."""
    have = {tuple(getattr(o, k) for k in key): o for o in existing}
    new, changed, fields = [], [], set()
    for row in rows:
        obj = have.get(tuple(row[k] for k in key))
        if obj is None:
            new.append(model(**row))
            continue
        diff = {k: v for k, v in row.items() if getattr(obj, k) != v}
        if diff:
            for k, v in diff.items():
                setattr(obj, k, v)
            changed.append(obj)
            fields |= set(diff)
    model.objects.bulk_create(new)
    if changed:
        model.objects.bulk_update(changed, sorted(fields))
    return len(new) + len(changed)


def read_old_units(path: Path = OLD_UNITS_CSV) -> list[dict]:
    """The CSV's rows as dicts (`whole` as a bool)."""
    with Path(path).open(encoding="utf-8", newline="") as f:
        return [{**row, "whole": row["whole"] == "1"} for row in csv.DictReader(f)]


def _load_old_units(path: Path, wards: dict[str, int]) -> int:
    """The old units: upserted by (old code, new ward); pairs no longer in the file are removed."""
    rows = [{"old_code": r["old_code"], "old_name": r["old_name"], "old_kind": r["old_kind"],
             "old_district": r["old_district"], "old_district_kind": r["old_district_kind"],
             "ward_id": wards[r["new_code"]], "whole": r["whole"]} for r in read_old_units(path)]
    written = _sync(OldUnit, ("old_code", "ward_id"), rows, OldUnit.objects.all())
    keep = {(r["old_code"], r["ward_id"]) for r in rows}
    stale = [pk for pk, code, ward in OldUnit.objects.values_list("pk", "old_code", "ward_id")
             if (code, ward) not in keep]
    if stale:
        OldUnit.objects.filter(pk__in=stale).delete()
    return written + len(stale)


def _ward_rules(wards: list[Ward], topics: dict[str, Topic]) -> int:
    """The seed's ward-specific rules: each unit's police for security; each commune's committee for
    lighting, drainage and trees."""
    police = {a.code: a.pk for a in Agency.objects.filter(kind=AgencyKind.POLICE, code__startswith="ca-")}
    rows = []
    for ward in wards:
        rows.append({"topic_id": topics[POLICE_TOPIC].pk, "ward_id": ward.pk, "priority": SEED_PRIORITY,
                     "target": RoutingTarget.AGENCY, "agency_id": police[police_code(ward)],
                     "note": "seed: the unit's own police (Công an phường/xã)"})
        if ward.kind == WardKind.COMMUNE:
            rows += [{"topic_id": topics[code].pk, "ward_id": ward.pk, "priority": SEED_PRIORITY,
                      "target": RoutingTarget.WARD_COMMITTEE, "agency_id": None,
                      "note": "seed: the commune committee's work in a xã"} for code in COMMUNE_TOPICS]
    existing = RoutingRule.objects.filter(ward__isnull=False, priority=SEED_PRIORITY,
                                          topic__code__in=(POLICE_TOPIC, *COMMUNE_TOPICS))
    return _sync(RoutingRule, ("topic_id", "ward_id", "priority"), rows, existing)


@transaction.atomic
def load_hanoi(path: Path = WARDS_GEOJSON, old_units: Path = OLD_UNITS_CSV) -> dict[str, int]:
    """Load/refresh wards, old units, agencies, topics and rules. Returns how many rows were written per kind."""
    written = {"wards": 0, "old_units": 0, "agencies": 0, "topics": 0, "rules": 0}
    features = json.loads(Path(path).read_text(encoding="utf-8"))["features"]
    for f in features:
        p = f["properties"]
        geom = f["geometry"]
        c = shape(geom).representative_point()
        written["wards"] += _upsert(
            Ward,
            {"code": p["code"]},
            {"name": p["name"], "full_name": p["full_name"], "kind": _ward_kind(p["kind"]), "boundary": geom,
             "area_km2": p.get("area_km2"), "centroid_lat": round(c.y, 6), "centroid_lon": round(c.x, 6)},
        )
    wards = list(Ward.objects.defer("boundary"))
    written["old_units"] = _load_old_units(old_units, {w.code: w.pk for w in wards})
    for ward in wards:
        written["agencies"] += _upsert(
            Agency,
            {"code": f"ubnd-{ward.code}"},
            {"name": f"UBND {ward.full_name}", "short_name": f"UBND {ward.name}",
             "kind": AgencyKind.WARD_COMMITTEE, "ward_id": ward.pk},
        )
    written["agencies"] += _sync(
        Agency, ("code",),
        [{"code": police_code(w), "name": police_name(w), "short_name": "", "kind": AgencyKind.POLICE}
         for w in wards],
        Agency.objects.filter(code__in=[police_code(w) for w in wards]),
    )
    for code, name, short, kind in CITY_AGENCIES:
        written["agencies"] += _upsert(Agency, {"code": code}, {"name": name, "short_name": short, "kind": kind})
    agencies = {a.code: a for a in Agency.objects.filter(code__in=[c[0] for c in CITY_AGENCIES])}
    topics = {}
    for order, t in enumerate(TOPICS):
        written["topics"] += _upsert(
            Topic,
            {"code": t.code},
            {"name_vi": t.name_vi, "name_en": t.name_en, "group": t.group, "deadline_days": t.days,
             "deadline_hours": t.hours, "urgency": t.urgency, "keywords": t.keywords, "sort_order": order * 10},
        )
        topic = topics[t.code] = Topic.objects.get(code=t.code)
        if t.route_to == WARD:
            values = {"target": RoutingTarget.WARD_COMMITTEE, "agency": None}
        elif t.route_to == DISPATCHER:
            values = {"target": RoutingTarget.DISPATCHER, "agency": None}
        else:
            values = {"target": RoutingTarget.AGENCY, "agency": agencies[t.route_to]}
        written["rules"] += _upsert(
            RoutingRule, {"topic": topic, "ward": None, "priority": SEED_PRIORITY}, {**values, "note": t.note}
        )
    written["rules"] += _ward_rules(wards, topics)
    return written
