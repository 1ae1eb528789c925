//===- TesselToNVVMPass.cpp - convert-tessel-to-nvvm ----------------------===//
//
// Moves every tessel kernel into `gpu.module @tessel_kernels` as a gpu.func
// and lowers its body with KernelLowering; the shared-memory window all
// kernels index is one `extern .shared` array, sized at launch.
//
//===----------------------------------------------------------------------===//
#include "KernelLowering.h"
#include "tessel/Dialect/TesselGPU/Wgmma.h"
#include "tessel/Conversion/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::tessel {
#define GEN_PASS_DEF_CONVERTTESSELTONVVM
#include "tessel/Conversion/Passes.h.inc"
} // namespace mlir::tessel

using namespace mlir;
using namespace mlir::tessel;

namespace {

constexpr llvm::StringLiteral kGpuModuleName = "tessel_kernels";
constexpr llvm::StringLiteral kSharedName = "__tessel_smem";
/// Alignment of the dynamic shared window: TMA's 128-byte swizzle repeats
/// every 1024 bytes, and the ring's stages start on that boundary.
constexpr int64_t kSharedAlign = 1024;

struct ConvertTesselToNVVMPass
    : public mlir::tessel::impl::ConvertTesselToNVVMBase<
          ConvertTesselToNVVMPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> kernels;
    for (auto f : module.getOps<func::FuncOp>())
      if (f->hasAttr(kKernelAttr))
        kernels.push_back(f);
    if (kernels.empty())
      return;
    MLIRContext *ctx = module.getContext();
    OpBuilder b(ctx);
    b.setInsertionPointToEnd(module.getBody());
    module->setAttr(mlir::gpu::GPUDialect::getContainerModuleAttrName(),
                    b.getUnitAttr());
    auto gpuModule =
        mlir::gpu::GPUModuleOp::create(b, module.getLoc(), kGpuModuleName);
    b.setInsertionPointToStart(gpuModule.getBody());
    auto smem = LLVM::GlobalOp::create(
        b, module.getLoc(), LLVM::LLVMArrayType::get(b.getI8Type(), 0),
        /*isConstant=*/false, LLVM::Linkage::External, kSharedName, Attribute(),
        kSharedAlign, /*addrSpace=*/3);
    for (func::FuncOp f : kernels) {
      if (failed(lowerKernel(f, gpuModule, smem)))
        return signalPassFailure();
      f.erase();
    }
  }

  LogicalResult lowerKernel(func::FuncOp f, mlir::gpu::GPUModuleOp gpuModule,
                            LLVM::GlobalOp smem) {
    auto warps = f->getAttrOfType<IntegerAttr>("tessel.num_warps");
    if (!warps)
      return f.emitOpError(
          "has no tessel.num_warps; run tessel-specialize first");
    if (!f.getBody().hasOneBlock())
      return f.emitOpError(
          "kernel bodies must be a single block (use scf ops)");
    MLIRContext *ctx = f.getContext();
    SmallVector<Type> argTypes;
    for (Type t : f.getArgumentTypes()) {
      if (isa<PtrType>(t))
        argTypes.push_back(LLVM::LLVMPointerType::get(ctx, 1));
      else if (t.isIntOrIndexOrFloat())
        argTypes.push_back(t);
      else
        return f.emitOpError("kernel argument of type ")
               << t << " is not supported; pass scalars and !tessel.ptr";
    }
    if (f.getNumResults() != 0)
      return f.emitOpError("kernels return nothing");
    // Dot loops fed by TMA take one hidden tensor-map pointer per operand.
    auto module = f->getParentOfType<ModuleOp>();
    std::string target;
    if (auto t = module->getAttrOfType<StringAttr>(::tessel::layout::kTargetAttr))
      target = t.getValue().str();
    bool wgmma = module->hasAttr(::tessel::layout::kWgmmaAttr);
    int64_t stages = 3;
    if (auto s = f->getAttrOfType<IntegerAttr>("tessel.num_stages"))
      stages = s.getInt();
    std::vector<TmaPipelinePlan> plans;
    f.walk([&](scf::ForOp loop) {
      if (auto plan = matchTmaPipeline(loop, target, wgmma, warps.getInt(),
                                       stages);
          succeeded(plan))
        plans.push_back(*plan);
    });
    // A producer warpgroup (WARP_ROLES = 2) takes a single dot loop at the
    // kernel's top level: the producer leaves after the loop, so no later
    // code may need it. Elsewhere the knob changes nothing.
    // Or the loop sits directly in a top-level loop over tiles (a
    // persistent kernel), whose scalars the producer can recompute.
    bool producer = false;
    if (f->hasAttr("tessel.warp_spec") && plans.size() == 1) {
      Operation *parent = plans[0].loop->getParentOp();
      if (parent == f.getOperation()) {
        producer = true;
      } else if (auto tiles = dyn_cast<scf::ForOp>(parent);
                 tiles && tiles->getParentOp() == f.getOperation() &&
                 producerCanWalk(plans[0], tiles)) {
        producer = true;
        plans[0].tileLoop = tiles;
      }
    }
    if (producer)
      plans[0].producerWarpgroup = true;
    // CLUSTER = 2: programs 2c and 2c + 1 form a cluster and split the copies
    // of the operand the kernel marks as loaded alike by both (one dot loop,
    // run once: a persistent tile loop could run it a different number of
    // times in the two; each box splits into two halves of whole 8-row
    // swizzle groups). Anything else is an error: the knob would only add a
    // launch constraint.
    int64_t cluster = 1;
    if (auto c = f->getAttrOfType<IntegerAttr>("tessel.cluster_size"))
      cluster = c.getInt();
    if (cluster > 1) {
      if (plans.size() != 1 || plans[0].loop->getParentOp() != f.getOperation())
        return f.emitOpError("CLUSTER = ")
               << cluster
               << " needs exactly one TMA-pipelined dot loop (sm_90a with "
                  "wgmma), at the kernel's top level; this kernel has "
               << plans.size();
      TmaPipelinePlan &plan = plans[0];
      bool a = plan.a.load->hasAttr(kClusterSharedAttr);
      bool bShared = plan.b.load->hasAttr(kClusterSharedAttr);
      if (a == bShared)
        return f.emitOpError("CLUSTER = ")
               << cluster << " needs exactly one of the dot loop's block "
               << "loads marked " << kClusterSharedAttr << ", not "
               << (a ? 2 : 0);
      TmaOperandPlan &shared = a ? plan.a : plan.b;
      if (shared.secondHalf)
        return shared.load.emitOpError("CLUSTER = ")
               << cluster << " cannot share a box split by second_half";
      int64_t &rows = shared.spec.box[shared.spec.box.size() - 2];
      if (rows % (8 * cluster))
        return shared.load.emitOpError("a box of ")
               << rows << " rows does not split into " << cluster
               << " parts of whole 8-row groups";
      rows /= cluster;
      plan.sharedOperand = a ? 0 : 1;
    }
    int64_t launchedWarps = warps.getInt() + (producer ? 4 : 0);
    size_t userArgs = argTypes.size();
    for (size_t i = 0; i < 2 * plans.size(); ++i)
      argTypes.push_back(LLVM::LLVMPointerType::get(ctx, 1));
    OpBuilder b(ctx);
    b.setInsertionPointToEnd(gpuModule.getBody());
    auto gf = mlir::gpu::GPUFuncOp::create(b, f.getLoc(), f.getName(),
                                           b.getFunctionType(argTypes, {}));
    gf->setAttr(mlir::gpu::GPUDialect::getKernelFuncAttrName(),
                b.getUnitAttr());
    int64_t threads = launchedWarps * ::tessel::layout::kWarpSize;
    gf.setKnownBlockSizeAttr(b.getDenseI32ArrayAttr({(int32_t)threads, 1, 1}));
    // A kernel may say how many of its programs must fit an SM at once
    // (`.minnctapersm`): with 1, ptxas budgets registers for one program per
    // SM instead of assuming it should leave room for two (at 512 threads it
    // otherwise stops at 64 registers and spills).
    if (auto min = f->getAttrOfType<IntegerAttr>("tessel.min_programs_per_sm"))
      gf->setAttr("nvvm.minctasm", b.getI32IntegerAttr((int32_t)min.getInt()));

    Block &entry = gf.getBody().front();
    b.setInsertionPointToStart(&entry);
    Value smemBase = LLVM::AddressOfOp::create(b, f.getLoc(), smem);
    KernelLowering k(b, warps.getInt(), smemBase);
    k.target = target;
    k.wgmma = wgmma;
    SmallVector<Attribute> specs;
    for (auto [i, plan] : llvm::enumerate(plans)) {
      plan.a.descriptor = entry.getArgument(userArgs + 2 * i);
      plan.b.descriptor = entry.getArgument(userArgs + 2 * i + 1);
      specs.push_back(plan.a.spec.toAttr(ctx));
      specs.push_back(plan.b.spec.toAttr(ctx));
      k.tmaPlans[plan.loop] = plan;
      if (plan.tileLoop)
        k.tmaProducers[plan.tileLoop] = plan;
    }
    if (!specs.empty())
      gf->setAttr("tessel.tma", b.getArrayAttr(specs));
    if (cluster > 1)
      gf->setAttr("tessel.cluster_size", b.getI64IntegerAttr(cluster));
    k.emitPrologue(f.getLoc());
    // From sm_90 on, a kernel may be launched as a programmatic dependent of
    // the one before it on the stream (tessel::launchKernel does so when the
    // info says "grid_dependency"): its launch is then processed while that
    // one runs, and it waits here, before any memory access, until that one
    // has finished and its writes are visible. Launched plainly, a no-op.
    // (No early griddepcontrol.launch_dependents: letting the next kernel's
    // programs become resident during this one's last wave measured 5-6%
    // slower at 4096^2 on the H100, bench/results/experiments.)
    if (target == "sm_90a" || target == "sm_100a") {
      LLVM::InlineAsmOp::create(
          b, f.getLoc(), TypeRange{}, ValueRange{}, "griddepcontrol.wait;", "",
          /*has_side_effects=*/true, /*is_align_stack=*/false,
          LLVM::tailcallkind::TailCallKind::None, LLVM::AsmDialectAttr(),
          ArrayAttr());
      gf->setAttr("tessel.grid_dependency", b.getUnitAttr());
    }
    for (auto [from, to] : llvm::zip(f.getArguments(), entry.getArguments()))
      k.setScalar(from, to);
    Block &body = f.getBody().front();
    if (failed(k.lowerBlock(body)))
      return failure();
    mlir::gpu::ReturnOp::create(b, body.getTerminator()->getLoc());
    gf->setAttr("tessel.shared_bytes", b.getI64IntegerAttr(k.sharedBytes()));
    // The launch's warps: the layouts' num_warps plus any producer.
    gf->setAttr("tessel.num_warps", b.getI64IntegerAttr(launchedWarps));
    return success();
  }
};

} // namespace
