#!/usr/bin/env bash
# gpu-run.sh — run ON the GPU machine, from the repo root: `bash scripts/gpu-run.sh`, with the
# binaries and kernels that scripts/gpu-prepare.sh staged in .carry/ (carry [".carry"]).
# Runs every GPU test binary (under `timeout`, GoogleTest XML into $OUT), then the GEMM and
# Newton-Schulz benchmarks (CSVs into $OUT), and prints a short summary last. Exits non-zero
# if any test fails, a binary crashes or times out, or a benchmark fails.
# usage: gpu-run.sh [--build BUILD_DIR]   (binaries and kernels from a build tree instead)
# Environment: OUT (default ./gpu-out), TESSEL_CARRY (default .carry), TESSEL_KERNEL_DIR
# (default $TESSEL_CARRY/kernels), TESSEL_BENCH_ARGS (extra tessel-bench-gemm arguments),
# TESSEL_NS_BENCH_ARGS (extra tessel-bench-ns arguments, e.g. --quick), TESSEL_GPU_PARTS
# (comma-separated subset of tests,jit,gemm,ns,tune; default all: split a run that would pass
# the device's 10-minute limit into two calls).
set -u -o pipefail
cd "$(dirname "$0")/.."
build=
if [[ ${1:-} == --build && -n ${2:-} ]]; then
  build=$2
