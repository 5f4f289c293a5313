"""The model class: [CLS] or mean pooling, chosen by the config and kept through save and load."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from transformers import BertForSequenceClassification

from classifier.modeling import Arch, BosaiBert, label_config, new_model, pooling_of

TINY = Arch(layers=1, hidden=32, heads=2, intermediate=64, max_positions=64)


def test_mean_pooling_averages_the_real_tokens_only() -> None:
    torch.manual_seed(0)
    model = new_model(100, TINY, pooling="mean").eval()
    ids = torch.tensor([[2, 15, 16, 3, 0, 0], [2, 15, 16, 17, 18, 3]])
    mask = (ids != 0).long()
    with torch.no_grad():
        batch = model.sentence_vector(ids, mask)
        alone = model.sentence_vector(ids[:1, :4], mask[:1, :4])
        states = model.bert(input_ids=ids[1:], attention_mask=mask[1:]).last_hidden_state
    assert torch.allclose(batch[0], alone[0], atol=1e-5)  # padding changes nothing
    assert torch.allclose(batch[1], states[0].mean(0), atol=1e-5)
    assert not torch.allclose(batch[0], batch[1])


def test_mean_pooled_model_has_no_cls_pooler_and_keeps_its_pooling_when_saved(tmp_path: Path) -> None:
    model = new_model(100, TINY, pooling="mean").eval()
    assert model.bert.pooler is None
    assert not any(name.startswith("bert.pooler.") for name in model.state_dict())
    model.save_pretrained(tmp_path)
    loaded = BosaiBert.from_pretrained(tmp_path).eval()
    assert pooling_of(loaded.config) == "mean" and loaded.bert.pooler is None
    ids = torch.tensor([[2, 20, 21, 22, 3]])
    with torch.no_grad():
        assert torch.allclose(model(input_ids=ids).logits, loaded(input_ids=ids).logits, atol=1e-6)


def test_a_checkpoint_without_the_setting_is_read_as_cls_and_scores_as_before(tmp_path: Path) -> None:
    old = BertForSequenceClassification(label_config(new_model(100, TINY).config)).eval()
    del old.config.bosai_pooling  # written before the choice existed
    old.save_pretrained(tmp_path)
    loaded = BosaiBert.from_pretrained(tmp_path).eval()
    assert pooling_of(loaded.config) == "cls" and loaded.bert.pooler is not None
    ids = torch.tensor([[2, 30, 31, 3, 0], [2, 30, 31, 32, 3]])
    mask = (ids != 0).long()
    with torch.no_grad():
        expected = old(input_ids=ids, attention_mask=mask).logits
        assert torch.equal(loaded(input_ids=ids, attention_mask=mask).logits, expected)


def test_unknown_pooling_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown pooling 'max'"):
        new_model(100, TINY, pooling="max")
    config = new_model(100, TINY).config
    config.bosai_pooling = "max"
    with pytest.raises(ValueError, match="unknown pooling 'max' in the model config"):
        BosaiBert(config)
