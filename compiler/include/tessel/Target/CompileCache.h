//===- CompileCache.h - compile once per content, keep every stage -*- C++
//-*-===//
//
// The compiler in front of the on-disk cache: a kernel's stages (tessel IR,
// GPU IR, LLVM IR, PTX), its cubin and launch metadata are stored under a key
// that covers everything that changes the output, and reused on the next
// compile of the same content, in this process or any other.
//
//===----------------------------------------------------------------------===//
#ifndef TESSEL_TARGET_COMPILECACHE_H
#define TESSEL_TARGET_COMPILECACHE_H

#include "tessel/Target/Compiler.h"
#include "tessel/runtime/DiskCache.h"

namespace tessel {

struct CachedCompile {
  CompileResult result; ///< every stage and the kernels' launch metadata
  std::string cubin;    ///< ELF for result.target (nvJitLink)
  std::string key;      ///< the cache key (SHA-256 hex)
  bool hit = false;     ///< true when it came from the cache
  /// On a miss: milliseconds in the compiler (DSL to PTX: MLIR, LLVM O2,
  /// NVPTX) and in nvJitLink (PTX to cubin, ptxas at -O3).
  double compileMs = 0, cubinMs = 0;
};

/// The key: SHA-256 of Tessel's version and a hash of the compiler's sources,
/// LLVM's version, nvJitLink's version,
/// the target, the knob bindings (sorted) and the source text.
std::string compileCacheKey(const std::string &source,
                            const CompileOptions &options);

/// Compiles `source` or takes it from `cache`. Each compile is stored as two
/// entries: under the key, what a launch needs (cubin, info.json: small, so
/// a warm start reads and checksums little), and under stagesCacheKey(key)
/// the stage texts (tessel.mlir, gpu.mlir, llvm.ll, ptx, and "stages-of" =
/// the key). A hit reads the stages only when `withStages` (else the stage
/// fields of out.result are empty). A missing or corrupt entry is compiled
/// again and stored (atomically); a store failure is reported in `errors`
/// but is not fatal. Returns false, with located diagnostics in `errors`,
/// when the kernel does not compile.
bool compileWithCache(const std::string &source, const CompileOptions &options,
                      const rt::DiskCache &cache, CachedCompile &out,
                      std::string &errors, bool withStages = false);

/// The key of the stages entry of the compile stored under `key`.
std::string stagesCacheKey(const std::string &key);

/// The blob of a stages entry that names its launch entry's key.
inline constexpr const char *kStagesOfBlob = "stages-of";

/// Launch metadata back from kernelInfoJson(); false on malformed text.
bool parseKernelInfoJson(const std::string &json, CompileResult &result);

} // namespace tessel

#endif // TESSEL_TARGET_COMPILECACHE_H
