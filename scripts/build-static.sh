#!/usr/bin/env bash
# build-static.sh — the static link mode (TESSEL_STATIC=ON) in build-static/:
# self-contained binaries for the GPU machine, which has no LLVM/MLIR. With
# ccache warm from build/, this is mostly links.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${TESSEL_STATIC_BUILD:-$root/build-static}
export CCACHE_BASEDIR=$root
if [ ! -f "$build/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=${TESSEL_BUILD_TYPE:-Debug} \
    -DTESSEL_STATIC=ON -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit
fi
cmake --build "$build" --target tessel-jit-example-static -- -j "${TESSEL_JOBS:-2}"
ls -l "$build/bin/tessel-jit-example-static"
