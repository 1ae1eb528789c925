//===- Compiler.cpp - DSL text to PTX, in process -------------------------===//
//
// parse + verify -> specialize -> layouts -> NVVM/LLVM dialects -> LLVM IR
// -> (libdevice if used) -> O2 -> NVPTX -> PTX text, every stage kept.
//
//===----------------------------------------------------------------------===//
#include "tessel/Target/Compiler.h"
#include "tessel/Dialect/TesselGPU/Wgmma.h"
#include "tessel/Target/PTXEmitter.h"
#include "tessel/Target/Pipeline.h"
#include "tessel/runtime/TmaArgsJson.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "tessel/Dialect/Tessel/IR/Tessel.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <sstream>

using namespace mlir;
using ::tessel::CompileOptions;
using ::tessel::CompileResult;
using ::tessel::KernelInfo;
namespace rt = ::tessel::rt;

const char * ::tessel::llvmVersion() { return LLVM_VERSION_STRING; }

const std::vector<std::string> & ::tessel::supportedTargets() {
  static const std::vector<std::string> targets = {"sm_80", "sm_89", "sm_90a",
                                                   "sm_100a"};
  return targets;
}

static std::string printOp(Operation *op) {
  std::string s;
  llvm::raw_string_ostream os(s);
  op->print(os);
  return s;
}

static std::string argKind(Type t) {
  if (isa<mlir::tessel::PtrType>(t))
    return "ptr";
  if (t.isInteger(32))
    return "i32";
  if (t.isInteger(64) || t.isIndex())
    return "i64";
  if (t.isF32())
    return "f32";
  if (t.isF64())
    return "f64";
  if (t.isF16())
    return "f16";
  if (t.isBF16())
    return "bf16";
  return "unsupported";
}

/// The tensor maps a lowered kernel takes (its `tessel.tma` attribute: an
/// array of dictionaries {base, shape_args, shape_values, stride_args,
/// stride_values, box, element_bytes, swizzle}, *_args -1 meaning the
/// *_values entry) into info.tma, checked against the kernel's arguments. A
/// malformed entry is a compiler bug, reported here rather than at launch.
static LogicalResult readTmaSpecs(LLVM::LLVMFuncOp fn, KernelInfo &info,
                                  const std::string &bufferName,
                                  llvm::raw_ostream &errs) {
  info.tma.clear();
  auto list = fn->getAttrOfType<ArrayAttr>("tessel.tma");
  if (!list)
    return success();
  for (auto [i, entry] : llvm::enumerate(list)) {
    auto fail = [&, i = i](const llvm::Twine &why) {
      errs << bufferName << ": error: kernel '" << info.name
           << "': tessel.tma entry " << i << ": " << why << "\n";
      return failure();
    };
    auto dict = dyn_cast<DictionaryAttr>(entry);
    if (!dict)
      return fail("not a dictionary");
    auto integer = [&](StringRef key) -> std::optional<int64_t> {
      if (auto a = dict.getAs<IntegerAttr>(key))
        return a.getInt();
      return std::nullopt;
    };
    auto array = [&](StringRef key) -> std::optional<ArrayRef<int64_t>> {
      if (auto a = dict.getAs<DenseI64ArrayAttr>(key))
        return a.asArrayRef();
      return std::nullopt;
    };
    auto base = integer("base");
    auto shapeArgs = array("shape_args"), shapeValues = array("shape_values");
    auto strideArgs = array("stride_args"),
         strideValues = array("stride_values");
    auto box = array("box");
    auto elementBytes = integer("element_bytes"), swizzle = integer("swizzle");
    if (!base || !shapeArgs || !shapeValues || !strideArgs || !strideValues ||
        !box || !elementBytes || !swizzle)
      return fail("needs base, shape_args, shape_values, stride_args, "
                  "stride_values, box, element_bytes and swizzle");
    const size_t rank = shapeArgs->size();
    if (shapeValues->size() != rank || strideArgs->size() != rank ||
        strideValues->size() != rank || box->size() != rank)
      return fail("shape, strides and box differ in length");

    rt::TmaArgSpec spec;
    auto argKindOf = [&](int64_t a) -> std::string {
      return a >= 0 && (size_t)a < info.args.size() ? info.args[a] : "";
    };
    if (argKindOf(*base) != "ptr")
      return fail("base " + llvm::Twine(*base) + " is not a ptr argument");
    spec.baseArg = (int)*base;
    for (auto [what, args, values, out] :
         {std::tuple{"shape", *shapeArgs, *shapeValues, &spec.shape},
          std::tuple{"stride", *strideArgs, *strideValues, &spec.strides}})
      for (size_t d = 0; d < rank; ++d) {
        int64_t a = args[d];
        if (a < 0) {
          out->push_back(rt::TmaOperand{-1, values[d]});
          continue;
        }
        std::string kind = argKindOf(a);
        if (kind != "i32" && kind != "i64")
          return fail(llvm::Twine(what) + " " + llvm::Twine(d) +
                      " is argument " + llvm::Twine(a) +
                      ", not an i32 or i64 argument");
        out->push_back(rt::TmaOperand{(int)a, 0});
      }
    for (int64_t b : *box) {
      if (b < 1 || b > 256)
        return fail("box entry " + llvm::Twine(b) + " is not 1 .. 256");
      spec.box.push_back((uint32_t)b);
    }
    if (*elementBytes == 2)
      spec.element = rt::TmaElement::BF16;
    else if (*elementBytes == 4)
      spec.element = rt::TmaElement::F32;
    else
      return fail("element_bytes " + llvm::Twine(*elementBytes) +
                  "; TMA maps are of bf16 (2) or f32 (4)");
    std::optional<rt::TmaSwizzle> sw = rt::tmaSwizzleOfBytes(*swizzle);
    if (!sw)
      return fail("swizzle " + llvm::Twine(*swizzle) +
                  " is not 0, 32, 64 or 128");
    spec.swizzle = *sw;
    info.tma.push_back(std::move(spec));
  }
  return success();
}

