//===- Hash.cpp - SHA-256 (FIPS 180-4) and a fast checksum ---------------===//
//
// The textbook algorithm: 64-byte blocks, 64 rounds, big-endian lengths.
// Checked against the NIST vectors in tests/unit/runtime/HashTest.cpp.
//
//===----------------------------------------------------------------------===//

#include "tessel/runtime/Hash.h"

#include <algorithm>
#include <cstring>

namespace tessel::rt {
namespace {

// The first 32 bits of the fractional parts of the cube roots of the first
// 64 primes (FIPS 180-4, 4.2.2).
constexpr std::uint32_t kRound[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
    0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

constexpr std::uint32_t rotr(std::uint32_t x, int n) {
  return (x >> n) | (x << (32 - n));
}

} // namespace

void Sha256::reset() {
  // The first 32 bits of the fractional parts of the square roots of the
  // first 8 primes (FIPS 180-4, 5.3.3).
  state_ = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
            0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  buffered_ = 0;
  totalBytes_ = 0;
}

void Sha256::compress(const std::uint8_t *block) {
  std::uint32_t w[64];
  for (int i = 0; i < 16; ++i)
    w[i] = std::uint32_t(block[4 * i]) << 24 |
           std::uint32_t(block[4 * i + 1]) << 16 |
           std::uint32_t(block[4 * i + 2]) << 8 |
           std::uint32_t(block[4 * i + 3]);
  for (int i = 16; i < 64; ++i) {
    std::uint32_t s0 =
        rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
    std::uint32_t s1 =
        rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  std::uint32_t a = state_[0], b = state_[1], c = state_[2], d = state_[3];
  std::uint32_t e = state_[4], f = state_[5], g = state_[6], h = state_[7];
  for (int i = 0; i < 64; ++i) {
    std::uint32_t s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
    std::uint32_t choose = (e & f) ^ (~e & g);
    std::uint32_t t1 = h + s1 + choose + kRound[i] + w[i];
    std::uint32_t s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
    std::uint32_t majority = (a & b) ^ (a & c) ^ (b & c);
    std::uint32_t t2 = s0 + majority;
    h = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  state_[0] += a;
  state_[1] += b;
  state_[2] += c;
  state_[3] += d;
  state_[4] += e;
  state_[5] += f;
  state_[6] += g;
  state_[7] += h;
}

Sha256 &Sha256::update(const void *data, std::size_t size) {
  const auto *bytes = static_cast<const std::uint8_t *>(data);
  totalBytes_ += size;
  if (buffered_) {
    std::size_t take = std::min(size, buffer_.size() - buffered_);
    std::memcpy(buffer_.data() + buffered_, bytes, take);
    buffered_ += take;
    bytes += take;
    size -= take;
    if (buffered_ < buffer_.size())
      return *this;
    compress(buffer_.data());
    buffered_ = 0;
  }
  for (; size >= 64; bytes += 64, size -= 64)
    compress(bytes);
  if (size) {
    std::memcpy(buffer_.data(), bytes, size);
    buffered_ = size;
  }
  return *this;
}

Sha256::Digest Sha256::finish() {
  std::uint64_t bits = totalBytes_ * 8;
  // A 1 bit, zeros up to 56 mod 64 bytes, then the length in bits.
  std::uint8_t pad[72] = {0x80};
  std::size_t padBytes = (buffered_ < 56 ? 56 : 120) - buffered_;
  update(pad, padBytes);
  std::uint8_t length[8];
  for (int i = 0; i < 8; ++i)
    length[i] = std::uint8_t(bits >> (56 - 8 * i));
  update(length, 8);
  Digest digest;
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 4; ++j)
      digest[4 * i + j] = std::uint8_t(state_[i] >> (24 - 8 * j));
  reset();
  return digest;
}

std::string Sha256::finishHex() {
  Digest digest = finish();
  return toHex(digest.data(), digest.size());
}

std::string sha256Hex(std::string_view data) {
  return Sha256().update(data).finishHex();
}

std::string checksum64Hex(std::string_view data) {
  // Four lanes take alternate 8-byte words, so their multiplies overlap.
  // Each step, lane = (lane ^ word) * odd; lane ^= lane >> 29, is a
  // bijection of the lane for a fixed word, so a change in one word reaches
  // the end of its lane; the finish mixes each lane in bijectively too.
  constexpr std::uint64_t kOdd = 0x9E3779B97F4A7C15ull;
  constexpr std::uint64_t kMix = 0xD6E8FEB86659FD93ull;
  auto step = [](std::uint64_t lane, std::uint64_t word) {
    lane = (lane ^ word) * kOdd;
    return lane ^ (lane >> 29);
  };
  auto finalize = [](std::uint64_t x) {
    x ^= x >> 32;
    x *= kMix;
    x ^= x >> 29;
    x *= kMix;
    return x ^ (x >> 32);
  };
  std::uint64_t lane[4] = {1, 2, 3, 4};
  const char *p = data.data();
  const std::size_t n = data.size();
  std::size_t at = 0;
  for (; at + 32 <= n; at += 32)
    for (int l = 0; l < 4; ++l) {
      std::uint64_t word;
      std::memcpy(&word, p + at + 8 * l, 8);
      lane[l] = step(lane[l], word);
    }
  // The tail (under 32 bytes), zero-padded to whole words.
  for (int l = 0; at < n; ++l, at += 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, p + at, std::min<std::size_t>(8, n - at));
    lane[l] = step(lane[l], word);
  }
  std::uint64_t h = finalize(std::uint64_t(n) * kOdd);
  for (std::uint64_t l : lane)
    h = finalize(h ^ l);
  std::uint8_t bytes[8];
  for (int i = 0; i < 8; ++i)
    bytes[i] = std::uint8_t(h >> (56 - 8 * i));
  return toHex(bytes, 8);
}

std::string toHex(const std::uint8_t *bytes, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex(2 * size, '0');
  for (std::size_t i = 0; i < size; ++i) {
    hex[2 * i] = kDigits[bytes[i] >> 4];
    hex[2 * i + 1] = kDigits[bytes[i] & 15];
  }
  return hex;
}

} // namespace tessel::rt
