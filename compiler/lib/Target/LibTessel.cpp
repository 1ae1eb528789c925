//===- LibTessel.cpp - what libtessel.so adds to the compiler archives ----===//
//
// libtessel.so is the compiler (every object of TesselCompiler and what it
// needs) behind the MLIR-free header tessel/Target/Compiler.h.
//
//===----------------------------------------------------------------------===//
#include "tessel/Target/Compiler.h"

const char *tessel::version() { return TESSEL_VERSION_STRING; }
