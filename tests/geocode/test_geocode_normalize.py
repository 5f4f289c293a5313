from __future__ import annotations

import pytest

from geocode.normalize import kanji_to_int, normalize


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("桔梗ヶ丘", "桔梗が丘"),
        ("桔梗ケ丘", "桔梗が丘"),
        ("坂部ヶ丘", "坂部が丘"),
        ("吉澤", "吉沢"),
        ("川﨑", "川崎"),
        ("渡邊", "渡辺"),
        ("一ノ瀬", "一の瀬"),
        ("一之瀬", "一の瀬"),
        ("高茶屋三丁目", "高茶屋3丁目"),
        ("高茶屋３丁目", "高茶屋3丁目"),
        ("国道二十三号", "国道23号"),
        ("国道百六十五号", "国道165号"),
        ("ナガシマスパーランド", "ながしますぱーらんど"),
        ("ｽｽﾞｶ", "すずか"),
        ("Ｒ２３", "r23"),
    ],
)
def test_variants_meet(a: str, b: str) -> None:
    assert normalize(a) == normalize(b)


def test_place_names_with_number_kanji_are_left_alone() -> None:
    assert normalize("三重県四日市市") == "三重県四日市市"
    assert normalize("二見町") == "二見町"


def test_ke_in_ordinary_words_is_not_folded() -> None:
    assert normalize("けが人") == "けが人"
    assert normalize("津波が来る") == "津波が来る"


@pytest.mark.parametrize(("text", "value"), [("三", 3), ("十", 10), ("二十三", 23), ("百六十五", 165), ("四二二", 422)])
def test_kanji_to_int(text: str, value: int) -> None:
    assert kanji_to_int(text) == value
