//===- Module.h - Loaded GPU code and its kernels ---------------*- C++ -*-===//
//
// A Module is PTX (JIT-compiled by the driver) or a cubin/fatbin loaded into
// the current context; a Kernel is one of its entry points, launched with an
// ArgPack on the caller's stream. Every error names the module or kernel.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_RUNTIME_MODULE_H
#define TESSEL_RUNTIME_MODULE_H

#include "tessel/runtime/ArgPack.h"
#include "tessel/runtime/Status.h"

#include <cuda.h>

#include <string>
#include <string_view>

namespace tessel::rt {

/// Launch dimensions, as CUDA's dim3.
struct Dim3 {
  unsigned x = 1, y = 1, z = 1;
};
/// Blocks in the grid.
using Grid = Dim3;
/// Threads in a block.
using Block = Dim3;

/// Shared memory a block may use without opting in, on every GPU since
/// sm_20: 48 KiB. Above it a kernel must raise
/// CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES (up to the device's
/// DeviceInfo::maxSharedPerBlockOptin).
constexpr unsigned kSharedBytesWithoutOptin = 48 * 1024;

/// What the driver reports about a compiled kernel (cuFuncGetAttribute).
struct KernelAttributes {
  int numRegs = 0;               ///< registers per thread
  int maxThreadsPerBlock = 0;    ///< largest block it can be launched with
  int staticSharedBytes = 0;     ///< `.shared` declared in the code
  int localBytes = 0;            ///< local memory per thread (spills)
  int maxDynamicSharedBytes = 0; ///< current dynamic shared memory limit
  int ptxVersion = 0;            ///< e.g. 80 for PTX ISA 8.0
  int binaryVersion = 0;         ///< e.g. 90 for sm_90 SASS
};

/// One entry point of a Module; a cheap handle, valid while its Module lives.
class Kernel {
public:
  /// The kernel's (mangled) function name.
  const std::string &name() const { return name_; }
  /// The driver handle.
  CUfunction handle() const { return function_; }

  /// Launches the kernel on `stream` (null: the default stream) with
  /// `sharedBytes` of dynamic shared memory. Above kSharedBytesWithoutOptin
  /// (or the kernel's current limit) the limit is first raised with
  /// cuFuncSetAttribute. Errors name the kernel, the CUDA error and the
  /// launch configuration. Returns once the launch is queued.
  /// `overlapPrevious` launches it as a programmatic dependent of the kernel
  /// before it on the stream (cuLaunchKernelEx): only for a kernel that
  /// waits for that one (griddepcontrol.wait) before touching memory, as
  /// Tessel's sm_90+ kernels do (KernelInfo::gridDependency). Setting
  /// TESSEL_PDL=0 in the environment turns it off for the process.
  /// `clusterX` > 1 launches programs in clusters of that many along x
  /// (sm_90+; grid.x must be a multiple of it).
  Status launch(Grid grid, Block block, unsigned sharedBytes, CUstream stream,
                ArgPack &args, bool overlapPrevious = false,
                unsigned clusterX = 1);

  /// The driver's view of the compiled kernel (registers, spills...).
  Expected<KernelAttributes> attributes() const;

private:
  friend class Module;
  Kernel(CUfunction function, std::string name)
      : function_(function), name_(std::move(name)) {}

  CUfunction function_ = nullptr;
  std::string name_;
  /// The dynamic shared memory limit last read or set; -1 until needed.
  int maxDynamicShared_ = -1;
};

/// GPU code loaded into the current context; unloaded on destruction.
class Module {
public:
  /// What an image holds, told from its first bytes.
  enum class ImageKind { Ptx, Cubin, Fatbin };

  /// ELF magic -> Cubin, fatbin magic -> Fatbin, anything else -> Ptx.
  static ImageKind classify(std::string_view image);

  /// Loads `image` (PTX text, a cubin or a fatbin) into the current context.
  /// `name` (a kernel or file name) is used in error messages. A PTX JIT
  /// failure's message holds the driver's JIT error log.
  static Expected<Module> load(std::string_view image, std::string_view name);

  /// The entry point called `function`.
  Expected<Kernel> kernel(std::string_view function) const;

  Module() = default;
  Module(Module &&other) noexcept;
  Module &operator=(Module &&other) noexcept;
  Module(const Module &) = delete;
  Module &operator=(const Module &) = delete;
  ~Module();

  /// The name given to load().
  const std::string &name() const { return name_; }
  /// The driver handle.
  CUmodule handle() const { return module_; }
  /// The driver's JIT info log of a PTX load (register counts...); empty
  /// for binaries.
  const std::string &jitInfoLog() const { return jitInfoLog_; }

private:
  void unload();

  CUmodule module_ = nullptr;
  std::string name_;
  std::string jitInfoLog_;
};

} // namespace tessel::rt

#endif // TESSEL_RUNTIME_MODULE_H
