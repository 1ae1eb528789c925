//===- KernelSource.h - a kernel's DSL text from the source tree -*- C++ -*-===//
//
// The compiler-side unit tests read the real kernels (kernels/...), so they
// test what ships.
//
//===----------------------------------------------------------------------===//
#ifndef TESSEL_TESTS_UNIT_CACHE_KERNELSOURCE_H
#define TESSEL_TESTS_UNIT_CACHE_KERNELSOURCE_H

#include <fstream>
#include <sstream>
#include <string>

namespace tessel::test {

/// The text of kernels/`name` ("" when it cannot be read).
inline std::string readKernel(const char *name) {
  std::ifstream in(std::string(TESSEL_SOURCE_DIR) + "/kernels/" + name);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

} // namespace tessel::test

#endif // TESSEL_TESTS_UNIT_CACHE_KERNELSOURCE_H
