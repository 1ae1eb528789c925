//===- DslTarget.h - a Tessel DSL kernel as a tuning target -----*- C++ -*-===//
//
// Glue between the tuner and the compiler: the config space comes from the
// kernel's own tessel.param knobs and tessel.constraints, each config is
// compiled through the compile cache (so a tuned config is already compiled
// when it is launched later), loaded, checked against the device (shared
// memory, registers), and run with the grid and arguments the caller gives
// for it on the caller's scratch buffers. Needs the compiler at link time
// (libtessel.so, or the compiler archives in static builds).
//
//===----------------------------------------------------------------------===//
#ifndef TESSEL_AUTOTUNE_DSLTARGET_H
#define TESSEL_AUTOTUNE_DSLTARGET_H

#include "tessel/Target/Compiler.h"
#include "tessel/autotune/Tuner.h"
#include "tessel/runtime/ArgPack.h"
#include "tessel/runtime/DiskCache.h"
#include "tessel/runtime/Module.h"
#include "tessel/runtime/TmaArgs.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace tessel::tune {

/// The grid and arguments of one run of a config.
struct LaunchSpec {
  rt::Grid grid;
  rt::ArgPack args;
};

/// Builds the LaunchSpec for a config (grids depend on the block sizes).
using LaunchFn = std::function<rt::Expected<LaunchSpec>(const Config &)>;

/// A hash of a kernel's source and of the compiler that compiles it (its
/// version and build id, LLVM's version): what tuning results are keyed on,
/// so an edited kernel or a rebuilt compiler is tuned afresh.
std::string kernelHash(const std::string &source);

/// Compile options for `target` binding every knob of `config` (and the
/// ring form with `wgmma`), diagnostics located in `bufferName`.
CompileOptions compileOptionsFor(const std::string &target,
                                 const std::string &bufferName,
                                 const Config &config, bool wgmma);

/// The config space `kernel` in `source` declares (knobs with their values;
/// a knob without values is fixed at its default).
rt::Expected<ConfigSpace> configSpaceOf(const std::string &source,
                                        const std::string &bufferName,
                                        const std::string &kernel);

/// A kernel compiled (through the compile cache) with one config and loaded.
struct LoadedKernel {
  rt::Module module;
  std::optional<rt::Kernel> kernel;
  unsigned threads = 0;
  unsigned sharedBytes = 0;
  /// The kernel's TMA tensor maps (hidden arguments after its own).
  std::vector<rt::TmaArgSpec> tma;
  /// Programs per cluster along x (KernelInfo::clusterSize).
  unsigned clusterSize = 1;
  bool cacheHit = false;
  double compileMs = 0; ///< compile (or cache lookup) time, all of it
  double toPtxMs = 0;    ///< on a miss: DSL to PTX (MLIR, LLVM)
  double toCubinMs = 0;  ///< on a miss: PTX to cubin (nvJitLink)
  double loadMs = 0;    ///< module load + function lookup time
};

/// Compiles `source` with `config` for `target` through `cache` and loads
/// `kernel`, refusing (with the numbers) what cannot run on `device`:
/// shared memory above its opt-in limit, or registers x threads above its
/// registers per block.
rt::Expected<LoadedKernel> compileAndLoad(const std::string &source,
                                          const std::string &bufferName,
                                          const std::string &kernel,
                                          const Config &config,
                                          const std::string &target,
                                          const rt::DeviceInfo &device,
                                          const rt::DiskCache &cache,
                                          bool wgmma = false);

class DslTarget : public TuneTarget {
public:
  /// `kernel` of `source` for `target` on `device`, recorded under `key`
  /// (its kernelHash and kernel name filled in here when empty); `wgmma`
  /// compiles every config with CompileOptions::wgmma (the TMA path).
  static rt::Expected<std::unique_ptr<DslTarget>>
  create(std::string source, std::string bufferName, std::string kernel,
         std::string target, rt::DeviceInfo device, ProblemKey key,
         LaunchFn launch, bool wgmma = false);

  ProblemKey key() const override { return key_; }
  const ConfigSpace &space() const override { return space_; }
  rt::Status prepare(const Config &config) override;
  rt::Status run(CUstream stream) override;
  /// Compiles `config` into the compile cache (prepare() then hits it).
  void precompile(const Config &config) override;
  /// The compile cache's key of `config`: targets of one kernel file (the
  /// NS lines 1 and 2) share their compiles.
  std::string compileId(const Config &config) const override;

  /// Tunes `knob` over `values` only, starting from `defaultValue` (one of
  /// them): a knob held to what the launches promise (a layout), or to the
  /// values a path can use. Fails for an unknown knob or a value it cannot
  /// take.
  rt::Status narrow(const std::string &knob,
                      const std::vector<int64_t> &values,
                      int64_t defaultValue);
  /// narrow(knob, {value}, value).
  rt::Status pin(const std::string &knob, int64_t value) {
    return narrow(knob, {value}, value);
  }

  /// The last prepare()'s compile and load (valid after it succeeded).
  const LoadedKernel &loaded() const { return *loaded_; }

private:
  DslTarget() = default;
  std::string source_, bufferName_, kernel_, target_;
  rt::DeviceInfo device_;
  ProblemKey key_;
  ConfigSpace space_;
  LaunchFn launch_;
  std::unique_ptr<LoadedKernel> loaded_;
  std::unique_ptr<LaunchSpec> spec_;
  bool wgmma_ = false;
};

} // namespace tessel::tune

#endif // TESSEL_AUTOTUNE_DSLTARGET_H
