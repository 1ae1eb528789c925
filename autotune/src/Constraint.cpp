//===- Constraint.cpp - Parsing and evaluating knob constraints -----------===//
//
// A recursive-descent parser for the constraint grammar of ConfigSpace.h,
// building an immutable tree, and its evaluation with overflow-checked 64-bit
// arithmetic. Everything a user can write fails with a message, never aborts.
//
//===----------------------------------------------------------------------===//

#include "tessel/autotune/ConfigSpace.h"

#include <algorithm>
#include <charconv>

namespace tessel::tune {

using rt::Expected;
using rt::Status;

/// One node of a parsed constraint. Children are owned; the tree is never
/// modified after parsing, so Constraint copies share it.
struct Constraint::Node {
  enum class Kind { Integer, Name, Negate, Not, Binary };
  enum class Op { Or, And, Lt, Le, Gt, Ge, Eq, Ne, Add, Sub, Mul, Div, Rem };

  Kind kind = Kind::Integer;
  /// The operator of a Binary node.
  Op op = Op::Add;
  /// The value of an Integer node.
  int64_t value = 0;
  /// The name a Name node reads.
  std::string name;
  /// The operand of Negate and Not (lhs), the operands of Binary.
  std::unique_ptr<Node> lhs, rhs;
  /// Levels in the subtree rooted here (1 for a leaf).
  int depth = 1;
};

namespace {

using Node = Constraint::Node;
using NodePtr = std::unique_ptr<Node>;
using BinaryOp = Node::Op;

/// Nesting deeper than this is refused at parse time, so that the parser,
/// evaluate() and the tree's destructor (all recursive) stay far from the end
/// of any thread's stack. Real constraints are a few levels deep.
constexpr int kMaxDepth = 256;

const char *spelling(BinaryOp op) {
  switch (op) {
  case BinaryOp::Or:
    return "||";
  case BinaryOp::And:
    return "&&";
  case BinaryOp::Lt:
    return "<";
  case BinaryOp::Le:
    return "<=";
  case BinaryOp::Gt:
    return ">";
  case BinaryOp::Ge:
    return ">=";
  case BinaryOp::Eq:
    return "==";
  case BinaryOp::Ne:
    return "!=";
  case BinaryOp::Add:
    return "+";
  case BinaryOp::Sub:
    return "-";
  case BinaryOp::Mul:
    return "*";
  case BinaryOp::Div:
    return "/";
  case BinaryOp::Rem:
    return "%";
  }
  return "?";
}

struct Token {
  enum class Kind { Integer, Name, Punct, End, Bad };
  Kind kind = Kind::End;
  /// The token's characters (empty for End).
  std::string_view text;
  /// Byte offset of its first character in the constraint (the text's size
  /// for End), so the column is pos + 1.
  size_t pos = 0;

  bool is(std::string_view punct) const {
    return kind == Kind::Punct && text == punct;
  }
};

bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
         c == '\v';
}
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isNameStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool isNameChar(char c) { return isNameStart(c) || isDigit(c); }

/// The comparison, additive and multiplicative operator a token spells.
std::optional<BinaryOp> binaryOpOf(const Token &token) {
  static const std::pair<std::string_view, BinaryOp> kOps[] = {
      {"||", BinaryOp::Or}, {"&&", BinaryOp::And}, {"<", BinaryOp::Lt},
      {"<=", BinaryOp::Le}, {">", BinaryOp::Gt},   {">=", BinaryOp::Ge},
      {"==", BinaryOp::Eq}, {"!=", BinaryOp::Ne},  {"+", BinaryOp::Add},
      {"-", BinaryOp::Sub}, {"*", BinaryOp::Mul},  {"/", BinaryOp::Div},
      {"%", BinaryOp::Rem}};
  if (token.kind != Token::Kind::Punct)
    return std::nullopt;
  for (const auto &[text, op] : kOps)
    if (token.text == text)
      return op;
  return std::nullopt;
}

bool isComparison(BinaryOp op) {
  return op == BinaryOp::Lt || op == BinaryOp::Le || op == BinaryOp::Gt ||
         op == BinaryOp::Ge || op == BinaryOp::Eq || op == BinaryOp::Ne;
}

/// Recursive descent, one function per grammar rule. A rule returns null
/// after recording the first error in `error_`; callers just pass null up.
class Parser {
public:
  explicit Parser(std::string_view text) : text_(text) { advance(); }

