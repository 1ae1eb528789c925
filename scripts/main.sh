#!/usr/bin/env bash
# main.sh — the README's main job: installs what is missing, builds, compiles
# every kernel in kernels/ for every target and verifies the PTX with ptxas;
# with a GPU it then runs the kernels and prints correctness and timing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${TESSEL_BUILD_DIR:-$root/build}
bash "$root/scripts/install-deps.sh"
bash "$root/scripts/build.sh"

echo "== compiling every kernel for every target, checked with ptxas"
(cd "$build" && ctest -L ptxas --output-on-failure -j "${TESSEL_JOBS:-2}" | tail -n 3)

if "$build/bin/tessel" devices >/dev/null 2>&1; then
  echo "== GPU found: $("$build/bin/tessel" devices | head -n 1)"
  TESSEL_KERNEL_DIR="$build/kernels" OUT="${OUT:-$build/gpu-out}" \
    bash "$root/scripts/gpu-run.sh" --build "$build"
else
  echo "== no GPU found ($("$build/bin/tessel" devices 2>&1 | head -n 1))."
  echo "   Kernels were compiled and verified with ptxas for sm_80, sm_89, sm_90a and sm_100a;"
  echo "   nothing was run. On a machine with an NVIDIA GPU this job also runs and times them."
fi
