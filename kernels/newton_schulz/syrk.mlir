// syrk.mlir — NS lines 1 and 2: C = alpha * X * X^T + beta * D, C and D
// symmetric m x m (bf16, row-major, leading dimension ldc), X an m x k view
// with element strides (sxr, sxc) — so a tall matrix is read transposed, with
// no copy. Accumulation in fp32.
//   line 1:      A = X X^T          (alpha = 1, beta = 0: D is not read)
//   line 2:      B = b A + c A A    (X := A, D := A, alpha = c, beta = b;
//                                    A is symmetric, so A A = A A^T)
// Only tiles reaching the diagonal or above it are computed. Tiles are
// BLOCK rows by BLOCK_N = W * BLOCK columns (W = 1 or 2); the grid is
// triangular: column block J (of U = cdiv(m, BLOCK_N)) takes row blocks
// i = 0 .. W (J + 1) - 1 (of T = cdiv(m, BLOCK)), so (W (U - 1) U / 2 +
// min(W U, T), 1, batch) programs, program t -> (i, J) with t = W J (J + 1)
// / 2 + i. Each tile is stored twice, at (i, J) and transposed at (J, i) —
// except a square diagonal tile (W = 1, i = J), which is its own mirror.
// With W = 2 the diagonal tiles hold a block below the diagonal too; its
// values equal the mirrored ones written there. Batch offsets are 64-bit;
// batch strides are read as 32-bit (one matrix under 2^31 elements).
func.func @syrk(%x: !tessel.ptr<bf16>, %d: !tessel.ptr<bf16>, %c: !tessel.ptr<bf16>,
                %m: i32, %k: i32, %sxr: i32, %sxc: i32, %ldc: i32,
                %x_batch: i64, %c_batch: i64, %alpha: f32, %beta: f32)
    // Config space: at most 64 fp32 accumulators per thread on the
    // masked-load path (more spill), 128 on the TMA one (X_LAYOUT = 2); both
    // operand tiles (rows padded by 8) in shared memory, and on the TMA path
    // NUM_STAGES of them; and the mirror tile's staging (its transposed
    // store goes through shared memory, columns padded by 8): after the
    // operand tiles, or inside the TMA ring once its loop is done (not with
    // a producer warpgroup, WARP_ROLES = 2, which has the ring to itself).
    attributes {tessel.kernel, tessel.constraints = [
      "BLOCK_N == BLOCK || BLOCK_N == 2 * BLOCK",
      "CLUSTER == 1 || (BLOCK_N == 2 * BLOCK && X_LAYOUT == 2)",
      "BLOCK * BLOCK_N <= 64 * 32 * num_warps * X_LAYOUT",
      "(BLOCK + BLOCK_N) * (BLOCK_K + 8) * 2 + BLOCK_N * (BLOCK + 8) * 2 <= SMEM",
      "(BLOCK + BLOCK_N) * BLOCK_K * 2 * NUM_STAGES + 1024 <= SMEM",
      "(WARP_ROLES == 1 && BLOCK_N * (BLOCK + 8) * 2 <= (BLOCK + BLOCK_N) * BLOCK_K * 2 * NUM_STAGES) || (BLOCK + BLOCK_N) * BLOCK_K * 2 * NUM_STAGES + 1024 + BLOCK_N * (BLOCK + 8) * 2 <= SMEM"]} {
  %BS = tessel.param "BLOCK" {default_value = 64 : i64, values = array<i64: 32, 64, 128>} : index
  %BN = tessel.param "BLOCK_N" {default_value = 64 : i64, values = array<i64: 32, 64, 128, 256>} : index
  %BK = tessel.param "BLOCK_K" {default_value = 32 : i64, values = array<i64: 16, 32, 64, 128>} : index
  %warps = tessel.param "num_warps" {default_value = 4 : i64, values = array<i64: 4, 8>} : index
  %bs = arith.index_cast %BS : index to i32
  %c0_i32 = arith.constant 0 : i32
  %c1_i32 = arith.constant 1 : i32
  %c2_i32 = arith.constant 2 : i32

  // This batch entry (the block loads and stores compute 64-bit offsets:
  // batch x m x k may pass 2^31).
  %bz = tessel.program_id 2 : i32

  // Program t -> tile (i, J): column block J starts at start(J) = W J (J +
  // 1) / 2; J from the quadratic, then corrected by one either way for float
  // rounding.
  %bn = arith.index_cast %BN : index to i32
  %wide = arith.divsi %bn, %bs : i32
  %t = tessel.program_id 0 : i32
  %tf = arith.sitofp %t : i32 to f32
  %wf = arith.sitofp %wide : i32 to f32
  %eight = arith.constant 8.0 : f32
  %onef = arith.constant 1.0 : f32
  %half = arith.constant 0.5 : f32
  %t8 = arith.mulf %tf, %eight : f32
  %t8w = arith.divf %t8, %wf : f32
  %disc = arith.addf %t8w, %onef : f32
  %root = math.sqrt %disc : f32
  %rm1 = arith.subf %root, %onef : f32
  %j0f = arith.mulf %rm1, %half : f32
  %j0 = arith.fptosi %j0f : f32 to i32
  // start(J) = W * J * (J + 1) / 2
  %j0p1 = arith.addi %j0, %c1_i32 : i32
  %s0a = arith.muli %j0, %j0p1 : i32
  %s0b = arith.muli %s0a, %wide : i32
  %s0 = arith.divsi %s0b, %c2_i32 : i32
  %too_far = arith.cmpi sgt, %s0, %t : i32
  %j0m1 = arith.subi %j0, %c1_i32 : i32
  %j1 = arith.select %too_far, %j0m1, %j0 : i32
  %j1p1 = arith.addi %j1, %c1_i32 : i32
  %j1p2 = arith.addi %j1, %c2_i32 : i32
  %s1a = arith.muli %j1p1, %j1p2 : i32
  %s1b = arith.muli %s1a, %wide : i32
  %s1 = arith.divsi %s1b, %c2_i32 : i32
  %next = arith.cmpi sle, %s1, %t : i32
  %tj = arith.select %next, %j1p1, %j1 : i32
  %tjp1 = arith.addi %tj, %c1_i32 : i32
  %sta = arith.muli %tj, %tjp1 : i32
  %stb = arith.muli %sta, %wide : i32
  %start = arith.divsi %stb, %c2_i32 : i32
  %ti = arith.subi %t, %start : i32

  // Rows (of X and C) for tile row i, columns for tile column J.
  %r0 = arith.muli %ti, %bs : i32
  %q0 = arith.muli %tj, %bn : i32

  // K loop: acc += X[rows, k:k+BK] * X[cols, k:k+BK]^T. Both operands are
  // block loads of X as a [batch, m, k] tensor: the K tail and rows past m
  // read zero. With X_LAYOUT = 2 (row-major: the caller promises sxc = 1)
  // X's column stride is the constant 1, which on sm_90a with wgmma makes
  // this loop the TMA ring (both operands K-contiguous); with X_LAYOUT = 1
  // (any strides) they are masked loads.
  // The batch extent is the grid's (gridDim.z <= 65535); batch strides are
  // read as 32-bit (a single matrix under 2^31 elements).
  %XL = tessel.param "X_LAYOUT" {default_value = 1 : i64, values = array<i64: 1, 2>} : index
  %S = tessel.param "NUM_STAGES" {default_value = 4 : i64, values = array<i64: 2, 3, 4>} : index
  // 2: programs (2c, 2c + 1) form a cluster that loads the column block's
  // X rows once, each copying half to both (the load marked
  // tessel.cluster_shared; TMA ring only). With W = 2 a column block has an
  // even number of row blocks, so the pair is (i, J), (i + 1, J) with i
  // even; the host rounds the grid up to even, and the extra program's row
  // block is past m (it reads zero and stores nothing).
  %cluster = tessel.param "CLUSTER" {default_value = 1 : i64, values = array<i64: 1, 2>} : index
  // 2: one more warpgroup only issues the ring's copies, a full ring ahead
  // (TmaPipeline.cpp); the others only wait, compute and store.
  %roles = tessel.param "WARP_ROLES" {default_value = 1 : i64, values = array<i64: 1, 2>} : index
  %c2_idx = arith.constant 2 : index
  %row_major = arith.cmpi eq, %XL, %c2_idx : index
  %sc = arith.select %row_major, %c1_i32, %sxc : i32
  %xb = arith.trunci %x_batch : i64 to i32
  %grid_z = arith.constant 65535 : i32
  %zero = arith.constant 0.0 : f32
  %acc0 = tessel.splat %zero [%BS, %BN] : f32 -> tensor<?x?xf32>
  %c0 = arith.constant 0 : index
  %kend = arith.index_cast %k : i32 to index
  %acc = scf.for %kk = %c0 to %kend step %BK iter_args(%acc_i = %acc0) -> (tensor<?x?xf32>) {
    %kk32 = arith.index_cast %kk : index to i32
    %lt = tessel.block_load %x[%bz, %r0, %kk32] shape [%grid_z, %m, %k]
            strides [%xb, %sxr, %sc] sizes [%BS, %BK] : !tessel.ptr<bf16> -> tensor<?x?xbf16>
    %rt = tessel.block_load %x[%bz, %kk32, %q0] shape [%grid_z, %k, %m]
            strides [%xb, %sc, %sxr] sizes [%BK, %BN] {tessel.cluster_shared}
            : !tessel.ptr<bf16> -> tensor<?x?xbf16>
    %acc_n = tessel.dot %lt, %rt, %acc_i : tensor<?x?xbf16>, tensor<?x?xbf16> -> tensor<?x?xf32>
    scf.yield %acc_n : tensor<?x?xf32>
  }

  // Epilogue: alpha * acc + beta * D[rows, cols] (D read only when beta != 0);
  // C and D are [batch, m, m] tensors like X (outside them nothing is read or
  // written).
  %cb = arith.trunci %c_batch : i64 to i32
  %alphas = tessel.splat %alpha [%BS, %BN] : f32 -> tensor<?x?xf32>
  %scaled = arith.mulf %alphas, %acc : tensor<?x?xf32>
  %has_d = arith.cmpf one, %beta, %zero : f32
  %result = scf.if %has_d -> (tensor<?x?xf32>) {
    %dv = tessel.block_load %d[%bz, %r0, %q0] shape [%grid_z, %m, %m]
            strides [%cb, %ldc, %c1_i32] sizes [%BS, %BN] : !tessel.ptr<bf16> -> tensor<?x?xbf16>
    %dv32 = arith.extf %dv : tensor<?x?xbf16> to tensor<?x?xf32>
    %betas = tessel.splat %beta [%BS, %BN] : f32 -> tensor<?x?xf32>
    %bd = arith.mulf %betas, %dv32 : tensor<?x?xf32>
    %sum = arith.addf %scaled, %bd : tensor<?x?xf32>
    scf.yield %sum : tensor<?x?xf32>
  } else {
    scf.yield %scaled : tensor<?x?xf32>
  }
  %out = arith.truncf %result : tensor<?x?xf32> to tensor<?x?xbf16>
  tessel.block_store %c[%bz, %r0, %q0] shape [%grid_z, %m, %m]
    strides [%cb, %ldc, %c1_i32], %out : !tessel.ptr<bf16>, tensor<?x?xbf16>
  // The mirror tile C[J, i] = C[i, J]^T (all but a square diagonal tile):
  // the same box with the strides swapped.
  %off_diag = arith.cmpi ne, %r0, %q0 : i32
  %wide_tile = arith.cmpi ne, %wide, %c1_i32 : i32
  %mirror = arith.ori %off_diag, %wide_tile : i1
  scf.if %mirror {
    tessel.block_store %c[%bz, %r0, %q0] shape [%grid_z, %m, %m]
      strides [%cb, %c1_i32, %ldc], %out : !tessel.ptr<bf16>, tensor<?x?xbf16>
  }
  return
}
