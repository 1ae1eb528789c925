//===- tessel-opt.cpp - mlir-opt for Tessel -------------------------------===//
//
// Runs any Tessel pass or the whole pipeline on a file: the replay tool for
// every kernel that fails anywhere (lit tests drive it too).
//
//===----------------------------------------------------------------------===//
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "tessel/Target/Pipeline.h"

int main(int argc, char **argv) {
  mlir::tessel::registerAllTesselPasses();
  mlir::DialectRegistry registry;
  mlir::tessel::registerTesselDialects(registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Tessel optimizer driver\n", registry));
}
