//===- Module.cpp - Loading PTX, cubins and fatbins into a context --------===//
//
// cuModuleLoadDataEx with the JIT log buffers attached, so that a PTX the
// driver rejects comes back with the driver's own explanation.
//
//===----------------------------------------------------------------------===//

#include "tessel/runtime/Module.h"

#include "tessel/runtime/CudaDriver.h"

#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

namespace tessel::rt {
namespace {

// Room for the driver's JIT logs; a longer log is cut, not overflowed.
constexpr std::size_t kJitLogBytes = 64 * 1024;

// A cubin is an ELF file; a fatbin starts with the little-endian 0xBA55ED50.
constexpr std::string_view kElfMagic("\x7f"
                                     "ELF",
                                     4);
constexpr std::string_view kFatbinMagic("\x50\xed\x55\xba", 4);

std::string logText(const std::vector<char> &log) {
  return std::string(log.data(), strnlen(log.data(), log.size()));
}

} // namespace

Module::ImageKind Module::classify(std::string_view image) {
  if (image.substr(0, 4) == kElfMagic)
    return ImageKind::Cubin;
  if (image.substr(0, 4) == kFatbinMagic)
    return ImageKind::Fatbin;
  return ImageKind::Ptx;
}

Expected<Module> Module::load(std::string_view image, std::string_view name) {
  if (image.empty())
    return Status::error("cannot load module '", name, "': empty image");
  Expected<CudaDriver *> drv = CudaDriver::get();
  if (!drv)
    return drv.status();

  // PTX must reach the driver NUL-terminated; binaries carry their size.
  std::string ptx;
  const void *data = image.data();
  if (classify(image) == ImageKind::Ptx) {
    ptx.assign(image);
    data = ptx.c_str();
  }

  std::vector<char> errorLog(kJitLogBytes, '\0');
  std::vector<char> infoLog(kJitLogBytes, '\0');
  CUjit_option options[] = {
      CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES,
      CU_JIT_INFO_LOG_BUFFER, CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES};
  void *values[] = {
      errorLog.data(),
      reinterpret_cast<void *>(static_cast<std::uintptr_t>(errorLog.size())),
      infoLog.data(),
      reinterpret_cast<void *>(static_cast<std::uintptr_t>(infoLog.size()))};

  Module module;
  module.name_ = std::string(name);
  CUresult result = (*drv)->cuModuleLoadDataEx(
      &module.module_, data, sizeof(options) / sizeof(options[0]), options,
      values);
  if (result != CUDA_SUCCESS) {
    module.module_ = nullptr;
    Status status = CudaDriver::check(result, "cuModuleLoadDataEx", name,
                                      __FILE__, __LINE__);
    std::string log = logText(errorLog);
    if (log.empty())
      log = logText(infoLog);
    if (log.empty())
      return status;
    return Status::error(status.message(), "\ndriver JIT log:\n", log);
  }
  module.jitInfoLog_ = logText(infoLog);
  return module;
}

Expected<Kernel> Module::kernel(std::string_view function) const {
  if (!module_)
    return Status::error("no kernel '", function, "': module '", name_,
                         "' is not loaded");
  Expected<CudaDriver *> drv = CudaDriver::get();
  if (!drv)
    return drv.status();
  std::string fn(function);
  CUfunction handle = nullptr;
  Status status = CudaDriver::check(
      (*drv)->cuModuleGetFunction(&handle, module_, fn.c_str()),
      "cuModuleGetFunction", fn, __FILE__, __LINE__);
  if (!status.ok())
    return status.withDetail("in module '" + name_ + "'");
  return Kernel(handle, std::move(fn));
}

Module::Module(Module &&other) noexcept
    : module_(std::exchange(other.module_, nullptr)),
      name_(std::move(other.name_)), jitInfoLog_(std::move(other.jitInfoLog_)) {
}

Module &Module::operator=(Module &&other) noexcept {
  if (this != &other) {
    unload();
    module_ = std::exchange(other.module_, nullptr);
    name_ = std::move(other.name_);
    jitInfoLog_ = std::move(other.jitInfoLog_);
  }
  return *this;
}

Module::~Module() { unload(); }

void Module::unload() {
  if (!module_)
    return;
  if (Expected<CudaDriver *> drv = CudaDriver::get())
    (void)(*drv)->cuModuleUnload(module_);
  module_ = nullptr;
}

} // namespace tessel::rt
