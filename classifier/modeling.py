"""The model layout shared by training and inference: one BERT, one head of 1 + 10 sigmoid outputs."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn
from transformers import BertConfig, BertForSequenceClassification, PretrainedConfig
from transformers.modeling_outputs import SequenceClassifierOutput

from classifier.labels import CATEGORIES, DISASTER, LABELS

HEAD_NAMES: tuple[str, ...] = (DISASTER, *CATEGORIES)

# How a post's token states become the one vector the head reads: BERT's [CLS] pooler (dense + tanh on the
# first token), or the mean of the last layer's states over the real tokens, the sentence vector e5 was
# pretrained to produce.
POOLINGS = ("cls", "mean")


def pooling_of(config: PretrainedConfig) -> str:
    """The checkpoint's pooling; checkpoints written before the choice existed use the [CLS] pooler."""
    return getattr(config, "bosai_pooling", None) or "cls"


@dataclass(frozen=True)
class Screen:
    """An early exit: a linear score on the mean of layer ``layer``'s token states. A post it scores under
    ``threshold`` skips the layers above and is `other`: most posts of a real stream are everyday text, and a
    deep model is too slow to read every one of them on two cores."""

    layer: int
    threshold: float


def screen_of(config: PretrainedConfig) -> Screen | None:
    """The checkpoint's screen, if it has one."""
    raw = getattr(config, "bosai_screen", None)
    return Screen(int(raw["layer"]), float(raw["threshold"])) if raw else None


# The category logits of a post a screen let go: sigmoid(-30) is 1e-13, so no category is reported.
EXITED_LOGIT = -30.0


def mean_pool(states: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """(batch, hidden): the mean of the token states over the real tokens."""
    weights = attention_mask.unsqueeze(-1).to(states.dtype)
    return (states * weights).sum(1) / weights.sum(1).clamp(min=1.0)


class BosaiBert(BertForSequenceClassification):
    """BERT with our head, pooled as its config says; with mean pooling it carries no [CLS] pooler weights."""

    def __init__(self, config: PretrainedConfig) -> None:
        super().__init__(config)
        pooling = pooling_of(config)
        if pooling not in POOLINGS:
            raise ValueError(f"unknown pooling {pooling!r} in the model config; use one of {POOLINGS}")
        if pooling == "mean":
            self.bert.pooler = None
        screen = screen_of(config)
        if screen is not None and not (pooling == "mean" and 0 < screen.layer < config.num_hidden_layers):
            raise ValueError(f"a screen needs mean pooling and a layer below the top ({config.num_hidden_layers}), "
                             f"not layer {screen.layer} with {pooling} pooling")
        self.screen = nn.Linear(config.hidden_size, 1) if screen is not None else None

    def sentence_vector(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None) -> torch.Tensor:
        """(batch, hidden): the vector the head classifies (no mask: every token is real)."""
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        out = self.bert(input_ids=input_ids, attention_mask=attention_mask)
        if self.bert.pooler is not None:
            return out.pooler_output
        return mean_pool(out.last_hidden_state, attention_mask)

    def served_logits(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """(batch, outputs): the logits as served. With a screen, the posts it scores under its threshold leave
        after its layer, with the screen's logit as their disaster score and no category (EXITED_LOGIT); only
        the others run the layers above. One graph, so ONNX Runtime serves it as one session."""
        screen = screen_of(self.config)
        if screen is None:
            return self(input_ids=input_ids, attention_mask=attention_mask).logits
        states = self.states_through(input_ids, attention_mask, screen.layer)
        first = self.screen_logit(states, attention_mask)
        passed = torch.nonzero(first >= math.log(screen.threshold / (1.0 - screen.threshold))).squeeze(-1)
        # The layers above run on the passed rows plus the first row, dropped again: attention cannot reshape an
        # empty batch, and a branch on the count would be frozen into the exported graph.
        rows = torch.cat([passed, passed.new_zeros(1)])
        top = self.logits_from(states.index_select(0, rows), attention_mask.index_select(0, rows), screen.layer)[:-1]
        exited = torch.full_like(first, EXITED_LOGIT).unsqueeze(-1).expand(-1, self.config.num_labels)
        disaster = torch.tensor([heads_from_config(self.config)[0]])
        return exited.index_copy(1, disaster, first.unsqueeze(-1)).index_copy(0, passed, top)

    def states_through(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, layer: int) -> torch.Tensor:
        """(batch, seq, hidden): the token states after the first ``layer`` layers."""
        return self._layers(self.bert.embeddings(input_ids=input_ids), attention_mask, 0, layer)

    def logits_from(self, states: torch.Tensor, attention_mask: torch.Tensor, layer: int) -> torch.Tensor:
        """(batch, outputs): the head's logits, the layers from ``layer`` up run on the given states
        (mean pooling only)."""
        top = self._layers(states, attention_mask, layer, self.config.num_hidden_layers)
        return self.classifier(self.dropout(mean_pool(top, attention_mask)))

    def screen_logit(self, states: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """(batch,): the screen's logit of P(disaster) from its layer's token states."""
        if self.screen is None:
            raise ValueError("this checkpoint has no screen")
        return self.screen(mean_pool(states, attention_mask)).squeeze(-1)

    def _layers(self, states: torch.Tensor, attention_mask: torch.Tensor, start: int, stop: int) -> torch.Tensor:
        # The additive mask eager and SDPA attention both take: padding keys get the dtype's lowest value.
        blocked = (1.0 - attention_mask[:, None, None, :].to(states.dtype)) * torch.finfo(states.dtype).min
        for layer in self.bert.encoder.layer[start:stop]:
            out = layer(states, attention_mask=blocked)
            states = out[0] if isinstance(out, tuple) else out
        return states

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
