"""The model layout shared by training and inference: one BERT, one head of 1 + 10 sigmoid outputs."""

from __future__ import annotations

from dataclasses import dataclass

from transformers import BertConfig, BertForSequenceClassification, PretrainedConfig

from classifier.labels import CATEGORIES, DISASTER, LABELS

HEAD_NAMES: tuple[str, ...] = (DISASTER, *CATEGORIES)


@dataclass(frozen=True)
class Arch:
    """Size of a BERT built from scratch (the shipped model is compact so CPUs classify fast)."""

    layers: int = 4
    hidden: int = 256
    heads: int = 4
    intermediate: int = 768
    max_positions: int = 128


def label_config(config: PretrainedConfig) -> PretrainedConfig:
    """Write the output names into the config: id2label/label2id, problem type and our label sets."""
    config.num_labels = len(HEAD_NAMES)
    config.id2label = dict(enumerate(HEAD_NAMES))
    config.label2id = {name: i for i, name in enumerate(HEAD_NAMES)}
    config.problem_type = "multi_label_classification"
    config.bosai_labels = list(LABELS)
    config.bosai_categories = list(CATEGORIES)
    return config


def new_model(vocab_size: int, arch: Arch, pad_token_id: int = 0) -> BertForSequenceClassification:
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
    return BertForSequenceClassification(label_config(config))


def heads_from_config(config: PretrainedConfig) -> tuple[int, list[tuple[int, str]]]:
    """Read (disaster output index, [(index, category)]) from a checkpoint config; KeyError if absent."""
    label2id = {str(k): int(v) for k, v in config.label2id.items()}
    categories = list(getattr(config, "bosai_categories", None) or [])
    if DISASTER not in label2id or not categories:
        raise KeyError("config.json lacks the 'disaster' output or the bosai_categories list")
    return label2id[DISASTER], [(label2id[c], c) for c in categories]
