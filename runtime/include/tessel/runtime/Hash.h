//===- Hash.h - SHA-256 for cache keys, a fast entry checksum ---*- C++ -*-===//
//
// A self-contained SHA-256 (FIPS 180-4): the compile cache's keys and the
// checksums that guard its entries, with no crypto library to link.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_RUNTIME_HASH_H
#define TESSEL_RUNTIME_HASH_H

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tessel::rt {

/// An incremental SHA-256: update() any number of times, then finish() once.
class Sha256 {
public:
  /// A digest: 32 bytes.
  using Digest = std::array<std::uint8_t, 32>;

  Sha256() { reset(); }

  /// Starts over, forgetting everything hashed so far.
  void reset();

  /// Hashes `size` more bytes from `data`.
  Sha256 &update(const void *data, std::size_t size);
  /// Hashes the bytes of `text`.
  Sha256 &update(std::string_view text) {
    return update(text.data(), text.size());
  }

  /// Pads, returns the digest and resets the hasher for reuse.
  Digest finish();
  /// finish() as 64 lowercase hex digits.
  std::string finishHex();

private:
  void compress(const std::uint8_t *block);

  std::array<std::uint32_t, 8> state_;
  std::array<std::uint8_t, 64> buffer_;
  std::size_t buffered_ = 0;
  std::uint64_t totalBytes_ = 0;
};

/// The SHA-256 of `data` as 64 lowercase hex digits.
std::string sha256Hex(std::string_view data);

/// A fast 64-bit checksum of `data` as 16 lowercase hex digits: what cache
/// entries are checked with on every load (SHA-256 of a 100 KB cubin took a
/// third of a warm start). It finds any change confined to one aligned
/// 8-byte word (any one flipped bit or byte) with certainty, other damage
/// with probability 1 - 2^-64 (a cache entry also records its size); it is
/// not a defence against deliberate tampering.
std::string checksum64Hex(std::string_view data);

/// `bytes` as lowercase hex, two digits per byte.
std::string toHex(const std::uint8_t *bytes, std::size_t size);

} // namespace tessel::rt

#endif // TESSEL_RUNTIME_HASH_H
