#!/usr/bin/env bash
# Set up and start the service with its built-in demo scenario at http://127.0.0.1:8080/
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/bosai serve --demo "$@"
