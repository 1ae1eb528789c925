// NS line 3 (tessel compile --emit=tessel, the IR the layouts start from):
// the K loop feeds one dot from two block loads (the TMA ring on sm_90a);
// X's own tile is read after the loop only under a != 0 (tessel::ns passes
// a = 0, its a I riding in line 2's B), so the a = 0 path goes from the
// loop's sum straight to the store.
// RUN: tessel compile %kernels/newton_schulz/line3.mlir --no-cache --target=sm_90a --wgmma --emit=tessel -D BLOCK_M=128 -D BLOCK_N=256 -D BLOCK_K=64 -D X_LAYOUT=2 -D num_warps=8 | FileCheck %s

// CHECK-LABEL: func.func @ns_line3(
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
