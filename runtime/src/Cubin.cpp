//===- Cubin.cpp - nvJitLink, dlopen'd, turning PTX into cubins -----------===//
//
// Loads libnvJitLink once and drives one link per call: create with -arch,
// add the PTX, complete, read the cubin; the logs go into every error.
//
//===----------------------------------------------------------------------===//

#include "tessel/runtime/Cubin.h"

#include <dlfcn.h>
#include <nvJitLink.h>

#include <cstdlib>
#include <cstring>
#include <memory>

#ifndef TESSEL_CUDA_ROOT
#define TESSEL_CUDA_ROOT "/usr/local/cuda"
#endif

namespace tessel::rt {
namespace {

// The nvJitLink entry points used. nvJitLink.h declares each as a static
// inline wrapper around a versioned export (__nvJitLinkCreate_13_0); the
// library also exports the plain names, stable across 12.x and 13.x, which
// are the ones resolved here.
#define TESSEL_NVJITLINK_SYMBOLS(X)                                            \
  X(nvJitLinkCreate)                                                           \
  X(nvJitLinkDestroy)                                                          \
  X(nvJitLinkAddData)                                                          \
  X(nvJitLinkComplete)                                                         \
  X(nvJitLinkGetLinkedCubinSize)                                               \
  X(nvJitLinkGetLinkedCubin)                                                   \
  X(nvJitLinkGetErrorLogSize)                                                  \
  X(nvJitLinkGetErrorLog)                                                      \
  X(nvJitLinkGetInfoLogSize)                                                   \
  X(nvJitLinkGetInfoLog)                                                       \
  X(nvJitLinkVersion)

struct NvJitLink {
#define TESSEL_DECLARE(name) decltype(&::name) name = nullptr;
  TESSEL_NVJITLINK_SYMBOLS(TESSEL_DECLARE)
#undef TESSEL_DECLARE
};

std::string dlerrorText() {
  const char *text = dlerror();
  return text ? text : "unknown dlerror";
}

Expected<const NvJitLink *> loadNvJitLink() {
  static const Expected<const NvJitLink *> loaded =
      []() -> Expected<const NvJitLink *> {
    std::vector<std::string> candidates;
    if (const char *path = std::getenv("TESSEL_NVJITLINK"); path && *path)
      candidates.push_back(path);
    candidates.push_back("libnvJitLink.so.13");
    candidates.push_back(TESSEL_CUDA_ROOT "/lib64/libnvJitLink.so.13");
    candidates.push_back("libnvJitLink.so");
    void *handle = nullptr;
    std::string failures, library;
    for (const std::string &candidate : candidates) {
      handle = dlopen(candidate.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (handle) {
        library = candidate;
        break;
      }
      failures += (failures.empty() ? "" : "; ") + ("dlopen(" + candidate) +
                  ") failed: " + dlerrorText();
    }
    if (!handle)
      return Status::error("no nvJitLink: ", failures);
    // Kept for the life of the process, like the driver.
    auto *api = new NvJitLink();
    std::string missing;
#define TESSEL_RESOLVE(name)                                                   \
  api->name = reinterpret_cast<decltype(api->name)>(dlsym(handle, #name));     \
  if (!api->name)                                                              \
    missing += (missing.empty() ? "" : ", ") + std::string(#name);
    TESSEL_NVJITLINK_SYMBOLS(TESSEL_RESOLVE)
#undef TESSEL_RESOLVE
    if (!missing.empty())
      return Status::error("nvJitLink unusable: ", library, " lacks ", missing);
    return static_cast<const NvJitLink *>(api);
  }();
  return loaded;
}

const char *resultName(nvJitLinkResult result) {
  switch (result) {
  case NVJITLINK_SUCCESS:
    return "NVJITLINK_SUCCESS";
  case NVJITLINK_ERROR_UNRECOGNIZED_OPTION:
    return "NVJITLINK_ERROR_UNRECOGNIZED_OPTION";
  case NVJITLINK_ERROR_MISSING_ARCH:
    return "NVJITLINK_ERROR_MISSING_ARCH";
  case NVJITLINK_ERROR_INVALID_INPUT:
    return "NVJITLINK_ERROR_INVALID_INPUT";
  case NVJITLINK_ERROR_PTX_COMPILE:
    return "NVJITLINK_ERROR_PTX_COMPILE";
  case NVJITLINK_ERROR_NVVM_COMPILE:
    return "NVJITLINK_ERROR_NVVM_COMPILE";
  case NVJITLINK_ERROR_INTERNAL:
    return "NVJITLINK_ERROR_INTERNAL";
  case NVJITLINK_ERROR_THREADPOOL:
    return "NVJITLINK_ERROR_THREADPOOL";
  case NVJITLINK_ERROR_UNRECOGNIZED_INPUT:
    return "NVJITLINK_ERROR_UNRECOGNIZED_INPUT";
  case NVJITLINK_ERROR_FINALIZE:
    return "NVJITLINK_ERROR_FINALIZE";
  case NVJITLINK_ERROR_NULL_INPUT:
    return "NVJITLINK_ERROR_NULL_INPUT";
  case NVJITLINK_ERROR_INCOMPATIBLE_OPTIONS:
    return "NVJITLINK_ERROR_INCOMPATIBLE_OPTIONS";
  case NVJITLINK_ERROR_INCORRECT_INPUT_TYPE:
    return "NVJITLINK_ERROR_INCORRECT_INPUT_TYPE";
  case NVJITLINK_ERROR_ARCH_MISMATCH:
    return "NVJITLINK_ERROR_ARCH_MISMATCH";
  case NVJITLINK_ERROR_OUTDATED_LIBRARY:
    return "NVJITLINK_ERROR_OUTDATED_LIBRARY";
  case NVJITLINK_ERROR_MISSING_FATBIN:
    return "NVJITLINK_ERROR_MISSING_FATBIN";
  case NVJITLINK_ERROR_UNRECOGNIZED_ARCH:
    return "NVJITLINK_ERROR_UNRECOGNIZED_ARCH";
  case NVJITLINK_ERROR_UNSUPPORTED_ARCH:
    return "NVJITLINK_ERROR_UNSUPPORTED_ARCH";
  case NVJITLINK_ERROR_LTO_NOT_ENABLED:
    return "NVJITLINK_ERROR_LTO_NOT_ENABLED";
  }
  return nullptr;
}

std::string resultText(nvJitLinkResult result) {
  if (const char *name = resultName(result))
    return name;
  return "nvJitLink error " + std::to_string(static_cast<int>(result));
}

// One link, destroyed with the object.
class Link {
public:
  Link(const NvJitLink &api) : api_(api) {}
  ~Link() {
    if (handle_)
      (void)api_.nvJitLinkDestroy(&handle_);
  }
  Link(const Link &) = delete;
  Link &operator=(const Link &) = delete;

  nvJitLinkHandle &handle() { return handle_; }

  // The error and info logs, each under a heading, or "" when both are
  /// empty (or the link was never created).
  std::string logs() {
    if (!handle_)
      return "";
    std::string text;
    auto append = [&](const char *heading, auto getSize, auto get) {
      size_t size = 0;
      if (getSize(handle_, &size) != NVJITLINK_SUCCESS || size <= 1)
        return;
      std::string log(size, '\0');
      if (get(handle_, log.data()) != NVJITLINK_SUCCESS)
        return;
      log.resize(strnlen(log.c_str(), log.size()));
      while (!log.empty() && (log.back() == '\n' || log.back() == '\r'))
        log.pop_back();
      if (!log.empty())
        text += std::string("\n") + heading + ":\n" + log;
    };
    append("nvJitLink error log", api_.nvJitLinkGetErrorLogSize,
           api_.nvJitLinkGetErrorLog);
    append("nvJitLink info log", api_.nvJitLinkGetInfoLogSize,
           api_.nvJitLinkGetInfoLog);
    return text;
  }

private:
  const NvJitLink &api_;
  nvJitLinkHandle handle_ = nullptr;
};

} // namespace

Expected<std::vector<char>>
ptxToCubin(std::string_view ptx, std::string_view arch, std::string_view name,
           const std::vector<std::string> &extraOptions) {
  std::string what = "ptxToCubin(" + std::string(arch) + ")";
  if (!name.empty())
    what += " for kernel '" + std::string(name) + "'";
  if (arch.substr(0, 3) != "sm_" || arch.size() < 5)
    return Status::error(what, ": arch must look like \"sm_90a\", not \"", arch,
                         "\"");
  if (ptx.empty())
    return Status::error(what, ": empty PTX");
  Expected<const NvJitLink *> loaded = loadNvJitLink();
  if (!loaded)
    return loaded.status().withContext(what);
  const NvJitLink &api = **loaded;

  std::vector<std::string> options = {"-arch=" + std::string(arch)};
  options.insert(options.end(), extraOptions.begin(), extraOptions.end());
  std::vector<const char *> optionPointers;
  for (const std::string &option : options)
    optionPointers.push_back(option.c_str());

  Link link(api);
  auto fail = [&](const char *call, nvJitLinkResult result) -> Status {
    std::string options;
    for (const char *option : optionPointers)
      options += std::string(options.empty() ? "" : " ") + option;
    return Status::error(what, ": ", call, " failed: ", resultText(result),
                         " (options: ", options, ")", link.logs());
  };

  nvJitLinkResult result = api.nvJitLinkCreate(
      &link.handle(), optionPointers.size(), optionPointers.data());
  if (result != NVJITLINK_SUCCESS) {
    link.handle() = nullptr;
    return fail("nvJitLinkCreate", result);
  }
  // nvJitLink reads PTX as text of the given size; keep a NUL after it all
  // the same, as the PTX compiler API does.
  std::string text(ptx);
  std::string inputName =
      name.empty() ? "tessel.ptx" : std::string(name) + ".ptx";
  result =
      api.nvJitLinkAddData(link.handle(), NVJITLINK_INPUT_PTX, text.c_str(),
                           text.size() + 1, inputName.c_str());
  if (result != NVJITLINK_SUCCESS)
    return fail("nvJitLinkAddData", result);
  result = api.nvJitLinkComplete(link.handle());
  if (result != NVJITLINK_SUCCESS)
    return fail("nvJitLinkComplete", result);
  size_t size = 0;
  result = api.nvJitLinkGetLinkedCubinSize(link.handle(), &size);
  if (result != NVJITLINK_SUCCESS)
    return fail("nvJitLinkGetLinkedCubinSize", result);
  std::vector<char> cubin(size);
  result = api.nvJitLinkGetLinkedCubin(link.handle(), cubin.data());
  if (result != NVJITLINK_SUCCESS)
    return fail("nvJitLinkGetLinkedCubin", result);
  return cubin;
}

Expected<std::string> nvJitLinkVersion() {
  Expected<const NvJitLink *> loaded = loadNvJitLink();
  if (!loaded)
    return loaded.status();
  unsigned major = 0, minor = 0;
  nvJitLinkResult result = (*loaded)->nvJitLinkVersion(&major, &minor);
  if (result != NVJITLINK_SUCCESS)
    return Status::error("nvJitLinkVersion failed: ", resultText(result));
  return std::to_string(major) + "." + std::to_string(minor);
}

} // namespace tessel::rt
