// `tessel tune`: argument errors are reported before any device is needed,
// each with a non-zero exit. (Tuning itself runs on the GPU machine:
// bench/results/tune-cli-h100.txt.)
// RUN: not tessel tune 2>&1 | FileCheck %s --check-prefix=NOLINE
// NOLINE: tessel: error: tune: name a line (line1, line2, line3) or --ns
// RUN: not tessel tune --ns 2>&1 | FileCheck %s --check-prefix=NOSHAPE
// NOSHAPE: tessel: error: tune: --shape BxMxN is required
// RUN: not tessel tune line1 --shape 1x64 2>&1 | FileCheck %s --check-prefix=BADSHAPE
// BADSHAPE: tessel: error: --shape: '1x64' is not BxMxN
// RUN: not tessel tune --ns --shapes 1x64x64,2x8 2>&1 | FileCheck %s --check-prefix=BADLIST
// BADLIST: tessel: error: --shapes: '2x8' is not BxMxN
// RUN: not tessel tune --ns --shape 1x64x64 --budget 0 2>&1 | FileCheck %s --check-prefix=BUDGET
// RUN: not tessel tune --ns --shape 1x64x64 --budget soon 2>&1 | FileCheck %s --check-prefix=BUDGET
// BUDGET: tessel: error: --budget needs a positive number of seconds
// RUN: not tessel tune line9 --shape 1x64x64 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// UNKNOWN: tessel: error: tune: unexpected argument 'line9'; usage: tessel tune line1|line2|line3|--ns --shape BxMxN[,BxMxN...] [--budget SECONDS]
// --ns skips shapes a default call runs as one launch on every target
// (small.mlir: the working matrix fits one tile, but for large batches
// of m > 64 on sm_90a's TMA lines), so only those: done, no device needed.
// A line named on its own is still tuned (it needs the GPU here), and so are
// shapes that take the lines on sm_90a (256 x 128² is 4 M elements).
// RUN: tessel tune --ns --shapes 4x64x128,2x128x64 2>&1 | FileCheck %s --check-prefix=SMALL
// SMALL: 4x64x128: one launch (small.mlir) by default, nothing to tune; name a line (line1, line2, line3) to tune it for Options::small = SmallPath::Lines
// SMALL-NEXT: 2x128x64: one launch (small.mlir) by default
// RUN: not tessel tune --ns --shapes 4x64x64,1x256x256 2>&1 | FileCheck %s --check-prefix=MIXED
// MIXED: 4x64x64: one launch (small.mlir) by default, nothing to tune
// MIXED-NOT: 1x256x256: one launch
// MIXED: tessel: error:
// RUN: not tessel tune --ns --shapes 256x128x128 2>&1 | FileCheck %s --check-prefix=LINES
// LINES-NOT: one launch
// LINES: tessel: error:
// RUN: not tessel tune line1 --shape 4x128x128 2>&1 | FileCheck %s --check-prefix=NAMED
// NAMED-NOT: one launch
// NAMED: tessel: error:
