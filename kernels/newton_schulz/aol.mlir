// aol.mlir — AOL preconditioning after line 1 (A = X X^T on the raw input):
//   s = rsqrt(max(rowsum|A|, eps)),  X <- diag(s) X,  A <- diag(s) A diag(s).
// Two launches, because a row sum needs a whole row of A (every tile column)
// before any element can be scaled, and A's columns need the s of rows other
// programs own:
//   aol_rowscale  grid (cdiv(m, BLOCK_M), 1, batch): each program sums |A| over
//                 its rows, writes s for them and writes its rows of diag(s) X
//                 to Xo (a view with its own strides: the input stays intact);
//   aol_symscale  grid (cdiv(m, BLOCK_M), cdiv(m, BLOCK_N), batch): A_ij *= s_i s_j.
// A zero row gives s = rsqrt(eps) times a zero row: zeros, never NaN.
func.func @aol_rowscale(%a: !tessel.ptr<bf16>, %x: !tessel.ptr<bf16>, %s: !tessel.ptr<f32>,
                        %xout: !tessel.ptr<bf16>, %m: i32, %n: i32, %lda: i32,
                        %sxr: i32, %sxc: i32, %sor: i32, %soc: i32,
                        %a_batch: i64, %x_batch: i64, %o_batch: i64, %eps: f32)
    attributes {tessel.kernel} {
  %BM = tessel.param "BLOCK_M" {default_value = 32 : i64, values = array<i64: 16, 32, 64>} : index
  %BN = tessel.param "BLOCK_N" {default_value = 128 : i64, values = array<i64: 64, 128, 256>} : index
  %warps = tessel.param "num_warps" {default_value = 4 : i64, values = array<i64: 2, 4, 8>} : index
  %bm = arith.index_cast %BM : index to i32
  %bz = tessel.program_id 2 : i32
  %bz64 = arith.extsi %bz : i32 to i64
  %ao = arith.muli %bz64, %a_batch : i64
  %xo = arith.muli %bz64, %x_batch : i64
  %m64 = arith.extsi %m : i32 to i64
  %so = arith.muli %bz64, %m64 : i64
  %amat = tessel.addptr %a, %ao : !tessel.ptr<bf16>, i64
  %xmat = tessel.addptr %x, %xo : !tessel.ptr<bf16>, i64
  %oo = arith.muli %bz64, %o_batch : i64
  %omat = tessel.addptr %xout, %oo : !tessel.ptr<bf16>, i64
  %svec = tessel.addptr %s, %so : !tessel.ptr<f32>, i64

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

  // sum_j |A[rows, j]|, a BLOCK_M x BLOCK_N partial reduced once at the end.
  %ldas = tessel.splat %lda [%BM, %BN] : i32 -> tensor<?x?xi32>
  %arow = arith.muli %r22, %ldas : tensor<?x?xi32>
  %abase = tessel.splat %amat [%BM, %BN] : !tessel.ptr<bf16> -> tensor<?x?x!tessel.ptr<bf16>>
  %zero = arith.constant 0.0 : f32
  %acc0 = tessel.splat %zero [%BM, %BN] : f32 -> tensor<?x?xf32>
  %c0 = arith.constant 0 : index
  %mend = arith.index_cast %m : i32 to index
  %acc = scf.for %j = %c0 to %mend step %BN iter_args(%acc_i = %acc0) -> (tensor<?x?xf32>) {
    %j32 = arith.index_cast %j : index to i32
    %js = tessel.splat %j32 [%BN] : i32 -> tensor<?xi32>
    %cols = arith.addi %js, %rn : tensor<?xi32>
    %c2 = tessel.expand_dims %cols {axis = 0 : i32} : tensor<?xi32> -> tensor<1x?xi32>
    %c22 = tessel.broadcast %c2 [%BM, %BN] : tensor<1x?xi32> -> tensor<?x?xi32>
    %off = arith.addi %arow, %c22 : tensor<?x?xi32>
    %ptr = tessel.addptr %abase, %off : tensor<?x?x!tessel.ptr<bf16>>, tensor<?x?xi32>
    %ms2 = tessel.splat %m [%BM, %BN] : i32 -> tensor<?x?xi32>
    %cok = arith.cmpi slt, %c22, %ms2 : tensor<?x?xi32>
    %mask = arith.andi %rok2, %cok : tensor<?x?xi1>
    %v = tessel.load %ptr, %mask : tensor<?x?x!tessel.ptr<bf16>>
    %v32 = arith.extf %v : tensor<?x?xbf16> to tensor<?x?xf32>
    %av = math.absf %v32 : tensor<?x?xf32>
    %acc_n = arith.addf %acc_i, %av : tensor<?x?xf32>
    scf.yield %acc_n : tensor<?x?xf32>
  }
  %sums = tessel.reduce sum %acc {axis = 1 : i32} : tensor<?x?xf32> -> tensor<?xf32>
  %epss = tessel.splat %eps [%BM] : f32 -> tensor<?xf32>
  %clamped = arith.maximumf %sums, %epss : tensor<?xf32>
  %sv = math.rsqrt %clamped : tensor<?xf32>
  %sbase = tessel.splat %svec [%BM] : !tessel.ptr<f32> -> tensor<?x!tessel.ptr<f32>>
  %sptr = tessel.addptr %sbase, %rows : tensor<?x!tessel.ptr<f32>>, tensor<?xi32>
  tessel.store %sptr, %sv, %row_ok : tensor<?x!tessel.ptr<f32>>

  // Xo[rows, :] = s[rows] * X[rows, :].
  %sv1 = tessel.expand_dims %sv {axis = 1 : i32} : tensor<?xf32> -> tensor<?x1xf32>
  %sv2 = tessel.broadcast %sv1 [%BM, %BN] : tensor<?x1xf32> -> tensor<?x?xf32>
  %sxrs = tessel.splat %sxr [%BM, %BN] : i32 -> tensor<?x?xi32>
  %xrow = arith.muli %r22, %sxrs : tensor<?x?xi32>
  %xbase = tessel.splat %xmat [%BM, %BN] : !tessel.ptr<bf16> -> tensor<?x?x!tessel.ptr<bf16>>
  %sors = tessel.splat %sor [%BM, %BN] : i32 -> tensor<?x?xi32>
  %orow = arith.muli %r22, %sors : tensor<?x?xi32>
  %obase = tessel.splat %omat [%BM, %BN] : !tessel.ptr<bf16> -> tensor<?x?x!tessel.ptr<bf16>>
  %nend = arith.index_cast %n : i32 to index
  scf.for %j = %c0 to %nend step %BN {
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
    %scaled = arith.mulf %v32, %sv2 : tensor<?x?xf32>
    %out = arith.truncf %scaled : tensor<?x?xf32> to tensor<?x?xbf16>
    %socs = tessel.splat %soc [%BM, %BN] : i32 -> tensor<?x?xi32>
    %ocol = arith.muli %c22, %socs : tensor<?x?xi32>
    %ooff = arith.addi %orow, %ocol : tensor<?x?xi32>
    %optr = tessel.addptr %obase, %ooff : tensor<?x?x!tessel.ptr<bf16>>, tensor<?x?xi32>
    tessel.store %optr, %out, %mask : tensor<?x?x!tessel.ptr<bf16>>
  }
  return
}

