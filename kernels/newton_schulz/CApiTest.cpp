//===- CApiTest.cpp - the C ABI's checks, without a GPU -------------------===//
//
// Bad variants, null addresses, bad shapes and a missing driver each give a
// non-zero code and a message that says which; the message is truncated
// safely to the caller's buffer.
//
//===----------------------------------------------------------------------===//
#include "tessel_ns.h"

#include <cstring>
#include <gtest/gtest.h>
#include <string>

namespace {

std::string call(uint64_t in, uint64_t out, int64_t b, int64_t m, int64_t n,
                 const char *variant, int &rc, size_t size = 512) {
  std::string buffer(size, 'X');
  rc = tessel_ns_orthogonalize(in, out, b, m, n, variant, nullptr,
                               size ? &buffer[0] : nullptr, size);
  return size ? std::string(buffer.c_str()) : std::string();
}

TEST(NSCApi, RejectsUnknownVariant) {
  int rc;
  std::string msg = call(1, 2, 1, 64, 64, "muon6", rc);
  EXPECT_NE(rc, 0);
  EXPECT_NE(msg.find("unknown variant 'muon6'"), std::string::npos) << msg;
}

TEST(NSCApi, RejectsNullVariantAndAddresses) {
  int rc;
  EXPECT_NE(call(1, 2, 1, 64, 64, nullptr, rc).find("variant is NULL"),
            std::string::npos);
  EXPECT_NE(rc, 0);
  EXPECT_NE(call(0, 2, 1, 64, 64, "aol4", rc).find("not 0"), std::string::npos);
  EXPECT_NE(rc, 0);
}

TEST(NSCApi, RejectsBadShape) {
  int rc;
  std::string msg = call(1, 2, 1, 0, 64, "muon5", rc);
  EXPECT_NE(rc, 0);
  EXPECT_NE(msg.find("must all be positive"), std::string::npos) << msg;
}

TEST(NSCApi, TruncatesTheMessageSafely) {
  int rc;
  std::string msg = call(1, 2, 1, 64, 64, "nope", rc, 8);
  EXPECT_NE(rc, 0);
  EXPECT_EQ(msg.size(), 7u);
  call(1, 2, 1, 64, 64, "nope", rc, 0); // no buffer at all: still safe
  EXPECT_NE(rc, 0);
}

TEST(NSCApi, ReportsWhyItCannotRun) {
  // Valid arguments: without a GPU the call fails naming the driver; with
  // one, the addresses 1 and 2 are not allocations and the call must fail.
  int rc;
  std::string msg = call(1, 2, 1, 64, 64, "aol4", rc);
  EXPECT_NE(rc, 0);
  EXPECT_FALSE(msg.empty());
}

TEST(NSCApi, Float32EntryChecksToo) {
  char msg[256];
  int rc = tessel_ns_orthogonalize_f32(1, 2, 1, 64, 64, "muon9", nullptr, msg,
                                       sizeof msg);
  EXPECT_NE(rc, 0);
  EXPECT_NE(std::string(msg).find("unknown variant 'muon9'"), std::string::npos)
      << msg;
}

} // namespace
