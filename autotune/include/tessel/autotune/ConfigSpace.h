//===- ConfigSpace.h - the knob values a kernel may be tuned over -*- C++ -*-===//
//
// A kernel's tessel.param knobs (name, default, allowed values) and its
// declared constraints (`tessel.constraints` on the kernel function, e.g.
// "(BLOCK_M + BLOCK_N) * BLOCK_K * 2 * stages <= SMEM"), enumerated into the
// configs an autotuner compiles and times. Pure C++: no MLIR, no GPU.
//
//===----------------------------------------------------------------------===//
#ifndef TESSEL_AUTOTUNE_CONFIGSPACE_H
#define TESSEL_AUTOTUNE_CONFIGSPACE_H

#include "tessel/runtime/Status.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tessel::rt {
struct DeviceInfo;
}

namespace tessel::tune {

/// One binding of every knob: knob name -> value (sorted by name).
using Config = std::map<std::string, int64_t>;

/// "NAME=VALUE,NAME=VALUE" in name order ("" for an empty config).
std::string configString(const Config &config);

/// The inverse of configString; fails (saying where) on anything else.
rt::Expected<Config> parseConfigString(std::string_view text);

/// A tessel.param knob: its default and the values it may take (the default
/// among them; never empty).
struct Knob {
  std::string name;
  int64_t defaultValue = 0;
  std::vector<int64_t> values;
};

/// A boolean integer expression over knob names and limit names.
/// Grammar (C precedence, 64-bit signed arithmetic):
///   or   := and ('||' and)*        and := cmp ('&&' cmp)*
///   cmp  := sum (('<'|'<='|'>'|'>='|'=='|'!=') sum)?
///   sum  := prod (('+'|'-') prod)*  prod := unary (('*'|'/'|'%') unary)*
///   unary:= '-' unary | '!' unary | atom
///   atom := INTEGER | NAME | '(' or ')'      NAME := [A-Za-z_][A-Za-z0-9_]*
/// Comparisons and logic give 0 or 1; a config satisfies the constraint
/// when it evaluates to non-zero.
class Constraint {
public:
  /// Parses `text`; the error names the 1-based column and what was
  /// expected there (e.g. "column 9: expected ')'").
  static rt::Expected<Constraint> parse(std::string_view text);

  /// The text it was parsed from.
  const std::string &text() const { return text_; }

  /// Every name it reads (sorted, unique).
  const std::vector<std::string> &names() const { return names_; }

  /// Its value with names bound by `lookup`; fails for a name `lookup`
  /// does not know, division or remainder by zero, or overflow.
  rt::Expected<int64_t> evaluate(
      const std::function<std::optional<int64_t>(std::string_view)> &lookup)
      const;

  struct Node;

private:
  std::string text_;
  std::vector<std::string> names_;
  std::shared_ptr<const Node> root_;
};

/// The names deviceLimits() defines, sorted: what a constraint may read
/// besides its kernel's knobs (LimitNames.cpp).
const std::vector<std::string> &limitNames();

/// The names a constraint may use besides knobs, from the device:
/// SMEM (shared bytes per block with opt-in), SMEM_SM (per SM), REGS
/// (registers per block), THREADS (threads per block), SMS (SM count),
/// WARP (warp size), CC (compute capability as 10 * major + minor).
std::map<std::string, int64_t> deviceLimits(const rt::DeviceInfo &device);

/// A config a constraint (or a device check) rejected, and why.
struct Pruned {
  Config config;
  std::string reason;
};

/// A kernel's knobs and constraints.
struct ConfigSpace {
  std::vector<Knob> knobs;
  std::vector<Constraint> constraints;

  /// Every knob at its default.
  Config defaults() const;

  /// Number of combinations before pruning (product of value counts).
  int64_t size() const;

  /// Every combination of knob values, the first knob varying slowest,
  /// except those a constraint rejects when its names are bound to the
  /// config's knobs and then to `limits`; each rejected one goes to
  /// `pruned` (when not null) with the constraint's text. A constraint that
  /// fails to evaluate rejects the config too (the failure is the reason).
  std::vector<Config> enumerate(const std::map<std::string, int64_t> &limits,
                                std::vector<Pruned> *pruned = nullptr) const;

  /// Fails, naming the constraint and the name, when a constraint reads a
  /// name that is neither a knob nor one of `limitNames`.
  rt::Status check(const std::vector<std::string> &limitNames) const;
};

} // namespace tessel::tune

#endif // TESSEL_AUTOTUNE_CONFIGSPACE_H
