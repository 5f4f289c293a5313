"""The model layout shared by training and inference: one BERT, one head of 1 + 10 sigmoid outputs."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from transformers import BertConfig, BertForSequenceClassification, PretrainedConfig
from transformers.modeling_outputs import SequenceClassifierOutput

from classifier.labels import CATEGORIES, DISASTER, HEAD_NAMES, LABELS

# How a post's token states become the one vector the head reads: BERT's [CLS] pooler (dense + tanh on the
# first token), or the mean of the last layer's states over the real tokens, the sentence vector e5 was
# pretrained to produce.
POOLINGS = ("cls", "mean")


def pooling_of(config: PretrainedConfig) -> str:
    """The checkpoint's pooling; checkpoints written before the choice existed use the [CLS] pooler."""
    return getattr(config, "bosai_pooling", None) or "cls"


class BosaiBert(BertForSequenceClassification):
    """BERT with our head, pooled as its config says; with mean pooling it carries no [CLS] pooler weights."""

    def __init__(self, config: PretrainedConfig) -> None:
        super().__init__(config)
        pooling = pooling_of(config)
        if pooling not in POOLINGS:
            raise ValueError(f"unknown pooling {pooling!r} in the model config; use one of {POOLINGS}")
        if pooling == "mean":
            self.bert.pooler = None

    def sentence_vector(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None) -> torch.Tensor:
        """(batch, hidden): the vector the head classifies (no mask: every token is real)."""
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        out = self.bert(input_ids=input_ids, attention_mask=attention_mask)
        if self.bert.pooler is not None:
            return out.pooler_output
        weights = attention_mask.unsqueeze(-1).to(out.last_hidden_state.dtype)
        return (out.last_hidden_state * weights).sum(1) / weights.sum(1).clamp(min=1.0)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None) -> SequenceClassifierOutput:
        """Logits only: the loss is computed by training, which weighs unknown labels out."""
        return SequenceClassifierOutput(logits=self.classifier(self.dropout(self.sentence_vector(input_ids,
                                                                                                attention_mask))))


@dataclass(frozen=True)
class Arch:
    """Size of a BERT built from scratch (the shipped model is compact so CPUs classify fast)."""

    layers: int = 4
    hidden: int = 256
    heads: int = 4
    intermediate: int = 768
    max_positions: int = 128


def label_config(config: PretrainedConfig, pooling: str | None = None) -> PretrainedConfig:
    """Write the output names into the config: id2label/label2id, problem type and our label sets; and the
    pooling when one is given (otherwise the config keeps its own; BosaiBert checks it)."""
    if pooling is not None:
        config.bosai_pooling = pooling
    config.num_labels = len(HEAD_NAMES)
    config.id2label = dict(enumerate(HEAD_NAMES))
    config.label2id = {name: i for i, name in enumerate(HEAD_NAMES)}
    config.problem_type = "multi_label_classification"
    config.bosai_labels = list(LABELS)
    config.bosai_categories = list(CATEGORIES)
    return config


def new_model(vocab_size: int, arch: Arch, pad_token_id: int = 0, pooling: str = "cls") -> BosaiBert:
    """A randomly initialised compact BERT with our head."""
    config = BertConfig(
        vocab_size=vocab_size,
        hidden_size=arch.hidden,
        num_hidden_layers=arch.layers,
        num_attention_heads=arch.heads,
        intermediate_size=arch.intermediate,
        max_position_embeddings=arch.max_positions,
        pad_token_id=pad_token_id,
    )
    return BosaiBert(label_config(config, pooling))


def heads_from_config(config: PretrainedConfig) -> tuple[int, list[tuple[int, str]]]:
    """Read (disaster output index, [(index, category)]) from a checkpoint config; KeyError if absent."""
    label2id = {str(k): int(v) for k, v in config.label2id.items()}
    categories = list(getattr(config, "bosai_categories", None) or [])
    if DISASTER not in label2id or not categories:
        raise KeyError("config.json lacks the 'disaster' output or the bosai_categories list")
    return label2id[DISASTER], [(label2id[c], c) for c in categories]
