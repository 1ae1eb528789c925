//===- FirstCallBench.cpp - a new process's first NS call, cold -----------===//
//
// What a user waits for the first time a process orthogonalizes a shape on
// an empty compile cache: every kernel the call needs compiled, loaded and
// run once. Each measurement is a fresh process (the library keeps its
// compiled kernels for the process), with its own empty cache root and the
// CUDA JIT cache off (nvJitLink would otherwise reuse ptxas's output from
// the previous measurement):
//   tessel-bench-ns first-call BxMxN   prints "first-call-ms <ms>"
// and the tune bench runs it per shape (firstCallMs) with the compiles one
// at a time (TESSEL_COMPILE_THREADS=1) and in parallel (the default).
//
//===----------------------------------------------------------------------===//
#include "BenchCommon.h"
#include "NSInputs.h"
#include "Orthogonalize.h"

#include "tessel/runtime/Memory.h"
#include "tessel/runtime/Stream.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <unistd.h>

namespace tessel::bench {

int firstCallMain(int argc, char **argv) {
  std::vector<ns::Shape> shapes;
  if (argc != 1 || !parseShapes(argv[0], shapes) || shapes.size() != 1) {
    std::cerr << "usage: tessel-bench-ns first-call BxMxN\n";
    return 2;
  }
  const ns::Shape shape = shapes[0];
  rt::Expected<BenchDevice> opened = openBenchDevice();
  BENCH_CHECK(opened.status());
  auto stream = rt::Stream::create();
  BENCH_CHECK(stream.status());
  size_t count = (size_t)(shape.batch * shape.rows * shape.cols);
  std::vector<uint16_t> bits = gaussianBf16(count, 11);
  auto in = rt::DeviceBuffer::allocate(count * 2);
  auto out = rt::DeviceBuffer::allocate(count * 2);
  BENCH_CHECK(in.status());
  BENCH_CHECK(out.status());
  BENCH_CHECK(in->copyFromHost(bits.data(), count * 2));
  ns::Options options;
  options.variant = ns::Variant::Aol4;
  options.tune = ns::TuneMode::Off;
  auto start = std::chrono::steady_clock::now();
  BENCH_CHECK(ns::orthogonalize(in->ptr(), out->ptr(), shape, options,
                                stream->handle()));
  BENCH_CHECK(stream->synchronize());
  double ms = std::chrono::duration<double, std::milli>(
                  std::chrono::steady_clock::now() - start)
                  .count();
  std::printf("first-call-ms %.1f\n", ms);
  return 0;
}

rt::Expected<double> firstCallMs(const ns::Shape &shape, unsigned threads) {
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0)
    return rt::Status::error("readlink /proc/self/exe failed");
  self[n] = '\0';
  char root[] = "/tmp/tessel-first-call-XXXXXX";
  if (!mkdtemp(root))
    return rt::Status::error("mkdtemp failed");
  // threads 0: the library's default (TESSEL_COMPILE_THREADS unset).
  std::string command =
      (threads ? "env TESSEL_COMPILE_THREADS=" + std::to_string(threads)
               : std::string("env -u TESSEL_COMPILE_THREADS")) +
      " CUDA_CACHE_DISABLE=1 TESSEL_CACHE_DIR=" + root + " '" + self +
      "' first-call " + ns::shapeString(shape) + " 2>&1; rc=$?; rm -rf '" +
      root + "'; exit $rc";
  FILE *pipe = popen(command.c_str(), "r");
  if (!pipe)
    return rt::Status::error("popen failed: ", command);
  std::string output;
  char line[512];
  while (fgets(line, sizeof line, pipe))
    output += line;
  int rc = pclose(pipe);
  double ms = 0;
  size_t at = output.find("first-call-ms ");
  if (rc != 0 || at == std::string::npos ||
      std::sscanf(output.c_str() + at, "first-call-ms %lf", &ms) != 1)
    return rt::Status::error("first call of ", ns::shapeString(shape),
                             " failed (exit ", rc, "):\n", output);
  return ms;
}

} // namespace tessel::bench
