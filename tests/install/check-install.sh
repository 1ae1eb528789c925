#!/usr/bin/env bash
# check-install.sh — installs Tessel into a scratch prefix, builds the JIT
# example against it with find_package(Tessel) and runs it (it compiles a
# kernel from a string; it launches it only where there is a GPU).
# usage: check-install.sh BUILD_DIR SOURCE_DIR WORK_DIR
set -euo pipefail
build=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$src/docs/examples/jit" -B "$work/example" -G Ninja \
  -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/example" >/dev/null
"$work/example/jit_scale_add"
