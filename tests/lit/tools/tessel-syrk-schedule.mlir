// syrk's SCHEDULE knob through the specializer and canonicalizer (tessel
// compile --emit=tessel, the IR the layouts start from): with 1 (one tile
// per program) the tile loop and the partial-tile code fold away, leaving
// the K loop alone from 0 and no inter-program waits; with 2 (stream-K) the
// program's tiles run in a loop marked tessel.no_hoist, the K loop starts
// where the program's share of the tile starts, a share that joined late
// writes its fp32 tile and signals, and a finisher waits for, adds and
// resets each later share's flag.
// RUN: tessel compile %kernels/newton_schulz/syrk.mlir --no-cache --target=sm_90a --wgmma --emit=tessel -D BLOCK=128 -D BLOCK_N=256 -D BLOCK_K=64 -D X_LAYOUT=2 -D num_warps=8 -D SCHEDULE=1 | FileCheck %s --check-prefix=ONE
// RUN: tessel compile %kernels/newton_schulz/syrk.mlir --no-cache --target=sm_90a --wgmma --emit=tessel -D BLOCK=128 -D BLOCK_N=256 -D BLOCK_K=64 -D X_LAYOUT=2 -D num_warps=8 -D SCHEDULE=2 | FileCheck %s --check-prefix=SK
// RUN: not tessel compile %kernels/newton_schulz/syrk.mlir --no-cache --target=sm_90a --wgmma -D BLOCK=64 -D BLOCK_N=128 -D BLOCK_K=64 -D X_LAYOUT=2 -D CLUSTER=2 -D SCHEDULE=2 2>&1 | FileCheck %s --check-prefix=CLUSTER
// COLUMN_PAIRS = 2: the tile's second column block has its own offset
// (the float square root of the tile -> (r; c1, c2) map), and the right
// operand, D's load and both stores of C are boxes split by it; it needs
// wide tiles.
// RUN: tessel compile %kernels/newton_schulz/syrk.mlir --no-cache --target=sm_90a --wgmma --emit=tessel -D BLOCK=128 -D BLOCK_N=256 -D BLOCK_K=64 -D X_LAYOUT=2 -D num_warps=8 -D COLUMN_PAIRS=2 | FileCheck %s --check-prefix=PAIRS
// RUN: not tessel compile %kernels/newton_schulz/syrk.mlir --no-cache --target=sm_90a --wgmma -D BLOCK=128 -D BLOCK_N=128 -D X_LAYOUT=2 -D COLUMN_PAIRS=2 2>&1 | FileCheck %s --check-prefix=PAIRS-SQUARE

// PAIRS-LABEL: func.func @syrk(
// PAIRS: math.sqrt
// PAIRS: scf.for
// PAIRS: tessel.block_load %arg0{{.*}} : !tessel.ptr<bf16> -> tensor<128x64xbf16>
// PAIRS: tessel.block_load %arg0{{.*}} second_half [%[[C2:.*]]] {tessel.cluster_shared} : !tessel.ptr<bf16> -> tensor<64x256xbf16>
// PAIRS: tessel.block_load %arg1{{.*}} second_half [%[[C2]]] : !tessel.ptr<bf16> -> tensor<128x256xbf16>
// gamma I: columns past the middle count from the second block's offset.
// PAIRS: arith.cmpf one, %arg12
// PAIRS: %[[Q1B:.*]] = arith.subi %[[C2]], %c128_i32 : i32
// PAIRS: %[[Q1S:.*]] = tessel.splat %[[Q1B]] : i32 -> tensor<256xi32>
// PAIRS: arith.select %{{.*}}, %[[Q1S]], %{{.*}} : tensor<256xi1>, tensor<256xi32>
// PAIRS: tessel.block_store %arg2{{.*}} second_half [%[[C2]]] : !tessel.ptr<bf16>, tensor<128x256xbf16>
// PAIRS: tessel.block_store %arg2{{.*}} second_half [%[[C2]]] : !tessel.ptr<bf16>, tensor<128x256xbf16>

// PAIRS-SQUARE: COLUMN_PAIRS == 1 || (BLOCK_N == 2 * BLOCK

// ONE-LABEL: func.func @syrk(
// ONE-NOT: tessel.no_hoist
// ONE: %[[K:.*]] = scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c64 iter_args
// ONE: tessel.dot
// ONE-NOT: scf.for
// ONE-NOT: tessel.wait
// ONE-NOT: tessel.signal
// ONE-NOT: !tessel.ptr<f32>, tensor<128x256xf32>
// gamma I (line 2's a I), only when gamma != 0: the tile's rows against its
// columns, gamma where they meet, before both stores.
// ONE: %[[HG:.*]] = arith.cmpf one, %arg12, %{{.*}} : f32
// ONE-NEXT: scf.if %[[HG]] -> (tensor<128x256xf32>) {
// ONE: tessel.range : tensor<128xi32>
// ONE: tessel.range : tensor<256xi32>
// ONE: %[[ON:.*]] = arith.cmpi eq, %{{.*}}, %{{.*}} : tensor<128x256xi32>
// ONE: arith.select %[[ON]], %{{.*}}, %{{.*}} : tensor<128x256xi1>, tensor<128x256xf32>
// ONE-NEXT: arith.addf
// ONE: tessel.block_store %arg2{{.*}} strides [%{{.*}}, %arg7, %c1_i32]
// ONE-NEXT: tessel.block_store %arg2{{.*}} strides [%{{.*}}, %c1_i32, %arg7]
// ONE: return

// SK-LABEL: func.func @syrk(
// SK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c1 {
// SK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c64 iter_args
// SK: tessel.dot
// SK: scf.if
// SK: tessel.block_store %arg13[{{.*}}] {{.*}} : !tessel.ptr<f32>, tensor<128x256xf32>
// SK-NEXT: tessel.signal %arg14[%{{.*}}], %c1_i32 : !tessel.ptr<i32>
// SK: } else {
// SK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c1 iter_args
// SK: tessel.wait %arg14[%[[Q:.*]]], %c1_i32 : !tessel.ptr<i32>
// SK-NEXT: tessel.block_load %arg13[%[[Q]], {{.*}} : !tessel.ptr<f32> -> tensor<128x256xf32>
// SK-NEXT: tessel.signal %arg14[%[[Q]]], %c0_i32 : !tessel.ptr<i32>
// SK: } {tessel.no_hoist}
// SK: } {tessel.no_hoist}
// SK: return

// CLUSTER: constraint 'SCHEDULE == 1 || (CLUSTER == 1 && WARP_ROLES == 1)'
