"""The committed province boundaries: one feature per province, and a centroid inside each."""

from __future__ import annotations

import json

import pytest
from django.contrib.staticfiles import finders

from phaen.dashboards.geo import BOUNDARIES, BOUNDARIES_STATIC, feature_centroid, province_centroids
from phaen.geography.models import Province


@pytest.mark.django_db
def test_every_province_has_a_boundary_and_a_centroid():
    codes = set(Province.objects.values_list("code", flat=True))

    assert set(province_centroids()) == codes
    assert len(codes) == 77


def test_the_boundaries_are_served_as_a_static_file():
    assert finders.find(BOUNDARIES_STATIC) == str(BOUNDARIES)
    assert (BOUNDARIES.parent / "README.md").read_text().count("CC BY-IGO") >= 1


def test_centroids_fall_where_the_provinces_are():
    centroids = province_centroids()

    bangkok, khon_kaen, phuket = centroids["10"], centroids["40"], centroids["83"]
    assert 13.5 < bangkok.lat < 14.0 and 100.3 < bangkok.lon < 100.9
    assert 15.8 < khon_kaen.lat < 17.0 and 102.0 < khon_kaen.lon < 103.2
    assert 7.7 < phuket.lat < 8.2 and 98.2 < phuket.lon < 98.5


def test_a_multipolygon_takes_its_largest_part():
    square = [[[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]]]
    islet = [[[10, 10], [11, 10], [11, 11], [10, 11], [10, 10]]]

    centroid = feature_centroid({"type": "MultiPolygon", "coordinates": [islet, square]})

    assert (centroid.lat, centroid.lon) == (2, 2)


def test_the_file_is_the_committed_geojson():
    collection = json.loads(BOUNDARIES.read_text(encoding="utf-8"))

    assert collection["type"] == "FeatureCollection"
    assert all(f["properties"]["ADM1_PCODE"].startswith("TH") for f in collection["features"])
