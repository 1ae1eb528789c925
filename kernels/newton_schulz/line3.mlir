// line3.mlir — NS line 3: X' = a * X + B * X in one pass. B is m x m (bf16,
// row-major, leading dimension ldb); X and X' are m x n views with element
// strides (sxr, sxc) and (sor, soc), so tall inputs are read and written
// transposed without a copy. The K loop sums B[rows, :] * X[:, cols], then
// (a != 0) the program's X tile is read once and a * X added before the
// store. tessel::ns passes a = 0: line 2 (syrk's gamma) has put a I into B,
// so line 3 reads X only in its K loop.
// Grid: (cdiv(m, BLOCK_M) rounded up to a multiple of CLUSTER, cdiv(n,
// BLOCK_N), batch); batch offsets 64-bit. With GROUP_M = 1 program (x, y)
// takes tile (x, y): the programs running at once hold every row block of B
// and a few column bands of X. With GROUP_M = G > 1 (CLUSTER = 1) program
// (x, y), number x + y gx in launch order (gx x gy: the grid), takes that
// tile of an order that goes down G row blocks of a column band, then to
// the next band, and to the next G row blocks after the last band: where B
// does not fit in L2 (m = 8192: 128 MiB) the first order reads all of B from
// memory again for every round of programs; this one reads G row blocks of
// B per group and all of X once per group. (A grid larger than the matrix
// gives tiles past it, whose loads read zero and stores write nothing.)
func.func @ns_line3(%b: !tessel.ptr<bf16>, %x: !tessel.ptr<bf16>, %xo: !tessel.ptr<bf16>,
                    %m: i32, %n: i32, %ldb: i32, %sxr: i32, %sxc: i32,
                    %sor: i32, %soc: i32, %b_batch: i64, %x_batch: i64, %a: f32)
    // Config space: at most 64 fp32 accumulators per thread on the
    // masked-load path (more spill), 128 on the TMA one (X_LAYOUT = 2),
    // both operand tiles (rows padded by 8) in shared memory, and on the TMA
    // path NUM_STAGES of them.
    attributes {tessel.kernel, tessel.constraints = [
      "BLOCK_M * BLOCK_N <= 64 * 32 * num_warps * X_LAYOUT",
      "(BLOCK_M + BLOCK_N) * (BLOCK_K + 8) * 2 <= SMEM",
      "(BLOCK_M + BLOCK_N) * BLOCK_K * 2 * NUM_STAGES + 1024 <= SMEM",
      "GROUP_M == 1 || CLUSTER == 1"]} {
  %BM = tessel.param "BLOCK_M" {default_value = 64 : i64, values = array<i64: 32, 64, 128>} : index
  %BN = tessel.param "BLOCK_N" {default_value = 64 : i64, values = array<i64: 32, 64, 128, 256>} : index
  %BK = tessel.param "BLOCK_K" {default_value = 32 : i64, values = array<i64: 16, 32, 64, 128>} : index
  %warps = tessel.param "num_warps" {default_value = 4 : i64, values = array<i64: 4, 8>} : index
  %bm = arith.index_cast %BM : index to i32
  %bn = arith.index_cast %BN : index to i32

  %bz = tessel.program_id 2 : i32
  // This program's tile (pm, pn): program (px, py) itself, or with
  // GROUP_M > 1 tile number px + py gx of the grouped order (top of file).
  %G = tessel.param "GROUP_M" {default_value = 1 : i64, values = array<i64: 1, 8, 16>} : index
  %c1_idx = arith.constant 1 : index
  %grouped = arith.cmpi ne, %G, %c1_idx : index
  %group_m = arith.index_cast %G : index to i32
  %px = tessel.program_id 0 : i32
  %py = tessel.program_id 1 : i32
  %gx = tessel.num_programs 0 : i32
  %gn = tessel.num_programs 1 : i32
  %lin_y = arith.muli %py, %gx : i32
  %lin = arith.addi %px, %lin_y : i32
  %per_group = arith.muli %group_m, %gn : i32
  %group = arith.divsi %lin, %per_group : i32
  %first_m = arith.muli %group, %group_m : i32
  %left_m = arith.subi %gx, %first_m : i32
  %group_rows = arith.minsi %left_m, %group_m : i32
  %in_group = arith.remsi %lin, %per_group : i32
  %row_in = arith.remsi %in_group, %group_rows : i32
  %gpm = arith.addi %first_m, %row_in : i32
  %gpn = arith.divsi %in_group, %group_rows : i32
  %pm = arith.select %grouped, %gpm, %px : i32
  %pn = arith.select %grouped, %gpn, %py : i32
  %m0 = arith.muli %pm, %bm : i32
  %n0 = arith.muli %pn, %bn : i32
  // X, X' and B are [batch, rows, cols] tensors: the block loads and stores
  // compute 64-bit offsets (batch x m x n may pass 2^31) and touch nothing
  // outside them. The batch extent is the grid's (gridDim.z <= 65535); batch
  // strides are read as 32-bit (a single matrix under 2^31 elements).
  %XL = tessel.param "X_LAYOUT" {default_value = 1 : i64, values = array<i64: 1, 2>} : index
  %c2_idx = arith.constant 2 : index
  %row_major = arith.cmpi eq, %XL, %c2_idx : index
  %one = arith.constant 1 : i32
  %sc = arith.select %row_major, %one, %sxc : i32
  %bb = arith.trunci %b_batch : i64 to i32
  %xb = arith.trunci %x_batch : i64 to i32
  %grid_z = arith.constant 65535 : i32

  %zero = arith.constant 0.0 : f32
  %acc0 = tessel.splat %zero [%BM, %BN] : f32 -> tensor<?x?xf32>

  // K loop: acc += B[rows, k:k+BK] * X[k:k+BK, cols], both block loads (the
  // K tail and edges read zero). B is row-major; with X_LAYOUT = 2 (row-major
  // X: the caller promises sxc = 1) X's column stride is the constant 1,
  // which on sm_90a with wgmma makes this loop the TMA ring (B K-contiguous,
  // X N-contiguous: BLOCK_N a multiple of 64); with X_LAYOUT = 1 (any
  // strides) they are masked loads.
  %S = tessel.param "NUM_STAGES" {default_value = 4 : i64, values = array<i64: 2, 3, 4>} : index
  // 2: programs (2c, 2c + 1) along x, the same columns of X' in two row
  // blocks, form a cluster that loads X's [BLOCK_K, BLOCK_N] box once: each
  // copies half of it to both (the load marked tessel.cluster_shared; TMA
  // ring only). The host launches an even x.
  %cluster = tessel.param "CLUSTER" {default_value = 1 : i64, values = array<i64: 1, 2>} : index
  // 2: one more warpgroup only issues the ring's copies, a full ring ahead
  // (TmaPipeline.cpp); the others only wait, compute and store.
  %roles = tessel.param "WARP_ROLES" {default_value = 1 : i64, values = array<i64: 1, 2>} : index
  %c0 = arith.constant 0 : index
  %kend = arith.index_cast %m : i32 to index
  %acc = scf.for %kk = %c0 to %kend step %BK iter_args(%acc_i = %acc0) -> (tensor<?x?xf32>) {
    %kk32 = arith.index_cast %kk : index to i32
    %lt = tessel.block_load %b[%bz, %m0, %kk32] shape [%grid_z, %m, %m]
            strides [%bb, %ldb, %one] sizes [%BM, %BK] : !tessel.ptr<bf16> -> tensor<?x?xbf16>
    %rt = tessel.block_load %x[%bz, %kk32, %n0] shape [%grid_z, %m, %n]
            strides [%xb, %sxr, %sc] sizes [%BK, %BN] {tessel.cluster_shared}
            : !tessel.ptr<bf16> -> tensor<?x?xbf16>
    %acc_n = tessel.dot %lt, %rt, %acc_i : tensor<?x?xbf16>, tensor<?x?xbf16> -> tensor<?x?xf32>
    scf.yield %acc_n : tensor<?x?xf32>
  }

  // + a * X[rows, cols] (only when a != 0), X's tile read once, after the
  // loop: read before it, the accumulator's start held the ring's first
  // copies back until it arrived.
  %has_a = arith.cmpf one, %a, %zero : f32
  %sum = scf.if %has_a -> (tensor<?x?xf32>) {
    %xv = tessel.block_load %x[%bz, %m0, %n0] shape [%grid_z, %m, %n]
            strides [%xb, %sxr, %sc] sizes [%BM, %BN] : !tessel.ptr<bf16> -> tensor<?x?xbf16>
    %xv32 = arith.extf %xv : tensor<?x?xbf16> to tensor<?x?xf32>
    %as = tessel.splat %a [%BM, %BN] : f32 -> tensor<?x?xf32>
    %ax = arith.mulf %as, %xv32 : tensor<?x?xf32>
    %with_a = arith.addf %acc, %ax : tensor<?x?xf32>
    scf.yield %with_a : tensor<?x?xf32>
  } else {
    scf.yield %acc : tensor<?x?xf32>
  }

  // X' has its own strides (the last step writes the caller's output, which
  // may be transposed) and X's batch stride.
  %out = arith.truncf %sum : tensor<?x?xf32> to tensor<?x?xbf16>
  tessel.block_store %xo[%bz, %m0, %n0] shape [%grid_z, %m, %n]
    strides [%xb, %sor, %soc], %out : !tessel.ptr<bf16>, tensor<?x?xbf16>
  return
}
