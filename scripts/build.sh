#!/usr/bin/env bash
# build.sh — configures (once) and builds Tessel in build/ with Ninja and ccache.
# Shared by the main job and the test command so both use one build tree.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${TESSEL_BUILD_DIR:-$root/build}
export CCACHE_BASEDIR=$root
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.ccache}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}
if [ ! -f "$build/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$build" \
    -DCMAKE_BUILD_TYPE=${TESSEL_BUILD_TYPE:-Debug} \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit
fi
# Translation units that include MLIR take ~2.7 GB each: at most two at once.
cmake --build "$build" -- -j "${TESSEL_JOBS:-2}"
