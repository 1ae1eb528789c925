//===- ParallelCompile.cpp - several kernels compiled at once -------------===//
//
// A pool of std::threads taking the next job from an atomic counter; the
// calling thread is one of them.
//
//===----------------------------------------------------------------------===//
#include "tessel/Target/ParallelCompile.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <string>
#include <thread>

unsigned tessel::defaultCompileThreads() {
  if (const char *env = std::getenv("TESSEL_COMPILE_THREADS")) {
    char *end = nullptr;
    long n = std::strtol(env, &end, 10);
    if (end != env && *end == '\0' && n > 0)
      return (unsigned)std::min(n, 1024L);
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

void tessel::compileInParallel(std::vector<CompileJob> &jobs,
                               const rt::DiskCache &cache, unsigned threads) {
  if (jobs.empty())
    return;
  if (threads == 0)
    threads = defaultCompileThreads();
  threads = (unsigned)std::min<size_t>(threads, jobs.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next++) < jobs.size();) {
      CompileJob &job = jobs[i];
      job.ok = compileWithCache(job.source, job.options, cache, job.result,
                                job.errors);
    }
  };
  std::vector<std::thread> helpers;
  for (unsigned t = 1; t < threads; ++t)
    helpers.emplace_back(work);
  work();
  for (std::thread &t : helpers)
    t.join();
}
