//===- ConfigSpace.cpp - Configs, device limits and their enumeration -----===//
//
// Config strings and their parser, the device limits a constraint may read,
// and the odometer that walks a kernel's knobs, pruning by its constraints.
//
//===----------------------------------------------------------------------===//

#include "tessel/autotune/ConfigSpace.h"

#include "tessel/runtime/Device.h"

#include <algorithm>
#include <charconv>
#include <limits>

namespace tessel::tune {

using rt::Expected;
using rt::Status;

std::string configString(const Config &config) {
  std::string out;
  for (const auto &[name, value] : config) {
    if (!out.empty())
      out += ',';
    out += name;
    out += '=';
    out += std::to_string(value);
  }
  return out;
}

namespace {

bool isNameStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool isDigit(char c) { return c >= '0' && c <= '9'; }

Status expectedAt(size_t pos, std::string_view what) {
  return Status::error("column ", pos + 1, ": expected ", what);
}

} // namespace

Expected<Config> parseConfigString(std::string_view text) {
  Config config;
  if (text.empty())
    return config;
  size_t pos = 0;
  while (true) {
    size_t nameStart = pos;
    if (pos == text.size() || !isNameStart(text[pos]))
      return expectedAt(pos, "a name");
    while (pos < text.size() && (isNameStart(text[pos]) || isDigit(text[pos])))
      ++pos;
    std::string name(text.substr(nameStart, pos - nameStart));

    if (pos == text.size() || text[pos] != '=')
      return expectedAt(pos, "'='");
    ++pos;

    size_t valueStart = pos;
    if (pos < text.size() && text[pos] == '-')
      ++pos;
    if (pos == text.size() || !isDigit(text[pos]))
      return expectedAt(valueStart, "an integer");
    while (pos < text.size() && isDigit(text[pos]))
      ++pos;
    // from_chars takes the sign itself, so INT64_MIN (which configString
    // prints) reads back.
    int64_t value = 0;
    const char *first = text.data() + valueStart;
    const char *last = text.data() + pos;
    auto [ptr, ec] = std::from_chars(first, last, value);
    if (ec != std::errc() || ptr != last)
      return expectedAt(valueStart, "an integer that fits in 64 bits");

    if (!config.emplace(name, value).second)
      return Status::error("column ", nameStart + 1, ": duplicate name '", name,
                           "'");

    if (pos == text.size())
      return config;
    if (text[pos] != ',')
      return expectedAt(pos, "',' or end of text");
    ++pos;
  }
}

std::map<std::string, int64_t> deviceLimits(const rt::DeviceInfo &device) {
  // Keep in step with limitNames() (LimitNames.cpp).
  return {
      {"CC", 10 * int64_t(device.ccMajor) + device.ccMinor},
      {"REGS", device.maxRegistersPerBlock},
      {"SMEM", device.maxSharedPerBlockOptin},
      {"SMEM_SM", device.maxSharedPerSm},
      {"SMS", device.smCount},
      {"THREADS", device.maxThreadsPerBlock},
      {"WARP", device.warpSize},
  };
}

Config ConfigSpace::defaults() const {
  Config config;
  for (const Knob &knob : knobs)
    config[knob.name] = knob.defaultValue;
  return config;
}

int64_t ConfigSpace::size() const {
  int64_t count = 1;
  for (const Knob &knob : knobs) {
    // Saturates: a space that large can only be sampled, never enumerated.
    if (__builtin_mul_overflow(count, int64_t(knob.values.size()), &count))
      return std::numeric_limits<int64_t>::max();
  }
  return count;
}

namespace {

/// Why `config` is rejected by the first of `constraints` that does not hold
/// for it, or nullopt when all hold.
std::optional<std::string>
rejection(const std::vector<Constraint> &constraints, const Config &config,
          const std::map<std::string, int64_t> &limits) {
  auto lookup = [&](std::string_view name) -> std::optional<int64_t> {
    std::string key(name);
    if (auto it = config.find(key); it != config.end())
      return it->second;
    if (auto it = limits.find(key); it != limits.end())
      return it->second;
    return std::nullopt;
  };
  for (const Constraint &constraint : constraints) {
    Expected<int64_t> value = constraint.evaluate(lookup);
    if (!value)
      return constraint.text() + ": " + value.status().message();
    if (*value == 0)
      return constraint.text();
  }
  return std::nullopt;
}

} // namespace

std::vector<Config>
ConfigSpace::enumerate(const std::map<std::string, int64_t> &limits,
                       std::vector<Pruned> *pruned) const {
  std::vector<Config> configs;
  for (const Knob &knob : knobs)
    if (knob.values.empty())
      return configs;

  // An odometer over value indices, the last knob turning fastest.
  std::vector<size_t> index(knobs.size(), 0);
  auto advance = [&] {
    for (size_t i = knobs.size(); i-- > 0;) {
      if (++index[i] < knobs[i].values.size())
        return true;
      index[i] = 0;
    }
    return false;
  };
  do {
    Config config;
    for (size_t i = 0; i < knobs.size(); ++i)
      config[knobs[i].name] = knobs[i].values[index[i]];
    std::optional<std::string> reason = rejection(constraints, config, limits);
    if (!reason)
      configs.push_back(std::move(config));
    else if (pruned)
      pruned->push_back({std::move(config), std::move(*reason)});
  } while (advance());
  return configs;
}

Status ConfigSpace::check(const std::vector<std::string> &limitNames) const {
  for (const Constraint &constraint : constraints) {
    for (const std::string &name : constraint.names()) {
      bool isKnob = std::any_of(knobs.begin(), knobs.end(),
                                [&](const Knob &k) { return k.name == name; });
      bool isLimit = std::find(limitNames.begin(), limitNames.end(), name) !=
                     limitNames.end();
      if (!isKnob && !isLimit)
        return Status::error("constraint '", constraint.text(), "' reads '",
                             name,
                             "', which is neither a knob nor a device limit");
    }
  }
  return Status::success();
}

} // namespace tessel::tune
