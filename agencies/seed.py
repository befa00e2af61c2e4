"""Hanoi reference data: the 126 wards (shipped GeoJSON), the bodies that handle reports, topics and rules.

`load_hanoi()` is idempotent: it upserts by natural key (ward code, agency code, topic code, rule identity)
and running it twice changes nothing. Agencies are the city's real bodies after the 2025 mergers; contact
emails are left empty on purpose (fill them in the admin), staff notifications go to members' own emails.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from shapely.geometry import shape

from .models import Agency, AgencyKind, RoutingRule, RoutingTarget, Topic, Urgency, Ward, WardKind

WARDS_GEOJSON = Path(__file__).resolve().parent / "data" / "hanoi-wards-2025.geojson"
COORDINATION_CODE = "ioc-hanoi"

# (code, name, short name, kind)
CITY_AGENCIES: list[tuple[str, str, str, str]] = [
    (COORDINATION_CODE, "Trung tâm Điều hành đô thị thông minh Hà Nội (IOC)", "Trung tâm IOC", AgencyKind.COORDINATION),
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
    ("nuoc-sach-ha-noi", "Tổng công ty Nước sạch Hà Nội (Hawacom)", "Nước sạch Hà Nội", AgencyKind.PUBLIC_UTILITY),
    ("evn-hanoi", "Tổng công ty Điện lực TP Hà Nội (EVNHANOI)", "EVNHANOI", AgencyKind.PUBLIC_UTILITY),
]


@dataclass(frozen=True)
class TopicSeed:
    code: str
    name_vi: str
    name_en: str
    group: str
    days: int
    route_to: str  # agency code, or "ward" for the ward's people's committee
    urgency: str = Urgency.NORMAL
    hours: int | None = None
    keywords: str = ""


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
    TopicSeed("water-supply", "Cấp nước sạch", "Water supply", "Dịch vụ", 2, "nuoc-sach-ha-noi",
              keywords="mất nước, vỡ ống, water"),
    TopicSeed("electricity", "Điện sinh hoạt", "Electricity", "Dịch vụ", 2, "evn-hanoi",
              keywords="mất điện, dây điện, electricity"),
    TopicSeed("security-order", "An ninh trật tự", "Security & public order", "An ninh", 3, "cong-an-thanh-pho",
              keywords="an ninh, trộm cắp, security"),
    TopicSeed("other", "Lĩnh vực khác", "Other", "Khác", 5, "ward"),
]


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


@transaction.atomic
def load_hanoi(path: Path = WARDS_GEOJSON) -> dict[str, int]:
    """Load/refresh wards, agencies, topics and rules. Returns how many rows were written per kind."""
    written = {"wards": 0, "agencies": 0, "topics": 0, "rules": 0}
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
    for ward in Ward.objects.all():
        written["agencies"] += _upsert(
            Agency,
            {"code": f"ubnd-{ward.code}"},
            {"name": f"UBND {ward.full_name}", "short_name": f"UBND {ward.name}",
             "kind": AgencyKind.WARD_COMMITTEE, "ward": ward},
        )
    for code, name, short, kind in CITY_AGENCIES:
        written["agencies"] += _upsert(Agency, {"code": code}, {"name": name, "short_name": short, "kind": kind})
    agencies = {a.code: a for a in Agency.objects.filter(code__in=[c[0] for c in CITY_AGENCIES])}
    for order, t in enumerate(TOPICS):
        written["topics"] += _upsert(
            Topic,
            {"code": t.code},
            {"name_vi": t.name_vi, "name_en": t.name_en, "group": t.group, "deadline_days": t.days,
             "deadline_hours": t.hours, "urgency": t.urgency, "keywords": t.keywords, "sort_order": order * 10},
        )
        topic = Topic.objects.get(code=t.code)
        if t.route_to == "ward":
            values = {"target": RoutingTarget.WARD_COMMITTEE, "agency": None}
        else:
            values = {"target": RoutingTarget.AGENCY, "agency": agencies[t.route_to]}
        written["rules"] += _upsert(
            RoutingRule, {"topic": topic, "ward": None, "priority": 100}, {**values, "note": "seed: city-wide default"}
        )
    return written
