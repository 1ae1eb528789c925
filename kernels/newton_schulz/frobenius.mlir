// frobenius.mlir — the normalization of the 5-step variants:
//   X <- X / (scale * ||X||_F + eps)   (scale 1 for muon5/quintic5, 1.02 for
//                                        polar_express5; eps 1e-7 / 1e-6)
// Two launches, because the norm needs every element before any is scaled:
//   frob_rowsq    grid (cdiv(m, BLOCK_M), 1, batch): r[i] = sum_j X[i, j]^2 (fp32);
//   frob_scale    grid (cdiv(m, BLOCK_M), cdiv(n, BLOCK_N), batch): each program
//                 sums r (m floats, cheap), then scales its tile of X into Xo.
// X and Xo are m x n views with element strides, so tall inputs need no copy.
// A zero matrix gives X / eps = 0: zeros, never NaN.
func.func @frob_rowsq(%x: !tessel.ptr<bf16>, %r: !tessel.ptr<f32>, %m: i32, %n: i32,
                      %sxr: i32, %sxc: i32, %x_batch: i64) attributes {tessel.kernel} {
  %BM = tessel.param "BLOCK_M" {default_value = 32 : i64, values = array<i64: 16, 32, 64>} : index
  %BN = tessel.param "BLOCK_N" {default_value = 128 : i64, values = array<i64: 64, 128, 256>} : index
  %warps = tessel.param "num_warps" {default_value = 4 : i64, values = array<i64: 2, 4, 8>} : index
  %bm = arith.index_cast %BM : index to i32
  %bz = tessel.program_id 2 : i32
  %bz64 = arith.extsi %bz : i32 to i64
  %xo = arith.muli %bz64, %x_batch : i64
  %m64 = arith.extsi %m : i32 to i64
  %ro = arith.muli %bz64, %m64 : i64
  %xmat = tessel.addptr %x, %xo : !tessel.ptr<bf16>, i64
  %rvec = tessel.addptr %r, %ro : !tessel.ptr<f32>, i64
  %pid = tessel.program_id 0 : i32
  %r0 = arith.muli %pid, %bm : i32
  %rr = tessel.range %BM : tensor<?xi32>
  %rn = tessel.range %BN : tensor<?xi32>
  %r0s = tessel.splat %r0 [%BM] : i32 -> tensor<?xi32>
  %rows = arith.addi %r0s, %rr : tensor<?xi32>
  %ms1 = tessel.splat %m [%BM] : i32 -> tensor<?xi32>
  %row_ok = arith.cmpi slt, %rows, %ms1 : tensor<?xi32>
  %r2 = tessel.expand_dims %rows {axis = 1 : i32} : tensor<?xi32> -> tensor<?x1xi32>
  %r22 = tessel.broadcast %r2 [%BM, %BN] : tensor<?x1xi32> -> tensor<?x?xi32>
  %rok = tessel.expand_dims %row_ok {axis = 1 : i32} : tensor<?xi1> -> tensor<?x1xi1>
  %rok2 = tessel.broadcast %rok [%BM, %BN] : tensor<?x1xi1> -> tensor<?x?xi1>
  %sxrs = tessel.splat %sxr [%BM, %BN] : i32 -> tensor<?x?xi32>
  %xrow = arith.muli %r22, %sxrs : tensor<?x?xi32>
  %xbase = tessel.splat %xmat [%BM, %BN] : !tessel.ptr<bf16> -> tensor<?x?x!tessel.ptr<bf16>>
  %zero = arith.constant 0.0 : f32
  %acc0 = tessel.splat %zero [%BM, %BN] : f32 -> tensor<?x?xf32>
  %c0 = arith.constant 0 : index
  %nend = arith.index_cast %n : i32 to index
  %acc = scf.for %j = %c0 to %nend step %BN iter_args(%acc_i = %acc0) -> (tensor<?x?xf32>) {
    %j32 = arith.index_cast %j : index to i32
    %js = tessel.splat %j32 [%BN] : i32 -> tensor<?xi32>
    %cols = arith.addi %js, %rn : tensor<?xi32>
    %c2 = tessel.expand_dims %cols {axis = 0 : i32} : tensor<?xi32> -> tensor<1x?xi32>
    %c22 = tessel.broadcast %c2 [%BM, %BN] : tensor<1x?xi32> -> tensor<?x?xi32>
    %sxcs = tessel.splat %sxc [%BM, %BN] : i32 -> tensor<?x?xi32>
    %xcol = arith.muli %c22, %sxcs : tensor<?x?xi32>
    %off = arith.addi %xrow, %xcol : tensor<?x?xi32>
    %ptr = tessel.addptr %xbase, %off : tensor<?x?x!tessel.ptr<bf16>>, tensor<?x?xi32>
    %ns2 = tessel.splat %n [%BM, %BN] : i32 -> tensor<?x?xi32>
    %cok = arith.cmpi slt, %c22, %ns2 : tensor<?x?xi32>
    %mask = arith.andi %rok2, %cok : tensor<?x?xi1>
    %v = tessel.load %ptr, %mask : tensor<?x?x!tessel.ptr<bf16>>
    %v32 = arith.extf %v : tensor<?x?xbf16> to tensor<?x?xf32>
    %sq = arith.mulf %v32, %v32 : tensor<?x?xf32>
    %acc_n = arith.addf %acc_i, %sq : tensor<?x?xf32>
    scf.yield %acc_n : tensor<?x?xf32>
  }
  %sums = tessel.reduce sum %acc {axis = 1 : i32} : tensor<?x?xf32> -> tensor<?xf32>
  %rbase = tessel.splat %rvec [%BM] : !tessel.ptr<f32> -> tensor<?x!tessel.ptr<f32>>
  %rptr = tessel.addptr %rbase, %rows : tensor<?x!tessel.ptr<f32>>, tensor<?xi32>
  tessel.store %rptr, %sums, %row_ok : tensor<?x!tessel.ptr<f32>>
  return
}

