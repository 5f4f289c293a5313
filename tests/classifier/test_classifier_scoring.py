"""Metric arithmetic on small hand-checked matrices."""

from __future__ import annotations

import numpy as np
import pytest

from classifier.scoring import bootstrap_interval, calibration, category_decisions, paired_difference, prf, score


def test_prf_counts() -> None:
    m = prf(np.array([1, 1, 0, 0], bool), np.array([1, 0, 1, 0], bool))
    assert m == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}


def test_score_confusion_and_categories() -> None:
    probs = np.zeros((4, 11))
    probs[:, 0] = [0.9, 0.8, 0.2, 0.1]
    probs[0, 1] = probs[1, 2] = 0.7
    probs[2, 3] = 0.2  # below threshold, but the best category of its post: chosen all the same
    gold = np.zeros((4, 11))
    gold[[0, 2], 0] = 1
    gold[0, 1] = gold[2, 1] = 1
    m = score(probs, gold)
    assert m["confusion"]["matrix"] == [[1, 1], [1, 1]]
    assert m["disaster"]["f1"] == 0.5
    assert m["categories"]["flood"]["recall"] == 0.5 and m["categories"]["flood"]["precision"] == 1.0
    assert m["categories"]["earthquake"]["precision"] == 0.0


def test_category_decisions_keep_every_category_over_threshold_and_always_the_best() -> None:
    probs = np.array([[0.9, 0.5, 0.1], [0.05, 0.2, 0.1], [0.3, 0.3, 0.39]])
    chosen = category_decisions(probs, 0.4)
    assert chosen.tolist() == [[True, True, False], [False, True, False], [False, False, True]]


def test_calibration_of_a_perfectly_calibrated_set_is_zero() -> None:
    prob = np.array([0.25] * 4 + [0.75] * 4)
    gold = np.array([1, 0, 0, 0, 1, 1, 1, 0], float)
    assert calibration(prob, gold)["ece"] == pytest.approx(0.0)
    assert calibration(np.array([0.95, 0.95]), np.array([0.0, 0.0]))["ece"] == pytest.approx(0.95)


def _noisy_set(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """n posts, half disasters (flood or earthquake), scored right about four times in five."""
    rng = np.random.default_rng(seed)
    gold = np.zeros((n, 11))
    gold[: n // 2, 0] = 1
    gold[: n // 4, 1] = 1
    gold[n // 4: n // 2, 2] = 1
    probs = np.clip(gold + rng.normal(0, 0.45, gold.shape), 0, 1)
    return probs, gold


def test_bootstrap_interval_holds_the_figure_and_narrows_with_more_posts() -> None:
    probs, gold = _noisy_set(200, 1)
    point = score(probs, gold)
    small = bootstrap_interval(probs, gold, rounds=300)
    low, high = small["disaster_f1"]
    assert low < point["disaster"]["f1"] < high and high - low > 0.05
    assert small["category_macro_f1"][0] < point["category_macro_f1"] < small["category_macro_f1"][1]
    assert bootstrap_interval(probs, gold, rounds=300) == small  # seeded: the same report twice
    big = bootstrap_interval(*_noisy_set(2000, 1), rounds=300)
    assert big["disaster_f1"][1] - big["disaster_f1"][0] < (high - low) / 2
    perfect = bootstrap_interval(gold.copy(), gold, rounds=50)
    assert perfect["disaster_f1"] == [1.0, 1.0]


def test_paired_difference_is_zero_against_itself_and_narrower_than_two_intervals() -> None:
    probs, gold = _noisy_set(400, 2)
    cuts = {"threshold": 0.5, "category_threshold": 0.4}
    same = paired_difference(probs, probs, gold, cuts=cuts, baseline_cuts=cuts, rounds=200)
    assert same["difference"] == {"disaster_f1": 0.0, "category_macro_f1": 0.0} and same["disaster_f1"] == [0.0, 0.0]
    better = np.where(np.random.default_rng(3).random(gold.shape) < 0.5, gold, probs)  # half the errors mended
    paired = paired_difference(better, probs, gold, cuts=cuts, baseline_cuts=cuts, rounds=200)
    gain = score(better, gold)["disaster"]["f1"] - score(probs, gold)["disaster"]["f1"]
    assert paired["difference"]["disaster_f1"] == pytest.approx(gain, abs=1e-4) and gain > 0
    low, high = paired["disaster_f1"]
    assert 0 < low < gain < high
    each = bootstrap_interval(probs, gold, rounds=200)["disaster_f1"]
    assert high - low < each[1] - each[0]