elif [[ $# -gt 0 ]]; then
  echo "usage: gpu-run.sh [--build BUILD_DIR]" >&2
  exit 2
fi
OUT=${OUT:-./gpu-out}
mkdir -p "$OUT"
carry=${TESSEL_CARRY:-.carry}
if [[ -n $build ]]; then
  export TESSEL_KERNEL_DIR=${TESSEL_KERNEL_DIR:-$build/kernels}
else
  export TESSEL_KERNEL_DIR=${TESSEL_KERNEL_DIR:-$carry/kernels}
fi
# binary NAME: where NAME is (.carry/bin, or its place in the build tree).
binary() {
  if [[ -z $build ]]; then echo "$carry/bin/$1"
  elif [[ $1 == tessel-bench-* ]]; then echo "$build/bench/$1"
  else echo "$build/tests/gpu/$1"; fi
}

# cuBLAS: the toolkit's, else the one PyTorch's wheels bring (nvidia/*/lib).
cuda_lib=/usr/local/cuda/lib64
export LD_LIBRARY_PATH=$cuda_lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
if [[ ! -e $cuda_lib/libcublas.so.13 ]]; then
  wheel_lib=$(python3 - <<'EOF' 2>/dev/null
import glob, os
roots = []
try:
    import nvidia
    roots += list(nvidia.__path__)
except Exception:
    pass
try:
    import torch
    roots.append(os.path.join(os.path.dirname(torch.__file__), "lib"))
except Exception:
    pass
for root in roots:
    hits = glob.glob(os.path.join(root, "**", "libcublas.so.13"), recursive=True)
    if hits:
        print(os.path.dirname(hits[0]))
        break
EOF
)
  if [[ -n $wheel_lib ]]; then
    echo "libcublas.so.13 not in $cuda_lib; using $wheel_lib"
    export LD_LIBRARY_PATH=$LD_LIBRARY_PATH:$wheel_lib
  else
    echo "warning: no libcublas.so.13 found; the benchmark will not start"
  fi
fi

nvidia-smi -L || echo "warning: nvidia-smi failed"
echo "kernels from $TESSEL_KERNEL_DIR; results into $OUT"

parts=,${TESSEL_GPU_PARTS:-tests,jit,gemm,ns,tune},
want() { [[ $parts == *,$1,* ]]; }

status=0
declare -A exit_of
# run_tests BINARY SECONDS: one GoogleTest binary, its log and XML into $OUT.
run_tests() {
  local name=$1 limit=$2 rc
  echo "== $name (timeout ${limit}s)"
  timeout --kill-after=10 "$limit" "$(binary "$name")" \
    --gtest_output="xml:$OUT/$name.xml" >"$OUT/$name.log" 2>&1
  rc=$?
  exit_of[$name]=$rc
  echo "   exit $rc"
  ((rc == 0)) || status=1
}
if want tests; then
run_tests tessel-gpu-runtime-tests 45
run_tests tessel-gpu-kernel-tests 200
# The NS library test carries the compiler (static build), xz-compressed.
if [[ -z $build && -f $carry/bin/tessel-gpu-ns-tests.xz ]]; then
  xz -dc "$carry/bin/tessel-gpu-ns-tests.xz" >"$carry/bin/tessel-gpu-ns-tests"
  chmod +x "$carry/bin/tessel-gpu-ns-tests"
fi
if [[ -x $(binary tessel-gpu-ns-tests) ]]; then
  TESSEL_CACHE_DIR=${TESSEL_CACHE_DIR:-/tmp/tessel-cache} run_tests tessel-gpu-ns-tests 420
  # A moving result is a race: the same inputs five more times must agree.
  echo "== tessel-gpu-ns-tests, repeated"
  TESSEL_CACHE_DIR=${TESSEL_CACHE_DIR:-/tmp/tessel-cache} timeout --kill-after=10 200 \
    "$(binary tessel-gpu-ns-tests)" --gtest_repeat=5 \
    --gtest_filter='NSQuality.*:*aol4_1x512x512*:*muon5_2x128x256*' \
    >"$OUT/tessel-gpu-ns-repeat.log" 2>&1
  repeat_rc=$?
  echo "   exit $repeat_rc"
  ((repeat_rc == 0)) || status=1
fi
fi

# The JIT example: compiles a DSL string in process for this GPU, runs it,
# checks it against float64 (static build, staged xz-compressed).
jit_rc=skipped
jit_xz=$carry/bin/tessel-jit-example-static.xz
if want jit && [[ -z $build && -f $jit_xz ]]; then
  echo "== tessel-jit-example-static"
  xz -dc "$jit_xz" >/tmp/tessel-jit-example-static && chmod +x /tmp/tessel-jit-example-static
  timeout --kill-after=10 60 /tmp/tessel-jit-example-static >"$OUT/tessel-jit-example.log" 2>&1
  jit_rc=$?
  echo "   exit $jit_rc"
  ((jit_rc == 0)) || status=1
fi

bench_rc=skipped
bench=$(binary tessel-bench-gemm)
if ! want gemm; then
  :
elif [[ -x $bench ]]; then
  echo "== tessel-bench-gemm"
  timeout --kill-after=10 120 "$bench" --out "$OUT" ${TESSEL_BENCH_ARGS:-} \
    >"$OUT/tessel-bench-gemm.log" 2>&1
  bench_rc=$?
else
  echo "no $bench (built without cuBLAS?)" >"$OUT/tessel-bench-gemm.log"
  bench_rc=1
fi
[[ $bench_rc == skipped || $bench_rc == 0 ]] || status=1

# The NS benchmark carries the compiler (static build), xz-compressed, like the NS tests.
if [[ -z $build && -f $carry/bin/tessel-bench-ns.xz && ! -x $carry/bin/tessel-bench-ns ]]; then
  xz -dc "$carry/bin/tessel-bench-ns.xz" >"$carry/bin/tessel-bench-ns"
  chmod +x "$carry/bin/tessel-bench-ns"
fi
ns_bench=$(binary tessel-bench-ns)
ns_bench_rc=skipped
if ! want ns; then
  :
elif [[ -x $ns_bench ]]; then
  echo "== tessel-bench-ns"
  # The card's SM clock and power while the bench runs (read, never set):
  # a long NS call may run at lower clocks than the short GEMM samples of
  # its limit.
  nvidia-smi --query-gpu=timestamp,clocks.sm,power.draw,temperature.gpu \
    --format=csv,noheader,nounits -lms 250 >"$OUT/ns-bench-clocks.csv" 2>/dev/null &
  clocks_pid=$!
  TESSEL_CACHE_DIR=${TESSEL_CACHE_DIR:-/tmp/tessel-cache} timeout --kill-after=10 240 \
    "$ns_bench" --out "$OUT" ${TESSEL_NS_BENCH_ARGS:-} >"$OUT/tessel-bench-ns.log" 2>&1
  ns_bench_rc=$?
  kill "$clocks_pid" 2>/dev/null; wait "$clocks_pid" 2>/dev/null
else
  echo "no $ns_bench (no static build staged?)" >"$OUT/tessel-bench-ns.log"
  ns_bench_rc=1
fi
echo "   ns bench exit $ns_bench_rc"
[[ $ns_bench_rc == skipped || $ns_bench_rc == 0 ]] || status=1

# Compile cache and autotuning (a mode of the NS bench binary; its own fresh cache root).
tune_rc=skipped
if want tune && [[ -x $ns_bench ]]; then
  echo "== tessel-bench-ns tune"
  timeout --kill-after=10 240 "$ns_bench" tune --out "$OUT" >"$OUT/tessel-bench-tune.log" 2>&1
  tune_rc=$?
  echo "   exit $tune_rc"
  ((tune_rc == 0)) || status=1
fi
# The benches write their CSVs into $OUT (one that dies leaves none: no stale copies).

# ---- summary (printed last) ----
echo
echo "==================== summary ===================="
printf '%-26s %6s %6s %6s %7s %5s\n' binary tests passed failed skipped exit
for name in tessel-gpu-runtime-tests tessel-gpu-kernel-tests tessel-gpu-ns-tests; do
  [[ -n ${exit_of[$name]:-} ]] || continue
  xml=$OUT/$name.xml
  if [[ -f $xml ]]; then
    tests=$(grep -o '<testsuites tests="[0-9]*"' "$xml" | grep -o '[0-9]*')
    failed=$(grep -o '<testsuites [^>]*failures="[0-9]*"' "$xml" | grep -o 'failures="[0-9]*"' | grep -o '[0-9]*')
    skipped=$(grep -c 'result="skipped"' "$xml")
    printf '%-26s %6s %6s %6s %7s %5s\n' "$name" "$tests" "$((tests - failed - skipped))" \
      "$failed" "$skipped" "${exit_of[$name]}"
  else
    printf '%-26s %6s %6s %6s %7s %5s  (no XML: crashed or timed out)\n' "$name" - - - - \
      "${exit_of[$name]}"
  fi
done
echo
echo "kernel checks (worst over sizes; rel_norm = ||out-ref||/||ref||, max_abs/max|ref|):"
grep '^RESULT ' "$OUT/tessel-gpu-kernel-tests.log" 2>/dev/null | awk '
  { kernel = $2; target = $3; variant = (kernel == "gemm") ? $4 : "-";
    key = kernel " " target " " variant; rn = 0; ma = 0; mr = 0
    for (i = 1; i <= NF; ++i) { split($i, kv, "=")
      if (kv[1] == "rel_norm") rn = kv[2] + 0
      if (kv[1] == "max_abs") ma = kv[2] + 0
      if (kv[1] == "max_ref") mr = kv[2] + 0 }
    r = (mr > 0) ? ma / mr : ma
    if (!(key in n)) order[++keys] = key
    n[key]++; if ($NF != "ok") bad[key]++
    if (rn > worstn[key]) worstn[key] = rn; if (r > worsta[key]) worsta[key] = r }
  END { printf "  %-10s %-7s %-15s %6s %5s %12s %14s\n", "kernel", "target", "variant", "checks", "fail", "rel_norm", "max_abs/ref"
        for (i = 1; i <= keys; ++i) { k = order[i]; split(k, p, " ")
          printf "  %-10s %-7s %-15s %6d %5d %12.3e %14.3e\n", p[1], p[2], p[3], n[k], bad[k] + 0, worstn[k], worsta[k] } }'
echo
echo "newton-schulz checks:"
grep -h '^RESULT ns' "$OUT/tessel-gpu-ns-tests.log" 2>/dev/null | sed 's/^RESULT /  /'
echo "repeated x5 (exit ${repeat_rc:-not run}):"
grep -h '^RESULT ns' "$OUT/tessel-gpu-ns-repeat.log" 2>/dev/null | sort | uniq -c | sed 's/^/  /'
failures=$(grep -h '^\[  FAILED  \] [A-Za-z]' "$OUT"/tessel-gpu-*-tests.log 2>/dev/null | sort -u)
if [[ -n $failures ]]; then
  echo
  echo "failed tests:"
  echo "$failures" | head -40 | sed 's/^/  /'
  echo "first failure messages:"
  grep -h -A6 'Failure$' "$OUT"/tessel-gpu-*-tests.log | head -40 | sed 's/^/  /'
fi
echo
echo "JIT example (exit $jit_rc):"
sed 's/^/  /' "$OUT/tessel-jit-example.log" 2>/dev/null | tail -5
echo
echo "gemm bench (exit $bench_rc):"
if grep -q '^variant ' "$OUT/tessel-bench-gemm.log" 2>/dev/null; then
  grep -E '^device:|^  tessel-|^WRONG|^error|cuBLAS vs float64|timing spread|differs from' \
    "$OUT/tessel-bench-gemm.log"
  sed -n '/^variant /,$p' "$OUT/tessel-bench-gemm.log"
else
  tail -15 "$OUT/tessel-bench-gemm.log" 2>/dev/null
fi
echo
echo "newton-schulz bench (exit $ns_bench_rc):"
if grep -q '^shape ' "$OUT/tessel-bench-ns.log" 2>/dev/null; then
  grep -E '^device:|^NS kernels|^bf16 GEMM limit|^check |^error|NON-FINITE|CHECK$|timing spread' \
    "$OUT/tessel-bench-ns.log"
  grep -E '^bf16 GEMM rate sustained' "$OUT/tessel-bench-ns.log"
  sed -n '/^Target:/,$p' "$OUT/tessel-bench-ns.log"
  # SM clock (MHz) and power (W) over the bench: min, median, max.
  for field in 2 3; do
    awk -F', *' -v f=$field 'NF >= 3 && $2 + 0 > 0 { print $f + 0 }' \
      "$OUT/ns-bench-clocks.csv" 2>/dev/null | sort -n |
      awk -v what="$([[ $field == 2 ]] && echo "SM clock MHz" || echo "power W")" \
        '{ v[NR] = $1 } END { if (NR) printf "%s: min %.0f median %.0f max %.0f (%d samples)\n",
          what, v[1], v[int((NR + 1) / 2)], v[NR], NR }'
  done
else
  tail -15 "$OUT/tessel-bench-ns.log" 2>/dev/null
fi
echo
echo "compile cache and tuning (exit $tune_rc):"
sed -n '/^kernel variant/,$p' "$OUT/tessel-bench-tune.log" 2>/dev/null | tail -30
[[ $tune_rc == 0 || $tune_rc == skipped ]] || tail -8 "$OUT/tessel-bench-tune.log" 2>/dev/null
echo
if ((status == 0)); then echo "ALL GPU CHECKS PASSED"; else echo "SOME GPU CHECKS FAILED"; fi
exit $status
