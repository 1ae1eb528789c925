//===- NSInputs.h - the NS benchmark's shapes and input data -----*- C++ -*-===//
//
// Shared by the NS benchmark and its tuning mode (TuneBench.cpp), so both
// time the same shapes (the Newton-Schulz issue's list, batch x rows x cols)
// on the same kind of data.
//
//===----------------------------------------------------------------------===//
#ifndef TESSEL_BENCH_NSINPUTS_H
#define TESSEL_BENCH_NSINPUTS_H

#include "KernelFiles.h"
#include "NewtonSchulz.h"

#include <cmath>
#include <cstdint>

#include <cstdio>
#include <string>
#include <vector>

namespace tessel::bench {

inline const std::vector<ns::Shape> kAllNSShapes = {
    {128, 128, 128}, {32, 512, 512},   {32, 1024, 1024}, {1, 2048, 8192},
    {1, 4096, 4096}, {1, 4096, 14336}, {1, 8192, 8192}};

/// "BxMxN[,BxMxN...]" with positive sizes into `shapes`; false otherwise.
inline bool parseShapes(const std::string &list,
                        std::vector<ns::Shape> &shapes) {
  shapes.clear();
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(',', start);
    if (end == std::string::npos)
      end = list.size();
    std::string text = list.substr(start, end - start);
    long long b = 0, m = 0, n = 0;
    char tail = 0;
    if (std::sscanf(text.c_str(), "%lldx%lldx%lld%c", &b, &m, &n, &tail) != 3 ||
        b <= 0 || m <= 0 || n <= 0)
      return false;
    shapes.push_back({b, m, n});
    start = end + 1;
  }
  return !shapes.empty();
}

/// `count` standard Gaussian values rounded to bf16 (Box-Muller over
/// splitmix64).
inline std::vector<uint16_t> gaussianBf16(size_t count, uint64_t seed) {
  gpu::Random random(seed);
  std::vector<uint16_t> values(count);
  for (size_t i = 0; i < count; i += 2) {
    double u1 = 1.0 - random.uniform(0.0, 1.0); // (0, 1]
    double u2 = random.uniform(0.0, 1.0);
    double r = std::sqrt(-2.0 * std::log(u1));
    values[i] = gpu::floatToBf16(float(r * std::cos(2 * M_PI * u2)));
    if (i + 1 < count)
      values[i + 1] = gpu::floatToBf16(float(r * std::sin(2 * M_PI * u2)));
  }
  return values;
}

} // namespace tessel::bench

#endif // TESSEL_BENCH_NSINPUTS_H
