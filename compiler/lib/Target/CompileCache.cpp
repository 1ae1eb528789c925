//===- CompileCache.cpp - compile once per content, keep every stage ------===//
//
// compileWithCache: key -> DiskCache lookup -> (miss) compileSource +
// ptxToCubin -> store all stages. No MLIR here: only Compiler.h and the
// runtime's cache, hash and nvJitLink.
//
//===----------------------------------------------------------------------===//
#include "tessel/Target/CompileCache.h"

#include "tessel/BuildId.h"
#include "tessel/Target/PTXEmitter.h"

#include "tessel/runtime/Cubin.h"
#include "tessel/runtime/Hash.h"
#include "tessel/runtime/TmaArgsJson.h"

#include <chrono>

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
                     "\ntarget " + options.target + "\nllvm passes " +
                     llvmPassPipeline() + "\n" +
                     (options.wgmma ? "wgmma\n" : "");
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
    info.gridDependency = k.value("grid_dependency", false);
    info.clusterSize = k.value("cluster_size", 1);
    if (info.clusterSize < 1)
      return false;
    if (k.contains("args"))
      info.args = k["args"].get<std::vector<std::string>>();
    if (k.contains("params"))
      for (auto &[name, v] : k["params"].items())
        info.params[name] = v.get<int64_t>();
    // A malformed list is a damaged entry: compiled again, like any other.
    std::string why;
    if (k.contains("tma") && !rt::tmaSpecsFromJson(k["tma"], info.tma, why))
      return false;
    if (info.name.empty() || info.numWarps <= 0)
      return false;
    result.kernels.push_back(info);
  }
  return !result.kernels.empty();
}

/// What a launch needs (read and checksummed on every warm start: keep it
/// small) and the stages kept for inspection, stored as a second entry.
static const char *const kLaunchBlobs[] = {"cubin", "info.json"};
static const char *const kStageBlobs[] = {"tessel.mlir", "gpu.mlir", "llvm.ll",
                                          "ptx"};

std::string tessel::stagesCacheKey(const std::string &key) {
  return rt::sha256Hex("stages:" + key);
}

/// Fills out.result's stage texts from the stages entry of `key`; false
/// when it is missing, damaged or incomplete.
static bool loadStages(const rt::DiskCache &cache, const std::string &key,
                       CachedCompile &out) {
  auto found = cache.lookup(stagesCacheKey(key));
  if (!found || !found->entry)
    return false;
  const rt::CacheEntry &e = *found->entry;
  if (!std::all_of(std::begin(kStageBlobs), std::end(kStageBlobs),
                   [&](const char *s) { return e.find(s) != nullptr; }))
    return false;
  out.result.tesselIR = *e.find("tessel.mlir");
  out.result.gpuIR = *e.find("gpu.mlir");
  out.result.llvmIR = *e.find("llvm.ll");
  out.result.ptx = *e.find("ptx");
  return true;
}

bool tessel::compileWithCache(const std::string &source,
                              const CompileOptions &options,
                              const rt::DiskCache &cache, CachedCompile &out,
                              std::string &errors, bool withStages) {
  out = CachedCompile();
  out.key = compileCacheKey(source, options);
  auto found = cache.lookup(out.key);
  if (found && found->entry) {
    const rt::CacheEntry &e = *found->entry;
    bool whole =
        std::all_of(std::begin(kLaunchBlobs), std::end(kLaunchBlobs),
                    [&](const char *s) { return e.find(s) != nullptr; });
    if (whole && parseKernelInfoJson(*e.find("info.json"), out.result) &&
        (!withStages || loadStages(cache, out.key, out))) {
      out.cubin = *e.find("cubin");
      out.hit = true;
      return true;
    }
    out.result = CompileResult();
  }
  using Clock = std::chrono::steady_clock;
  auto ms = [](Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start)
        .count();
  };
  auto start = Clock::now();
  if (!compileSource(source, options, out.result, errors))
    return false;
  out.compileMs = ms(start);
  start = Clock::now();
  auto cubin = rt::ptxToCubin(out.result.ptx, options.target);
  out.cubinMs = ms(start);
  if (!cubin) {
    errors += "error: cubin for " + options.target + ": " +
              cubin.status().message() + "\n";
    return false;
  }
  out.cubin.assign(cubin->begin(), cubin->end());
  // Stages first: a reader that finds the launch entry finds them too.
  rt::CacheEntry stages;
  stages.set("tessel.mlir", out.result.tesselIR);
  stages.set("gpu.mlir", out.result.gpuIR);
  stages.set("llvm.ll", out.result.llvmIR);
  stages.set("ptx", out.result.ptx);
  stages.set(kStagesOfBlob, out.key);
  rt::CacheEntry launch;
  launch.set("cubin", out.cubin);
  launch.set("info.json", kernelInfoJson(out.result));
  for (auto [key, entry] : {std::pair{stagesCacheKey(out.key), &stages},
                            std::pair{out.key, &launch}})
    if (auto s = cache.store(key, *entry); !s.ok()) {
      errors += "warning: not cached: " + s.message() + "\n";
      break;
    }
  return true;
}
