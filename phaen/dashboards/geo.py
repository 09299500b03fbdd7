"""The committed province boundaries, and the point inside each province where markers go.

The maps are drawn from `static/dashboards/geo/th_adm1.geojson` alone (no tile layer: the
machine reaches no tile server). Markers for agreements, smart city zones and community centres
sit at each province's centroid, which is computed here once per process from the same file,
so the page, the API and the CSV downloads agree on where a province is.

Pure logic: reads a file, imports nothing from Django.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

BOUNDARIES = Path(__file__).parent / "static" / "dashboards" / "geo" / "th_adm1.geojson"
# The URL path of the same file under STATIC_URL, for {% static %} and the API.
BOUNDARIES_STATIC = "dashboards/geo/th_adm1.geojson"
PCODE_PREFIX = "TH"

Ring = list[list[float]]


@dataclass(frozen=True, slots=True)
class Centroid:
    lat: float
    lon: float


def _ring_area_centroid(ring: Ring) -> tuple[float, float, float]:
    """Return a ring's signed area and its centroid (x, y), by the shoelace formula."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    area /= 2
    if area == 0:
        xs = [p[0] for p in ring]
        ys = [p[1] for p in ring]
        return 0.0, sum(xs) / len(xs), sum(ys) / len(ys)
    return area, cx / (6 * area), cy / (6 * area)


def _polygon_centroid(polygon: list[Ring]) -> tuple[float, float, float]:
    """Return a polygon's area and centroid: its outer ring less its holes."""
    total = sx = sy = 0.0
    for index, ring in enumerate(polygon):
        area, x, y = _ring_area_centroid([point[:2] for point in ring])
        weight = abs(area) if index == 0 else -abs(area)
        total += weight
        sx += x * weight
        sy += y * weight
    if total == 0:
        _, x, y = _ring_area_centroid([point[:2] for point in polygon[0]])
        return 0.0, x, y
    return total, sx / total, sy / total


def feature_centroid(geometry: dict) -> Centroid:
    """Return the centroid of a Polygon, or of the largest part of a MultiPolygon.

    Taking the largest part keeps a coastal province's marker on its mainland rather than at
    sea between its islands.
    """
    if geometry["type"] == "Polygon":
        parts = [geometry["coordinates"]]
    elif geometry["type"] == "MultiPolygon":
        parts = geometry["coordinates"]
    else:
        raise ValueError(f"unexpected geometry {geometry['type']}")
    _, x, y = max((_polygon_centroid(part) for part in parts), key=lambda c: c[0])
    return Centroid(lat=round(y, 5), lon=round(x, 5))


@cache
def province_centroids() -> dict[str, Centroid]:
    """Return each province's centroid by its two-digit code, computed once per process."""
    with BOUNDARIES.open(encoding="utf-8") as handle:
        collection = json.load(handle)
    centroids: dict[str, Centroid] = {}
    for feature in collection["features"]:
        pcode = feature["properties"]["ADM1_PCODE"]
        centroids[pcode.removeprefix(PCODE_PREFIX)] = feature_centroid(feature["geometry"])
    return centroids
