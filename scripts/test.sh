#!/usr/bin/env bash
# test.sh — the README's test command: installs what is missing, builds, and
# runs every test (unit, lit, ptxas; GPU tests skip with a reason without a GPU).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/install-deps.sh"
bash "$root/scripts/build.sh"
cd "${TESSEL_BUILD_DIR:-$root/build}"
ctest --output-on-failure --timeout 600 -j "${TESSEL_JOBS:-2}"
