//===- Pipeline.cpp - the one pass pipeline of Tessel ---------------------===//
//
// Stage builders shared by every consumer, and the `tessel-pipeline` named
// pipeline registration for tessel-opt.
//
//===----------------------------------------------------------------------===//
#include "tessel/Target/Pipeline.h"

#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVM.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/NVVMToLLVM/NVVMToLLVM.h"
#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/UBToLLVM/UBToLLVM.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"
#include "tessel/Conversion/Passes.h"
#include "tessel/Transforms/Passes.h"

using namespace mlir;

void mlir::tessel::buildSpecializePipeline(
    OpPassManager &pm, const std::vector<std::string> &params) {
  TesselSpecializeOptions options;
  options.params.assign(params.begin(), params.end());
  pm.addPass(createTesselSpecialize(options));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void mlir::tessel::buildLayoutPipeline(OpPassManager &pm) {
  pm.addPass(createTesselAssignLayouts());
}

void mlir::tessel::buildLowerToLLVMPipeline(OpPassManager &pm) {
  pm.addPass(createConvertTesselToNVVM());
  // MLIR 22's RemoveDuplicateSuccessorInputUses compares every pair of a
  // region op's successor inputs each time the op is revisited: quadratic in
  // a wgmma tile's accumulators (128 loop-carried values per thread), it was
  // 250 of the 1000 ms a TMA syrk took to compile. The lowering never makes
  // duplicate iter_args, so the PTX is the same without it (every kernel and
  // target, byte for byte).
  pm.addPass(createCanonicalizerPass(
      GreedyRewriteConfig(),
      {"(anonymous namespace)::RemoveDuplicateSuccessorInputUses"}));
  pm.addPass(createCSEPass());
  pm.addPass(createSCFToControlFlowPass());
  // convert-gpu-to-nvvm lowers arith, cf, index, func and math (to libdevice)
  // through the ConvertToLLVM interfaces registered in registerTesselDialects.
  ConvertGpuOpsToNVVMOpsOptions gpuOptions;
  gpuOptions.indexBitwidth = 64;
  gpuOptions.useBarePtrCallConv = true;
  pm.addNestedPass<mlir::gpu::GPUModuleOp>(
      createConvertGpuOpsToNVVMOps(gpuOptions));
  pm.addPass(createConvertNVVMToLLVMPass());
  // No canonicalize/CSE here: LLVM's O2 does the same cleanup again, and
  // without them no PTX byte changed (66 kernel files and GEMM variants).
  pm.addPass(createReconcileUnrealizedCastsPass());
}

void mlir::tessel::registerTesselDialects(DialectRegistry &registry) {
  registry.insert<TesselDialect, tgpu::TesselGPUDialect, func::FuncDialect,
                  arith::ArithDialect, math::MathDialect, scf::SCFDialect,
                  cf::ControlFlowDialect, mlir::gpu::GPUDialect,
                  NVVM::NVVMDialect, LLVM::LLVMDialect>();
  arith::registerConvertArithToLLVMInterface(registry);
  cf::registerConvertControlFlowToLLVMInterface(registry);
  index::registerConvertIndexToLLVMInterface(registry);
  ub::registerConvertUBToLLVMInterface(registry);
  registerConvertFuncToLLVMInterface(registry);
  registerConvertNVVMToLLVMInterface(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerNVVMDialectTranslation(registry);
  registerGPUDialectTranslation(registry);
}

void mlir::tessel::registerAllTesselPasses() {
  registerTesselPasses();
  registerTesselConversionPasses();
  registerCanonicalizerPass();
  registerCSEPass();
  registerSCFToControlFlowPass();
  registerConvertNVVMToLLVMPass();
  registerConvertGpuOpsToNVVMOps();
  registerReconcileUnrealizedCastsPass();
  struct Options : public PassPipelineOptions<Options> {
    ListOption<std::string> params{*this, "params",
                                   llvm::cl::desc("knob bindings NAME=VALUE")};
  };
  PassPipelineRegistration<Options>(
      "tessel-pipeline",
      "specialize, assign layouts and lower a Tessel kernel to NVVM/LLVM",
      [](OpPassManager &pm, const Options &o) {
        buildSpecializePipeline(
            pm, std::vector<std::string>(o.params.begin(), o.params.end()));
        buildLayoutPipeline(pm);
        buildLowerToLLVMPipeline(pm);
      });
}