  /// The whole text as one `or`; null (see error()) when it is not one.
  NodePtr parse() {
    NodePtr root = parseOr();
    if (root && tok_.kind != Token::Kind::End)
      return fail(tok_.pos, expectedAfterOperand("end of text"));
    return root;
  }

  const Status &error() const { return error_; }

  /// The names read, sorted and unique.
  std::vector<std::string> takeNames() {
    std::sort(names_.begin(), names_.end());
    names_.erase(std::unique(names_.begin(), names_.end()), names_.end());
    return std::move(names_);
  }

private:
  /// Lexes the token after the current one into tok_.
  void advance() {
    size_t pos = next_;
    while (pos < text_.size() && isSpace(text_[pos]))
      ++pos;
    tok_.pos = pos;
    if (pos == text_.size()) {
      tok_.kind = Token::Kind::End;
      tok_.text = {};
      next_ = pos;
      return;
    }
    char c = text_[pos];
    size_t end = pos + 1;
    if (isDigit(c)) {
      tok_.kind = Token::Kind::Integer;
      while (end < text_.size() && isDigit(text_[end]))
        ++end;
    } else if (isNameStart(c)) {
      tok_.kind = Token::Kind::Name;
      while (end < text_.size() && isNameChar(text_[end]))
        ++end;
    } else {
      static const std::string_view kTwoChar[] = {
          "||", "&&", "<=", ">=", "==", "!="};
      static const std::string_view kOneChar = "<>+-*/%!()";
      std::string_view rest = text_.substr(pos);
      tok_.kind = Token::Kind::Bad;
      for (std::string_view punct : kTwoChar)
        if (rest.substr(0, 2) == punct) {
          tok_.kind = Token::Kind::Punct;
          end = pos + 2;
        }
      if (tok_.kind == Token::Kind::Bad &&
          kOneChar.find(c) != std::string_view::npos)
        tok_.kind = Token::Kind::Punct;
    }
    tok_.text = text_.substr(pos, end - pos);
    next_ = end;
  }

  NodePtr fail(size_t pos, std::string_view expected) {
    if (error_.ok())
      error_ = Status::error("column ", pos + 1, ": expected ", expected);
    return nullptr;
  }

  /// What to say when an operand is followed by a token that cannot continue
  /// the expression; `closing` is what would end it there ("')'" inside
  /// parentheses, "end of text" at the top). A lone '&', '|' or '=' is
  /// almost always a mistyped '&&', '||' or '=='.
  std::string expectedAfterOperand(std::string_view closing) const {
    if (tok_.kind == Token::Kind::Bad) {
      if (tok_.text == "&")
        return "'&&'";
      if (tok_.text == "|")
        return "'||'";
      if (tok_.text == "=")
        return "'=='";
    }
    std::optional<BinaryOp> op = binaryOpOf(tok_);
    if (op && isComparison(*op))
      return std::string(closing) + " (comparisons do not chain)";
    return std::string(closing);
  }

  /// A node of `kind` with `operands`; fails at `pos` when the tree would get
  /// deeper than kMaxDepth.
  NodePtr make(size_t pos, Node::Kind kind, NodePtr lhs, NodePtr rhs = {}) {
    auto node = std::make_unique<Node>();
    node->kind = kind;
    node->depth = 1 + std::max(lhs ? lhs->depth : 0, rhs ? rhs->depth : 0);
    if (node->depth > kMaxDepth)
      return failTooDeep(pos);
    node->lhs = std::move(lhs);
    node->rhs = std::move(rhs);
    return node;
  }

  NodePtr failTooDeep(size_t pos) {
    if (error_.ok())
      error_ =
          Status::error("column ", pos + 1, ": expression nested more than ",
                        kMaxDepth, " levels deep");
    return nullptr;
  }

