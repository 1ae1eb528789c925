// KNOWN BUG (remove XFAIL when fixed): ParamOp::verify compares the default
// through OptionalAttr<I64Attr>, whose C++ type is uint64_t, so `*def <= 0` is
// never true for a negative default and "is not positive" is never emitted.
// XFAIL: *
// RUN: tessel-opt %s -split-input-file -verify-diagnostics

func.func @param_default_negative() {
  // expected-error @+1 {{'tessel.param' op default -4 of 'B' is not positive}}
  %0 = tessel.param "B" {default_value = -4 : i64} : index
  return
}

