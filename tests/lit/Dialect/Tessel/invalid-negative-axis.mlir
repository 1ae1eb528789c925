// Regression: a negative axis is reported as negative (the I32Attr getter is
// unsigned; the verifiers read the signed value).
// RUN: tessel-opt %s -split-input-file -verify-diagnostics

func.func @expand_dims_axis_negative(%x: tensor<64xi32>) {
  // expected-error @+1 {{'tessel.expand_dims' op axis -1 is out of range for rank 1}}
  %0 = tessel.expand_dims %x {axis = -1 : i32} : tensor<64xi32> -> tensor<64x1xi32>
  return
}

// -----

func.func @reduce_axis_negative(%x: tensor<64x32xf32>) {
  // expected-error @+1 {{'tessel.reduce' op axis -1 is out of range for a 2-D tile}}
  %0 = tessel.reduce sum %x {axis = -1 : i32} : tensor<64x32xf32> -> tensor<64xf32>
  return
}