  /// `operand (op operand)*` for the operators in `ops`, left-associative.
  template <class Operand>
  NodePtr parseLeftAssociative(Operand operand,
                               std::initializer_list<BinaryOp> ops) {
    NodePtr lhs = (this->*operand)();
    while (lhs) {
      std::optional<BinaryOp> op = binaryOpOf(tok_);
      if (!op || std::find(ops.begin(), ops.end(), *op) == ops.end())
        break;
      size_t pos = tok_.pos;
      advance();
      NodePtr rhs = (this->*operand)();
      if (!rhs)
        return nullptr;
      lhs = make(pos, Node::Kind::Binary, std::move(lhs), std::move(rhs));
      if (lhs)
        lhs->op = *op;
    }
    return lhs;
  }

  NodePtr parseOr() {
    return parseLeftAssociative(&Parser::parseAnd, {BinaryOp::Or});
  }

  NodePtr parseAnd() {
    return parseLeftAssociative(&Parser::parseCmp, {BinaryOp::And});
  }

  /// At most one comparison: `a < b < c` is refused rather than given C's
  /// surprising meaning `(a < b) < c`.
  NodePtr parseCmp() {
    NodePtr lhs = parseSum();
    if (!lhs)
      return nullptr;
    std::optional<BinaryOp> op = binaryOpOf(tok_);
    if (!op || !isComparison(*op))
      return lhs;
    size_t pos = tok_.pos;
    advance();
    NodePtr rhs = parseSum();
    if (!rhs)
      return nullptr;
    NodePtr node =
        make(pos, Node::Kind::Binary, std::move(lhs), std::move(rhs));
    if (node)
      node->op = *op;
    return node;
  }

  NodePtr parseSum() {
    return parseLeftAssociative(&Parser::parseProd,
                                {BinaryOp::Add, BinaryOp::Sub});
  }

  NodePtr parseProd() {
    return parseLeftAssociative(&Parser::parseUnary,
                                {BinaryOp::Mul, BinaryOp::Div, BinaryOp::Rem});
  }

  /// Every recursion (prefix operators, parentheses) passes through here, so
  /// this is where the parser's own stack depth is bounded.
  NodePtr parseUnary() {
    if (++depth_ > kMaxDepth)
      return failTooDeep(tok_.pos);
    NodePtr node;
    if (tok_.is("-") || tok_.is("!")) {
      size_t pos = tok_.pos;
      Node::Kind kind = tok_.is("-") ? Node::Kind::Negate : Node::Kind::Not;
      advance();
      NodePtr operand = parseUnary();
      if (operand)
        node = make(pos, kind, std::move(operand));
    } else {
      node = parseAtom();
    }
    --depth_;
    return node;
  }

  NodePtr parseAtom() {
    size_t pos = tok_.pos;
    if (tok_.kind == Token::Kind::Integer) {
      // The digits alone: a leading '-' is the unary operator, as in C.
      int64_t value = 0;
      const char *first = tok_.text.data();
      const char *last = first + tok_.text.size();
      auto [ptr, ec] = std::from_chars(first, last, value);
      if (ec != std::errc() || ptr != last)
        return fail(pos, "an integer of at most 9223372036854775807");
      advance();
      NodePtr node = make(pos, Node::Kind::Integer, nullptr);
      node->value = value;
      return node;
    }
    if (tok_.kind == Token::Kind::Name) {
      NodePtr node = make(pos, Node::Kind::Name, nullptr);
      node->name = std::string(tok_.text);
      names_.push_back(node->name);
      advance();
      return node;
    }
    if (tok_.is("(")) {
      advance();
      NodePtr inner = parseOr();
      if (!inner)
        return nullptr;
      if (!tok_.is(")"))
        return fail(tok_.pos, expectedAfterOperand("')'"));
      advance();
      return inner;
    }
    return fail(pos, "an integer, a name or '('");
  }

