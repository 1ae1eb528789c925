//===- KernelFiles.h - Kernel files, bf16, random inputs -------*- C++ -*-===//
//
// What the GPU tests and benchmarks share: where the `tessel` CLI left the
// kernels' PTX and launch metadata (.json), reading them, bf16 conversions
// with round-to-nearest-even, and a fast seeded random source. Header-only.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_TESTS_GPU_KERNELFILES_H
#define TESSEL_TESTS_GPU_KERNELFILES_H

#include "tessel/runtime/Status.h"
#include "tessel/runtime/TmaArgsJson.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace tessel::gpu {

/// The folder holding `<name>.<target>.ptx` and `.json`: $TESSEL_KERNEL_DIR,
/// else the build folder baked in at compile time.
inline std::string kernelDir() {
  if (const char *dir = std::getenv("TESSEL_KERNEL_DIR"); dir && *dir)
    return dir;
#ifdef TESSEL_DEFAULT_KERNEL_DIR
  return TESSEL_DEFAULT_KERNEL_DIR;
#else
  return "kernels";
#endif
}

/// The whole of a file, or a failure naming it.
inline rt::Expected<std::string> readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return rt::Status::error("cannot open '", path, "'");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// One kernel as the CLI's --info describes it.
struct KernelInfo {
  std::string name;                  ///< the PTX entry point
  int numWarps = 4;                  ///< block = numWarps * 32 threads
  unsigned sharedBytes = 0;          ///< dynamic shared memory per block
  std::vector<std::string> args;     ///< "ptr", "i32", "f32"...
  std::map<std::string, int> params; ///< knob values (BLOCK_M...)
  /// TMA tensor maps, hidden arguments after `args`: bind them with
  /// rt::appendTensorMaps before launching.
  std::vector<rt::TmaArgSpec> tma;

  /// A knob's value, or `fallback` when the kernel has no such knob.
  int param(const std::string &knob, int fallback = 0) const {
    auto it = params.find(knob);
    return it == params.end() ? fallback : it->second;
  }
};

/// A compiled kernel file: its PTX text and its (first) kernel's metadata.
struct KernelFile {
  std::string ptxPath;
  std::string target;
  std::string ptx;
  KernelInfo info;
};

/// Whether `<dir>/<base>.<target>.ptx` exists.
inline bool kernelFileExists(const std::string &dir, const std::string &base,
                             const std::string &target) {
  return std::ifstream(dir + "/" + base + "." + target + ".ptx").good();
}

/// Reads `<dir>/<base>.<target>.ptx` and its `.json`.
inline rt::Expected<KernelFile> loadKernelFile(const std::string &dir,
                                               const std::string &base,
                                               const std::string &target) {
  KernelFile file;
  file.target = target;
  file.ptxPath = dir + "/" + base + "." + target + ".ptx";
  std::string jsonPath = dir + "/" + base + "." + target + ".json";
  rt::Expected<std::string> ptx = readFile(file.ptxPath);
  if (!ptx)
    return ptx.status();
  file.ptx = ptx.take();
  rt::Expected<std::string> text = readFile(jsonPath);
  if (!text)
    return text.status();
  nlohmann::json json = nlohmann::json::parse(*text, nullptr,
                                              /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.contains("kernels") ||
      !json["kernels"].is_array() || json["kernels"].empty())
    return rt::Status::error("'", jsonPath, "' is not a kernel description");
  if (json.value("target", "") != target)
    return rt::Status::error("'", jsonPath, "' is for target '",
                             json.value("target", ""), "', not ", target);
  const nlohmann::json &kernel = json["kernels"][0];
  file.info.name = kernel.value("name", "");
  file.info.numWarps = kernel.value("num_warps", 4);
  file.info.sharedBytes = kernel.value("shared_bytes", 0u);
  if (kernel.contains("args"))
    for (const auto &arg : kernel["args"])
      file.info.args.push_back(arg.get<std::string>());
  if (kernel.contains("params"))
    for (const auto &[knob, value] : kernel["params"].items())
      file.info.params[knob] = value.get<int>();
  std::string why;
  if (kernel.contains("tma") &&
      !rt::tmaSpecsFromJson(kernel["tma"], file.info.tma, why))
    return rt::Status::error("'", jsonPath, "': bad \"tma\": ", why);
  if (file.info.name.empty())
    return rt::Status::error("'", jsonPath, "' names no kernel");
  return file;
}

//===----------------------------------------------------------------------===//
// bf16
//===----------------------------------------------------------------------===//

/// bf16 bits -> float (exact).
inline float bf16ToFloat(std::uint16_t bits) {
  std::uint32_t word = std::uint32_t(bits) << 16;
  float value;
  std::memcpy(&value, &word, 4);
  return value;
}

/// float -> bf16 bits, round to nearest even; NaN stays a (quiet) NaN.
inline std::uint16_t floatToBf16(float value) {
  std::uint32_t word;
  std::memcpy(&word, &value, 4);
  if ((word & 0x7fffffffu) > 0x7f800000u)
    return std::uint16_t((word >> 16) | 0x0040u);
  word += 0x7fffu + ((word >> 16) & 1u);
  return std::uint16_t(word >> 16);
}

/// double -> bf16 bits, rounded once (no double rounding): round to float
/// toward zero with a sticky last bit (round-to-odd), then to bf16.
inline std::uint16_t doubleToBf16(double value) {
  float f = float(value);
  if (std::isfinite(f) && double(f) != value) {
    if (std::fabs(double(f)) > std::fabs(value))
      f = std::nextafter(f, 0.0f);
    std::uint32_t word;
    std::memcpy(&word, &f, 4);
    word |= 1u;
    std::memcpy(&f, &word, 4);
  }
  return floatToBf16(f);
}

//===----------------------------------------------------------------------===//
// Random inputs
//===----------------------------------------------------------------------===//

/// splitmix64: fast, seedable, good enough for test data.
class Random {
public:
  explicit Random(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  /// Uniform in [lo, hi).
  double uniform(double lo, double hi) {
    return lo + (hi - lo) * double(next() >> 11) * 0x1.0p-53;
  }
  /// Uniform in ±[lo, hi): never zero for lo > 0.
  double nonzero(double lo, double hi) {
    double magnitude = uniform(lo, hi);
    return (next() & 1) ? magnitude : -magnitude;
  }

private:
  std::uint64_t state_;
};

/// FNV-1a of a string: fixed seeds from test names.
inline std::uint64_t seedOf(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ull;
  for (unsigned char c : text)
    hash = (hash ^ c) * 0x100000001b3ull;
  return hash;
}

/// `count` random bf16 values uniform in [-1, 1), none zero.
inline std::vector<std::uint16_t> randomBf16(std::size_t count,
                                             std::uint64_t seed) {
  Random random(seed);
  std::vector<std::uint16_t> values(count);
  for (std::uint16_t &value : values)
    value = floatToBf16(float(random.nonzero(1.0 / 64, 1.0)));
  return values;
}

} // namespace tessel::gpu

#endif // TESSEL_TESTS_GPU_KERNELFILES_H
