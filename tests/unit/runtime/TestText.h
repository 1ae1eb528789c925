//===- TestText.h - Assertions on message text ------------------*- C++ -*-===//
//
// hasSubstr / startsWith as gtest assertions that print the whole message on
// failure (gtest alone, no gmock).
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_TESTS_UNIT_RUNTIME_TESTTEXT_H
#define TESSEL_TESTS_UNIT_RUNTIME_TESTTEXT_H

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace tessel::rt::test {

/// Success when `text` contains `part`.
inline ::testing::AssertionResult hasSubstr(std::string_view text,
                                            std::string_view part) {
  if (text.find(part) != std::string_view::npos)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << part << "\" is not in:\n"
                                       << text;
}

/// Success when `text` starts with `prefix`.
inline ::testing::AssertionResult startsWith(std::string_view text,
                                             std::string_view prefix) {
  if (text.substr(0, prefix.size()) == prefix)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "\"" << prefix << "\" does not start:\n"
         << text;
}

} // namespace tessel::rt::test

#endif // TESSEL_TESTS_UNIT_RUNTIME_TESTTEXT_H