  std::string_view text_;
  /// Offset just past the current token.
  size_t next_ = 0;
  Token tok_;
  /// parseUnary() calls under way.
  int depth_ = 0;
  std::vector<std::string> names_;
  Status error_;
};

using Lookup = std::function<std::optional<int64_t>(std::string_view)>;

Status overflow(int64_t lhs, BinaryOp op, int64_t rhs) {
  return Status::error("overflow in ", lhs, " ", spelling(op), " ", rhs);
}

/// `lhs op rhs` for the operators that always read both operands.
Expected<int64_t> apply(BinaryOp op, int64_t lhs, int64_t rhs) {
  int64_t result = 0;
  switch (op) {
  case BinaryOp::Add:
    if (__builtin_add_overflow(lhs, rhs, &result))
      return overflow(lhs, op, rhs);
    return result;
  case BinaryOp::Sub:
    if (__builtin_sub_overflow(lhs, rhs, &result))
      return overflow(lhs, op, rhs);
    return result;
  case BinaryOp::Mul:
    if (__builtin_mul_overflow(lhs, rhs, &result))
      return overflow(lhs, op, rhs);
    return result;
  case BinaryOp::Div:
    if (rhs == 0)
      return Status::error("division by zero");
    // INT64_MIN / -1 is the one quotient that does not fit (and traps on
    // x86), so -1 goes through checked negation.
    if (rhs == -1) {
      if (__builtin_sub_overflow(int64_t(0), lhs, &result))
        return overflow(lhs, op, rhs);
      return result;
    }
    return lhs / rhs; // Truncates toward zero, as in C.
  case BinaryOp::Rem:
    if (rhs == 0)
      return Status::error("remainder by zero");
    // x % -1 is 0 for every x, but INT64_MIN % -1 traps on x86.
    if (rhs == -1)
      return int64_t(0);
    return lhs % rhs;
  case BinaryOp::Lt:
    return int64_t(lhs < rhs);
  case BinaryOp::Le:
    return int64_t(lhs <= rhs);
  case BinaryOp::Gt:
    return int64_t(lhs > rhs);
  case BinaryOp::Ge:
    return int64_t(lhs >= rhs);
  case BinaryOp::Eq:
    return int64_t(lhs == rhs);
  case BinaryOp::Ne:
    return int64_t(lhs != rhs);
  case BinaryOp::And:
    return int64_t(lhs != 0 && rhs != 0);
  case BinaryOp::Or:
    return int64_t(lhs != 0 || rhs != 0);
  }
  return Status::error("internal error: unknown operator");
}

Expected<int64_t> evaluateNode(const Node &node, const Lookup &lookup) {
  switch (node.kind) {
  case Node::Kind::Integer:
    return node.value;
  case Node::Kind::Name: {
    std::optional<int64_t> value = lookup(node.name);
    if (!value)
      return Status::error("unknown name '", node.name, "'");
    return *value;
  }
  case Node::Kind::Negate: {
    Expected<int64_t> operand = evaluateNode(*node.lhs, lookup);
    if (!operand)
      return operand;
    int64_t result = 0;
    if (__builtin_sub_overflow(int64_t(0), *operand, &result))
      return Status::error("overflow in -(", *operand, ")");
    return result;
  }
  case Node::Kind::Not: {
    Expected<int64_t> operand = evaluateNode(*node.lhs, lookup);
    if (!operand)
      return operand;
    return int64_t(*operand == 0);
  }
  case Node::Kind::Binary: {
    Expected<int64_t> lhs = evaluateNode(*node.lhs, lookup);
    if (!lhs)
      return lhs;
    // '&&' and '||' short-circuit as in C, so a guard such as
    // "BLOCK_K > 0 && 4096 / BLOCK_K >= 2" protects its right side.
    if (node.op == BinaryOp::And && *lhs == 0)
      return int64_t(0);
    if (node.op == BinaryOp::Or && *lhs != 0)
      return int64_t(1);
    Expected<int64_t> rhs = evaluateNode(*node.rhs, lookup);
    if (!rhs)
      return rhs;
    return apply(node.op, *lhs, *rhs);
  }
  }
  return Status::error("internal error: unknown constraint node");
}

} // namespace

Expected<Constraint> Constraint::parse(std::string_view text) {
  Parser parser(text);
  NodePtr root = parser.parse();
  if (!root)
    return parser.error();
  Constraint constraint;
  constraint.text_ = std::string(text);
  constraint.names_ = parser.takeNames();
  constraint.root_ = std::move(root);
  return constraint;
}

Expected<int64_t> Constraint::evaluate(const Lookup &lookup) const {
  // Only a default-constructed Constraint has no tree.
  if (!root_)
    return Status::error("empty constraint (not built by Constraint::parse)");
  return evaluateNode(*root_, lookup);
}

} // namespace tessel::tune
