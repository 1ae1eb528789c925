// rowsum_abs.mlir — out[i] = sum_j |x[i, j]| for an M x N bf16 matrix (row
// stride ld), accumulated in fp32: the row sums AOL preconditioning needs.
// Grid: (cdiv(M, BLOCK_M),). Each program sweeps its rows in BLOCK_N chunks,
// keeps a BLOCK_M x BLOCK_N fp32 partial and reduces it once at the end.
func.func @rowsum_abs(%x: !tessel.ptr<bf16>, %out: !tessel.ptr<f32>,
                      %M: i32, %N: i32, %ld: i32) attributes {tessel.kernel} {
  %BM = tessel.param "BLOCK_M" {default_value = 32 : i64, values = array<i64: 16, 32, 64>} : index
  %BN = tessel.param "BLOCK_N" {default_value = 128 : i64, values = array<i64: 64, 128, 256>} : index
  %warps = tessel.param "num_warps" {default_value = 4 : i64, values = array<i64: 2, 4, 8>} : index
  %bm = arith.index_cast %BM : index to i32
  %pid = tessel.program_id 0 : i32
  %m0 = arith.muli %pid, %bm : i32
  %rm = tessel.range %BM : tensor<?xi32>
  %rn = tessel.range %BN : tensor<?xi32>
  %m0s = tessel.splat %m0 [%BM] : i32 -> tensor<?xi32>
  %rows = arith.addi %m0s, %rm : tensor<?xi32>
  %r2 = tessel.expand_dims %rows {axis = 1 : i32} : tensor<?xi32> -> tensor<?x1xi32>
  %lds = tessel.splat %ld [%BM] : i32 -> tensor<?x1xi32>
  %roff = arith.muli %r2, %lds : tensor<?x1xi32>
  %roff2 = tessel.broadcast %roff [%BM, %BN] : tensor<?x1xi32> -> tensor<?x?xi32>
  %Ms = tessel.splat %M [%BM] : i32 -> tensor<?x1xi32>
  %row_ok = arith.cmpi slt, %r2, %Ms : tensor<?x1xi32>
  %row_ok2 = tessel.broadcast %row_ok [%BM, %BN] : tensor<?x1xi1> -> tensor<?x?xi1>
  %xbase = tessel.splat %x [%BM, %BN] : !tessel.ptr<bf16> -> tensor<?x?x!tessel.ptr<bf16>>
  %zero = arith.constant 0.0 : f32
  %acc0 = tessel.splat %zero [%BM, %BN] : f32 -> tensor<?x?xf32>
  %c0 = arith.constant 0 : index
  %nend = arith.index_cast %N : i32 to index
  %acc = scf.for %j = %c0 to %nend step %BN iter_args(%acc_i = %acc0) -> (tensor<?x?xf32>) {
    %j32 = arith.index_cast %j : index to i32
    %js = tessel.splat %j32 [%BN] : i32 -> tensor<?xi32>
    %cols = arith.addi %js, %rn : tensor<?xi32>
    %c2 = tessel.expand_dims %cols {axis = 0 : i32} : tensor<?xi32> -> tensor<1x?xi32>
    %c22 = tessel.broadcast %c2 [%BM, %BN] : tensor<1x?xi32> -> tensor<?x?xi32>
    %off = arith.addi %roff2, %c22 : tensor<?x?xi32>
    %ptr = tessel.addptr %xbase, %off : tensor<?x?x!tessel.ptr<bf16>>, tensor<?x?xi32>
    %Ns = tessel.splat %N [%BN] : i32 -> tensor<1x?xi32>
    %col_ok = arith.cmpi slt, %c2, %Ns : tensor<1x?xi32>
    %col_ok2 = tessel.broadcast %col_ok [%BM, %BN] : tensor<1x?xi1> -> tensor<?x?xi1>
    %mask = arith.andi %row_ok2, %col_ok2 : tensor<?x?xi1>
    %v = tessel.load %ptr, %mask : tensor<?x?x!tessel.ptr<bf16>>
    %v32 = arith.extf %v : tensor<?x?xbf16> to tensor<?x?xf32>
    %a = math.absf %v32 : tensor<?x?xf32>
    %acc_n = arith.addf %acc_i, %a : tensor<?x?xf32>
    scf.yield %acc_n : tensor<?x?xf32>
  }
  %sums = tessel.reduce sum %acc {axis = 1 : i32} : tensor<?x?xf32> -> tensor<?xf32>
  %obase = tessel.splat %out [%BM] : !tessel.ptr<f32> -> tensor<?x!tessel.ptr<f32>>
  %optr = tessel.addptr %obase, %rows : tensor<?x!tessel.ptr<f32>>, tensor<?xi32>
  %Ms1 = tessel.splat %M [%BM] : i32 -> tensor<?xi32>
  %ok = arith.cmpi slt, %rows, %Ms1 : tensor<?xi32>
  tessel.store %optr, %sums, %ok : tensor<?x!tessel.ptr<f32>>
  return
}
