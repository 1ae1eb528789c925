//===- CompileCache.cpp - compile once per content, keep every stage ------===//
//
// compileWithCache: key -> DiskCache lookup -> (miss) compileSource +
// ptxToCubin -> store all stages. No MLIR here: only Compiler.h and the
// runtime's cache, hash and nvJitLink.
//
//===----------------------------------------------------------------------===//
#include "tessel/Target/CompileCache.h"

#include "tessel/BuildId.h"

#include "tessel/runtime/Cubin.h"
#include "tessel/runtime/Hash.h"

#include <algorithm>
#include <nlohmann/json.hpp>

using namespace tessel;

std::string tessel::compileCacheKey(const std::string &source,
                                    const CompileOptions &options) {
  std::vector<std::string> params = options.params;
  std::sort(params.begin(), params.end());
  auto linker = rt::nvJitLinkVersion();
  std::string text = std::string("tessel ") + version() + " " +
                     TESSEL_BUILD_ID + "\nllvm " + llvmVersion() +
                     "\nnvjitlink " + (linker ? *linker : std::string("none")) +
                     "\ntarget " + options.target + "\n";
  for (const std::string &p : params)
    text += "param " + p + "\n";
  text += "source\n" + source;
  return rt::sha256Hex(text);
}

bool tessel::parseKernelInfoJson(const std::string &text,
                                 CompileResult &result) {
  auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.contains("kernels") ||
      !json.contains("target"))
    return false;
  result.target = json["target"].get<std::string>();
  result.kernels.clear();
  for (const auto &k : json["kernels"]) {
    KernelInfo info;
    info.name = k.value("name", "");
    info.numWarps = k.value("num_warps", 0);
    info.sharedBytes = k.value("shared_bytes", 0);
    if (k.contains("args"))
      info.args = k["args"].get<std::vector<std::string>>();
    if (k.contains("params"))
      for (auto &[name, v] : k["params"].items())
        info.params[name] = v.get<int64_t>();
    if (info.name.empty() || info.numWarps <= 0)
      return false;
    result.kernels.push_back(info);
  }
  return !result.kernels.empty();
}

static const char *const kStages[] = {"tessel.mlir", "gpu.mlir", "llvm.ll",
                                      "ptx",         "cubin",    "info.json"};

bool tessel::compileWithCache(const std::string &source,
                              const CompileOptions &options,
                              const rt::DiskCache &cache, CachedCompile &out,
                              std::string &errors) {
  out = CachedCompile();
  out.key = compileCacheKey(source, options);
  auto found = cache.lookup(out.key);
  if (found && found->entry) {
    const rt::CacheEntry &e = *found->entry;
    bool whole =
        std::all_of(std::begin(kStages), std::end(kStages),
                    [&](const char *s) { return e.find(s) != nullptr; });
    if (whole && parseKernelInfoJson(*e.find("info.json"), out.result)) {
      out.result.tesselIR = *e.find("tessel.mlir");
      out.result.gpuIR = *e.find("gpu.mlir");
      out.result.llvmIR = *e.find("llvm.ll");
      out.result.ptx = *e.find("ptx");
      out.cubin = *e.find("cubin");
      out.hit = true;
      return true;
    }
  }
  if (!compileSource(source, options, out.result, errors))
    return false;
  auto cubin = rt::ptxToCubin(out.result.ptx, options.target);
  if (!cubin) {
    errors += "error: cubin for " + options.target + ": " +
              cubin.status().message() + "\n";
    return false;
  }
  out.cubin.assign(cubin->begin(), cubin->end());
  rt::CacheEntry entry;
  entry.set("tessel.mlir", out.result.tesselIR);
  entry.set("gpu.mlir", out.result.gpuIR);
  entry.set("llvm.ll", out.result.llvmIR);
  entry.set("ptx", out.result.ptx);
  entry.set("cubin", out.cubin);
  entry.set("info.json", kernelInfoJson(out.result));
  if (auto s = cache.store(out.key, entry); !s.ok())
    errors += "warning: not cached: " + s.message() + "\n";
  return true;
}
