//===- TmaArgs.h - Tensor maps bound to a launch's arguments ----*- C++ -*-===//
//
// A kernel that copies with TMA takes, after its own arguments, one hidden
// `.u64` argument per tensor map: the device address of a 128-byte
// CUtensorMap. The compiler records what each map describes in terms of the
// kernel's arguments (TmaArgSpec); at every launch the runtime reads those
// arguments, encodes the maps, uploads each distinct one once
// (TensorMapCache) and appends the addresses (appendTensorMaps).
//
//===----------------------------------------------------------------------===//
#ifndef TESSEL_RUNTIME_TMAARGS_H
#define TESSEL_RUNTIME_TMAARGS_H

#include "tessel/runtime/ArgPack.h"
#include "tessel/runtime/Memory.h"
#include "tessel/runtime/Status.h"
#include "tessel/runtime/TensorMap.h"

#include <cuda.h>

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace tessel::rt {

/// A shape or stride entry of a map: the value of kernel argument `arg`
/// when arg >= 0 (an i32, u32 or i64 argument), else the constant `value`.
struct TmaOperand {
  int arg = -1;
  int64_t value = 0;

  bool operator==(const TmaOperand &o) const {
    return arg == o.arg && value == o.value;
  }
  bool operator!=(const TmaOperand &o) const { return !(*this == o); }
};

/// One tensor map a compiled kernel takes as a hidden argument. Lists are
/// outermost first, in elements; `strides` has one entry per dimension and
/// the innermost must be 1 at launch (a constant 1, or an argument that is 1).
struct TmaArgSpec {
  /// The pointer argument holding the tensor's base address.
  int baseArg = -1;
  std::vector<TmaOperand> shape, strides;
  /// The box one copy brings.
  std::vector<uint32_t> box;
  TmaElement element = TmaElement::BF16;
  TmaSwizzle swizzle = TmaSwizzle::Span128;

  bool operator==(const TmaArgSpec &o) const {
    return baseArg == o.baseArg && shape == o.shape && strides == o.strides &&
           box == o.box && element == o.element && swizzle == o.swizzle;
  }
  bool operator!=(const TmaArgSpec &o) const { return !(*this == o); }
};

/// Device copies of encoded maps for one CUDA context, deduplicated by
/// content: a training step launches the same kernels on the same buffers
/// every time, so each distinct map is uploaded once and its address reused.
/// Maps live in slabs of device memory (kSlabMaps maps of 128 bytes, 128-byte
/// aligned) that are never reused for another map, so a kernel still in
/// flight never sees its map change; they are freed only when the cache is
/// destroyed (the per-context caches never are). Thread-safe.
class TensorMapCache {
public:
  /// Maps per slab of device memory (32 KiB).
  static constexpr size_t kSlabMaps = 256;

  /// The cache of the context current on the calling thread, created on
  /// first use and kept (with its device memory) for the life of the
  /// process. Contexts are told apart by cuCtxGetId, which is never reused,
  /// so a context destroyed and created again gets a fresh cache. Never
  /// fails: where there is no driver or no current context, the cache
  /// returned refuses deviceCopy() with the reason.
  static TensorMapCache &forCurrentContext();

  /// A cache of the context current now, owned by the caller; it frees its
  /// device memory on destruction, so destroy it before the context.
  static Expected<std::unique_ptr<TensorMapCache>> create();

  /// The device address of a copy of `map`, uploaded (cuMemcpyHtoD, then a
  /// wait for the copy) when no copy of the same bytes is held yet. Fails
  /// when the calling thread's current context is not the cache's.
  Expected<CUdeviceptr> deviceCopy(const CUtensorMap &map);

  /// Distinct maps held.
  size_t size() const;

  ~TensorMapCache();
  TensorMapCache(const TensorMapCache &) = delete;
  TensorMapCache &operator=(const TensorMapCache &) = delete;

private:
  using Bytes = std::array<uint64_t, sizeof(CUtensorMap) / 8>;
  struct BytesHash {
    size_t operator()(const Bytes &b) const;
  };

  explicit TensorMapCache(unsigned long long contextId)
      : contextId_(contextId) {}

  /// cuCtxGetId of the cache's context (0: none was current).
  unsigned long long contextId_;
  mutable std::mutex mutex_;
  std::vector<DeviceBuffer> slabs_;
  /// Maps in the last slab.
  size_t usedInSlab_ = kSlabMaps;
  std::unordered_map<Bytes, CUdeviceptr, BytesHash> copies_;
};

/// The TensorMapND each spec describes for the launch arguments `args`
/// (exactly the kernel's own arguments), checked against the encoder's
/// rules; no device needed. Errors name the kernel, the map, the argument and
/// the rule, e.g. "kernel 'gemm': tensor map 1 (base = argument 1): stride of
/// dimension 0 is 1001 elements = 2002 bytes, not a multiple of 16; ...".
Expected<std::vector<TensorMapND>>
describeTensorMaps(const std::string &kernel,
                   const std::vector<TmaArgSpec> &specs, const ArgPack &args);

/// Evaluates each spec against `args` (which must hold exactly the kernel's
/// own arguments), encodes the map, and appends the address of its device
/// copy from `cache` to `args` as a ptr argument, in order. On failure `args`
/// is left as it was.
Status appendTensorMaps(const std::string &kernel,
                        const std::vector<TmaArgSpec> &specs, ArgPack &args,
                        TensorMapCache &cache);

} // namespace tessel::rt

#endif // TESSEL_RUNTIME_TMAARGS_H
