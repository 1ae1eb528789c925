//===- CompiledKernel.h - a DSL kernel compiled and loaded ------*- C++ -*-===//
//
// What the NS GPU tests and the syrk-schedules bench share: one kernel of a
// DSL source compiled for a target with given knobs (through the compile
// cache under $TESSEL_CACHE_DIR), its module loaded, with the launch
// metadata tessel::launchKernel takes. Header-only; needs the compiler.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_TESTS_GPU_COMPILEDKERNEL_H
#define TESSEL_TESTS_GPU_COMPILEDKERNEL_H

#include "tessel/Target/CompileCache.h"
#include "tessel/runtime/DiskCache.h"
#include "tessel/runtime/Module.h"

#include <optional>
#include <string>
#include <vector>

namespace tessel::gpu {

/// One compiled, loaded kernel.
struct CompiledKernel {
  rt::Module module;
  std::optional<rt::Kernel> kernel;
  KernelInfo info;
};

/// Compiles `source` for `target` binding `params` ("KNOB=VALUE"; with
/// `wgmma`, the sm_90a ring form) and loads its kernel `name`. Errors carry
/// the compiler's diagnostics or the driver's message.
inline rt::Expected<CompiledKernel>
compileKernel(const char *source, const char *name, const std::string &target,
              std::vector<std::string> params, bool wgmma) {
  CompileOptions options;
  options.target = target;
  options.params = std::move(params);
  options.wgmma = wgmma;
  CachedCompile compiled;
  std::string errors;
  if (!compileWithCache(source, options, rt::DiskCache::fromEnvironment(),
                        compiled, errors))
    return rt::Status::error("compiling ", name, ": ", errors);
  CompiledKernel out;
  auto module = rt::Module::load(compiled.cubin, name);
  if (!module)
    return module.status();
  out.module = std::move(*module);
  auto kernel = out.module.kernel(name);
  if (!kernel)
    return kernel.status();
  out.kernel = *kernel;
  out.info = compiled.result.kernels.at(0);
  return out;
}

} // namespace tessel::gpu

#endif // TESSEL_TESTS_GPU_COMPILEDKERNEL_H
