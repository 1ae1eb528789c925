// syrk.mlir — NS lines 1 and 2: C = alpha * X * X^T + beta * D + gamma * I,
// C and D symmetric m x m (bf16, row-major, leading dimension ldc), X an
// m x k view with element strides (sxr, sxc) — so a tall matrix is read
// transposed, with no copy. Accumulation in fp32.
//   line 1:      A = X X^T              (alpha = 1, beta = gamma = 0: D is
//                                        not read)
//   line 2:      B = a I + b A + c A A  (X := A, D := A, alpha = c, beta = b,
//                                        gamma = a; A is symmetric, so
//                                        A A = A A^T)
// Line 2 takes line 3's a X term as a I (rounded into B once): line 3 is
// then B X alone, with no read of X's tile after its K loop.
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
//
// COLUMN_PAIRS = 2 (wide tiles, one tile per program) lets a tile's two
// column blocks lie apart (its right operand, and each store, a box split
// by second_half): in BLOCK-square blocks, tile (r; c1, c2) computes blocks
// (r, c1) and (r, c2), and the tiles compute every block on or above the
// diagonal exactly once. The adjacent pairs cannot: the (r, r - 1) halves
// on the diagonal cost 8 wide tiles more at m = 4096 (272 against 264, two
// full rounds on 132 SMs). With Te = T rounded up to even and H = Te / 2,
// the tiles go by their column pair (consecutive programs share its 2
// BLOCK rows of X; in row order the H100 ran them 1-9 % slower): tile t <
// H^2 is in group h (tiles h (h + 1) .., h = floor((sqrt(4t + 1) - 1) /
// 2)), w = t - h (h + 1): w <= h is row 2w against columns (2h, 2h + 1),
// else row 2 (w - h - 1) + 1 against (2h + 1, 2h + 2) (even rows pair
// from their diagonal block, odd rows up to column Te - 2; the last group
// has the even pair only). The odd rows' last blocks (r, Te - 1) are row
// Te - 1's columns 1, 3, .., Te - 1: tiles H^2 + j, j < ceil(H / 2), are
// (Te - 1; 4j + 1, 4j + 3). Blocks past m (odd T, odd H) read zero and
// store nothing.
//
// SCHEDULE = 2 splits the K loops of the last tiles evenly between the
// programs instead (stream-K: where the tiles are fewer than the SMs, or
// leave the last round of programs half empty): the grid is (P, 1, batch)
// for any P. With R = tiles / P >= 2 full rounds of tiles, program p first
// runs whole tiles p, p + P, ..., of the first (R - 1) P, as one tile per
// program would; the rest (P to 2P - 1 tiles: a share is at least one whole
// K loop, so each is split between at most two programs) are split:
// program p runs iterations [p s, (p + 1) s) of their K loops laid out
// chunk by chunk (s = cdiv(rest x cdiv(k, BLOCK_K), P); below). A program
// that starts a tile finishes it: it adds the partial sums of the later
// programs that ran parts of it (each wrote its fp32 tile to a slot of ws,
// [batch x 2P, BLOCK, BLOCK_N], and signalled the slot's flag = 1; the
// finisher resets it to 0 for the next launch). flags (batch x 2P words)
// must be zero before the first launch, and the P x batch programs
// resident at once (P x batch <= the SMs). With SCHEDULE = 1 (one tile per
// program), ws and flags are not read (pass 0).
func.func @syrk(%x: !tessel.ptr<bf16>, %d: !tessel.ptr<bf16>, %c: !tessel.ptr<bf16>,
                %m: i32, %k: i32, %sxr: i32, %sxc: i32, %ldc: i32,
                %x_batch: i64, %c_batch: i64, %alpha: f32, %beta: f32, %gamma: f32,
                %ws: !tessel.ptr<f32>, %flags: !tessel.ptr<i32>)
    // Config space: at most 64 fp32 accumulators per thread on the
    // masked-load path (more spill), 128 on the TMA one (X_LAYOUT = 2); both
    // operand tiles (rows padded by 8) in shared memory, and on the TMA path
    // NUM_STAGES of them; and the mirror tile's staging (its transposed
    // store goes through shared memory, columns padded by 8): after the
    // operand tiles, or inside the TMA ring once its loop is done (not with
    // a producer warpgroup, WARP_ROLES = 2, which has the ring to itself).
    // Stream-K (SCHEDULE = 2) runs each program's tiles in a loop: one
    // warpgroup role, no clusters.
    attributes {tessel.kernel, tessel.constraints = [
      "BLOCK_N == BLOCK || BLOCK_N == 2 * BLOCK",
      "CLUSTER == 1 || (BLOCK_N == 2 * BLOCK && X_LAYOUT == 2)",
      "SCHEDULE == 1 || (CLUSTER == 1 && WARP_ROLES == 1)",
      "COLUMN_PAIRS == 1 || (BLOCK_N == 2 * BLOCK && SCHEDULE == 1 && CLUSTER == 1)",
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
  %bn = arith.index_cast %BN : index to i32
  %wide = arith.divsi %bn, %bs : i32
  %bk = arith.index_cast %BK : index to i32

  // This program's share of the work: iterations [beg, end) of the tiles'
  // K loops laid end to end, tile t's being [t kiters, (t + 1) kiters).
  // With SCHEDULE = 1 a share is one whole tile (program p, tile p).
  %SK = tessel.param "SCHEDULE" {default_value = 1 : i64, values = array<i64: 1, 2>} : index
  %c1_idx = arith.constant 1 : index
  %c2_sched = arith.constant 2 : index
  %stream_k = arith.cmpi eq, %SK, %c2_sched : index
  %bs1 = arith.subi %bs, %c1_i32 : i32
  %bn1 = arith.subi %bn, %c1_i32 : i32
  %bk1 = arith.subi %bk, %c1_i32 : i32
  %mT = arith.addi %m, %bs1 : i32
  %T = arith.divsi %mT, %bs : i32
  %mU = arith.addi %m, %bn1 : i32
  %U = arith.divsi %mU, %bn : i32
  %U1 = arith.subi %U, %c1_i32 : i32
  %tri0 = arith.muli %U1, %U : i32
  %tri1 = arith.muli %tri0, %wide : i32
  %tri = arith.divsi %tri1, %c2_i32 : i32
  %WU = arith.muli %wide, %U : i32
  %diag = arith.minsi %WU, %T : i32
  %ntiles = arith.addi %tri, %diag : i32
  %kr = arith.addi %k, %bk1 : i32
  %kiters = arith.divsi %kr, %bk : i32
  %P = tessel.num_programs 0 : i32
  %p = tessel.program_id 0 : i32
  // Stream-K's whole tiles: ndp per program, the first dp = ndp P tiles
  // (none with one tile per program); the split ones are the last sk.
  %rounds = arith.divsi %ntiles, %P : i32
  %rounds1 = arith.subi %rounds, %c1_i32 : i32
  %ndp_sk = arith.maxsi %rounds1, %c0_i32 : i32
  %ndp = arith.select %stream_k, %ndp_sk, %c0_i32 : i32
  %dp = arith.muli %ndp, %P : i32
  %sk = arith.subi %ntiles, %dp : i32
  %work = arith.muli %sk, %kiters : i32
  %P1 = arith.subi %P, %c1_i32 : i32
  %workr = arith.addi %work, %P1 : i32
  %share_sk = arith.divsi %workr, %P : i32
  %share = arith.select %stream_k, %share_sk, %kiters : i32
  %beg = arith.muli %p, %share : i32
  %beg_share = arith.addi %beg, %share : i32
  // (A stream-K share ends at the work's end; a whole tile always runs all
  // of its K loop: a CLUSTER pair's extra program, past the last tile,
  // must run as many iterations as its partner.)
  %end_sk = arith.minsi %beg_share, %work : i32
  %end = arith.select %stream_k, %end_sk, %beg_share : i32
  // Stream-K lays the work out chunk by chunk: chunk c holds K iterations
  // [c kc, c kc + len_c) of every tile, tile after tile, with kc =
  // min(share, kiters) (len_c = kc but for the last chunk's remainder).
  // Where the tiles are fewer than the programs, the programs of chunk 0
  // each run one tile's first kc iterations in step, reading the same K
  // slice of X at once (it stays in L2), and the rest share the later
  // chunks; laid out tile after tile, each program would start at its own
  // K offset. A unit is (chunk c, tile t), numbered c x tiles + t.
  %kc_sk = arith.minsi %share_sk, %kiters : i32
  %kc = arith.select %stream_k, %kc_sk, %kiters : i32
  %kc1 = arith.subi %kc, %c1_i32 : i32
  %kiters_r = arith.addi %kiters, %kc1 : i32
  %chunks_sk = arith.divsi %kiters_r, %kc : i32
  %chunks = arith.select %stream_k, %chunks_sk, %c1_i32 : i32
  %last_chunk = arith.subi %chunks, %c1_i32 : i32
  %last_start = arith.muli %last_chunk, %kc : i32
  %last_len = arith.subi %kiters, %last_start : i32
  %span = arith.muli %sk, %kc : i32
  // The units holding iterations beg and end - 1.
  %chb_raw = arith.divsi %beg, %span : i32
  %chb = arith.minsi %chb_raw, %last_chunk : i32
  %chb_start = arith.muli %chb, %span : i32
  %rb = arith.subi %beg, %chb_start : i32
  %chb_last = arith.cmpi eq, %chb, %last_chunk : i32
  %lenb = arith.select %chb_last, %last_len, %kc : i32
  %tb = arith.divsi %rb, %lenb : i32
  %ub0 = arith.muli %chb, %sk : i32
  %u_first_sk = arith.addi %ub0, %tb : i32
  %end1 = arith.subi %end, %c1_i32 : i32
  %ce_raw = arith.divsi %end1, %span : i32
  %ce = arith.minsi %ce_raw, %last_chunk : i32
  %ce_start = arith.muli %ce, %span : i32
  %re = arith.subi %end1, %ce_start : i32
  %ce_last = arith.cmpi eq, %ce, %last_chunk : i32
  %lene = arith.select %ce_last, %last_len, %kc : i32
  %te = arith.divsi %re, %lene : i32
  %ue0 = arith.muli %ce, %sk : i32
  %ue = arith.addi %ue0, %te : i32
  %u_end_sk = arith.addi %ue, %c1_i32 : i32
  %has_work = arith.cmpi slt, %beg, %end : i32
  %u_end_sk2 = arith.select %has_work, %u_end_sk, %u_first_sk : i32
  // (One tile per program: unit p, the loop folds away.)
  %t_first = arith.divsi %beg, %kiters : i32
  %u_first = arith.select %stream_k, %u_first_sk, %t_first : i32
  // Partial tiles and their flags: ws is [batch x 2P, BLOCK, BLOCK_N] fp32
  // (a program's slot, then one per unit of a later chunk: at most P).
  %P2 = arith.muli %P, %c2_i32 : i32
  %slot0 = arith.muli %bz, %P2 : i32
  %bsbn = arith.muli %bs, %bn : i32
  %nslots = arith.addi %slot0, %P2 : i32
  %unit_slot0 = arith.subi %P, %sk : i32
  // Units numbered below u_first are the program's whole tiles.
  %u_lo = arith.subi %u_first, %ndp : i32
  %t_lo = arith.index_cast %u_lo : i32 to index
  %t_hi_sk = arith.index_cast %u_end_sk2 : i32 to index
  // (one unit: the canonicalizer inlines a loop to lb + step, nsw)
  %t_next = arith.addi %t_lo, %c1_idx overflow<nsw> : index
  %t_hi = arith.select %stream_k, %t_hi_sk, %t_next : index
  // (tessel.no_hoist: the epilogue's addresses are computed per unit, not
  // hoisted out of the loop to stay live through the K loop, and spill.)
  scf.for %t_idx = %t_lo to %t_hi step %c1_idx {
  %v = arith.index_cast %t_idx : index to i32
  // A whole tile (v < u_first: tile p + (v - u_lo) P, all of its K loop
  // from 0, chunk 0, so no hand-over; the split units' values below are
  // then unit u_first's, unused) or split unit v, whose tile t counts from
  // the split ones.
  %whole = arith.cmpi slt, %v, %u_first : i32
  %u = arith.select %whole, %u_first, %v : i32
  %dpi = arith.subi %v, %u_lo : i32
  %dpo = arith.muli %dpi, %P : i32
  %t_whole = arith.addi %p, %dpo : i32
  %uc_split = arith.divsi %u, %sk : i32
  %uc_sk = arith.select %whole, %c0_i32, %uc_split : i32
  %uc = arith.select %stream_k, %uc_sk, %c0_i32 : i32
  %uc_tiles = arith.muli %uc, %sk : i32
  %t = arith.subi %u, %uc_tiles : i32
  %t_split = arith.addi %t, %dp : i32
  %t_abs = arith.select %whole, %t_whole, %t_split : i32
  %uc_last = arith.cmpi eq, %uc, %last_chunk : i32
  %ulen = arith.select %uc_last, %last_len, %kc : i32
  %uc_span = arith.muli %uc, %span : i32
  %t_len = arith.muli %t, %ulen : i32
  %ustart = arith.addi %uc_span, %t_len : i32
  // The unit's K iterations start at chunk c's first, uc kc.
  %uk0 = arith.muli %uc, %kc : i32

  // Tile t -> (i, J): column block J starts at start(J) = W J (J + 1) / 2;
  // J from the quadratic, then corrected by one either way for float
  // rounding.
  %tf = arith.sitofp %t_abs : i32 to f32
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
  %too_far = arith.cmpi sgt, %s0, %t_abs : i32
  %j0m1 = arith.subi %j0, %c1_i32 : i32
  %j1 = arith.select %too_far, %j0m1, %j0 : i32
  %j1p1 = arith.addi %j1, %c1_i32 : i32
  %j1p2 = arith.addi %j1, %c2_i32 : i32
  %s1a = arith.muli %j1p1, %j1p2 : i32
  %s1b = arith.muli %s1a, %wide : i32
  %s1 = arith.divsi %s1b, %c2_i32 : i32
  %next = arith.cmpi sle, %s1, %t_abs : i32
  %tj = arith.select %next, %j1p1, %j1 : i32
  %tjp1 = arith.addi %tj, %c1_i32 : i32
  %sta = arith.muli %tj, %tjp1 : i32
  %stb = arith.muli %sta, %wide : i32
  %start = arith.divsi %stb, %c2_i32 : i32
  %ti = arith.subi %t_abs, %start : i32

  // Rows (of X and C) for tile row i, columns for tile column J (the
  // second half of them, BLOCK_N / 2 on).
  %r0_adj = arith.muli %ti, %bs : i32
  %q0_adj = arith.muli %tj, %bn : i32

  // COLUMN_PAIRS = 2: tile t -> (r; c1, c2) (top of the file).
  %CP = tessel.param "COLUMN_PAIRS" {default_value = 1 : i64, values = array<i64: 1, 2>} : index
  %pairs = arith.cmpi eq, %CP, %c2_sched : index
  %c4_i32 = arith.constant 4 : i32
  %T1 = arith.addi %T, %c1_i32 : i32
  %H = arith.divsi %T1, %c2_i32 : i32
  %Te = arith.muli %H, %c2_i32 : i32
  %n_ord = arith.muli %H, %H : i32
  // h = floor((sqrt(4t + 1) - 1) / 2), corrected by one either way for
  // float rounding; w = t - h (h + 1).
  %t_f = arith.sitofp %t_abs : i32 to f32
  %four_f = arith.constant 4.0 : f32
  %one_f = arith.constant 1.0 : f32
  %half_f = arith.constant 0.5 : f32
  %t4 = arith.mulf %t_f, %four_f : f32
  %t41 = arith.addf %t4, %one_f : f32
  %h_root = math.sqrt %t41 : f32
  %h_rm1 = arith.subf %h_root, %one_f : f32
  %h_half = arith.mulf %h_rm1, %half_f : f32
  %h0 = arith.fptosi %h_half : f32 to i32
  %h0_p1 = arith.addi %h0, %c1_i32 : i32
  %h0_s = arith.muli %h0, %h0_p1 : i32
  %h_over = arith.cmpi sgt, %h0_s, %t_abs : i32
  %h0_m1 = arith.subi %h0, %c1_i32 : i32
  %h1 = arith.select %h_over, %h0_m1, %h0 : i32
  %h1_p1 = arith.addi %h1, %c1_i32 : i32
  %h1_p2 = arith.addi %h1, %c2_i32 : i32
  %h1_s = arith.muli %h1_p1, %h1_p2 : i32
  %h_under = arith.cmpi sle, %h1_s, %t_abs : i32
  %h = arith.select %h_under, %h1_p1, %h1 : i32
  %h_p1 = arith.addi %h, %c1_i32 : i32
  %h_s = arith.muli %h, %h_p1 : i32
  %w = arith.subi %t_abs, %h_s : i32
  %in_even = arith.cmpi sle, %w, %h : i32
  %c_even = arith.muli %h, %c2_i32 : i32
  %c_odd = arith.addi %c_even, %c1_i32 : i32
  %row_even = arith.muli %w, %c2_i32 : i32
  %w_odd = arith.subi %w, %h_p1 : i32
  %w_odd2 = arith.muli %w_odd, %c2_i32 : i32
  %row_odd = arith.addi %w_odd2, %c1_i32 : i32
  %row_ord = arith.select %in_even, %row_even, %row_odd : i32
  %col_ord = arith.select %in_even, %c_even, %c_odd : i32
  %last_row = arith.cmpi sge, %t_abs, %n_ord : i32
  %j_last = arith.subi %t_abs, %n_ord : i32
  %j4 = arith.muli %j_last, %c4_i32 : i32
  %col_last = arith.addi %j4, %c1_i32 : i32
  %row_last = arith.subi %Te, %c1_i32 : i32
  %p_row = arith.select %last_row, %row_last, %row_ord : i32
  %p_c1 = arith.select %last_row, %col_last, %col_ord : i32
  %p_step = arith.select %last_row, %c2_i32, %c1_i32 : i32
  %p_c2 = arith.addi %p_c1, %p_step : i32
  %r0_p = arith.muli %p_row, %bs : i32
  %q0_p = arith.muli %p_c1, %bs : i32
  %q1_p = arith.muli %p_c2, %bs : i32
  %r0 = arith.select %pairs, %r0_p, %r0_adj : i32
  %q0 = arith.select %pairs, %q0_p, %q0_adj : i32
  %bn_half = arith.divsi %bn, %c2_i32 : i32
  %q1_adj = arith.addi %q0, %bn_half : i32
  %q1 = arith.select %pairs, %q1_p, %q1_adj : i32

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
  // This share's part of the unit: its iterations [kb, ke), of tile t's
  // K loop [uk0 + kb, uk0 + ke).
  %kb_rel = arith.subi %beg, %ustart : i32
  %kb_sk = arith.maxsi %kb_rel, %c0_i32 : i32
  %kb = arith.select %whole, %c0_i32, %kb_sk : i32
  %ke_rel = arith.subi %end, %ustart : i32
  %ke_sk = arith.minsi %ke_rel, %ulen : i32
  %ke = arith.select %whole, %kiters, %ke_sk : i32
  %kb_t = arith.addi %uk0, %kb : i32
  %ke_t = arith.addi %uk0, %ke : i32
  %k_lo = arith.muli %kb_t, %bk : i32
  %k_hi_it = arith.muli %ke_t, %bk : i32
  %k_hi = arith.minsi %k_hi_it, %k : i32
  %kbeg = arith.index_cast %k_lo : i32 to index
  %kend = arith.index_cast %k_hi : i32 to index
  %acc = scf.for %kk = %kbeg to %kend step %BK iter_args(%acc_i = %acc0) -> (tensor<?x?xf32>) {
    %kk32 = arith.index_cast %kk : index to i32
    %lt = tessel.block_load %x[%bz, %r0, %kk32] shape [%grid_z, %m, %k]
            strides [%xb, %sxr, %sc] sizes [%BS, %BK] : !tessel.ptr<bf16> -> tensor<?x?xbf16>
    %rt = tessel.block_load %x[%bz, %kk32, %q0] shape [%grid_z, %k, %m]
            strides [%xb, %sc, %sxr] sizes [%BK, %BN] second_half [%q1]
            {tessel.cluster_shared} : !tessel.ptr<bf16> -> tensor<?x?xbf16>
    %acc_n = tessel.dot %lt, %rt, %acc_i : tensor<?x?xbf16>, tensor<?x?xbf16> -> tensor<?x?xf32>
    scf.yield %acc_n : tensor<?x?xf32>
  }

  // A share that joins tile t after its start (a later chunk, or into the
  // unit) hands its sum to the program that started the tile; that one adds
  // those of every later share of every chunk of the tile.
  %joined_k = arith.cmpi sgt, %kb, %c0_i32 : i32
  %joined_c = arith.cmpi sgt, %uc, %c0_i32 : i32
  %joined = arith.ori %joined_k, %joined_c : i1
  %hand_over = arith.andi %stream_k, %joined : i1
  scf.if %hand_over {
    // Its slot: the program's own where the part starts at the program's
    // first iteration, else the unit's (P + u - tiles: a unit of a later
    // chunk entered from its start), so that no slot is written twice.
    %seg_start = arith.maxsi %beg, %ustart : i32
    %own = arith.cmpi eq, %seg_start, %beg : i32
    %uslot = arith.addi %unit_slot0, %u : i32
    %hslot = arith.select %own, %p, %uslot : i32
    %slot = arith.addi %slot0, %hslot : i32
    tessel.block_store %ws[%slot, %c0_i32, %c0_i32] shape [%nslots, %bs, %bn]
      strides [%bsbn, %bn, %c1_i32], %acc : !tessel.ptr<f32>, tensor<?x?xf32>
    tessel.signal %flags[%slot], %c1_i32 : !tessel.ptr<i32>
  } else {
  %p1 = arith.addi %p, %c1_i32 : i32
  %share1 = arith.subi %share, %c1_i32 : i32
  %c0_idx = arith.constant 0 : index
  // (a whole tile has no later shares)
  %chunks_v = arith.select %whole, %c0_i32, %chunks : i32
  %n_chunks = arith.index_cast %chunks_v : i32 to index
  %total = scf.for %c_idx = %c0_idx to %n_chunks step %c1_idx iter_args(%sum_c = %acc) -> (tensor<?x?xf32>) {
    // The programs sharing unit (c, t): after this one in chunk 0, from
    // the one holding the unit's first iteration in the later chunks.
    %cc = arith.index_cast %c_idx : index to i32
    %cc_last = arith.cmpi eq, %cc, %last_chunk : i32
    %clen = arith.select %cc_last, %last_len, %kc : i32
    %cc_span = arith.muli %cc, %span : i32
    %ct_len = arith.muli %t, %clen : i32
    %cstart = arith.addi %cc_span, %ct_len : i32
    %cend = arith.addi %cstart, %clen : i32
    %first_q = arith.divsi %cstart, %share : i32
    %first_chunk = arith.cmpi eq, %cc, %c0_i32 : i32
    %q_from = arith.select %first_chunk, %p1, %first_q : i32
    %cend_r = arith.addi %cend, %share1 : i32
    %sharers = arith.divsi %cend_r, %share : i32
    %last_sharer = arith.minsi %sharers, %P : i32
    %q_lo = arith.index_cast %q_from : i32 to index
    %q_hi_sk = arith.index_cast %last_sharer : i32 to index
    // (no later shares: the loop folds away)
    %q_hi = arith.select %stream_k, %q_hi_sk, %q_lo : index
    %sum_n = scf.for %q_idx = %q_lo to %q_hi step %c1_idx iter_args(%sum_q = %sum_c) -> (tensor<?x?xf32>) {
      %q = arith.index_cast %q_idx : index to i32
      %q_beg = arith.muli %q, %share : i32
      %q_start = arith.maxsi %q_beg, %cstart : i32
      %q_own = arith.cmpi eq, %q_start, %q_beg : i32
      %cu0 = arith.muli %cc, %sk : i32
      %cu = arith.addi %cu0, %t : i32
      %cuslot = arith.addi %unit_slot0, %cu : i32
      %qslot_l = arith.select %q_own, %q, %cuslot : i32
      %qslot = arith.addi %slot0, %qslot_l : i32
      tessel.wait %flags[%qslot], %c1_i32 : !tessel.ptr<i32>
      %part = tessel.block_load %ws[%qslot, %c0_i32, %c0_i32] shape [%nslots, %bs, %bn]
                strides [%bsbn, %bn, %c1_i32] sizes [%BS, %BN] : !tessel.ptr<f32> -> tensor<?x?xf32>
      tessel.signal %flags[%qslot], %c0_i32 : !tessel.ptr<i32>
      %sum_qn = arith.addf %sum_q, %part : tensor<?x?xf32>
      scf.yield %sum_qn : tensor<?x?xf32>
    } {tessel.no_hoist}
    scf.yield %sum_n : tensor<?x?xf32>
  } {tessel.no_hoist}

  // Epilogue: alpha * acc + beta * D[rows, cols] (D read only when beta != 0);
  // C and D are [batch, m, m] tensors like X (outside them nothing is read or
  // written).
  %cb = arith.trunci %c_batch : i64 to i32
  %alphas = tessel.splat %alpha [%BS, %BN] : f32 -> tensor<?x?xf32>
  %scaled = arith.mulf %alphas, %total : tensor<?x?xf32>
  %has_d = arith.cmpf one, %beta, %zero : f32
  %result = scf.if %has_d -> (tensor<?x?xf32>) {
    %dv = tessel.block_load %d[%bz, %r0, %q0] shape [%grid_z, %m, %m]
            strides [%cb, %ldc, %c1_i32] sizes [%BS, %BN] second_half [%q1]
            : !tessel.ptr<bf16> -> tensor<?x?xbf16>
    %dv32 = arith.extf %dv : tensor<?x?xbf16> to tensor<?x?xf32>
    %betas = tessel.splat %beta [%BS, %BN] : f32 -> tensor<?x?xf32>
    %bd = arith.mulf %betas, %dv32 : tensor<?x?xf32>
    %sum = arith.addf %scaled, %bd : tensor<?x?xf32>
    scf.yield %sum : tensor<?x?xf32>
  } else {
    scf.yield %scaled : tensor<?x?xf32>
  }
  // + gamma on the diagonal (only when gamma != 0): element (i, j) is row
  // r0 + i and column q0 + j, or q1 + j - BLOCK_N / 2 in the second half.
  // The mirror store writes the same diagonal elements back in place.
  %has_g = arith.cmpf one, %gamma, %zero : f32
  %final = scf.if %has_g -> (tensor<?x?xf32>) {
    %ri = tessel.range %BS : tensor<?xi32>
    %r0s = tessel.splat %r0 [%BS] : i32 -> tensor<?xi32>
    %rows = arith.addi %r0s, %ri : tensor<?xi32>
    %rows_c = tessel.expand_dims %rows {axis = 1 : i32} : tensor<?xi32> -> tensor<?x1xi32>
    %cj = tessel.range %BN : tensor<?xi32>
    %halfs = tessel.splat %bn_half [%BN] : i32 -> tensor<?xi32>
    %second = arith.cmpi sge, %cj, %halfs : tensor<?xi32>
    %q0s = tessel.splat %q0 [%BN] : i32 -> tensor<?xi32>
    %q1_base = arith.subi %q1, %bn_half : i32
    %q1s = tessel.splat %q1_base [%BN] : i32 -> tensor<?xi32>
    %cbase = arith.select %second, %q1s, %q0s : tensor<?xi1>, tensor<?xi32>
    %cols = arith.addi %cbase, %cj : tensor<?xi32>
    %cols_r = tessel.expand_dims %cols {axis = 0 : i32} : tensor<?xi32> -> tensor<1x?xi32>
    %rows_t = tessel.broadcast %rows_c [%BS, %BN] : tensor<?x1xi32> -> tensor<?x?xi32>
    %cols_t = tessel.broadcast %cols_r [%BS, %BN] : tensor<1x?xi32> -> tensor<?x?xi32>
    %on_diag = arith.cmpi eq, %rows_t, %cols_t : tensor<?x?xi32>
    %gammas = tessel.splat %gamma [%BS, %BN] : f32 -> tensor<?x?xf32>
    %zeros = tessel.splat %zero [%BS, %BN] : f32 -> tensor<?x?xf32>
    %gdiag = arith.select %on_diag, %gammas, %zeros : tensor<?x?xi1>, tensor<?x?xf32>
    %with_g = arith.addf %result, %gdiag : tensor<?x?xf32>
    scf.yield %with_g : tensor<?x?xf32>
  } else {
    scf.yield %result : tensor<?x?xf32>
  }
  %out = arith.truncf %final : tensor<?x?xf32> to tensor<?x?xbf16>
  tessel.block_store %c[%bz, %r0, %q0] shape [%grid_z, %m, %m]
    strides [%cb, %ldc, %c1_i32], %out second_half [%q1]
    : !tessel.ptr<bf16>, tensor<?x?xbf16>
  // The mirror tile C[J, i] = C[i, J]^T (all but a square diagonal tile):
  // the same box with the strides swapped.
  %off_diag = arith.cmpi ne, %r0, %q0 : i32
  %wide_tile = arith.cmpi ne, %wide, %c1_i32 : i32
  %mirror = arith.ori %off_diag, %wide_tile : i1
  scf.if %mirror {
    tessel.block_store %c[%bz, %r0, %q0] shape [%grid_z, %m, %m]
      strides [%cb, %c1_i32, %ldc], %out second_half [%q1]
      : !tessel.ptr<bf16>, tensor<?x?xbf16>
  }
  }
  } {tessel.no_hoist}
  return
}
