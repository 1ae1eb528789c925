// matmul.mlir — C = alpha * A * B + beta * C in bf16 with fp32 accumulation,
// row-major A (M x K, leading dimension lda), B (K x N, ldb) and C (M x N,
// ldc), any M, N, K. The operand tiles are block loads: the tensor is
// described once and edges read as zero, so there are no masks in the K loop.
// On sm_90a with wgmma, that loop becomes TMA copies into a ring of
// NUM_STAGES shared-memory stages feeding wgmma (TmaPipeline.cpp); elsewhere
// the block loads are masked loads, and with WARP_ROLES = 2 a producer
// warpgroup feeds the ring, running ahead into a program's next tile while
// its consumers store the last one. Grid: (P, 1, 1) for any P >= 1; each
// program loops over tiles p, p + P, ... (P = tiles: one tile each; P = the
// number of SMs: persistent).
func.func @matmul(%a: !tessel.ptr<bf16>, %b: !tessel.ptr<bf16>, %c: !tessel.ptr<bf16>,
                  %M: i32, %N: i32, %K: i32, %lda: i32, %ldb: i32, %ldc: i32,
                  %alpha: f32, %beta: f32)
    // At most 128 fp32 accumulators per thread; the ring of both operand
    // tiles in shared memory.
    attributes {tessel.kernel, tessel.constraints = [
      "BLOCK_M * BLOCK_N <= 128 * 32 * num_warps",
      "(BLOCK_M + BLOCK_N) * BLOCK_K * 2 * NUM_STAGES + 1024 <= SMEM"]} {
  %BM = tessel.param "BLOCK_M" {default_value = 128 : i64, values = array<i64: 64, 128, 256>} : index
  %BN = tessel.param "BLOCK_N" {default_value = 128 : i64, values = array<i64: 64, 128, 256>} : index
  %BK = tessel.param "BLOCK_K" {default_value = 64 : i64, values = array<i64: 32, 64, 128>} : index
  %S = tessel.param "NUM_STAGES" {default_value = 4 : i64, values = array<i64: 2, 3, 4, 5>} : index
  %warps = tessel.param "num_warps" {default_value = 8 : i64, values = array<i64: 4, 8>} : index
  // 2: one more warpgroup only issues the TMA copies (sm_90a ring form).
  %roles = tessel.param "WARP_ROLES" {default_value = 1 : i64, values = array<i64: 1, 2>} : index
  %bm = arith.index_cast %BM : index to i32
  %bn = arith.index_cast %BN : index to i32
  %one = arith.constant 1 : i32

  // Tiles: program p takes tiles p, p + programs, ... of the
  // cdiv(M, BLOCK_M) x cdiv(N, BLOCK_N) grid (launch one program per tile,
  // or as many as the GPU holds at once: a persistent kernel). Tile t is
  // taken in groups of GROUP_M tile rows down a column band (instead of a
  // whole row of tiles), which keeps the A rows and B columns in flight
  // small enough to stay in L2.
  %G = tessel.param "GROUP_M" {default_value = 8 : i64, values = array<i64: 1, 4, 8, 16>} : index
  %group_m = arith.index_cast %G : index to i32
  %bm1 = arith.subi %bm, %one : i32
  %bn1 = arith.subi %bn, %one : i32
  %Mr = arith.addi %M, %bm1 : i32
  %Nr = arith.addi %N, %bn1 : i32
  %gm = arith.divsi %Mr, %bm : i32
  %gn = arith.divsi %Nr, %bn : i32
  %ntiles = arith.muli %gm, %gn : i32
  %pid = tessel.program_id 0 : i32
  %nprog = tessel.num_programs 0 : i32
  %first = arith.index_cast %pid : i32 to index
  %stride = arith.index_cast %nprog : i32 to index
  %last = arith.index_cast %ntiles : i32 to index
  %per_group = arith.muli %group_m, %gn : i32
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %kend = arith.index_cast %K : i32 to index
  scf.for %t = %first to %last step %stride {
  %lin = arith.index_cast %t : index to i32
  %group = arith.divsi %lin, %per_group : i32
  %first_m = arith.muli %group, %group_m : i32
  %left_m = arith.subi %gm, %first_m : i32
  %group_rows = arith.minsi %left_m, %group_m : i32
  %in_group = arith.remsi %lin, %per_group : i32
  %row_in = arith.remsi %in_group, %group_rows : i32
  %pid_m = arith.addi %first_m, %row_in : i32
  %pid_n = arith.divsi %in_group, %group_rows : i32
  %m0 = arith.muli %pid_m, %bm : i32
  %n0 = arith.muli %pid_n, %bn : i32

  // acc += A[m0:, k:k+BK] * B[k:k+BK, n0:]
  %acc0 = tessel.splat %zero [%BM, %BN] : f32 -> tensor<?x?xf32>
  %acc = scf.for %k = %c0 to %kend step %BK iter_args(%acc_i = %acc0) -> (tensor<?x?xf32>) {
    %k32 = arith.index_cast %k : index to i32
    %at = tessel.block_load %a[%m0, %k32] shape [%M, %K] strides [%lda, %one]
            sizes [%BM, %BK] : !tessel.ptr<bf16> -> tensor<?x?xbf16>
    %bt = tessel.block_load %b[%k32, %n0] shape [%K, %N] strides [%ldb, %one]
            sizes [%BK, %BN] : !tessel.ptr<bf16> -> tensor<?x?xbf16>
    %acc_n = tessel.dot %at, %bt, %acc_i : tensor<?x?xbf16>, tensor<?x?xbf16> -> tensor<?x?xf32>
    scf.yield %acc_n : tensor<?x?xf32>
  }

  // Epilogue: C = alpha * acc + beta * C, the C box described like the
  // operands (outside the matrix nothing is read or written).
  %alphas = tessel.splat %alpha [%BM, %BN] : f32 -> tensor<?x?xf32>
  %scaled = arith.mulf %alphas, %acc : tensor<?x?xf32>
  // C is read only when beta != 0 (C = A * B must not pay for reading it).
  %beta_nz = arith.cmpf une, %beta, %zero : f32
  %sum = scf.if %beta_nz -> (tensor<?x?xf32>) {
    %c_old = tessel.block_load %c[%m0, %n0] shape [%M, %N] strides [%ldc, %one]
               sizes [%BM, %BN] : !tessel.ptr<bf16> -> tensor<?x?xbf16>
    %c_old32 = arith.extf %c_old : tensor<?x?xbf16> to tensor<?x?xf32>
    %betas = tessel.splat %beta [%BM, %BN] : f32 -> tensor<?x?xf32>
    %prev = arith.mulf %betas, %c_old32 : tensor<?x?xf32>
    %both = arith.addf %scaled, %prev : tensor<?x?xf32>
    scf.yield %both : tensor<?x?xf32>
  } else {
    scf.yield %scaled : tensor<?x?xf32>
  }
  %out = arith.truncf %sum : tensor<?x?xf32> to tensor<?x?xbf16>
  tessel.block_store %c[%m0, %n0] shape [%M, %N] strides [%ldc, %one], %out
    : !tessel.ptr<bf16>, tensor<?x?xbf16>
  }
  return
}
