//===- HashTest.cpp - SHA-256 against the published test vectors ----------===//
//
// FIPS 180-4 / NIST CAVP vectors, plus incremental hashing split at every
// offset (the buffering is where a hand-written SHA-256 goes wrong).
//
//===----------------------------------------------------------------------===//

#include "tessel/runtime/Hash.h"

#include <gtest/gtest.h>
#include <set>
#include <string>

using namespace tessel::rt;

namespace {

TEST(Sha256, EmptyString) {
  EXPECT_EQ(sha256Hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256, Abc) {
  EXPECT_EQ(sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, TwoBlockMessage448Bits) {
  EXPECT_EQ(
      sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, Message896Bits) {
  EXPECT_EQ(
      sha256Hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
                "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"),
      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

TEST(Sha256, OneMillionAs) {
  EXPECT_EQ(sha256Hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, QuickBrownFox) {
  EXPECT_EQ(sha256Hex("The quick brown fox jumps over the lazy dog"),
            "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592");
}

TEST(Sha256, PaddingBoundaries) {
  // 55 bytes pads into one block, 56 and 64 into two.
  EXPECT_EQ(sha256Hex(std::string(55, 'a')),
            "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
  EXPECT_EQ(sha256Hex(std::string(56, 'a')),
            "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
  EXPECT_EQ(sha256Hex(std::string(64, 'a')),
            "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}

TEST(Sha256, IncrementalEqualsOneShotAtEverySplit) {
  std::string message;
  for (int i = 0; i < 200; ++i)
    message += static_cast<char>(i * 31 + 7);
  std::string expected = sha256Hex(message);
  Sha256 hasher;
  for (std::size_t split = 0; split <= message.size(); ++split) {
    hasher.update(std::string_view(message).substr(0, split));
    hasher.update(std::string_view(message).substr(split));
    EXPECT_EQ(hasher.finishHex(), expected) << "split at " << split;
  }
  // Byte by byte, then reuse after finish() (which resets).
  for (char c : message)
    hasher.update(&c, 1);
  EXPECT_EQ(hasher.finishHex(), expected);
  EXPECT_EQ(hasher.update("abc").finishHex(), sha256Hex("abc"));
}

TEST(Sha256, BinaryDigestAndHex) {
  Sha256::Digest digest = Sha256().update("abc").finish();
  EXPECT_EQ(digest[0], 0xba);
  EXPECT_EQ(digest[31], 0xad);
  EXPECT_EQ(toHex(digest.data(), digest.size()), sha256Hex("abc"));
  const std::uint8_t bytes[] = {0x00, 0x0f, 0xf0, 0xff};
  EXPECT_EQ(toHex(bytes, 4), "000ff0ff");
}

} // namespace

// The cache entries' checksum: 16 hex digits, a function of the bytes only,
// changed by any one flipped bit (anywhere in a cubin-sized buffer, tail
// included), by a changed length (zero bytes appended or cut) and by words
// swapped between lanes.
TEST(Checksum64, SixteenHexDigitsAndDeterministic) {
  std::string h = checksum64Hex("tessel");
  EXPECT_EQ(h.size(), 16u);
  EXPECT_EQ(h.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(h, checksum64Hex(std::string("tessel")));
  EXPECT_NE(checksum64Hex(""), checksum64Hex(std::string(1, '\0')));
}

TEST(Checksum64, EveryFlippedBitChangesIt) {
  std::string data(100003, '\0');
  for (size_t i = 0; i < data.size(); ++i)
    data[i] = char((i * 2654435761u) >> 13);
  const std::string base = checksum64Hex(data);
  for (size_t i = 0; i < data.size(); i += (i < 64 || i + 64 > data.size()) ? 1 : 997)
    for (int bit = 0; bit < 8; ++bit) {
      std::string flipped = data;
      flipped[i] = char(flipped[i] ^ (1 << bit));
      ASSERT_NE(checksum64Hex(flipped), base) << "byte " << i << " bit " << bit;
    }
}

TEST(Checksum64, LengthAndOrderMatter) {
  std::string data(4096, 'x');
  std::set<std::string> seen;
  for (size_t n = 0; n <= 80; ++n)
    EXPECT_TRUE(seen.insert(checksum64Hex(std::string(n, '\0'))).second) << n;
  std::string swapped = data;
  swapped.replace(0, 8, "abcdefgh");
  swapped.replace(8, 8, "ijklmnop");
  std::string other = data;
  other.replace(0, 8, "ijklmnop");
  other.replace(8, 8, "abcdefgh");
  EXPECT_NE(checksum64Hex(swapped), checksum64Hex(other));
  EXPECT_NE(checksum64Hex(data), checksum64Hex(data.substr(0, 4095)));
}
