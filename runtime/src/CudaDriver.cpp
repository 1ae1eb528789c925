//===- CudaDriver.cpp - Loading libcuda with dlopen -----------------------===//
//
// Resolves every entry of CudaSymbols.def from libcuda at run time, so the
// runtime builds, links and unit-tests on machines without a GPU or driver.
//
//===----------------------------------------------------------------------===//

#include "tessel/runtime/CudaDriver.h"

#include <dlfcn.h>

#include <atomic>

namespace tessel::rt {
namespace {

// A name listed in CudaSymbols.def must not be a cuda.h macro: the macro would
// rename the member and its decltype, but not the string given to dlsym.
constexpr bool sameString(const char *a, const char *b) {
  for (; *a && *a == *b; ++a, ++b) {
  }
  return *a == *b;
}
#define TESSEL_STRINGIFY_(x) #x
#define TESSEL_EXPANDED_STRING_(x) TESSEL_STRINGIFY_(x)
#define TESSEL_CU_SYMBOL(name)                                                 \
  static_assert(sameString(#name, TESSEL_EXPANDED_STRING_(name)),              \
                "CudaSymbols.def: " #name " is a macro in cuda.h; list the "   \
                "exported name it expands to");
#include "tessel/runtime/CudaSymbols.def"
#undef TESSEL_CU_SYMBOL

// The driver that check() asks for error names: set once get() has loaded one.
std::atomic<const CudaDriver *> checkDriver{nullptr};

std::string dlerrorText() {
  const char *text = dlerror();
  return text ? text : "unknown dlerror";
}

} // namespace

CudaDriver::~CudaDriver() {
  if (checkDriver.load() == this)
    checkDriver.store(nullptr);
  if (handle_)
    dlclose(handle_);
}

Expected<std::unique_ptr<CudaDriver>>
CudaDriver::open(const std::vector<std::string> &libraries) {
  std::unique_ptr<CudaDriver> driver(new CudaDriver());
  std::string failures;
  for (const std::string &library : libraries) {
    // RTLD_LOCAL: the driver's symbols must not satisfy anyone else's
    // references; RTLD_NOW: fail here, not at a first call.
    driver->handle_ = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (driver->handle_) {
      driver->library_ = library;
      break;
    }
    failures += (failures.empty() ? "" : "; ") + ("dlopen(" + library) +
                ") failed: " + dlerrorText();
  }
  if (!driver->handle_)
    return Status::error("no CUDA driver: ",
                         failures.empty() ? "no library to try" : failures);

  std::string missing;
  auto resolve = [&](auto &pointer, const char *name, const char *older) {
    void *symbol = dlsym(driver->handle_, name);
    if (!symbol && older)
      symbol = dlsym(driver->handle_, older);
    if (!symbol)
      missing += (missing.empty() ? "" : ", ") + std::string(name);
    pointer =
        reinterpret_cast<std::remove_reference_t<decltype(pointer)>>(symbol);
  };
#define TESSEL_CU_SYMBOL(name) resolve(driver->name, #name, nullptr);
#define TESSEL_CU_SYMBOL_OR(name, older) resolve(driver->name, #name, #older);
#include "tessel/runtime/CudaSymbols.def"
#undef TESSEL_CU_SYMBOL
#undef TESSEL_CU_SYMBOL_OR
  if (!missing.empty())
    return Status::error("CUDA driver unusable: ", driver->library_, " lacks ",
                         missing, " (driver too old?)");

  Status init = checkWith(driver.get(), driver->cuInit(0), "cuInit", "",
                          __FILE__, __LINE__);
  if (!init.ok())
    return init.withContext("CUDA driver unusable");
  Status version = checkWith(
      driver.get(), driver->cuDriverGetVersion(&driver->driverVersion_),
      "cuDriverGetVersion", "", __FILE__, __LINE__);
  if (!version.ok())
    return version.withContext("CUDA driver unusable");
  return driver;
}

Expected<CudaDriver *> CudaDriver::get() {
  // A function-local static: initialized once, thread-safely, and kept for the
  // life of the process (the driver must outlive every module and buffer).
  static const Expected<CudaDriver *> loaded = []() -> Expected<CudaDriver *> {
    Expected<std::unique_ptr<CudaDriver>> driver =
        open({"libcuda.so.1", "libcuda.so"});
    if (!driver)
      return driver.status();
    CudaDriver *instance = driver.take().release();
    checkDriver.store(instance);
    return instance;
  }();
  return loaded;
}

Status CudaDriver::check(CUresult result, const char *call,
                         std::string_view kernel, const char *file, int line) {
  if (result == CUDA_SUCCESS)
    return Status::success();
  return checkWith(checkDriver.load(), result, call, kernel, file, line);
}

Status CudaDriver::checkWith(const CudaDriver *driver, CUresult result,
                             const char *call, std::string_view kernel,
                             const char *file, int line) {
  if (result == CUDA_SUCCESS)
    return Status::success();
  const char *name = nullptr;
  const char *desc = nullptr;
  if (driver && driver->cuGetErrorName &&
      driver->cuGetErrorName(result, &name) != CUDA_SUCCESS)
    name = nullptr;
  if (driver && driver->cuGetErrorString &&
      driver->cuGetErrorString(result, &desc) != CUDA_SUCCESS)
    desc = nullptr;
  std::string callName(cudaCallName(call ? call : "?"));
  return Status::error(formatCudaError(static_cast<int>(result), name, desc,
                                       callName.c_str(), kernel, file, line));
}

} // namespace tessel::rt
