// aol.mlir — AOL preconditioning after line 1 (A = X X^T on the raw input):
//   s = rsqrt(max(rowsum|A|, eps)),  X <- diag(s) X,  A <- diag(s) A diag(s).
// Two launches, because a row sum needs a whole row of A (every tile column)
// before any element can be scaled, and A's columns need the s of rows other
// programs own:
//   aol_rowsum  grid (cdiv(m, BLOCK_M), 1, batch): each program sums |A| over
//               its rows and writes s for them (A is m x m: a small read);
//   aol_scale   grid (cdiv(m, BLOCK_M), cdiv(n, BLOCK_N), batch; cdiv(m,
//               BLOCK_N) columns with scale_x = 0): each program
//               writes its tile of diag(s) X to Xo (a view with its own
//               strides: the input stays intact; not with scale_x = 0) and,
//               where the tile's columns are A's (n >= m), A_ij *= s_i s_j
//               in place.
//   aol_colscale grid (cdiv(m, BLOCK_M), cdiv(m, BLOCK_N), batch):
//               B_ij *= s_j in place. For a wide X (n >= 2m) tessel::ns
//               scales A alone (scale_x = 0) and, after the first line 2,
//               B into B diag(s): the first line 3, B diag(s) X, then reads
//               the input itself, and no scaled m x n copy of X is written.
// Both read and write through block loads and stores (rows vectorized, edges
// clipped by the shapes), and aol_scale's grid covers X in two dimensions,
// so even one matrix has enough programs to stream X at memory speed.
// A zero row gives s = rsqrt(eps) times a zero row: zeros, never NaN.
func.func @aol_rowsum(%a: !tessel.ptr<bf16>, %s: !tessel.ptr<f32>, %m: i32,
                      %lda: i32, %a_batch: i64, %eps: f32)
    attributes {tessel.kernel} {
  %BM = tessel.param "BLOCK_M" {default_value = 16 : i64, values = array<i64: 16, 32, 64>} : index
  %BN = tessel.param "BLOCK_N" {default_value = 256 : i64, values = array<i64: 128, 256, 512>} : index
  %warps = tessel.param "num_warps" {default_value = 4 : i64, values = array<i64: 2, 4, 8>} : index
  %bm = arith.index_cast %BM : index to i32
  %bz = tessel.program_id 2 : i32
  %pm = tessel.program_id 0 : i32
  %m0 = arith.muli %pm, %bm : i32
  %ab = arith.trunci %a_batch : i64 to i32
  %grid_z = arith.constant 65535 : i32
  %one = arith.constant 1 : i32

  // sum_j |A[rows, j]|, a BLOCK_M x BLOCK_N partial reduced once at the end
  // (columns past m read zero).
  %zero = arith.constant 0.0 : f32
  %acc0 = tessel.splat %zero [%BM, %BN] : f32 -> tensor<?x?xf32>
  %c0 = arith.constant 0 : index
  %mend = arith.index_cast %m : i32 to index
  %acc = scf.for %j = %c0 to %mend step %BN iter_args(%acc_i = %acc0) -> (tensor<?x?xf32>) {
    %j32 = arith.index_cast %j : index to i32
    %v = tessel.block_load %a[%bz, %m0, %j32] shape [%grid_z, %m, %m]
           strides [%ab, %lda, %one] sizes [%BM, %BN] : !tessel.ptr<bf16> -> tensor<?x?xbf16>
    %v32 = arith.extf %v : tensor<?x?xbf16> to tensor<?x?xf32>
    %av = math.absf %v32 : tensor<?x?xf32>
    %acc_n = arith.addf %acc_i, %av : tensor<?x?xf32>
    scf.yield %acc_n : tensor<?x?xf32>
  }
  %sums = tessel.reduce sum %acc {axis = 1 : i32} : tensor<?x?xf32> -> tensor<?xf32>
  %epss = tessel.splat %eps [%BM] : f32 -> tensor<?xf32>
  %clamped = arith.maximumf %sums, %epss : tensor<?xf32>
  %sv = math.rsqrt %clamped : tensor<?xf32>

  // s[batch, rows] (64-bit batch offset).
  %bz64 = arith.extsi %bz : i32 to i64
  %m64 = arith.extsi %m : i32 to i64
  %so = arith.muli %bz64, %m64 : i64
  %svec = tessel.addptr %s, %so : !tessel.ptr<f32>, i64
  %rr = tessel.range %BM : tensor<?xi32>
  %m0s = tessel.splat %m0 [%BM] : i32 -> tensor<?xi32>
  %rows = arith.addi %m0s, %rr : tensor<?xi32>
  %ms = tessel.splat %m [%BM] : i32 -> tensor<?xi32>
  %row_ok = arith.cmpi slt, %rows, %ms : tensor<?xi32>
  %sbase = tessel.splat %svec [%BM] : !tessel.ptr<f32> -> tensor<?x!tessel.ptr<f32>>
  %sptr = tessel.addptr %sbase, %rows : tensor<?x!tessel.ptr<f32>>, tensor<?xi32>
  tessel.store %sptr, %sv, %row_ok : tensor<?x!tessel.ptr<f32>>
  return
}

