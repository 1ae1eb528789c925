//===- StatusTest.cpp - Status and Expected<T> ----------------------------===//
//
// Success and failure, message composition, value access and propagation.
//
//===----------------------------------------------------------------------===//

#include "tessel/runtime/Status.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <vector>

using namespace tessel::rt;

namespace {

TEST(Status, DefaultIsSuccess) {
  EXPECT_TRUE(Status().ok());
  EXPECT_TRUE(Status::success().ok());
  EXPECT_EQ(Status::success().message(), "");
}

TEST(Status, ErrorStreamsEveryPart) {
  Status status = Status::error("kernel '", "gemm", "' needs ", 232448, " B");
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.message(), "kernel 'gemm' needs 232448 B");
}

TEST(Status, EmptyErrorStillHasAMessage) {
  Status status = Status::error("");
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.message(), "unknown error");
}

TEST(Status, ContextAndDetail) {
  Status status = Status::error("checksum mismatch");
  EXPECT_EQ(status.withContext("cache").message(), "cache: checksum mismatch");
  EXPECT_EQ(status.withDetail("key ab").message(),
            "checksum mismatch (key ab)");
  EXPECT_TRUE(Status::success().withContext("cache").ok());
  EXPECT_TRUE(Status::success().withDetail("x").ok());
}

TEST(Expected, HoldsAValue) {
  Expected<int> value = 42;
  ASSERT_TRUE(value);
  EXPECT_EQ(*value, 42);
  EXPECT_TRUE(value.status().ok());
}

TEST(Expected, HoldsAFailure) {
  Expected<int> value = Status::error("no device");
  EXPECT_FALSE(value);
  EXPECT_EQ(value.status().message(), "no device");
}

TEST(Expected, ArrowAndTakeOnMoveOnlyValues) {
  Expected<std::unique_ptr<std::vector<int>>> value =
      std::make_unique<std::vector<int>>(3, 7);
  ASSERT_TRUE(value);
  EXPECT_EQ((*value)->size(), 3u);
  std::unique_ptr<std::vector<int>> taken = value.take();
  ASSERT_NE(taken, nullptr);
  EXPECT_EQ(taken->at(2), 7);

  Expected<std::vector<int>> vector = std::vector<int>{1, 2};
  EXPECT_EQ(vector->size(), 2u);
}

TEST(Expected, ConvertsFromWhatTheValueIsBuiltFrom) {
  auto miss = []() -> Expected<std::optional<int>> { return std::nullopt; };
  Expected<std::optional<int>> result = miss();
  ASSERT_TRUE(result);
  EXPECT_FALSE(result->has_value());

  auto text = []() -> Expected<std::string> { return "sm_90a"; };
  EXPECT_EQ(*text(), "sm_90a");
}

Status failsAt(int step, int &reached) {
  for (reached = 0; reached < 3; ++reached)
    TESSEL_RETURN_IF_ERROR(reached == step ? Status::error("step ", step)
                                           : Status::success());
  return Status::success();
}

Expected<int> failsThroughExpected() {
  TESSEL_RETURN_IF_ERROR(Status::error("inner"));
  return 1;
}

TEST(Status, ReturnIfErrorPropagates) {
  int reached = -1;
  Status status = failsAt(1, reached);
  EXPECT_EQ(status.message(), "step 1");
  EXPECT_EQ(reached, 1);
  EXPECT_TRUE(failsAt(5, reached).ok());
  EXPECT_EQ(reached, 3);
  Expected<int> expected = failsThroughExpected();
  EXPECT_FALSE(expected);
  EXPECT_EQ(expected.status().message(), "inner");
}

} // namespace
