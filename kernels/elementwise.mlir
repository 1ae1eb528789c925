// elementwise.mlir — y[i] = alpha * x[i] + y[i] over n elements, masked at the tail.
// One program per BLOCK elements; the simplest kernel that exercises masks.
func.func @axpy(%x: !tessel.ptr<f32>, %y: !tessel.ptr<f32>, %alpha: f32,
                %n: i32) attributes {tessel.kernel} {
  %block = tessel.param "BLOCK" {default_value = 1024 : i64,
                                 values = array<i64: 256, 512, 1024, 2048>} : index
  %warps = tessel.param "num_warps" {default_value = 4 : i64,
                                     values = array<i64: 2, 4, 8>} : index
  %pid = tessel.program_id 0 : i32
  %block_i32 = arith.index_cast %block : index to i32
  %start = arith.muli %pid, %block_i32 : i32
  %r = tessel.range %block : tensor<?xi32>
  %starts = tessel.splat %start [%block] : i32 -> tensor<?xi32>
  %offs = arith.addi %starts, %r : tensor<?xi32>
  %ns = tessel.splat %n [%block] : i32 -> tensor<?xi32>
  %mask = arith.cmpi slt, %offs, %ns : tensor<?xi32>
  %xb = tessel.splat %x [%block] : !tessel.ptr<f32> -> tensor<?x!tessel.ptr<f32>>
  %xp = tessel.addptr %xb, %offs : tensor<?x!tessel.ptr<f32>>, tensor<?xi32>
  %yb = tessel.splat %y [%block] : !tessel.ptr<f32> -> tensor<?x!tessel.ptr<f32>>
  %yp = tessel.addptr %yb, %offs : tensor<?x!tessel.ptr<f32>>, tensor<?xi32>
  %xv = tessel.load %xp, %mask : tensor<?x!tessel.ptr<f32>>
  %yv = tessel.load %yp, %mask : tensor<?x!tessel.ptr<f32>>
  %a = tessel.splat %alpha [%block] : f32 -> tensor<?xf32>
  %ax = arith.mulf %a, %xv : tensor<?xf32>
  %out = arith.addf %ax, %yv : tensor<?xf32>
  tessel.store %yp, %out, %mask : tensor<?x!tessel.ptr<f32>>
  return
}
