#!/usr/bin/env bash
# Regenerate the lock files in requirements/ from pyproject.toml with uv (hashes included, Python 3.11 on
# Linux x86_64). scripts/setup.sh installs from them, so that every machine gets the versions the tests passed with.
#   scripts/lock.sh                        after editing pyproject.toml: keeps every existing pin it can
#   scripts/lock.sh --upgrade-package X    move X (and what it needs) to its newest allowed release
#   scripts/lock.sh --upgrade              move everything to the newest allowed releases
#   scripts/lock.sh --from-venv            pin exactly what .venv has (how the first lock was made)
# Then run scripts/test.sh (it installs the new lock) and commit requirements/ with the change only if it passes.
# torch is not in the lock: scripts/setup.sh installs the CPU build, torch==2.13.0, by itself (its own
# dependencies are in the lock). Needs network access to the package index; uv itself is installed on demand.
set -euo pipefail
cd "$(dirname "$0")/.."

TORCH=2.13.0
UV_VERSION=0.13.9
UV=${UV:-$(command -v uv || true)}
if [ -z "$UV" ]; then
  tools=${XDG_CACHE_HOME:-$HOME/.cache}/bosai/uv-$UV_VERSION
  [ -x "$tools/bin/uv" ] || { python3 -m venv "$tools" && "$tools/bin/python" -m pip install -q "uv==$UV_VERSION"; }
  UV=$tools/bin/uv
fi

args=()
constraints=$(mktemp)
trap 'rm -f "$constraints"' EXIT
# torch is resolved (so that its dependencies are locked) but not written out. The CPU wheel's dependencies
# (no CUDA libraries) are the ones wanted: resolve against it where this machine has it (PIP_FIND_LINKS, or a
# folder of wheels in TORCH_WHEELS), else against PyPI's torch of the same version.
for dir in ${TORCH_WHEELS:-} ${PIP_FIND_LINKS:-}; do
  if ls "$dir"/torch-"$TORCH"+cpu-*.whl >/dev/null 2>&1; then
    args+=(--find-links "$dir"); echo "torch==$TORCH+cpu" >"$constraints"; break
  fi
done
[ -s "$constraints" ] || echo "torch==$TORCH" >"$constraints"
if [ "${1:-}" = "--from-venv" ]; then
  shift
  .venv/bin/python -m pip freeze --exclude-editable | grep -v -E '^(torch==|-e )' | sed -E 's/^([A-Za-z0-9_.-]+) @ .*/\1/' \
    | grep '==' >>"$constraints" || true
  args+=(--upgrade)  # the constraints decide, not the previous lock
fi

compile() {  # output file, extras...
  local out=$1; shift
  local extra_args=()
  for e in "$@"; do extra_args+=(--extra "$e"); done
  "$UV" pip compile pyproject.toml "${extra_args[@]}" -c "$constraints" "${args[@]}" "${UV_ARGS[@]}" \
    --universal --python-version 3.11 --generate-hashes --no-emit-package torch --quiet \
    --custom-compile-command "scripts/lock.sh" -o "$out"
}

mkdir -p requirements
UV_ARGS=("$@")
# Everything first; the smaller locks are cut from it (-c), so that a package has one version in all three.
compile requirements/all.txt test train teacher scale
grep -E '^[A-Za-z0-9_.-]+==' requirements/all.txt | sed -E 's/ *\\$//; s/ ;.*//' >>"$constraints"
UV_ARGS=()
compile requirements/train.txt train teacher
compile requirements/service.txt
echo "lock: requirements/{service,train,all}.txt written"
