//===- PTXEmitter.cpp - LLVM IR to PTX with the NVPTX backend -------------===//
//
// The last compiler stage. libdevice is parsed once per process and linked
// (only what is needed, then internalized) into modules that use it.
//
//===----------------------------------------------------------------------===//
#include "tessel/Target/PTXEmitter.h"

#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IRReader/IRReader.h"
#include "llvm/Linker/Linker.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Triple.h"
#include "llvm/Transforms/IPO/Internalize.h"

#include <cstdlib>
#include <mutex>

using namespace llvm;

static const char *kTriple = "nvptx64-nvidia-cuda";

/// The IR passes that pay on Tessel's lowered kernels. The MLIR lowering has
/// already folded, CSE'd and unrolled them into straight-line code, so O2's
/// loop, vectorizer and DSE passes mostly find nothing (yet DSE, InstCombine
/// and GVN over ~10k instructions were 270 ms of a TMA syrk's compile).
/// libdevice's helpers are alwaysinline.
static const char *kLightPipeline =
    "always-inline,function(sroa,early-cse<memssa>,"
    "instcombine<no-verify-fixpoint>,simplifycfg,gvn,"
    "instcombine<no-verify-fixpoint>,adce,simplifycfg),globaldce";

std::string tessel::llvmPassPipeline() {
  const char *env = std::getenv("TESSEL_LLVM_PASSES");
  return env && *env ? env : "O2";
}

std::string tessel::libdevicePath() {
  if (const char *env = std::getenv("TESSEL_LIBDEVICE"))
    return env;
  return "/usr/local/cuda/nvvm/libdevice/libdevice.10.bc";
}

static void initNVPTX() {
  static std::once_flag once;
  std::call_once(once, [] {
    LLVMInitializeNVPTXTargetInfo();
    LLVMInitializeNVPTXTarget();
    LLVMInitializeNVPTXTargetMC();
    LLVMInitializeNVPTXAsmPrinter();
  });
}

/// The libdevice bitcode, read from disk once per process.
static const MemoryBuffer *libdevice(std::string &error) {
  static std::once_flag once;
  static std::unique_ptr<MemoryBuffer> buffer;
  static std::string loadError;
  std::call_once(once, [] {
    auto b = MemoryBuffer::getFile(tessel::libdevicePath());
    if (!b)
      loadError = "cannot read libdevice at " + tessel::libdevicePath() + ": " +
                  b.getError().message() + " (set TESSEL_LIBDEVICE)";
    else
      buffer = std::move(*b);
  });
  error = loadError;
  return buffer.get();
}

static bool linkLibdevice(Module &module, std::string &error) {
  bool needed = false;
  for (Function &f : module)
    if (f.isDeclaration() && f.getName().starts_with("__nv_"))
      needed = true;
  if (!needed)
    return true;
  const MemoryBuffer *buffer = libdevice(error);
  if (!buffer)
    return false;
  // Lazily: only the functions the link pulls in are materialized (parsing
  // all of libdevice cost more than the rest of a small kernel's compile).
  auto lib =
      getLazyBitcodeModule(buffer->getMemBufferRef(), module.getContext());
  if (!lib) {
    error = "libdevice is not valid bitcode: " + toString(lib.takeError());
    return false;
  }
  (*lib)->setTargetTriple(module.getTargetTriple());
  (*lib)->setDataLayout(module.getDataLayout());
  if (Linker::linkModules(module, std::move(*lib), Linker::LinkOnlyNeeded)) {
    error = "linking libdevice failed";
    return false;
  }
  // Only kernels stay visible; libdevice's helpers become internal.
  internalizeModule(module, [](const GlobalValue &gv) {
    const auto *f = dyn_cast<Function>(&gv);
    return f && f->getCallingConv() == CallingConv::PTX_Kernel;
  });
  return true;
}

bool tessel::emitPTX(Module &module, const std::string &chip, std::string &ptx,
                     std::string &llvmIR, std::string &error,
                     StageClock *clock) {
  auto lap = [clock](const char *stage) {
    if (clock)
      clock->lap(stage);
  };
  initNVPTX();
  Triple triple(kTriple);
  const Target *target = TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return false;
  TargetOptions options;
  std::unique_ptr<TargetMachine> tm(
      target->createTargetMachine(triple, chip, "", options, std::nullopt,
                                  std::nullopt,
                                  // CodeGenOptLevel::None compiles NS kernels
                                  // 2.5x faster (its straight-line scalar
                                  // passes are skipped) but they ran 7-11%
                                  // slower on the H100: kernel speed first.
                                  CodeGenOptLevel::Default));
  if (!tm) {
    error = "no NVPTX target machine for " + chip;
    return false;
  }
  module.setTargetTriple(triple);
  module.setDataLayout(tm->createDataLayout());
  module.addModuleFlag(Module::Override, "nvvm-reflect-ftz", (uint32_t)0);
  if (!linkLibdevice(module, error))
    return false;
  lap("libdevice");

  LoopAnalysisManager lam;
  FunctionAnalysisManager fam;
  CGSCCAnalysisManager cgam;
  ModuleAnalysisManager mam;
  // O2 without its vectorizers: on Tessel's lowered kernels (already
  // vector loads and stores where they pay) they changed no PTX byte of any
  // kernel file or GEMM variant, for every target, and cost ~30 ms of a
  // TMA syrk's compile.
  PipelineTuningOptions tuning;
  tuning.SLPVectorization = false;
  tuning.LoopVectorization = false;
  PassBuilder pb(tm.get(), tuning);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  const std::string passes = tessel::llvmPassPipeline();
  if (passes == "O2") {
    pb.buildPerModuleDefaultPipeline(OptimizationLevel::O2).run(module, mam);
  } else {
    ModulePassManager mpm;
    if (auto err = pb.parsePassPipeline(mpm, passes == "light" ? kLightPipeline
                                                               : passes)) {
      error = "LLVM pass pipeline '" + passes +
              "' ($TESSEL_LLVM_PASSES): " + toString(std::move(err));
      return false;
    }
    mpm.run(module, mam);
  }

  {
    raw_string_ostream os(llvmIR);
    module.print(os, nullptr);
  }
  lap("LLVM IR passes");
  SmallString<0> buffer;
  raw_svector_ostream os(buffer);
  legacy::PassManager codegen;
  if (tm->addPassesToEmitFile(codegen, os, nullptr,
                              CodeGenFileType::AssemblyFile)) {
    error = "the NVPTX backend cannot emit assembly for " + chip;
    return false;
  }
  codegen.run(module);
  ptx.assign(buffer.begin(), buffer.end());
  lap("NVPTX codegen");
  return true;
}
