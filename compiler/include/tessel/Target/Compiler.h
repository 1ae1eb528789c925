//===- Compiler.h - DSL text to PTX, in process -------------------*- C++
//-*-===//
//
// The compiler's public entry: parse and verify a kernel module, run the
// pipeline, translate to LLVM IR and emit PTX for one target, keeping the
// text of every stage (the compile cache stores them all).
//
//===----------------------------------------------------------------------===//
#ifndef TESSEL_TARGET_COMPILER_H
#define TESSEL_TARGET_COMPILER_H

#include "tessel/Target/StageTimes.h"
#include "tessel/runtime/TmaArgs.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace tessel {

/// Tessel's version, e.g. "0.1.0".
const char *version();
/// The LLVM version the compiler was built with, e.g. "22.1.8".
const char *llvmVersion();

/// Targets Tessel emits PTX for.
const std::vector<std::string> &supportedTargets();

struct CompileOptions {
  std::string target = "sm_90a";
  /// Knob bindings NAME=VALUE; unbound knobs take their default_value.
  std::vector<std::string> params;
  /// Name shown in diagnostics for the source buffer.
  std::string bufferName = "<kernel>";
  /// On targets with wgmma (sm_90a), lower the dots that fit it to
  /// wgmma.mma_async. A K loop of two block loads feeding one dot then
  /// becomes a TMA + mbarrier ring (fast: bench/results/gemm-h100.csv);
  /// other dots stage their operands through registers, slower than
  /// ldmatrix + mma.sync, which is why this is off by default.
  bool wgmma = false;
};

/// What a host needs to launch one compiled kernel.
struct KernelInfo {
  std::string name;
  int64_t numWarps = 4;
  int64_t sharedBytes = 0;
  /// Argument kinds in order: "ptr", "i32", "i64", "f32", "f64", "f16", "bf16".
  std::vector<std::string> args;
  /// Knob values the kernel was specialized with.
  std::map<std::string, int64_t> params;
  /// The TMA tensor maps the kernel takes as hidden arguments, one `.u64`
  /// pointer to a 128-byte CUtensorMap each, appended after `args` in this
  /// order; built from the launch's own arguments by rt::appendTensorMaps
  /// (tessel::launchKernel does it). Empty for kernels without TMA.
  std::vector<rt::TmaArgSpec> tma;
  /// The kernel waits for the previous grid on its stream before touching
  /// memory (griddepcontrol, sm_90 and later), so it may be launched to
  /// overlap it (programmatic dependent launch).
  bool gridDependency = false;
  /// Programs per cluster along the grid's x (CLUSTER): 2 when a dot loop's
  /// copies are shared by pairs of programs; the grid's x must divide by it.
  int64_t clusterSize = 1;
};

struct CompileResult {
  std::string target;
  std::string tesselIR; ///< after specialization (static shapes)
  std::string gpuIR;    ///< with thread layouts
  std::string llvmIR;   ///< LLVM IR after O2
  std::string ptx;
  std::vector<KernelInfo> kernels;
  /// Wall time of each stage of this compile, in order (not cached).
  std::vector<StageTime> stageTimes;
};

/// Compiles DSL source text. On failure returns false and fills `errors`
/// with located diagnostics (file:line:col: error: ...).
bool compileSource(const std::string &source, const CompileOptions &options,
                   CompileResult &result, std::string &errors);

/// A tessel.param knob as the source declares it.
struct KnobInfo {
  std::string name;
  /// default_value (0 when there is none: hasDefault false).
  int64_t defaultValue = 0;
  bool hasDefault = false;
  /// The values it may take; empty when the source lists none.
  std::vector<int64_t> values;
};

/// A kernel's config space as declared: its knobs and the text of its
/// `tessel.constraints` (grammar: tessel/autotune/ConfigSpace.h).
struct KernelSpaceInfo {
  std::string name;
  std::vector<KnobInfo> knobs;
  std::vector<std::string> constraints;
};

/// Parses and verifies `source` and lists each kernel's config space. On
/// bad input returns false with located diagnostics in `errors`.
bool kernelConfigSpaces(const std::string &source,
                        const std::string &bufferName,
                        std::vector<KernelSpaceInfo> &out,
                        std::string &errors);

/// JSON description of the kernels (name, warps, shared bytes, args, knobs,
/// and "tma" where a kernel has tensor maps: rt::tmaSpecsToJson).
std::string kernelInfoJson(const CompileResult &result);

} // namespace tessel

#endif // TESSEL_TARGET_COMPILER_H