func.func @aol_symscale(%a: !tessel.ptr<bf16>, %s: !tessel.ptr<f32>, %m: i32,
                        %lda: i32, %a_batch: i64) attributes {tessel.kernel} {
  %BM = tessel.param "BLOCK_M" {default_value = 64 : i64, values = array<i64: 32, 64, 128>} : index
  %BN = tessel.param "BLOCK_N" {default_value = 64 : i64, values = array<i64: 32, 64, 128>} : index
  %warps = tessel.param "num_warps" {default_value = 4 : i64, values = array<i64: 2, 4, 8>} : index
  %bm = arith.index_cast %BM : index to i32
  %bn = arith.index_cast %BN : index to i32
  %bz = tessel.program_id 2 : i32
  %bz64 = arith.extsi %bz : i32 to i64
  %ao = arith.muli %bz64, %a_batch : i64
  %m64 = arith.extsi %m : i32 to i64
  %so = arith.muli %bz64, %m64 : i64
  %amat = tessel.addptr %a, %ao : !tessel.ptr<bf16>, i64
  %svec = tessel.addptr %s, %so : !tessel.ptr<f32>, i64
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
  %msr = tessel.splat %m [%BM] : i32 -> tensor<?xi32>
  %msc = tessel.splat %m [%BN] : i32 -> tensor<?xi32>
  %rok = arith.cmpi slt, %rows, %msr : tensor<?xi32>
  %cok = arith.cmpi slt, %cols, %msc : tensor<?xi32>
  // s for this tile's rows and columns.
  %sbr = tessel.splat %svec [%BM] : !tessel.ptr<f32> -> tensor<?x!tessel.ptr<f32>>
  %sbc = tessel.splat %svec [%BN] : !tessel.ptr<f32> -> tensor<?x!tessel.ptr<f32>>
  %spr = tessel.addptr %sbr, %rows : tensor<?x!tessel.ptr<f32>>, tensor<?xi32>
  %spc = tessel.addptr %sbc, %cols : tensor<?x!tessel.ptr<f32>>, tensor<?xi32>
  %sr = tessel.load %spr, %rok : tensor<?x!tessel.ptr<f32>>
  %sc = tessel.load %spc, %cok : tensor<?x!tessel.ptr<f32>>
  %sr1 = tessel.expand_dims %sr {axis = 1 : i32} : tensor<?xf32> -> tensor<?x1xf32>
  %sc1 = tessel.expand_dims %sc {axis = 0 : i32} : tensor<?xf32> -> tensor<1x?xf32>
  %sr2 = tessel.broadcast %sr1 [%BM, %BN] : tensor<?x1xf32> -> tensor<?x?xf32>
  %sc2 = tessel.broadcast %sc1 [%BM, %BN] : tensor<1x?xf32> -> tensor<?x?xf32>
  %er = tessel.expand_dims %rows {axis = 1 : i32} : tensor<?xi32> -> tensor<?x1xi32>
  %ec = tessel.expand_dims %cols {axis = 0 : i32} : tensor<?xi32> -> tensor<1x?xi32>
  %er2 = tessel.broadcast %er [%BM, %BN] : tensor<?x1xi32> -> tensor<?x?xi32>
  %ec2 = tessel.broadcast %ec [%BM, %BN] : tensor<1x?xi32> -> tensor<?x?xi32>
  %ldas = tessel.splat %lda [%BM, %BN] : i32 -> tensor<?x?xi32>
  %ro = arith.muli %er2, %ldas : tensor<?x?xi32>
  %off = arith.addi %ro, %ec2 : tensor<?x?xi32>
  %rok1 = tessel.expand_dims %rok {axis = 1 : i32} : tensor<?xi1> -> tensor<?x1xi1>
  %cok1 = tessel.expand_dims %cok {axis = 0 : i32} : tensor<?xi1> -> tensor<1x?xi1>
  %rok2 = tessel.broadcast %rok1 [%BM, %BN] : tensor<?x1xi1> -> tensor<?x?xi1>
  %cok2 = tessel.broadcast %cok1 [%BM, %BN] : tensor<1x?xi1> -> tensor<?x?xi1>
  %mask = arith.andi %rok2, %cok2 : tensor<?x?xi1>
  %abase = tessel.splat %amat [%BM, %BN] : !tessel.ptr<bf16> -> tensor<?x?x!tessel.ptr<bf16>>
  %aptr = tessel.addptr %abase, %off : tensor<?x?x!tessel.ptr<bf16>>, tensor<?x?xi32>
  %av = tessel.load %aptr, %mask : tensor<?x?x!tessel.ptr<bf16>>
  %av32 = arith.extf %av : tensor<?x?xbf16> to tensor<?x?xf32>
  %t1 = arith.mulf %av32, %sr2 : tensor<?x?xf32>
  %t2 = arith.mulf %t1, %sc2 : tensor<?x?xf32>
  %out = arith.truncf %t2 : tensor<?x?xf32> to tensor<?x?xbf16>
  tessel.store %aptr, %out, %mask : tensor<?x?x!tessel.ptr<bf16>>
  return
}
