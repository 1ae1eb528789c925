// small.mlir — a whole Newton-Schulz run for matrices that fit one tile
// (m <= BLOCK_M and n <= BLOCK_N once tall inputs are read transposed): one
// program per matrix keeps X, A = X X^T and B = b A + c A A in registers
// through every step, so a batch of small matrices is one launch, not three
// per step (which is what bounds such shapes: each launch does little work).
//   normalize  NORM = 1: X <- X / (scale ||X||_F + eps), then A = X X^T;
//              NORM = 2 (AOL): A = X X^T on the raw X, s = rsqrt(max(rowsum
//              |A|, eps)), X <- diag(s) X, A <- diag(s) A diag(s);
//   each step  B = a I + b A + c A A;  X <- B X;  then (but the last)
//              A = X X^T (a X rides in B's diagonal, rounded into B once, as
//              the three-kernel form's line 2 stores it).
// The coefficients (a, b, c) of step i are coef[3i .. 3i+2] (f32). A, B and
// X are rounded to bf16 where the three-kernel form stores them (A before
// AOL's row sums and in b A, every dot operand); dots accumulate in fp32.
// Grid: (1, 1, batch). X and X' are [batch, m, n] views with element strides,
// so tall inputs are read and written transposed without a copy; edges past
// m, n read zero (zero rows stay zero under both normalizations).
func.func @ns_small(%x: !tessel.ptr<bf16>, %xo: !tessel.ptr<bf16>, %coef: !tessel.ptr<f32>,
                    %m: i32, %n: i32, %sxr: i32, %sxc: i32, %sor: i32, %soc: i32,
                    %x_batch: i64, %o_batch: i64, %steps: i32, %scale: f32, %eps: f32)
    // The fp32 tiles A, A A and the line-3 accumulator live at once: at
    // most 64 registers each per thread. One program per SM is all a batch
    // of matrices needs, so ptxas may give each thread all it can.
    attributes {tessel.kernel, tessel.min_programs_per_sm = 1 : i64, tessel.constraints = [
      "BLOCK_M * BLOCK_M <= 64 * 32 * num_warps",
      "BLOCK_M * BLOCK_N <= 64 * 32 * num_warps"]} {
  %BM = tessel.param "BLOCK_M" {default_value = 128 : i64, values = array<i64: 16, 32, 64, 128>} : index
  %BN = tessel.param "BLOCK_N" {default_value = 128 : i64, values = array<i64: 16, 32, 64, 128>} : index
  %NORM = tessel.param "NORM" {default_value = 2 : i64, values = array<i64: 1, 2>} : index
  %warps = tessel.param "num_warps" {default_value = 16 : i64, values = array<i64: 4, 8, 16>} : index

  %bz = tessel.program_id 2 : i32
  %xb = arith.trunci %x_batch : i64 to i32
  %ob = arith.trunci %o_batch : i64 to i32
  %grid_z = arith.constant 65535 : i32
  %z = arith.constant 0 : i32
  %zero = arith.constant 0.0 : f32
  %zmm = tessel.splat %zero [%BM, %BM] : f32 -> tensor<?x?xf32>

  %x0 = tessel.block_load %x[%bz, %z, %z] shape [%grid_z, %m, %n]
          strides [%xb, %sxr, %sxc] sizes [%BM, %BN] : !tessel.ptr<bf16> -> tensor<?x?xbf16>
  %x0f = arith.extf %x0 : tensor<?x?xbf16> to tensor<?x?xf32>

  %c2 = arith.constant 2 : index
  %aol = arith.cmpi eq, %NORM, %c2 : index
  %x1, %a1 = scf.if %aol -> (tensor<?x?xbf16>, tensor<?x?xf32>) {
    // AOL. A is symmetric, so its column sums are its row sums: summing
    // along axis 0 gives s already laid out along A's columns.
    %x0t = tessel.trans %x0 : tensor<?x?xbf16> -> tensor<?x?xbf16>
    %araw32 = tessel.dot %x0, %x0t, %zmm : tensor<?x?xbf16>, tensor<?x?xbf16> -> tensor<?x?xf32>
    %arawb = arith.truncf %araw32 : tensor<?x?xf32> to tensor<?x?xbf16>
    %araw = arith.extf %arawb : tensor<?x?xbf16> to tensor<?x?xf32>
    %rsum = tessel.reduce sum %araw {axis = 1 : i32, abs} : tensor<?x?xf32> -> tensor<?xf32>
    %csum = tessel.reduce sum %araw {axis = 0 : i32, abs} : tensor<?x?xf32> -> tensor<?xf32>
    %epsv = tessel.splat %eps [%BM] : f32 -> tensor<?xf32>
    %rclamp = arith.maximumf %rsum, %epsv : tensor<?xf32>
    %cclamp = arith.maximumf %csum, %epsv : tensor<?xf32>
    %sr = math.rsqrt %rclamp : tensor<?xf32>
    %sc = math.rsqrt %cclamp : tensor<?xf32>
    %sr1 = tessel.expand_dims %sr {axis = 1 : i32} : tensor<?xf32> -> tensor<?x1xf32>
    %sc1 = tessel.expand_dims %sc {axis = 0 : i32} : tensor<?xf32> -> tensor<1x?xf32>
    %srows = tessel.broadcast %sr1 [%BM, %BM] : tensor<?x1xf32> -> tensor<?x?xf32>
    %scols = tessel.broadcast %sc1 [%BM, %BM] : tensor<1x?xf32> -> tensor<?x?xf32>
    %as = arith.mulf %araw, %srows : tensor<?x?xf32>
    %ass = arith.mulf %as, %scols : tensor<?x?xf32>
    %sx = tessel.broadcast %sr1 [%BM, %BN] : tensor<?x1xf32> -> tensor<?x?xf32>
    %xs = arith.mulf %x0f, %sx : tensor<?x?xf32>
    %xsb = arith.truncf %xs : tensor<?x?xf32> to tensor<?x?xbf16>
    scf.yield %xsb, %ass : tensor<?x?xbf16>, tensor<?x?xf32>
  } else {
    // Frobenius: every element of `total` is sum_ij X_ij^2 (a row sum, then
    // that column of row sums summed again).
    %sq = arith.mulf %x0f, %x0f : tensor<?x?xf32>
    %rows = tessel.reduce sum %sq {axis = 1 : i32} : tensor<?x?xf32> -> tensor<?xf32>
    %rows1 = tessel.expand_dims %rows {axis = 1 : i32} : tensor<?xf32> -> tensor<?x1xf32>
    %rowsb = tessel.broadcast %rows1 [%BM, %BN] : tensor<?x1xf32> -> tensor<?x?xf32>
    %tot = tessel.reduce sum %rowsb {axis = 0 : i32} : tensor<?x?xf32> -> tensor<?xf32>
    %tot1 = tessel.expand_dims %tot {axis = 0 : i32} : tensor<?xf32> -> tensor<1x?xf32>
    %total = tessel.broadcast %tot1 [%BM, %BN] : tensor<1x?xf32> -> tensor<?x?xf32>
    %norm = math.sqrt %total : tensor<?x?xf32>
    %scales = tessel.splat %scale [%BM, %BN] : f32 -> tensor<?x?xf32>
    %epss = tessel.splat %eps [%BM, %BN] : f32 -> tensor<?x?xf32>
    %scaled = arith.mulf %norm, %scales : tensor<?x?xf32>
    %den = arith.addf %scaled, %epss : tensor<?x?xf32>
    %xs = arith.divf %x0f, %den : tensor<?x?xf32>
    %xsb = arith.truncf %xs : tensor<?x?xf32> to tensor<?x?xbf16>
    %xst = tessel.trans %xsb : tensor<?x?xbf16> -> tensor<?x?xbf16>
    %a = tessel.dot %xsb, %xst, %zmm : tensor<?x?xbf16>, tensor<?x?xbf16> -> tensor<?x?xf32>
    scf.yield %xsb, %a : tensor<?x?xbf16>, tensor<?x?xf32>
  }

  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %nsteps = arith.index_cast %steps : i32 to index
  %last = arith.subi %nsteps, %c1 : index
  %three = arith.constant 3 : i32
  %one = arith.constant 1 : i32
  %xf, %af = scf.for %i = %c0 to %nsteps step %c1
      iter_args(%xi = %x1, %ai = %a1) -> (tensor<?x?xbf16>, tensor<?x?xf32>) {
    // This step's coefficients, each broadcast from a one-element load.
    %i32 = arith.index_cast %i : index to i32
    %at = arith.muli %i32, %three : i32
    %pa = tessel.addptr %coef, %at : !tessel.ptr<f32>, i32
    %pb = tessel.addptr %pa, %one : !tessel.ptr<f32>, i32
    %pc = tessel.addptr %pb, %one : !tessel.ptr<f32>, i32
    %pat = tessel.splat %pa [%c1] : !tessel.ptr<f32> -> tensor<?x!tessel.ptr<f32>>
    %pbt = tessel.splat %pb [%c1] : !tessel.ptr<f32> -> tensor<?x!tessel.ptr<f32>>
    %pct = tessel.splat %pc [%c1] : !tessel.ptr<f32> -> tensor<?x!tessel.ptr<f32>>
    %ca = tessel.load %pat : tensor<?x!tessel.ptr<f32>>
    %cb = tessel.load %pbt : tensor<?x!tessel.ptr<f32>>
    %cc = tessel.load %pct : tensor<?x!tessel.ptr<f32>>
    %ca1 = tessel.expand_dims %ca {axis = 1 : i32} : tensor<?xf32> -> tensor<?x1xf32>
    %cb1 = tessel.expand_dims %cb {axis = 1 : i32} : tensor<?xf32> -> tensor<?x1xf32>
    %cc1 = tessel.expand_dims %cc {axis = 1 : i32} : tensor<?xf32> -> tensor<?x1xf32>
    %va = tessel.broadcast %ca1 [%BM, %BM] : tensor<?x1xf32> -> tensor<?x?xf32>
    %vb = tessel.broadcast %cb1 [%BM, %BM] : tensor<?x1xf32> -> tensor<?x?xf32>
    %vc = tessel.broadcast %cc1 [%BM, %BM] : tensor<?x1xf32> -> tensor<?x?xf32>

    // Line 2: B = a I + b A + c A A (A symmetric: A A^T = A A).
    %ab = arith.truncf %ai : tensor<?x?xf32> to tensor<?x?xbf16>
    %abf = arith.extf %ab : tensor<?x?xbf16> to tensor<?x?xf32>
    %aa = tessel.dot %ab, %ab, %zmm : tensor<?x?xbf16>, tensor<?x?xbf16> -> tensor<?x?xf32>
    %bterm = arith.mulf %vb, %abf : tensor<?x?xf32>
    %cterm = arith.mulf %vc, %aa : tensor<?x?xf32>
    %bm0 = arith.addf %bterm, %cterm : tensor<?x?xf32>
    %ri = tessel.range %BM : tensor<?xi32>
    %ri1 = tessel.expand_dims %ri {axis = 1 : i32} : tensor<?xi32> -> tensor<?x1xi32>
    %rj1 = tessel.expand_dims %ri {axis = 0 : i32} : tensor<?xi32> -> tensor<1x?xi32>
    %rib = tessel.broadcast %ri1 [%BM, %BM] : tensor<?x1xi32> -> tensor<?x?xi32>
    %rjb = tessel.broadcast %rj1 [%BM, %BM] : tensor<1x?xi32> -> tensor<?x?xi32>
    %diag = arith.cmpi eq, %rib, %rjb : tensor<?x?xi32>
    %aterm = arith.select %diag, %va, %zmm : tensor<?x?xi1>, tensor<?x?xf32>
    %bm = arith.addf %bm0, %aterm : tensor<?x?xf32>
    %bb = arith.truncf %bm : tensor<?x?xf32> to tensor<?x?xbf16>

    // Line 3: X' = B X.
    %zmn = tessel.splat %zero [%BM, %BN] : f32 -> tensor<?x?xf32>
    %xn = tessel.dot %bb, %xi, %zmn : tensor<?x?xbf16>, tensor<?x?xbf16> -> tensor<?x?xf32>
    %xnb = arith.truncf %xn : tensor<?x?xf32> to tensor<?x?xbf16>

    // Line 1 of the next step: A = X' X'^T.
    %more = arith.cmpi ult, %i, %last : index
    %an = scf.if %more -> (tensor<?x?xf32>) {
      %xnt = tessel.trans %xnb : tensor<?x?xbf16> -> tensor<?x?xbf16>
      %a = tessel.dot %xnb, %xnt, %zmm : tensor<?x?xbf16>, tensor<?x?xbf16> -> tensor<?x?xf32>
      scf.yield %a : tensor<?x?xf32>
    } else {
      scf.yield %ai : tensor<?x?xf32>
    }
    scf.yield %xnb, %an : tensor<?x?xbf16>, tensor<?x?xf32>
  }

  tessel.block_store %xo[%bz, %z, %z] shape [%grid_z, %m, %n]
    strides [%ob, %sor, %soc], %xf : !tessel.ptr<bf16>, tensor<?x?xbf16>
  return
}
