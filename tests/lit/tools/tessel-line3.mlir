// NS line 3 (tessel compile --emit=tessel, the IR the layouts start from):
// the K loop feeds one dot from two block loads (the TMA ring on sm_90a);
// X's own tile is read after the loop only under a != 0 (tessel::ns passes
// a = 0, its a I riding in line 2's B), so the a = 0 path goes from the
// loop's sum straight to the store.
// RUN: tessel compile %kernels/newton_schulz/line3.mlir --no-cache --target=sm_90a --wgmma --emit=tessel -D BLOCK_M=128 -D BLOCK_N=256 -D BLOCK_K=64 -D X_LAYOUT=2 -D num_warps=8 | FileCheck %s

// RUN: tessel compile %kernels/newton_schulz/line3.mlir --no-cache --target=sm_90a --wgmma --emit=tessel -D BLOCK_M=128 -D BLOCK_N=256 -D BLOCK_K=64 -D X_LAYOUT=2 -D num_warps=8 -D GROUP_M=16 | FileCheck %s --check-prefix=GROUPED

// GROUP_M = 1 (the default): program (x, y) is tile (x, y), no arithmetic.
// CHECK-LABEL: func.func @ns_line3(
// CHECK: %[[PX:.*]] = tessel.program_id 0
// CHECK-NOT: arith.divsi
// CHECK: arith.muli %[[PX]], %c128_i32
// CHECK: %[[SUM:.*]] = scf.for {{.*}} -> (tensor<128x256xf32>) {
// CHECK: tessel.block_load %arg0{{.*}} -> tensor<128x64xbf16>
// CHECK: tessel.block_load %arg1{{.*}} -> tensor<64x256xbf16>
// CHECK: tessel.dot
// CHECK: %[[HA:.*]] = arith.cmpf one, %arg12, %{{.*}} : f32
// CHECK-NEXT: %[[R:.*]] = scf.if %[[HA]] -> (tensor<128x256xf32>) {
// CHECK-NEXT: tessel.block_load %arg1{{.*}} -> tensor<128x256xbf16>
// CHECK: } else {
// CHECK-NEXT: scf.yield %[[SUM]] : tensor<128x256xf32>
// CHECK: arith.truncf %[[R]]
// CHECK-NOT: tessel.block_load
// CHECK: tessel.block_store %arg2

// GROUP_M = 16: program (x, y) is number x + y gx in launch order, and takes
// that tile of the grouped order: group g = number / (16 gn) covers row
// blocks 16 g .. 16 g + rows - 1 (rows = min(gx - 16 g, 16)), down each
// column band in turn; gx and gn are the grid's (its x and y).
// GROUPED-LABEL: func.func @ns_line3(
// GROUPED: %[[PX:.*]] = tessel.program_id 0
// GROUPED: %[[PY:.*]] = tessel.program_id 1
// GROUPED: %[[GX:.*]] = tessel.num_programs 0
// GROUPED: %[[GN:.*]] = tessel.num_programs 1
// GROUPED: %[[YX:.*]] = arith.muli %[[PY]], %[[GX]]
// GROUPED: %[[LIN:.*]] = arith.addi %[[PX]], %[[YX]]
// GROUPED: %[[PER:.*]] = arith.muli %[[GN]], %c16_i32
// GROUPED: %[[G:.*]] = arith.divsi %[[LIN]], %[[PER]]
// GROUPED: %[[FIRST:.*]] = arith.muli %[[G]], %c16_i32
// GROUPED: %[[LEFT:.*]] = arith.subi %[[GX]], %[[FIRST]]
// GROUPED: %[[ROWS:.*]] = arith.minsi %[[LEFT]], %c16_i32
// GROUPED: %[[IN:.*]] = arith.remsi %[[LIN]], %[[PER]]
// GROUPED: %[[R:.*]] = arith.remsi %[[IN]], %[[ROWS]]
// GROUPED: %[[PM:.*]] = arith.addi %[[FIRST]], %[[R]]
// GROUPED: %[[PN:.*]] = arith.divsi %[[IN]], %[[ROWS]]
// GROUPED: %[[M0:.*]] = arith.muli %[[PM]], %c128_i32
// GROUPED: %[[N0:.*]] = arith.muli %[[PN]], %c256_i32
// GROUPED: scf.for
// GROUPED: tessel.block_load %arg0[%{{.*}}, %[[M0]], %{{.*}}]
// GROUPED: tessel.block_load %arg1[%{{.*}}, %{{.*}}, %[[N0]]]
