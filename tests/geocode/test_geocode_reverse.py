from __future__ import annotations

import math

from geocode.reverse import GridIndex, Point, distance_km


def test_distance_km_known_pair() -> None:
    # Tsu city office to Yokkaichi city office: about 27 km.
    assert 26.0 < distance_km(34.718563, 136.505443, 34.965092, 136.624427) < 30.0


def _index() -> GridIndex:
    points = [
        Point(34.7186, 136.5054, "津市", None, "242012"),
        Point(34.6716, 136.5055, "津市", "高茶屋", "242012"),
        Point(34.9651, 136.6244, "四日市市", None, "242021"),
    ]
    return GridIndex(points, max_km=10.0)


def test_nearest_picks_the_closest_point() -> None:
    found = _index().nearest(34.675, 136.50)
    assert found is not None
    assert found[0].town == "高茶屋"
    assert found[1] < 1.0


def test_far_points_are_outside() -> None:
    assert _index().nearest(35.1709, 136.8815) is None  # Nagoya station
    assert _index().nearest(math.nan, 136.5) is None


def test_shipped_reverse_for_an_office_point(shipped) -> None:  # type: ignore[no-untyped-def]
    assert shipped.reverse(34.9651, 136.6244)[0] == "四日市市"
    assert shipped.reverse(34.7186, 136.5054) == ("津市", None)
    assert shipped.reverse(35.6812, 139.7671) is None  # Tokyo station


def test_full_reverse_gives_the_town(full) -> None:  # type: ignore[no-untyped-def]
    # towns.csv: 大字塩浜 (short name 塩浜) at 34.929366,136.617420; 塩浜町 about 1.5 km north-east of it.
    assert full.reverse(34.9294, 136.6174) == ("四日市市", "塩浜")
    assert full.reverse(34.9365, 136.6348) == ("四日市市", "塩浜町")  # the nearest town, not its neighbour
    assert full.reverse(34.6716, 136.5055) == ("津市", "高茶屋")
