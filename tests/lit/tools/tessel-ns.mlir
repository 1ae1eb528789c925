// The `tessel ns` command's argument checks (they run before any GPU is
// needed); on a machine without a GPU it says so and exits non-zero.
// RUN: not tessel ns 2>&1 | FileCheck %s --check-prefix=NOSHAPE
// NOSHAPE: tessel: error: ns: --shape BxMxN is required
// RUN: not tessel ns --shape 1x64 2>&1 | FileCheck %s --check-prefix=BADSHAPE
// BADSHAPE: tessel: error: --shape 1x64: expected BxMxN
// RUN: not tessel ns --shape 1x64x128 --variant muon7 2>&1 | FileCheck %s --check-prefix=VARIANT
// VARIANT: --variant muon7: expected muon5, quintic5, polar_express5 or aol4
// RUN: not tessel ns --shape 0x64x128 2>&1 | FileCheck %s --check-prefix=ZERO
// ZERO: tessel: error: {{.*}}0x64x128
// RUN: not tessel ns --shape 1x2048x2048 --check 2>&1 | FileCheck %s --check-prefix=CHECK1024
// CHECK1024: --check {{.*}} limited to min(M, N) <= 1024
// RUN: not tessel ns --shape 1x64x128 --runs 0 2>&1 | FileCheck %s --check-prefix=RUNS
// RUNS: --runs 0: expected a positive count
// RUN: not tessel ns --shape 1x64x128 --frobnicate 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// UNKNOWN: ns: unknown option '--frobnicate'