func.func @frob_scale(%x: !tessel.ptr<bf16>, %r: !tessel.ptr<f32>, %xout: !tessel.ptr<bf16>,
                      %m: i32, %n: i32, %sxr: i32, %sxc: i32, %sor: i32, %soc: i32,
                      %x_batch: i64, %scale: f32, %eps: f32) attributes {tessel.kernel} {
  %BM = tessel.param "BLOCK_M" {default_value = 64 : i64, values = array<i64: 32, 64, 128>} : index
  %BN = tessel.param "BLOCK_N" {default_value = 64 : i64, values = array<i64: 32, 64, 128>} : index
  %BR = tessel.param "BLOCK_R" {default_value = 256 : i64, values = array<i64: 128, 256, 512>} : index
  %warps = tessel.param "num_warps" {default_value = 4 : i64, values = array<i64: 2, 4, 8>} : index
  %bm = arith.index_cast %BM : index to i32
  %bn = arith.index_cast %BN : index to i32
  %c1 = arith.constant 1 : index
  %bz = tessel.program_id 2 : i32
  %bz64 = arith.extsi %bz : i32 to i64
  %xo = arith.muli %bz64, %x_batch : i64
  %m64 = arith.extsi %m : i32 to i64
  %ro = arith.muli %bz64, %m64 : i64
  %xmat = tessel.addptr %x, %xo : !tessel.ptr<bf16>, i64
  %omat = tessel.addptr %xout, %xo : !tessel.ptr<bf16>, i64
  %rvec = tessel.addptr %r, %ro : !tessel.ptr<f32>, i64

  // ||X||_F^2 = sum of the m row sums, as a 1 x BLOCK_R partial.
  %rr = tessel.range %BR : tensor<?xi32>
  %rr2 = tessel.expand_dims %rr {axis = 0 : i32} : tensor<?xi32> -> tensor<1x?xi32>
  %rbase = tessel.splat %rvec [%BR] : !tessel.ptr<f32> -> tensor<1x?x!tessel.ptr<f32>>
  %zero = arith.constant 0.0 : f32
  %acc0 = tessel.splat %zero [%BR] : f32 -> tensor<1x?xf32>
  %c0 = arith.constant 0 : index
  %mend = arith.index_cast %m : i32 to index
  %acc = scf.for %i = %c0 to %mend step %BR iter_args(%acc_i = %acc0) -> (tensor<1x?xf32>) {
    %i32v = arith.index_cast %i : index to i32
    %is = tessel.splat %i32v [%BR] : i32 -> tensor<1x?xi32>
    %idx = arith.addi %is, %rr2 : tensor<1x?xi32>
    %ptr = tessel.addptr %rbase, %idx : tensor<1x?x!tessel.ptr<f32>>, tensor<1x?xi32>
    %ms = tessel.splat %m [%BR] : i32 -> tensor<1x?xi32>
    %ok = arith.cmpi slt, %idx, %ms : tensor<1x?xi32>
    %v = tessel.load %ptr, %ok : tensor<1x?x!tessel.ptr<f32>>
    %acc_n = arith.addf %acc_i, %v : tensor<1x?xf32>
    scf.yield %acc_n : tensor<1x?xf32>
  }
  %tot = tessel.reduce sum %acc {axis = 1 : i32} : tensor<1x?xf32> -> tensor<1xf32>
  %norm = math.sqrt %tot : tensor<1xf32>
  %scales = tessel.splat %scale : f32 -> tensor<1xf32>
  %epss = tessel.splat %eps : f32 -> tensor<1xf32>
  %one = arith.constant 1.0 : f32
  %ones = tessel.splat %one : f32 -> tensor<1xf32>
  %sn = arith.mulf %norm, %scales : tensor<1xf32>
  %den = arith.addf %sn, %epss : tensor<1xf32>
  %f = arith.divf %ones, %den : tensor<1xf32>
  %f1 = tessel.expand_dims %f {axis = 1 : i32} : tensor<1xf32> -> tensor<1x1xf32>
  %f2 = tessel.broadcast %f1 [%BM, %BN] : tensor<1x1xf32> -> tensor<?x?xf32>

  %pm = tessel.program_id 0 : i32
  %pn = tessel.program_id 1 : i32
  %m0 = arith.muli %pm, %bm : i32
  %n0 = arith.muli %pn, %bn : i32
  %rm = tessel.range %BM : tensor<?xi32>
  %rn = tessel.range %BN : tensor<?xi32>
  %m0s = tessel.splat %m0 [%BM] : i32 -> tensor<?xi32>
  %n0s = tessel.splat %n0 [%BN] : i32 -> tensor<?xi32>
  %rows = arith.addi %m0s, %rm : tensor<?xi32>
  %cols = arith.addi %n0s, %rn : tensor<?xi32>
  %er = tessel.expand_dims %rows {axis = 1 : i32} : tensor<?xi32> -> tensor<?x1xi32>
  %ec = tessel.expand_dims %cols {axis = 0 : i32} : tensor<?xi32> -> tensor<1x?xi32>
  %er2 = tessel.broadcast %er [%BM, %BN] : tensor<?x1xi32> -> tensor<?x?xi32>
  %ec2 = tessel.broadcast %ec [%BM, %BN] : tensor<1x?xi32> -> tensor<?x?xi32>
  %ms2 = tessel.splat %m [%BM, %BN] : i32 -> tensor<?x?xi32>
  %ns2 = tessel.splat %n [%BM, %BN] : i32 -> tensor<?x?xi32>
  %rok = arith.cmpi slt, %er2, %ms2 : tensor<?x?xi32>
  %cok = arith.cmpi slt, %ec2, %ns2 : tensor<?x?xi32>
  %mask = arith.andi %rok, %cok : tensor<?x?xi1>
  %sxrs = tessel.splat %sxr [%BM, %BN] : i32 -> tensor<?x?xi32>
  %sxcs = tessel.splat %sxc [%BM, %BN] : i32 -> tensor<?x?xi32>
  %xr = arith.muli %er2, %sxrs : tensor<?x?xi32>
  %xc = arith.muli %ec2, %sxcs : tensor<?x?xi32>
  %xoff = arith.addi %xr, %xc : tensor<?x?xi32>
  %xbase = tessel.splat %xmat [%BM, %BN] : !tessel.ptr<bf16> -> tensor<?x?x!tessel.ptr<bf16>>
  %xptr = tessel.addptr %xbase, %xoff : tensor<?x?x!tessel.ptr<bf16>>, tensor<?x?xi32>
  %v = tessel.load %xptr, %mask : tensor<?x?x!tessel.ptr<bf16>>
  %v32 = arith.extf %v : tensor<?x?xbf16> to tensor<?x?xf32>
  %scaled = arith.mulf %v32, %f2 : tensor<?x?xf32>
  %out = arith.truncf %scaled : tensor<?x?xf32> to tensor<?x?xbf16>
  %sors = tessel.splat %sor [%BM, %BN] : i32 -> tensor<?x?xi32>
  %socs = tessel.splat %soc [%BM, %BN] : i32 -> tensor<?x?xi32>
  %or = arith.muli %er2, %sors : tensor<?x?xi32>
  %oc = arith.muli %ec2, %socs : tensor<?x?xi32>
  %ooff = arith.addi %or, %oc : tensor<?x?xi32>
  %obase = tessel.splat %omat [%BM, %BN] : !tessel.ptr<bf16> -> tensor<?x?x!tessel.ptr<bf16>>
  %optr = tessel.addptr %obase, %ooff : tensor<?x?x!tessel.ptr<bf16>>, tensor<?x?xi32>
  tessel.store %optr, %out, %mask : tensor<?x?x!tessel.ptr<bf16>>
  return
}
