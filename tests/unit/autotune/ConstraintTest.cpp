//===- ConstraintTest.cpp - Constraint parsing and evaluation -------------===//
//
// Precedence and associativity, every parse error with its column, the names
// a constraint reads, and evaluation failures (unknown names, division by
// zero, 64-bit overflow).
//
//===----------------------------------------------------------------------===//

#include "tessel/autotune/ConfigSpace.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

using namespace tessel::tune;
using tessel::rt::Expected;

namespace {

using Names = std::map<std::string, int64_t>;

/// Looks names up in `names`.
auto lookupIn(const Names &names) {
  return [&names](std::string_view name) -> std::optional<int64_t> {
    auto it = names.find(std::string(name));
    if (it == names.end())
      return std::nullopt;
    return it->second;
  };
}

/// Parses and evaluates `text`; the parse error when it does not parse.
Expected<int64_t> eval(std::string_view text, const Names &names = {}) {
  Expected<Constraint> constraint = Constraint::parse(text);
  if (!constraint)
    return constraint.status();
  return constraint->evaluate(lookupIn(names));
}

/// The value of `text`, or a test failure and 0x7e57 when it has none.
int64_t value(std::string_view text, const Names &names = {}) {
  Expected<int64_t> result = eval(text, names);
  EXPECT_TRUE(result) << text << ": " << result.status().message();
  return result ? *result : 0x7e57;
}

/// The message `text` fails with, parsing or evaluating; "" when it does not.
std::string failure(std::string_view text, const Names &names = {}) {
  Expected<int64_t> result = eval(text, names);
  return result ? std::string() : result.status().message();
}

/// The parse error of `text`; "" when it parses.
std::string parseError(std::string_view text) {
  Expected<Constraint> constraint = Constraint::parse(text);
  return constraint ? std::string() : constraint.status().message();
}

TEST(Constraint, Literals) {
  EXPECT_EQ(value("0"), 0);
  EXPECT_EQ(value("42"), 42);
  EXPECT_EQ(value("007"), 7);
  EXPECT_EQ(value("9223372036854775807"), INT64_MAX);
}

TEST(Constraint, Precedence) {
  EXPECT_EQ(value("2+3*4"), 14);
  EXPECT_EQ(value("2+3*4==14"), 1);
  EXPECT_EQ(value("(2+3)*4"), 20);
  EXPECT_EQ(value("2*3+4"), 10);
  EXPECT_EQ(value("1 + 6 / 2 - 7 % 4"), 1);
  // Sums bind tighter than comparisons, comparisons than '&&', '&&' than '||'.
  EXPECT_EQ(value("1 + 2 < 4"), 1);
  EXPECT_EQ(value("2 == 1 + 1"), 1);
  EXPECT_EQ(value("1 < 2 && 3 > 4 || 1"), 1);
  EXPECT_EQ(value("1 || 0 && 0"), 1);
  EXPECT_EQ(value("0 && 1 || 1"), 1);
  EXPECT_EQ(value("0 && (1 || 1)"), 0);
}

TEST(Constraint, LeftAssociative) {
  EXPECT_EQ(value("10-4-3"), 3);
  EXPECT_EQ(value("100/10/5"), 2);
  EXPECT_EQ(value("17%5*2"), 4);
  EXPECT_EQ(value("64/4*2"), 32);
  EXPECT_EQ(value("10-(4-3)"), 9);
}

TEST(Constraint, UnaryOperators) {
  EXPECT_EQ(value("-2*-3"), 6);
  EXPECT_EQ(value("--5"), 5);
  EXPECT_EQ(value("-(2+3)"), -5);
  EXPECT_EQ(value("!0"), 1);
  EXPECT_EQ(value("!5"), 0);
  EXPECT_EQ(value("!!7"), 1);
  EXPECT_EQ(value("-!0"), -1);
  EXPECT_EQ(value("!0 + 1"), 2); // '!' binds tighter than '+'.
}

TEST(Constraint, ComparisonsGiveZeroOrOne) {
  EXPECT_EQ(value("1 < 2"), 1);
  EXPECT_EQ(value("2 < 2"), 0);
  EXPECT_EQ(value("2 <= 2"), 1);
  EXPECT_EQ(value("3 <= 2"), 0);
  EXPECT_EQ(value("3 > 2"), 1);
  EXPECT_EQ(value("2 > 2"), 0);
  EXPECT_EQ(value("2 >= 2"), 1);
  EXPECT_EQ(value("1 >= 2"), 0);
  EXPECT_EQ(value("2 == 2"), 1);
  EXPECT_EQ(value("2 == 3"), 0);
  EXPECT_EQ(value("2 != 3"), 1);
  EXPECT_EQ(value("2 != 2"), 0);
  EXPECT_EQ(value("5 && 7"), 1);
  EXPECT_EQ(value("0 || 9"), 1);
  EXPECT_EQ(value("0 || 0"), 0);
}

TEST(Constraint, DivisionTruncatesTowardZero) {
  EXPECT_EQ(value("-7 / 2"), -3);
  EXPECT_EQ(value("-7 % 2"), -1);
  EXPECT_EQ(value("7 % -2"), 1);
  EXPECT_EQ(value("7 / -1"), -7);
  EXPECT_EQ(value("7 % -1"), 0);
}

TEST(Constraint, WhitespaceBetweenTokens) {
  EXPECT_EQ(value(" \t( 1 +\n2 ) * 3 "), 9);
  EXPECT_EQ(value("1<=2&&3!=4"), 1);
  // Two-character operators are single tokens.
  EXPECT_EQ(failure("1 < = 2"), "column 5: expected an integer, a name or '('");
}

TEST(Constraint, KeepsItsText) {
  Expected<Constraint> constraint = Constraint::parse("  a <= 4 ");
  ASSERT_TRUE(constraint) << constraint.status().message();
  EXPECT_EQ(constraint->text(), "  a <= 4 ");
}

TEST(Constraint, ParseErrorsNameTheColumn) {
  const std::string atom = "expected an integer, a name or '('";
  EXPECT_EQ(parseError(""), "column 1: " + atom);
  EXPECT_EQ(parseError("   "), "column 4: " + atom);
  EXPECT_EQ(parseError("1 +"), "column 4: " + atom);
  EXPECT_EQ(parseError("* 2"), "column 1: " + atom);
  EXPECT_EQ(parseError("1 + * 2"), "column 5: " + atom);
  EXPECT_EQ(parseError("()"), "column 2: " + atom);
  EXPECT_EQ(parseError("a < #"), "column 5: " + atom);
  EXPECT_EQ(parseError("(1 + 2"), "column 7: expected ')'");
  EXPECT_EQ(parseError("BLOCK <= (64"), "column 13: expected ')'");
  EXPECT_EQ(parseError("(1 2)"), "column 4: expected ')'");
  EXPECT_EQ(parseError("1 2"), "column 3: expected end of text");
  EXPECT_EQ(parseError("1 + 2)"), "column 6: expected end of text");
  EXPECT_EQ(parseError("a # b"), "column 3: expected end of text");
  EXPECT_EQ(parseError("a !b"), "column 3: expected end of text");
  EXPECT_EQ(parseError("12abc"), "column 3: expected end of text");
}

TEST(Constraint, ParseErrorsForCommonSlips) {
  EXPECT_EQ(parseError("a & b"), "column 3: expected '&&'");
  EXPECT_EQ(parseError("a | b"), "column 3: expected '||'");
  EXPECT_EQ(parseError("a = b"), "column 3: expected '=='");
  EXPECT_EQ(parseError("(a = b)"), "column 4: expected '=='");
  EXPECT_EQ(parseError("a < b < c"),
            "column 7: expected end of text (comparisons do not chain)");
  EXPECT_EQ(parseError("(a < b == c)"),
            "column 8: expected ')' (comparisons do not chain)");
  EXPECT_EQ(parseError("(a < b) < c"), ""); // Parenthesized, it is explicit.
}

TEST(Constraint, IntegerOutOfRange) {
  EXPECT_EQ(parseError("9223372036854775808"),
            "column 1: expected an integer of at most 9223372036854775807");
  EXPECT_EQ(parseError("1 + 99999999999999999999"),
            "column 5: expected an integer of at most 9223372036854775807");
}

TEST(Constraint, NestingIsBounded) {
  auto nested = [](int levels) {
    return std::string(levels, '(') + "1" + std::string(levels, ')');
  };
  EXPECT_EQ(value(nested(100)), 1);
  EXPECT_EQ(parseError(nested(300)),
            "column 257: expression nested more than 256 levels deep");
  EXPECT_EQ(value(std::string(100, '-') + "1"), 1);
  EXPECT_EQ(parseError(std::string(300, '!') + "1"),
            "column 257: expression nested more than 256 levels deep");

  // A long left-associative chain is as deep as it is long.
  auto sum = [](int terms) {
    std::string text = "1";
    for (int i = 1; i < terms; ++i)
      text += "+1";
    return text;
  };
  EXPECT_EQ(value(sum(200)), 200);
  // The 256th '+' (column 512) would make a tree 257 levels deep.
  EXPECT_EQ(parseError(sum(300)),
            "column 512: expression nested more than 256 levels deep");
}

TEST(Constraint, NamesAreSortedAndUnique) {
  Expected<Constraint> constraint =
      Constraint::parse("b + a * b + _x1 <= SMEM && a > 0");
  ASSERT_TRUE(constraint) << constraint.status().message();
  EXPECT_EQ(constraint->names(),
            (std::vector<std::string>{"SMEM", "_x1", "a", "b"}));

  Expected<Constraint> literal = Constraint::parse("1 + 2");
  ASSERT_TRUE(literal);
  EXPECT_TRUE(literal->names().empty());
}

TEST(Constraint, NamesAreBoundByLookup) {
  EXPECT_EQ(value("BLOCK_M * 2 + k9", {{"BLOCK_M", 64}, {"k9", -1}}), 127);
  EXPECT_EQ(failure("a + b", {{"a", 1}}), "unknown name 'b'");
  EXPECT_EQ(failure("Block <= 64", {{"BLOCK", 64}}), "unknown name 'Block'");
}

TEST(Constraint, LogicShortCircuits) {
  // As in C, so that a guard protects the side it guards.
  EXPECT_EQ(value("0 && 1 / 0"), 0);
  EXPECT_EQ(value("1 || x"), 1);
  EXPECT_EQ(value("K > 0 && 4096 / K >= 2", {{"K", 0}}), 0);
  EXPECT_EQ(failure("1 && 1 / 0"), "division by zero");
  EXPECT_EQ(failure("0 || x"), "unknown name 'x'");
}

TEST(Constraint, DivisionByZero) {
  EXPECT_EQ(failure("1 / 0"), "division by zero");
  EXPECT_EQ(failure("BLOCK / (BLOCK - 64) > 0", {{"BLOCK", 64}}),
            "division by zero");
  EXPECT_EQ(failure("1 % (2 - 2)"), "remainder by zero");
}

TEST(Constraint, Overflow) {
  EXPECT_EQ(failure("9223372036854775807 + 1"),
            "overflow in 9223372036854775807 + 1");
  EXPECT_EQ(failure("-9223372036854775807 - 2"),
            "overflow in -9223372036854775807 - 2");
  EXPECT_EQ(failure("4294967296 * 4294967296"),
            "overflow in 4294967296 * 4294967296");
  EXPECT_EQ(
      failure("a * b", {{"a", INT64_C(1) << 32}, {"b", INT64_C(1) << 31}}),
      "overflow in 4294967296 * 2147483648");
  // INT64_MIN itself is fine; negating it or dividing it by -1 is not.
  EXPECT_EQ(value("-9223372036854775807 - 1"), INT64_MIN);
  EXPECT_EQ(failure("-(-9223372036854775807 - 1)"),
            "overflow in -(-9223372036854775808)");
  EXPECT_EQ(failure("(-9223372036854775807 - 1) / -1"),
            "overflow in -9223372036854775808 / -1");
  EXPECT_EQ(value("(-9223372036854775807 - 1) % -1"), 0);
}

TEST(Constraint, SharedMemoryOfAPipelinedGemm) {
  Expected<Constraint> smem =
      Constraint::parse("(BLOCK_M + BLOCK_N) * BLOCK_K * 2 * stages <= SMEM");
  ASSERT_TRUE(smem) << smem.status().message();
  EXPECT_EQ(smem->names(),
            (std::vector<std::string>{"BLOCK_K", "BLOCK_M", "BLOCK_N", "SMEM",
                                      "stages"}));
  // 227 KiB of opt-in shared memory per block, as on sm_90.
  Names names = {{"BLOCK_M", 128},
                 {"BLOCK_N", 128},
                 {"BLOCK_K", 64},
                 {"stages", 3},
                 {"SMEM", 232448}};
  // (128 + 128) * 64 * 2 * 3 = 98304 bytes.
  Expected<int64_t> fits = smem->evaluate(lookupIn(names));
  ASSERT_TRUE(fits) << fits.status().message();
  EXPECT_EQ(*fits, 1);
  // 8 stages: 262144 bytes.
  names["stages"] = 8;
  Expected<int64_t> tooBig = smem->evaluate(lookupIn(names));
  ASSERT_TRUE(tooBig) << tooBig.status().message();
  EXPECT_EQ(*tooBig, 0);
}

TEST(Constraint, CopiesShareTheParsedTree) {
  Expected<Constraint> parsed = Constraint::parse("a * 2");
  ASSERT_TRUE(parsed);
  Constraint copy = *parsed;
  Names names = {{"a", 21}};
  Expected<int64_t> result = copy.evaluate(lookupIn(names));
  ASSERT_TRUE(result);
  EXPECT_EQ(*result, 42);
  EXPECT_EQ(copy.text(), "a * 2");
  EXPECT_EQ(copy.names(), std::vector<std::string>{"a"});
}

TEST(Constraint, DefaultConstructedFailsToEvaluate) {
  Expected<int64_t> result = Constraint().evaluate(lookupIn({}));
  EXPECT_FALSE(result);
}

} // namespace
