// gemm.mlir — C = alpha * A * B + beta * C in bf16 with fp32 accumulation.
// Any M, N, K (ragged edges masked); strides make B row-major (K x N,
// stride_bk = ldb, stride_bn = 1) or transposed (stored N x K, stride_bk = 1,
// stride_bn = ldb) with the same kernel. Grid: (cdiv(M, BLOCK_M), cdiv(N, BLOCK_N)).
func.func @gemm(%a: !tessel.ptr<bf16>, %b: !tessel.ptr<bf16>, %c: !tessel.ptr<bf16>,
                %M: i32, %N: i32, %K: i32,
                %stride_am: i32, %stride_ak: i32, %stride_bk: i32, %stride_bn: i32,
                %stride_cm: i32, %stride_cn: i32, %alpha: f32, %beta: f32)
    // Config space: at most 128 fp32 accumulators per thread (of 255
    // registers), and both operand tiles (rows padded by 8) in shared memory.
    attributes {tessel.kernel, tessel.constraints = [
      "BLOCK_M * BLOCK_N <= 128 * 32 * num_warps",
      "(BLOCK_M + BLOCK_N) * (BLOCK_K + 8) * 2 <= SMEM"]} {
  %BM = tessel.param "BLOCK_M" {default_value = 128 : i64, values = array<i64: 32, 64, 128>} : index
  %BN = tessel.param "BLOCK_N" {default_value = 128 : i64, values = array<i64: 32, 64, 128>} : index
  %BK = tessel.param "BLOCK_K" {default_value = 32 : i64, values = array<i64: 16, 32, 64>} : index
  %warps = tessel.param "num_warps" {default_value = 4 : i64, values = array<i64: 4, 8>} : index
  %bm = arith.index_cast %BM : index to i32
  %bn = arith.index_cast %BN : index to i32
  %bk = arith.index_cast %BK : index to i32

  // Rows and columns this program owns.
  %pid_m = tessel.program_id 0 : i32
  %pid_n = tessel.program_id 1 : i32
  %m0 = arith.muli %pid_m, %bm : i32
  %n0 = arith.muli %pid_n, %bn : i32
  %rm = tessel.range %BM : tensor<?xi32>
  %rn = tessel.range %BN : tensor<?xi32>
  %rk = tessel.range %BK : tensor<?xi32>
  %m0s = tessel.splat %m0 [%BM] : i32 -> tensor<?xi32>
  %n0s = tessel.splat %n0 [%BN] : i32 -> tensor<?xi32>
  %offm = arith.addi %m0s, %rm : tensor<?xi32>
  %offn = arith.addi %n0s, %rn : tensor<?xi32>

  // A tile pointers: a + offm[:, None] * stride_am + rk[None, :] * stride_ak.
  %am = tessel.expand_dims %offm {axis = 1 : i32} : tensor<?xi32> -> tensor<?x1xi32>
  %sam = tessel.splat %stride_am [%BM] : i32 -> tensor<?x1xi32>
  %amo = arith.muli %am, %sam : tensor<?x1xi32>
  %ak = tessel.expand_dims %rk {axis = 0 : i32} : tensor<?xi32> -> tensor<1x?xi32>
  %sak = tessel.splat %stride_ak [%BK] : i32 -> tensor<1x?xi32>
  %ako = arith.muli %ak, %sak : tensor<1x?xi32>
  %amo2 = tessel.broadcast %amo [%BM, %BK] : tensor<?x1xi32> -> tensor<?x?xi32>
  %ako2 = tessel.broadcast %ako [%BM, %BK] : tensor<1x?xi32> -> tensor<?x?xi32>
  %aoff = arith.addi %amo2, %ako2 : tensor<?x?xi32>
  %abase = tessel.splat %a [%BM, %BK] : !tessel.ptr<bf16> -> tensor<?x?x!tessel.ptr<bf16>>
  %aptr0 = tessel.addptr %abase, %aoff : tensor<?x?x!tessel.ptr<bf16>>, tensor<?x?xi32>
  %Ms = tessel.splat %M [%BM] : i32 -> tensor<?x1xi32>
  %arow_ok = arith.cmpi slt, %am, %Ms : tensor<?x1xi32>
  %arow_ok2 = tessel.broadcast %arow_ok [%BM, %BK] : tensor<?x1xi1> -> tensor<?x?xi1>

  // B tile pointers: b + rk[:, None] * stride_bk + offn[None, :] * stride_bn.
  %bkk = tessel.expand_dims %rk {axis = 1 : i32} : tensor<?xi32> -> tensor<?x1xi32>
  %sbk = tessel.splat %stride_bk [%BK] : i32 -> tensor<?x1xi32>
  %bko = arith.muli %bkk, %sbk : tensor<?x1xi32>
  %bnn = tessel.expand_dims %offn {axis = 0 : i32} : tensor<?xi32> -> tensor<1x?xi32>
  %sbn = tessel.splat %stride_bn [%BN] : i32 -> tensor<1x?xi32>
  %bno = arith.muli %bnn, %sbn : tensor<1x?xi32>
  %bko2 = tessel.broadcast %bko [%BK, %BN] : tensor<?x1xi32> -> tensor<?x?xi32>
  %bno2 = tessel.broadcast %bno [%BK, %BN] : tensor<1x?xi32> -> tensor<?x?xi32>
  %boff = arith.addi %bko2, %bno2 : tensor<?x?xi32>
  %bbase = tessel.splat %b [%BK, %BN] : !tessel.ptr<bf16> -> tensor<?x?x!tessel.ptr<bf16>>
  %bptr0 = tessel.addptr %bbase, %boff : tensor<?x?x!tessel.ptr<bf16>>, tensor<?x?xi32>
  %Ns = tessel.splat %N [%BN] : i32 -> tensor<1x?xi32>
  %bcol_ok = arith.cmpi slt, %bnn, %Ns : tensor<1x?xi32>
  %bcol_ok2 = tessel.broadcast %bcol_ok [%BK, %BN] : tensor<1x?xi1> -> tensor<?x?xi1>

  // K loop: acc += A[:, k:k+BK] * B[k:k+BK, :], the K tail masked.
  %zero = arith.constant 0.0 : f32
  %acc0 = tessel.splat %zero [%BM, %BN] : f32 -> tensor<?x?xf32>
  %stepa = arith.muli %bk, %stride_ak : i32
  %stepb = arith.muli %bk, %stride_bk : i32
  %stepas = tessel.splat %stepa [%BM, %BK] : i32 -> tensor<?x?xi32>
  %stepbs = tessel.splat %stepb [%BK, %BN] : i32 -> tensor<?x?xi32>
  %c0 = arith.constant 0 : index
  %kend = arith.index_cast %K : i32 to index
  %acc, %ap, %bp = scf.for %k = %c0 to %kend step %BK
      iter_args(%acc_i = %acc0, %ap_i = %aptr0, %bp_i = %bptr0)
      -> (tensor<?x?xf32>, tensor<?x?x!tessel.ptr<bf16>>, tensor<?x?x!tessel.ptr<bf16>>) {
    %k32 = arith.index_cast %k : index to i32
    %ks = tessel.splat %k32 [%BK] : i32 -> tensor<?xi32>
    %kk = arith.addi %ks, %rk : tensor<?xi32>
    %Ks = tessel.splat %K [%BK] : i32 -> tensor<?xi32>
    %k_ok = arith.cmpi slt, %kk, %Ks : tensor<?xi32>
    %k_ok_a = tessel.expand_dims %k_ok {axis = 0 : i32} : tensor<?xi1> -> tensor<1x?xi1>
    %k_ok_a2 = tessel.broadcast %k_ok_a [%BM, %BK] : tensor<1x?xi1> -> tensor<?x?xi1>
    %amask = arith.andi %arow_ok2, %k_ok_a2 : tensor<?x?xi1>
    %k_ok_b = tessel.expand_dims %k_ok {axis = 1 : i32} : tensor<?xi1> -> tensor<?x1xi1>
    %k_ok_b2 = tessel.broadcast %k_ok_b [%BK, %BN] : tensor<?x1xi1> -> tensor<?x?xi1>
    %bmask = arith.andi %bcol_ok2, %k_ok_b2 : tensor<?x?xi1>
    %at = tessel.load %ap_i, %amask : tensor<?x?x!tessel.ptr<bf16>>
    %bt = tessel.load %bp_i, %bmask : tensor<?x?x!tessel.ptr<bf16>>
    %acc_n = tessel.dot %at, %bt, %acc_i : tensor<?x?xbf16>, tensor<?x?xbf16> -> tensor<?x?xf32>
    %ap_n = tessel.addptr %ap_i, %stepas : tensor<?x?x!tessel.ptr<bf16>>, tensor<?x?xi32>
    %bp_n = tessel.addptr %bp_i, %stepbs : tensor<?x?x!tessel.ptr<bf16>>, tensor<?x?xi32>
    scf.yield %acc_n, %ap_n, %bp_n : tensor<?x?xf32>, tensor<?x?x!tessel.ptr<bf16>>, tensor<?x?x!tessel.ptr<bf16>>
  }

  // Epilogue: C = alpha * acc + beta * C, masked to the matrix.
  %cm = tessel.expand_dims %offm {axis = 1 : i32} : tensor<?xi32> -> tensor<?x1xi32>
  %scm = tessel.splat %stride_cm [%BM] : i32 -> tensor<?x1xi32>
  %cmo = arith.muli %cm, %scm : tensor<?x1xi32>
  %cn = tessel.expand_dims %offn {axis = 0 : i32} : tensor<?xi32> -> tensor<1x?xi32>
  %scn = tessel.splat %stride_cn [%BN] : i32 -> tensor<1x?xi32>
  %cno = arith.muli %cn, %scn : tensor<1x?xi32>
  %cmo2 = tessel.broadcast %cmo [%BM, %BN] : tensor<?x1xi32> -> tensor<?x?xi32>
  %cno2 = tessel.broadcast %cno [%BM, %BN] : tensor<1x?xi32> -> tensor<?x?xi32>
  %coff = arith.addi %cmo2, %cno2 : tensor<?x?xi32>
  %cbase = tessel.splat %c [%BM, %BN] : !tessel.ptr<bf16> -> tensor<?x?x!tessel.ptr<bf16>>
  %cptr = tessel.addptr %cbase, %coff : tensor<?x?x!tessel.ptr<bf16>>, tensor<?x?xi32>
  %cMs = tessel.splat %M [%BM] : i32 -> tensor<?x1xi32>
  %crow_ok = arith.cmpi slt, %cm, %cMs : tensor<?x1xi32>
  %cNs = tessel.splat %N [%BN] : i32 -> tensor<1x?xi32>
  %ccol_ok = arith.cmpi slt, %cn, %cNs : tensor<1x?xi32>
  %crow_ok2 = tessel.broadcast %crow_ok [%BM, %BN] : tensor<?x1xi1> -> tensor<?x?xi1>
  %ccol_ok2 = tessel.broadcast %ccol_ok [%BM, %BN] : tensor<1x?xi1> -> tensor<?x?xi1>
  %cmask = arith.andi %crow_ok2, %ccol_ok2 : tensor<?x?xi1>
  %c_old = tessel.load %cptr, %cmask : tensor<?x?x!tessel.ptr<bf16>>
  %c_old32 = arith.extf %c_old : tensor<?x?xbf16> to tensor<?x?xf32>
  %alphas = tessel.splat %alpha [%BM, %BN] : f32 -> tensor<?x?xf32>
  %betas = tessel.splat %beta [%BM, %BN] : f32 -> tensor<?x?xf32>
  %scaled = arith.mulf %alphas, %acc : tensor<?x?xf32>
  %prev = arith.mulf %betas, %c_old32 : tensor<?x?xf32>
  %sum = arith.addf %scaled, %prev : tensor<?x?xf32>
  %out = arith.truncf %sum : tensor<?x?xf32> to tensor<?x?xbf16>
  tessel.store %cptr, %out, %cmask : tensor<?x?x!tessel.ptr<bf16>>
  return
}
