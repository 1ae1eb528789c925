// Regression: a negative knob default is rejected (the attribute getter is
// unsigned; the verifier reads the signed value).
// RUN: tessel-opt %s -split-input-file -verify-diagnostics

func.func @param_default_negative() {
  // expected-error @+1 {{'tessel.param' op default -4 of 'B' is not positive}}
  %0 = tessel.param "B" {default_value = -4 : i64} : index
  return
}

