#!/usr/bin/env bash
# Install everything Bosai Watch needs on a fresh Debian machine: system packages, the virtualenv with
# the Python packages (PyTorch CPU 2.13.0), the i18n catalogs and the gazetteer.
#   scripts/setup.sh          what the service needs (speech engines included: espeak-ng, Open JTalk)
#   scripts/setup.sh --test   plus what the test suite needs (PostgreSQL, Redis, Chromium)
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

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
# The CPU build of torch first, so that nothing later pulls a multi-GB CUDA build.
.venv/bin/python -m pip install -q torch==2.13.0 2>&1 | grep -v '^WARNING: Location' || true
if [ $want_test -eq 1 ]; then
  .venv/bin/python -m pip install -q -e '.[test]' 2>&1 | grep -v '^WARNING: Location' || true
else
  .venv/bin/python -m pip install -q -e . 2>&1 | grep -v '^WARNING: Location' || true
fi
.venv/bin/python -c "import bosai, torch, transformers, fugashi" || { echo "setup: Python packages missing" >&2; exit 1; }

# Build data the service uses: compiled message catalogs, and the full gazetteer when the open data is here.
.venv/bin/bosai i18n-compile
if [ -d ../shared/data/mie ]; then
  .venv/bin/bosai gazetteer build --source ../shared/data/mie --output var/gazetteer.json
fi
echo "setup: done"
