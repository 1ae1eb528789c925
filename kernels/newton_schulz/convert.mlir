// convert.mlir — fp32 input to the bf16 working copy: Xo = bf16(X), X an
// m x n fp32 view with element strides (sxr, sxc) (tall inputs transposed, no
// copy), Xo compact m x n bf16. Grid (cdiv(m, BLOCK_M), cdiv(n, BLOCK_N),
// batch); batch offsets 64-bit.
func.func @to_bf16(%x: !tessel.ptr<f32>, %xout: !tessel.ptr<bf16>, %m: i32, %n: i32,
                   %sxr: i32, %sxc: i32, %x_batch: i64) attributes {tessel.kernel} {
  %BM = tessel.param "BLOCK_M" {default_value = 32 : i64, values = array<i64: 16, 32, 64>} : index
  %BN = tessel.param "BLOCK_N" {default_value = 64 : i64, values = array<i64: 32, 64, 128>} : index
  %warps = tessel.param "num_warps" {default_value = 4 : i64, values = array<i64: 2, 4, 8>} : index
  %bm = arith.index_cast %BM : index to i32
  %bn = arith.index_cast %BN : index to i32
  %bz = tessel.program_id 2 : i32
  %bz64 = arith.extsi %bz : i32 to i64
  %xo = arith.muli %bz64, %x_batch : i64
  %xmat = tessel.addptr %x, %xo : !tessel.ptr<f32>, i64
  %omat = tessel.addptr %xout, %xo : !tessel.ptr<bf16>, i64
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
  %ms = tessel.splat %m [%BM, %BN] : i32 -> tensor<?x?xi32>
  %ns = tessel.splat %n [%BM, %BN] : i32 -> tensor<?x?xi32>
  %rok = arith.cmpi slt, %er2, %ms : tensor<?x?xi32>
  %cok = arith.cmpi slt, %ec2, %ns : tensor<?x?xi32>
  %mask = arith.andi %rok, %cok : tensor<?x?xi1>
  %sxrs = tessel.splat %sxr [%BM, %BN] : i32 -> tensor<?x?xi32>
  %sxcs = tessel.splat %sxc [%BM, %BN] : i32 -> tensor<?x?xi32>
  %xr = arith.muli %er2, %sxrs : tensor<?x?xi32>
  %xc = arith.muli %ec2, %sxcs : tensor<?x?xi32>
  %xoff = arith.addi %xr, %xc : tensor<?x?xi32>
  %xbase = tessel.splat %xmat [%BM, %BN] : !tessel.ptr<f32> -> tensor<?x?x!tessel.ptr<f32>>
  %xptr = tessel.addptr %xbase, %xoff : tensor<?x?x!tessel.ptr<f32>>, tensor<?x?xi32>
  %v = tessel.load %xptr, %mask : tensor<?x?x!tessel.ptr<f32>>
  %b = arith.truncf %v : tensor<?x?xf32> to tensor<?x?xbf16>
  %nn = tessel.splat %n [%BM, %BN] : i32 -> tensor<?x?xi32>
  %or = arith.muli %er2, %nn : tensor<?x?xi32>
  %ooff = arith.addi %or, %ec2 : tensor<?x?xi32>
  %obase = tessel.splat %omat [%BM, %BN] : !tessel.ptr<bf16> -> tensor<?x?x!tessel.ptr<bf16>>
  %optr = tessel.addptr %obase, %ooff : tensor<?x?x!tessel.ptr<bf16>>, tensor<?x?xi32>
  tessel.store %optr, %b, %mask : tensor<?x?x!tessel.ptr<bf16>>
  return
}
