#!/usr/bin/env bash
# Install everything Bosai Watch needs on a fresh Debian machine: system packages, the virtualenv with
# the Python packages (PyTorch CPU 2.13.0), the i18n catalogs and the gazetteer.
#   scripts/setup.sh          what the service needs (speech engines included: espeak-ng, Open JTalk)
#   scripts/setup.sh --train  plus the [train] extra (bosai train, bosai evaluate, scripts/train.sh)
#   scripts/setup.sh --test   plus what the test suite needs: every extra ([test], [train], [scale]) and
#                             PostgreSQL, Redis, Chromium
# The Python packages come from the lock files in requirements/ (exact versions with hashes, the ones the tests
# passed with; scripts/lock.sh regenerates them). Running it again changes nothing that is already in place.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
lock=requirements/service.txt
case "${1:-}" in
  --test) want_test=1; lock=requirements/all.txt ;;
  --train) lock=requirements/train.txt ;;
  "") ;;
  *) echo "usage: scripts/setup.sh [--train|--test]" >&2; exit 2 ;;
esac

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "setup: installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

apt_install python3-venv ca-certificates
# Speech forms of the alerts (docs/speech.md): Open JTalk and its dictionary read Japanese (the voice ships in
# publish/data/voices), espeak-ng the other languages. The service needs them, not only the tests.
apt_install espeak-ng open-jtalk open-jtalk-mecab-naist-jdic
if [ $want_test -eq 1 ]; then
  apt_install postgresql redis-server chromium fonts-noto-cjk
fi

PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
export PIP_DISABLE_PIP_VERSION_CHECK=1
.venv/bin/python -m pip install -q --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
pip_install() {  # pip's output without the warnings about this machine's local wheel folders; fail if pip fails
  local rc=0
  .venv/bin/python -m pip install -q "$@" 2>&1 | { grep -v '^WARNING: Location' || true; } || rc=$?
  [ "$rc" -eq 0 ] || { echo "setup: pip install $* failed" >&2; exit 1; }
}
# The locked packages, hashes checked. torch is not in the lock (nothing in it depends on torch, so nothing
# pulls a multi-GB CUDA build); its own dependencies are.
pip_install --require-hashes -r "$lock"
# The CPU build of torch, pinned here. Where pip is not already set up to find the CPU wheel (this project's
# machines have it in a local wheel folder), set TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu.
pip_install ${TORCH_INDEX_URL:+--index-url "$TORCH_INDEX_URL"} torch==2.13.0
# The project itself, editable, without resolving anything again: its dependencies are the lock's.
pip_install --no-deps -e .
.venv/bin/python -m pip check >/dev/null || { .venv/bin/python -m pip check >&2; echo "setup: inconsistent packages" >&2; exit 1; }
.venv/bin/python -c "import bosai, torch, transformers, fugashi" || { echo "setup: Python packages missing" >&2; exit 1; }

# Build data the service uses: compiled message catalogs, and the full gazetteer when the open data is here.
.venv/bin/bosai i18n-compile
if [ -d ../shared/data/mie ]; then
  .venv/bin/bosai gazetteer build --source ../shared/data/mie --output var/gazetteer.json
fi
echo "setup: done"
