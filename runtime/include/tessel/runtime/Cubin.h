//===- Cubin.h - PTX to cubin through nvJitLink -----------------*- C++ -*-===//
//
// Ahead-of-time assembly of PTX into a cubin for one target, with
// libnvJitLink loaded by dlopen (never linked), so compiled kernels can be
// cached as binaries and loaded without the driver's JIT.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_RUNTIME_CUBIN_H
#define TESSEL_RUNTIME_CUBIN_H

#include "tessel/runtime/Status.h"

#include <string>
#include <string_view>
#include <vector>

namespace tessel::rt {

/// Assembles `ptx` into a cubin for `arch` ("sm_80", "sm_90a"...), passing
/// "-arch=<arch>" and then `extraOptions` (e.g. "-lineinfo") to nvJitLink.
/// `name` (the kernel's) is used in messages; a failure's message holds
/// nvJitLink's error and info logs. nvJitLink is looked for as
/// $TESSEL_NVJITLINK, libnvJitLink.so.13, <CUDA root>/lib64/libnvJitLink.so.13
/// and libnvJitLink.so, in that order.
Expected<std::vector<char>>
ptxToCubin(std::string_view ptx, std::string_view arch,
           std::string_view name = {},
           const std::vector<std::string> &extraOptions = {});

/// The version of the nvJitLink found, e.g. "13.0" (a cache key ingredient).
Expected<std::string> nvJitLinkVersion();

} // namespace tessel::rt

#endif // TESSEL_RUNTIME_CUBIN_H
