#!/usr/bin/env bash
# gpu-prepare.sh — run HERE (no GPU needed): builds the GPU test and benchmark binaries and
# the kernels' PTX, then stages what the GPU machine needs in .carry/ (ignored by git):
#   .carry/bin/      tessel-gpu-runtime-tests, tessel-gpu-kernel-tests, tessel-bench-gemm;
#                    from the static build: tessel-gpu-ns-tests.xz, tessel-bench-ns.xz,
#                    tessel-jit-example-static.xz
#   .carry/kernels/  <name>.<target>.ptx + .json
# Then, on the device machine: `bash scripts/gpu-run.sh` with carry [".carry"].
# usage: scripts/gpu-prepare.sh [BUILD_DIR]   (default: build/ of this checkout)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$repo/build}
lock=/tmp/tessel-build.lock
bins=(tests/gpu/tessel-gpu-runtime-tests tests/gpu/tessel-gpu-kernel-tests
      bench/tessel-bench-gemm)

[[ -f $build/build.ninja ]] || { echo "no configured build in $build" >&2; exit 1; }
# One build at a time on this machine (2 cores): always under the shared lock.
flock "$lock" ninja -C "$build" -j2 tessel-kernels $(for b in "${bins[@]}"; do basename "$b"; done)

carry=$repo/.carry
rm -rf "$carry/bin" "$carry/kernels"
mkdir -p "$carry/bin" "$carry/kernels"
for b in "${bins[@]}"; do
  cp "$build/$b" "$carry/bin/"
  strip --strip-debug "$carry/bin/$(basename "$b")" 2>/dev/null || true
done
cp "$build"/kernels/*.ptx "$build"/kernels/*.json "$carry/kernels/"

# The JIT example compiles its kernel on the GPU machine, so it carries the
# compiler: it comes from the static build (TESSEL_STATIC=ON, build-static/),
# xz-compressed (~50 MB -> ~15 MB).
static=${TESSEL_STATIC_BUILD:-$repo/build-static}
if [[ -f $static/build.ninja ]]; then
  CCACHE_BASEDIR=$repo flock "$lock" ninja -C "$static" -j2 tessel-jit-example-static \
    tessel-gpu-ns-tests tessel-bench-ns
  xz -T2 -6 -c "$static/bin/tessel-jit-example-static" \
    >"$carry/bin/tessel-jit-example-static.xz"
  # tessel::ns::orthogonalize JITs its kernels: the compiler travels inside.
  strip -o "$carry/bin/tessel-gpu-ns-tests" "$static/tests/gpu/tessel-gpu-ns-tests"
  xz -T2 -6 "$carry/bin/tessel-gpu-ns-tests"
  # The NS benchmark (tessel::ns::orthogonalize against a plain cuBLAS iteration): the same.
  strip -o "$carry/bin/tessel-bench-ns" "$static/bench/tessel-bench-ns"
  xz -T2 -6 "$carry/bin/tessel-bench-ns"
else
  echo "note: no static build in $static (scripts/build-static.sh): the JIT example is not staged"
fi

echo "staged in $carry:"
ls -l "$carry/bin" "$carry/kernels" | sed 's/^/  /'
size=$(du -sb "$carry" | cut -f1)
echo "carry size: $((size / 1024)) KiB (limit for the whole working tree: 64 MiB)"
if (( size > 63 * 1024 * 1024 )); then
  echo "error: .carry is over 63 MiB: with the working tree it cannot travel (64 MiB)" >&2
  exit 1
elif (( size > 56 * 1024 * 1024 )); then
  echo "warning: .carry is over 56 MiB (the limit is 64 MiB with the working tree)" >&2
fi