func.func @aol_scale(%a: !tessel.ptr<bf16>, %x: !tessel.ptr<bf16>, %s: !tessel.ptr<f32>,
                     %xout: !tessel.ptr<bf16>, %m: i32, %n: i32, %lda: i32,
                     %sxr: i32, %sxc: i32, %sor: i32, %soc: i32,
                     %a_batch: i64, %x_batch: i64, %o_batch: i64, %scale_x: i32)
    attributes {tessel.kernel} {
  %BM = tessel.param "BLOCK_M" {default_value = 64 : i64, values = array<i64: 32, 64, 128>} : index
  %BN = tessel.param "BLOCK_N" {default_value = 128 : i64, values = array<i64: 64, 128, 256>} : index
  %warps = tessel.param "num_warps" {default_value = 8 : i64, values = array<i64: 4, 8>} : index
  %bm = arith.index_cast %BM : index to i32
  %bn = arith.index_cast %BN : index to i32
  %bz = tessel.program_id 2 : i32
  %pm = tessel.program_id 0 : i32
  %pn = tessel.program_id 1 : i32
  %m0 = arith.muli %pm, %bm : i32
  %n0 = arith.muli %pn, %bn : i32
  %ab = arith.trunci %a_batch : i64 to i32
  %xb = arith.trunci %x_batch : i64 to i32
  %ob = arith.trunci %o_batch : i64 to i32
  %grid_z = arith.constant 65535 : i32
  %one = arith.constant 1 : i32

  // s for this tile's rows and columns (0 past m).
  %bz64 = arith.extsi %bz : i32 to i64
  %m64 = arith.extsi %m : i32 to i64
  %so = arith.muli %bz64, %m64 : i64
  %svec = tessel.addptr %s, %so : !tessel.ptr<f32>, i64
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
  %sbr = tessel.splat %svec [%BM] : !tessel.ptr<f32> -> tensor<?x!tessel.ptr<f32>>
  %spr = tessel.addptr %sbr, %rows : tensor<?x!tessel.ptr<f32>>, tensor<?xi32>
  %sr = tessel.load %spr, %rok : tensor<?x!tessel.ptr<f32>>
  %sr1 = tessel.expand_dims %sr {axis = 1 : i32} : tensor<?xf32> -> tensor<?x1xf32>
  %srows = tessel.broadcast %sr1 [%BM, %BN] : tensor<?x1xf32> -> tensor<?x?xf32>

  // Xo[rows, cols] = s[rows] X[rows, cols] (unless scale_x = 0).
  %zero_i = arith.constant 0 : i32
  %do_x = arith.cmpi ne, %scale_x, %zero_i : i32
  scf.if %do_x {
    %xv = tessel.block_load %x[%bz, %m0, %n0] shape [%grid_z, %m, %n]
            strides [%xb, %sxr, %sxc] sizes [%BM, %BN] : !tessel.ptr<bf16> -> tensor<?x?xbf16>
    %xv32 = arith.extf %xv : tensor<?x?xbf16> to tensor<?x?xf32>
    %xs = arith.mulf %xv32, %srows : tensor<?x?xf32>
    %xo = arith.truncf %xs : tensor<?x?xf32> to tensor<?x?xbf16>
    tessel.block_store %xout[%bz, %m0, %n0] shape [%grid_z, %m, %n]
      strides [%ob, %sor, %soc], %xo : !tessel.ptr<bf16>, tensor<?x?xbf16>
  }

  // A[rows, cols] *= s[rows] s[cols], for the tiles whose columns are A's.
  %has_a = arith.cmpi slt, %n0, %m : i32
  scf.if %has_a {
    %sbc = tessel.splat %svec [%BN] : !tessel.ptr<f32> -> tensor<?x!tessel.ptr<f32>>
    %spc = tessel.addptr %sbc, %cols : tensor<?x!tessel.ptr<f32>>, tensor<?xi32>
    %sc = tessel.load %spc, %cok : tensor<?x!tessel.ptr<f32>>
    %sc1 = tessel.expand_dims %sc {axis = 0 : i32} : tensor<?xf32> -> tensor<1x?xf32>
    %scols = tessel.broadcast %sc1 [%BM, %BN] : tensor<1x?xf32> -> tensor<?x?xf32>
    %av = tessel.block_load %a[%bz, %m0, %n0] shape [%grid_z, %m, %m]
            strides [%ab, %lda, %one] sizes [%BM, %BN] : !tessel.ptr<bf16> -> tensor<?x?xbf16>
    %av32 = arith.extf %av : tensor<?x?xbf16> to tensor<?x?xf32>
    %t1 = arith.mulf %av32, %srows : tensor<?x?xf32>
    %t2 = arith.mulf %t1, %scols : tensor<?x?xf32>
    %ao = arith.truncf %t2 : tensor<?x?xf32> to tensor<?x?xbf16>
    tessel.block_store %a[%bz, %m0, %n0] shape [%grid_z, %m, %m]
      strides [%ab, %lda, %one], %ao : !tessel.ptr<bf16>, tensor<?x?xbf16>
  }
  return
}

