#!/usr/bin/env bash
# check-ptx.sh — compiles one kernel for one target with the tessel CLI and
# assembles the PTX with ptxas; fails on any error and on the ptxas warnings
# that mean a silently slow kernel (C7508 setmaxnreg ignored, C7520 wgmma
# serialized, C7517/C7519 inserted waits).
# usage: check-ptx.sh TESSEL PTXAS KERNEL.mlir TARGET WORKDIR [-D NAME=VALUE]...
set -euo pipefail
tessel=$1 ptxas=$2 kernel=$3 target=$4 work=$5
shift 5
mkdir -p "$work"
base="$work/$(basename "$kernel" .mlir).$target"
"$tessel" compile --no-cache "$kernel" --target="$target" "$@" -o "$base.ptx" --info "$base.json"
grep -q "^\.target $target" "$base.ptx" || { echo "PTX for $target lacks '.target $target'"; exit 1; }
grep -q "^\.visible \.entry" "$base.ptx" || { echo "PTX has no kernel entry"; exit 1; }
log="$base.ptxas.log"
if ! "$ptxas" -arch="$target" -v "$base.ptx" -o "$base.cubin" >"$log" 2>&1; then
  cat "$log"; echo "ptxas rejected $kernel for $target"; exit 1
fi
if grep -E "C7508|C7520|C7517|C7519" "$log"; then
  echo "ptxas warned about a slow path for $kernel on $target"; exit 1
fi
grep -E "registers|spill" "$log" || true
echo "ok: $kernel $target"