/// Knob values each kernel will be specialized with (bound, else default).
static std::map<std::string, std::map<std::string, int64_t>>
resolveKnobs(ModuleOp module, const std::vector<std::string> &params) {
  std::map<std::string, int64_t> bound;
  for (const std::string &p : params) {
    auto [name, value] = llvm::StringRef(p).split('=');
    int64_t v;
    if (!value.getAsInteger(10, v))
      bound[name.str()] = v;
  }
  std::map<std::string, std::map<std::string, int64_t>> out;
  for (auto f : module.getOps<func::FuncOp>()) {
    if (!f->hasAttr(mlir::tessel::kKernelAttr))
      continue;
    auto &knobs = out[f.getName().str()];
    f.walk([&](mlir::tessel::ParamOp p) {
      if (auto it = bound.find(p.getName().str()); it != bound.end())
        knobs[p.getName().str()] = it->second;
      else if (auto d = p.getDefaultValueAttr())
        knobs[p.getName().str()] = d.getInt();
    });
  }
  return out;
}

namespace {

/// A context, the source buffer and the diagnostics handler that writes
/// located errors to `errs`, for one compile.
struct ParseScope {
  DialectRegistry registry;
  std::unique_ptr<MLIRContext> ctx;
  llvm::SourceMgr sourceMgr;
  std::unique_ptr<SourceMgrDiagnosticHandler> handler;

  ParseScope(const std::string &source, const std::string &bufferName,
             llvm::raw_ostream &errs) {
    mlir::tessel::registerTesselDialects(registry);
    // One small module per compile, and compiles run in parallel (the
    // tuner): no thread pool per context.
    ctx = std::make_unique<MLIRContext>(registry,
                                        MLIRContext::Threading::DISABLED);
    ctx->loadAllAvailableDialects();
    // Diagnostics point at the DSL line; a dump of the whole op helps nobody.
    ctx->printOpOnDiagnostic(false);
    sourceMgr.AddNewSourceBuffer(
        llvm::MemoryBuffer::getMemBufferCopy(source, bufferName),
        llvm::SMLoc());
    handler = std::make_unique<SourceMgrDiagnosticHandler>(sourceMgr,
                                                           ctx.get(), errs);
  }
  /// The parsed and verified module, or null (errors reported).
  OwningOpRef<ModuleOp> parse() {
    return parseSourceFile<ModuleOp>(sourceMgr, ctx.get());
  }
};

} // namespace

bool ::tessel::kernelConfigSpaces(const std::string &source,
                                  const std::string &bufferName,
                                  std::vector<KernelSpaceInfo> &out,
                                  std::string &errors) {
  llvm::raw_string_ostream errs(errors);
  ParseScope scope(source, bufferName, errs);
  OwningOpRef<ModuleOp> module = scope.parse();
  if (!module)
    return false;
  out.clear();
  for (auto f : module->getOps<func::FuncOp>()) {
    if (!f->hasAttr(mlir::tessel::kKernelAttr))
      continue;
    KernelSpaceInfo info;
    info.name = f.getName().str();
    f.walk([&](mlir::tessel::ParamOp p) {
      KnobInfo knob;
      knob.name = p.getName().str();
      if (auto d = p.getDefaultValueAttr()) {
        knob.defaultValue = d.getInt();
        knob.hasDefault = true;
      }
      if (auto values = p.getValues())
        knob.values.assign(values->begin(), values->end());
      info.knobs.push_back(std::move(knob));
    });
    if (auto list = f->getAttrOfType<ArrayAttr>("tessel.constraints"))
      for (Attribute a : list)
        if (auto text = dyn_cast<StringAttr>(a))
          info.constraints.push_back(text.getValue().str());
    out.push_back(std::move(info));
  }
  return true;
}

