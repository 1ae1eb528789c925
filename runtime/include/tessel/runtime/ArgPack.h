//===- ArgPack.h - Kernel arguments packed for cuLaunchKernel ---*- C++ -*-===//
//
// Builds the `void **kernelParams` array cuLaunchKernel takes: one pointer
// per argument, each to a copy of the argument that the pack owns.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_RUNTIME_ARGPACK_H
#define TESSEL_RUNTIME_ARGPACK_H

#include <cuda.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

namespace tessel::rt {

/// What an argument is, for messages and checks.
enum class ArgKind { Pointer, I32, U32, I64, F32, Bytes };

/// The kernel arguments of one launch, in order. The pack owns a copy of
/// every argument; params() points into that copy, so the pack must outlive
/// the cuLaunchKernel call (not the kernel: the driver copies the values at
/// launch). Copying a pack copies the arguments.
class ArgPack {
public:
  /// Largest alignment an argument may need: CUDA 13's CUtensorMap is
  /// alignas(128).
  static constexpr std::size_t kMaxAlign = 128;

  /// A device pointer (`.param .u64` in PTX).
  ArgPack &ptr(CUdeviceptr value) {
    return append(ArgKind::Pointer, &value, sizeof(value),
                  alignof(CUdeviceptr));
  }
  /// A 32-bit signed integer (`.param .u32`/`.s32`).
  ArgPack &i32(std::int32_t value) {
    return append(ArgKind::I32, &value, sizeof(value), alignof(std::int32_t));
  }
  /// A 32-bit unsigned integer.
  ArgPack &u32(std::uint32_t value) {
    return append(ArgKind::U32, &value, sizeof(value), alignof(std::uint32_t));
  }
  /// A 64-bit signed integer (shapes and strides past 2^31 elements).
  ArgPack &i64(std::int64_t value) {
    return append(ArgKind::I64, &value, sizeof(value), alignof(std::int64_t));
  }
  /// A 32-bit float (`.param .f32`).
  ArgPack &f32(float value) {
    return append(ArgKind::F32, &value, sizeof(value), alignof(float));
  }
  /// Any trivially copyable value passed by value, e.g. a CUtensorMap for a
  /// `__grid_constant__` parameter.
  template <class T> ArgPack &bytes(const T &value) {
    static_assert(std::is_trivially_copyable_v<T>,
                  "kernel arguments are copied byte for byte");
    static_assert(alignof(T) <= kMaxAlign, "argument over-aligned");
    return append(ArgKind::Bytes, &value, sizeof(T), alignof(T));
  }

  /// Appends `value` with the kind its type implies: CUdeviceptr -> ptr,
  /// int32_t -> i32, uint32_t -> u32, int64_t -> i64, float -> f32, any
  /// other non-integral trivially copyable type -> bytes. Other integers
  /// (size_t, bool...) are rejected at compile time: say which width the
  /// kernel wants.
  template <class T> ArgPack &add(const T &value) {
    if constexpr (std::is_same_v<T, CUdeviceptr>)
      return ptr(value);
    else if constexpr (std::is_same_v<T, std::int32_t>)
      return i32(value);
    else if constexpr (std::is_same_v<T, std::uint32_t>)
      return u32(value);
    else if constexpr (std::is_same_v<T, std::int64_t>)
      return i64(value);
    else if constexpr (std::is_same_v<T, float>)
      return f32(value);
    else {
      static_assert(!std::is_integral_v<T>,
                    "ambiguous integer kernel argument: convert it to int32_t, "
                    "uint32_t, int64_t or CUdeviceptr");
      return bytes(value);
    }
  }

  /// A pack of `values`, each appended with add().
  template <class... Ts> static ArgPack of(const Ts &...values) {
    ArgPack pack;
    (pack.add(values), ...);
    return pack;
  }

  /// The kernelParams array: params()[i] points to argument i. Valid until
  /// the pack is next changed or destroyed.
  void **params();

  /// The number of arguments.
  std::size_t size() const { return args_.size(); }
  /// Argument i's kind, size in bytes and bytes.
  ArgKind kind(std::size_t i) const { return args_[i].kind; }
  std::size_t sizeOf(std::size_t i) const { return args_[i].size; }
  const void *data(std::size_t i) const {
    return reinterpret_cast<const unsigned char *>(storage_.data()) +
           args_[i].offset;
  }

  /// The argument kinds, e.g. "(ptr, ptr, i32)", for error messages.
  std::string describe() const;

  /// Removes every argument.
  void clear();

private:
  struct Arg {
    ArgKind kind;
    std::size_t offset;
    std::size_t size;
  };
  struct alignas(kMaxAlign) Chunk {
    unsigned char bytes[kMaxAlign];
  };

  ArgPack &append(ArgKind kind, const void *value, std::size_t size,
                  std::size_t align);

  std::vector<Chunk> storage_;
  std::size_t used_ = 0;
  std::vector<Arg> args_;
  std::vector<void *> pointers_;
};

} // namespace tessel::rt

#endif // TESSEL_RUNTIME_ARGPACK_H
