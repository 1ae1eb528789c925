//===- ParallelCompile.h - several kernels compiled at once -----*- C++ -*-===//
//
// A host that needs several kernels before its first launch (the NS call:
// five files and up to three tuned line configs) waits for the slowest one
// instead of their sum: each compile has its own MLIR and LLVM contexts, so
// they share only the disk cache, whose stores are atomic.
//
//===----------------------------------------------------------------------===//
#ifndef TESSEL_TARGET_PARALLELCOMPILE_H
#define TESSEL_TARGET_PARALLELCOMPILE_H

#include "tessel/Target/CompileCache.h"

#include <string>
#include <vector>

namespace tessel {

/// One kernel file to compile and, after compileInParallel, its outcome.
struct CompileJob {
  std::string source;
  CompileOptions options;
  CachedCompile result; ///< valid when ok
  std::string errors;   ///< diagnostics (and cache warnings)
  bool ok = false;
};

/// Threads compileInParallel uses by default: $TESSEL_COMPILE_THREADS when it
/// is a positive integer (1 compiles one job after another), else the CPU's
/// hardware threads.
unsigned defaultCompileThreads();

/// compileWithCache for every job, at most `threads` at once (0: the
/// default above). Every job runs, whatever the others' outcomes.
void compileInParallel(std::vector<CompileJob> &jobs, const rt::DiskCache &cache,
                       unsigned threads = 0);

} // namespace tessel

#endif // TESSEL_TARGET_PARALLELCOMPILE_H
