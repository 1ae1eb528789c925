// line3.mlir — NS line 3: X' = a * X + B * X in one pass. B is m x m (bf16,
// row-major, leading dimension ldb); X and X' are m x n views with element
// strides (sxr, sxc) and (sor, soc), so tall inputs are read and written
// transposed without a copy. The program's X tile is loaded once, as the
// accumulator's start (a * X), then the K loop adds B[rows, :] * X[:, cols].
// Grid: (cdiv(m, BLOCK_M), cdiv(n, BLOCK_N), batch); batch offsets 64-bit.
func.func @ns_line3(%b: !tessel.ptr<bf16>, %x: !tessel.ptr<bf16>, %xo: !tessel.ptr<bf16>,
                    %m: i32, %n: i32, %ldb: i32, %sxr: i32, %sxc: i32,
                    %sor: i32, %soc: i32, %b_batch: i64, %x_batch: i64, %a: f32)
    // Config space: at most 64 fp32 accumulators per thread (more spill),
    // and both operand tiles (rows padded by 8) in shared memory.
    attributes {tessel.kernel, tessel.constraints = [
      "BLOCK_M * BLOCK_N <= 64 * 32 * num_warps",
      "(BLOCK_M + BLOCK_N) * (BLOCK_K + 8) * 2 <= SMEM"]} {
  %BM = tessel.param "BLOCK_M" {default_value = 64 : i64, values = array<i64: 32, 64, 128>} : index
  %BN = tessel.param "BLOCK_N" {default_value = 64 : i64, values = array<i64: 32, 64, 128>} : index
  %BK = tessel.param "BLOCK_K" {default_value = 32 : i64, values = array<i64: 16, 32, 64>} : index
  %warps = tessel.param "num_warps" {default_value = 4 : i64, values = array<i64: 4, 8>} : index
  %bm = arith.index_cast %BM : index to i32
  %bn = arith.index_cast %BN : index to i32
  %bk = arith.index_cast %BK : index to i32

  %bz = tessel.program_id 2 : i32
  %bz64 = arith.extsi %bz : i32 to i64
  %bofs = arith.muli %bz64, %b_batch : i64
  %xofs = arith.muli %bz64, %x_batch : i64
  %bmat = tessel.addptr %b, %bofs : !tessel.ptr<bf16>, i64
  %xmat = tessel.addptr %x, %xofs : !tessel.ptr<bf16>, i64
  %omat = tessel.addptr %xo, %xofs : !tessel.ptr<bf16>, i64

  %pm = tessel.program_id 0 : i32
  %pn = tessel.program_id 1 : i32
  %m0 = arith.muli %pm, %bm : i32
  %n0 = arith.muli %pn, %bn : i32
  %rm = tessel.range %BM : tensor<?xi32>
  %rn = tessel.range %BN : tensor<?xi32>
  %rk = tessel.range %BK : tensor<?xi32>
  %m0s = tessel.splat %m0 [%BM] : i32 -> tensor<?xi32>
  %n0s = tessel.splat %n0 [%BN] : i32 -> tensor<?xi32>
  %rows = arith.addi %m0s, %rm : tensor<?xi32>
  %cols = arith.addi %n0s, %rn : tensor<?xi32>

  // The output tile's coordinates and mask (rows < m, cols < n).
  %er = tessel.expand_dims %rows {axis = 1 : i32} : tensor<?xi32> -> tensor<?x1xi32>
  %ec = tessel.expand_dims %cols {axis = 0 : i32} : tensor<?xi32> -> tensor<1x?xi32>
  %er2 = tessel.broadcast %er [%BM, %BN] : tensor<?x1xi32> -> tensor<?x?xi32>
  %ec2 = tessel.broadcast %ec [%BM, %BN] : tensor<1x?xi32> -> tensor<?x?xi32>
  %ms = tessel.splat %m [%BM, %BN] : i32 -> tensor<?x?xi32>
  %ns = tessel.splat %n [%BM, %BN] : i32 -> tensor<?x?xi32>
  %rok = arith.cmpi slt, %er2, %ms : tensor<?x?xi32>
  %cok = arith.cmpi slt, %ec2, %ns : tensor<?x?xi32>
  %omask = arith.andi %rok, %cok : tensor<?x?xi1>

  // acc starts as a * X[rows, cols]: X's tile is read once.
  %sxrs = tessel.splat %sxr [%BM, %BN] : i32 -> tensor<?x?xi32>
  %sxcs = tessel.splat %sxc [%BM, %BN] : i32 -> tensor<?x?xi32>
  %xr = arith.muli %er2, %sxrs : tensor<?x?xi32>
  %xc = arith.muli %ec2, %sxcs : tensor<?x?xi32>
  %xoff = arith.addi %xr, %xc : tensor<?x?xi32>
  %xbase = tessel.splat %xmat [%BM, %BN] : !tessel.ptr<bf16> -> tensor<?x?x!tessel.ptr<bf16>>
  %xptr = tessel.addptr %xbase, %xoff : tensor<?x?x!tessel.ptr<bf16>>, tensor<?x?xi32>
  %xv = tessel.load %xptr, %omask : tensor<?x?x!tessel.ptr<bf16>>
  %xv32 = arith.extf %xv : tensor<?x?xbf16> to tensor<?x?xf32>
  %as = tessel.splat %a [%BM, %BN] : f32 -> tensor<?x?xf32>
  %acc0 = arith.mulf %as, %xv32 : tensor<?x?xf32>

  // Left operand B[rows, kk] (BLOCK_M x BLOCK_K).
  %lr = tessel.expand_dims %rows {axis = 1 : i32} : tensor<?xi32> -> tensor<?x1xi32>
  %ldbs = tessel.splat %ldb [%BM] : i32 -> tensor<?x1xi32>
  %lro = arith.muli %lr, %ldbs : tensor<?x1xi32>
  %lk = tessel.expand_dims %rk {axis = 0 : i32} : tensor<?xi32> -> tensor<1x?xi32>
  %lro2 = tessel.broadcast %lro [%BM, %BK] : tensor<?x1xi32> -> tensor<?x?xi32>
  %lk2 = tessel.broadcast %lk [%BM, %BK] : tensor<1x?xi32> -> tensor<?x?xi32>
  %loff = arith.addi %lro2, %lk2 : tensor<?x?xi32>
  %lbase = tessel.splat %bmat [%BM, %BK] : !tessel.ptr<bf16> -> tensor<?x?x!tessel.ptr<bf16>>
  %lptr0 = tessel.addptr %lbase, %loff : tensor<?x?x!tessel.ptr<bf16>>, tensor<?x?xi32>
  %mss = tessel.splat %m [%BM] : i32 -> tensor<?x1xi32>
  %lrok = arith.cmpi slt, %lr, %mss : tensor<?x1xi32>
  %lrok2 = tessel.broadcast %lrok [%BM, %BK] : tensor<?x1xi1> -> tensor<?x?xi1>

  // Right operand X[kk, cols] (BLOCK_K x BLOCK_N).
  %rk2 = tessel.expand_dims %rk {axis = 1 : i32} : tensor<?xi32> -> tensor<?x1xi32>
  %sxrk = tessel.splat %sxr [%BK] : i32 -> tensor<?x1xi32>
  %rko = arith.muli %rk2, %sxrk : tensor<?x1xi32>
  %rc = tessel.expand_dims %cols {axis = 0 : i32} : tensor<?xi32> -> tensor<1x?xi32>
  %sxcn = tessel.splat %sxc [%BN] : i32 -> tensor<1x?xi32>
  %rco = arith.muli %rc, %sxcn : tensor<1x?xi32>
  %rko2 = tessel.broadcast %rko [%BK, %BN] : tensor<?x1xi32> -> tensor<?x?xi32>
  %rco2 = tessel.broadcast %rco [%BK, %BN] : tensor<1x?xi32> -> tensor<?x?xi32>
  %roff = arith.addi %rko2, %rco2 : tensor<?x?xi32>
  %rbase = tessel.splat %xmat [%BK, %BN] : !tessel.ptr<bf16> -> tensor<?x?x!tessel.ptr<bf16>>
  %rptr0 = tessel.addptr %rbase, %roff : tensor<?x?x!tessel.ptr<bf16>>, tensor<?x?xi32>
  %nss = tessel.splat %n [%BN] : i32 -> tensor<1x?xi32>
  %rcok = arith.cmpi slt, %rc, %nss : tensor<1x?xi32>
  %rcok2 = tessel.broadcast %rcok [%BK, %BN] : tensor<1x?xi1> -> tensor<?x?xi1>

  %lstep = tessel.splat %bk [%BM, %BK] : i32 -> tensor<?x?xi32>
  %rstepv = arith.muli %bk, %sxr : i32
  %rstep = tessel.splat %rstepv [%BK, %BN] : i32 -> tensor<?x?xi32>
  %c0 = arith.constant 0 : index
  %kend = arith.index_cast %m : i32 to index
  %acc, %lp, %rp = scf.for %kk = %c0 to %kend step %BK
      iter_args(%acc_i = %acc0, %lp_i = %lptr0, %rp_i = %rptr0)
      -> (tensor<?x?xf32>, tensor<?x?x!tessel.ptr<bf16>>, tensor<?x?x!tessel.ptr<bf16>>) {
    %kk32 = arith.index_cast %kk : index to i32
    %kks = tessel.splat %kk32 [%BK] : i32 -> tensor<?xi32>
    %kidx = arith.addi %kks, %rk : tensor<?xi32>
    %kms = tessel.splat %m [%BK] : i32 -> tensor<?xi32>
    %k_ok = arith.cmpi slt, %kidx, %kms : tensor<?xi32>
    %k_ok_l = tessel.expand_dims %k_ok {axis = 0 : i32} : tensor<?xi1> -> tensor<1x?xi1>
    %k_ok_l2 = tessel.broadcast %k_ok_l [%BM, %BK] : tensor<1x?xi1> -> tensor<?x?xi1>
    %lmask = arith.andi %lrok2, %k_ok_l2 : tensor<?x?xi1>
    %k_ok_r = tessel.expand_dims %k_ok {axis = 1 : i32} : tensor<?xi1> -> tensor<?x1xi1>
    %k_ok_r2 = tessel.broadcast %k_ok_r [%BK, %BN] : tensor<?x1xi1> -> tensor<?x?xi1>
    %rmask = arith.andi %rcok2, %k_ok_r2 : tensor<?x?xi1>
    %lt = tessel.load %lp_i, %lmask : tensor<?x?x!tessel.ptr<bf16>>
    %rt = tessel.load %rp_i, %rmask : tensor<?x?x!tessel.ptr<bf16>>
    %acc_n = tessel.dot %lt, %rt, %acc_i : tensor<?x?xbf16>, tensor<?x?xbf16> -> tensor<?x?xf32>
    %lp_n = tessel.addptr %lp_i, %lstep : tensor<?x?x!tessel.ptr<bf16>>, tensor<?x?xi32>
    %rp_n = tessel.addptr %rp_i, %rstep : tensor<?x?x!tessel.ptr<bf16>>, tensor<?x?xi32>
    scf.yield %acc_n, %lp_n, %rp_n : tensor<?x?xf32>, tensor<?x?x!tessel.ptr<bf16>>, tensor<?x?x!tessel.ptr<bf16>>
  }

  %sors = tessel.splat %sor [%BM, %BN] : i32 -> tensor<?x?xi32>
  %socs = tessel.splat %soc [%BM, %BN] : i32 -> tensor<?x?xi32>
  %or = arith.muli %er2, %sors : tensor<?x?xi32>
  %oc = arith.muli %ec2, %socs : tensor<?x?xi32>
  %ooff = arith.addi %or, %oc : tensor<?x?xi32>
  %obase = tessel.splat %omat [%BM, %BN] : !tessel.ptr<bf16> -> tensor<?x?x!tessel.ptr<bf16>>
  %optr = tessel.addptr %obase, %ooff : tensor<?x?x!tessel.ptr<bf16>>, tensor<?x?xi32>
  %out = arith.truncf %acc : tensor<?x?xf32> to tensor<?x?xbf16>
  tessel.store %optr, %out, %omask : tensor<?x?x!tessel.ptr<bf16>>
  return
}