bool ::tessel::compileSource(const std::string &source,
                             const CompileOptions &options,
                             CompileResult &result, std::string &errors) {
  llvm::raw_string_ostream errs(errors);
  const auto &targets = supportedTargets();
  if (std::find(targets.begin(), targets.end(), options.target) ==
      targets.end()) {
    errs << "error: unknown target '" << options.target
         << "'; use one of sm_80, sm_89, sm_90a, sm_100a\n";
    return false;
  }
  result.stageTimes.clear();
  StageClock clock(result.stageTimes);
  ParseScope scope(source, options.bufferName, errs);
  MLIRContext &ctx = *scope.ctx;
  OwningOpRef<ModuleOp> module = scope.parse();
  if (!module)
    return false;
  clock.lap("parse");
  auto knobs = resolveKnobs(*module, options.params);

  PassManager stage1(&ctx);
  mlir::tessel::buildSpecializePipeline(stage1, options.params);
  if (failed(stage1.run(*module)))
    return false;
  result.tesselIR = printOp(*module);
  clock.lap("specialize");

  // Launch metadata, read before the kernels move into the gpu.module.
  result.kernels.clear();
  for (auto f : module->getOps<func::FuncOp>()) {
    if (!f->hasAttr(mlir::tessel::kKernelAttr))
      continue;
    KernelInfo info;
    info.name = f.getName().str();
    info.numWarps = f->getAttrOfType<IntegerAttr>("tessel.num_warps").getInt();
    for (Type t : f.getArgumentTypes())
      info.args.push_back(argKind(t));
    info.params = knobs[info.name];
    result.kernels.push_back(info);
  }
  if (result.kernels.empty()) {
    errs << options.bufferName
         << ": error: no kernel: mark a func.func with {tessel.kernel}\n";
    return false;
  }

  // The layouts and the lowering pick instructions by target (wgmma on
  // sm_90a): they read it from the module.
  (*module)->setAttr(::tessel::layout::kTargetAttr,
                     StringAttr::get(&ctx, options.target));
  if (options.wgmma)
    (*module)->setAttr(::tessel::layout::kWgmmaAttr, UnitAttr::get(&ctx));
  PassManager stage2(&ctx);
  mlir::tessel::buildLayoutPipeline(stage2);
  if (failed(stage2.run(*module)))
    return false;
  result.gpuIR = printOp(*module);
  clock.lap("layouts");

  PassManager stage3(&ctx);
  mlir::tessel::buildLowerToLLVMPipeline(stage3);
  if (failed(stage3.run(*module)))
    return false;
  clock.lap("lower to LLVM dialect");

  mlir::gpu::GPUModuleOp gpuModule;
  module->walk([&](mlir::gpu::GPUModuleOp m) { gpuModule = m; });
  for (auto fn : gpuModule.getOps<LLVM::LLVMFuncOp>())
    for (KernelInfo &info : result.kernels) {
      if (fn.getName() != info.name)
        continue;
      if (auto bytes = fn->getAttrOfType<IntegerAttr>("tessel.shared_bytes"))
        info.sharedBytes = bytes.getInt();
      // The launch's warps, a producer warpgroup included (WARP_ROLES = 2).
      if (auto warps = fn->getAttrOfType<IntegerAttr>("tessel.num_warps"))
        info.numWarps = warps.getInt();
      info.gridDependency = fn->hasAttr("tessel.grid_dependency");
      if (auto c = fn->getAttrOfType<IntegerAttr>("tessel.cluster_size"))
        info.clusterSize = c.getInt();
      if (failed(readTmaSpecs(fn, info, options.bufferName, errs)))
        return false;
    }

  llvm::LLVMContext llvmCtx;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(gpuModule, llvmCtx, "tessel");
  if (!llvmModule) {
    errs << options.bufferName << ": error: translation to LLVM IR failed\n";
    return false;
  }
  clock.lap("translate");
  std::string ptxError;
  if (!::tessel::emitPTX(*llvmModule, options.target, result.ptx, result.llvmIR,
                         ptxError, &clock)) {
    errs << options.bufferName << ": error: " << ptxError << "\n";
    return false;
  }
  result.target = options.target;
  return true;
}

auto ::tessel::kernelInfoJson(const CompileResult &result) -> std::string {
  std::ostringstream os;
  os << "{\n  \"target\": \"" << result.target << "\",\n  \"kernels\": [";
  for (size_t i = 0; i < result.kernels.size(); ++i) {
    const KernelInfo &k = result.kernels[i];
    os << (i ? "," : "") << "\n    {\"name\": \"" << k.name
       << "\", \"num_warps\": " << k.numWarps
       << ", \"shared_bytes\": " << k.sharedBytes << ", \"args\": [";
    for (size_t a = 0; a < k.args.size(); ++a)
      os << (a ? ", " : "") << "\"" << k.args[a] << "\"";
    os << "], \"params\": {";
    size_t n = 0;
    for (auto &[name, v] : k.params)
      os << (n++ ? ", " : "") << "\"" << name << "\": " << v;
    os << "}";
    if (!k.tma.empty())
      os << ", \"tma\": " << ::tessel::rt::tmaSpecsToJson(k.tma).dump();
    if (k.gridDependency)
      os << ", \"grid_dependency\": true";
    if (k.clusterSize != 1)
      os << ", \"cluster_size\": " << k.clusterSize;
    os << "}";
  }
  os << "\n  ]\n}\n";
  return os.str();
}