func.func @aol_colscale(%b: !tessel.ptr<bf16>, %s: !tessel.ptr<f32>, %m: i32,
                        %ldb: i32, %b_batch: i64)
    attributes {tessel.kernel} {
  %BM = tessel.param "BLOCK_M" {default_value = 64 : i64, values = array<i64: 32, 64, 128>} : index
  %BN = tessel.param "BLOCK_N" {default_value = 128 : i64, values = array<i64: 64, 128, 256>} : index
  %warps = tessel.param "num_warps" {default_value = 8 : i64, values = array<i64: 4, 8>} : index
  %bm = arith.index_cast %BM : index to i32
  %bn = arith.index_cast %BN : index to i32
  %bz = tessel.program_id 2 : i32
  %pm = tessel.program_id 0 : i32
  %pn = tessel.program_id 1 : i32
  %m0 = arith.muli %pm, %bm : i32
  %n0 = arith.muli %pn, %bn : i32
  %bb = arith.trunci %b_batch : i64 to i32
  %grid_z = arith.constant 65535 : i32
  %one = arith.constant 1 : i32

  // s for this tile's columns (0 past m).
  %bz64 = arith.extsi %bz : i32 to i64
  %m64 = arith.extsi %m : i32 to i64
  %so = arith.muli %bz64, %m64 : i64
  %svec = tessel.addptr %s, %so : !tessel.ptr<f32>, i64
  %rn = tessel.range %BN : tensor<?xi32>
  %n0s = tessel.splat %n0 [%BN] : i32 -> tensor<?xi32>
  %cols = arith.addi %n0s, %rn : tensor<?xi32>
  %msc = tessel.splat %m [%BN] : i32 -> tensor<?xi32>
  %cok = arith.cmpi slt, %cols, %msc : tensor<?xi32>
  %sbc = tessel.splat %svec [%BN] : !tessel.ptr<f32> -> tensor<?x!tessel.ptr<f32>>
  %spc = tessel.addptr %sbc, %cols : tensor<?x!tessel.ptr<f32>>, tensor<?xi32>
  %sc = tessel.load %spc, %cok : tensor<?x!tessel.ptr<f32>>
  %sc1 = tessel.expand_dims %sc {axis = 0 : i32} : tensor<?xf32> -> tensor<1x?xf32>
  %scols = tessel.broadcast %sc1 [%BM, %BN] : tensor<1x?xf32> -> tensor<?x?xf32>

  // B[rows, cols] *= s[cols].
  %bv = tessel.block_load %b[%bz, %m0, %n0] shape [%grid_z, %m, %m]
          strides [%bb, %ldb, %one] sizes [%BM, %BN] : !tessel.ptr<bf16> -> tensor<?x?xbf16>
  %bv32 = arith.extf %bv : tensor<?x?xbf16> to tensor<?x?xf32>
  %bs = arith.mulf %bv32, %scols : tensor<?x?xf32>
  %bo = arith.truncf %bs : tensor<?x?xf32> to tensor<?x?xbf16>
  tessel.block_store %b[%bz, %m0, %n0] shape [%grid_z, %m, %m]
    strides [%bb, %ldb, %one], %bo : !tessel.ptr<bf16>, tensor<?x?xbf16>
  return
}
