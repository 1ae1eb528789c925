//===- TmaArgsJson.h - TmaArgSpec lists as JSON -----------------*- C++ -*-===//
//
// The "tma" array of a kernel's launch metadata (info.json, the CLI's
// --info): written by the compiler, read back by the compile cache, the GPU
// tests and the benchmarks, all through these two functions.
// Header-only on nlohmann/json, which the runtime library itself does not
// use: include it only from targets that link nlohmann_json.
//
//===----------------------------------------------------------------------===//
#ifndef TESSEL_RUNTIME_TMAARGSJSON_H
#define TESSEL_RUNTIME_TMAARGSJSON_H

#include "tessel/runtime/TmaArgs.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace tessel::rt {

/// One object per map, with the keys of the compiler's `tessel.tma`
/// attribute except that the element is named:
///   {"base": 1, "shape_args": [4, 3], "shape_values": [0, 0],
///    "stride_args": [6, -1], "stride_values": [0, 1], "box": [64, 128],
///    "element": "bf16", "swizzle": 128}
/// An *_args entry of -1 takes the *_values entry; swizzle is in bytes.
inline nlohmann::json tmaSpecsToJson(const std::vector<TmaArgSpec> &specs) {
  nlohmann::json out = nlohmann::json::array();
  for (const TmaArgSpec &spec : specs) {
    auto split = [](const std::vector<TmaOperand> &ops, nlohmann::json &args,
                    nlohmann::json &values) {
      args = nlohmann::json::array();
      values = nlohmann::json::array();
      for (const TmaOperand &op : ops) {
        args.push_back(op.arg < 0 ? -1 : op.arg);
        values.push_back(op.arg < 0 ? op.value : 0);
      }
    };
    nlohmann::json map = nlohmann::json::object();
    map["base"] = spec.baseArg;
    split(spec.shape, map["shape_args"], map["shape_values"]);
    split(spec.strides, map["stride_args"], map["stride_values"]);
    map["box"] = spec.box;
    map["element"] = tmaElementName(spec.element);
    map["swizzle"] = tmaSwizzleBytes(spec.swizzle);
    out.push_back(std::move(map));
  }
  return out;
}

/// tmaSpecsToJson's output back into `specs`; false, with `why`, on anything
/// else (never throws).
inline bool tmaSpecsFromJson(const nlohmann::json &json,
                             std::vector<TmaArgSpec> &specs, std::string &why) {
  specs.clear();
  if (!json.is_array()) {
    why = "\"tma\" is not an array";
    return false;
  }
  auto ints = [&](const nlohmann::json &map, const char *key,
                  std::vector<int64_t> &out) {
    auto it = map.find(key);
    if (it == map.end() || !it->is_array()) {
      why = std::string("no integer array \"") + key + "\"";
      return false;
    }
    for (const nlohmann::json &v : *it) {
      if (!v.is_number_integer()) {
        why = std::string("\"") + key + "\" holds a non-integer";
        return false;
      }
      out.push_back(v.get<int64_t>());
    }
    return true;
  };
  auto operands = [&](const std::vector<int64_t> &args,
                      const std::vector<int64_t> &values,
                      std::vector<TmaOperand> &out) {
    for (size_t d = 0; d < args.size(); ++d) {
      if (args[d] < -1 || args[d] > std::numeric_limits<int>::max()) {
        why = "argument index " + std::to_string(args[d]);
        return false;
      }
      out.push_back(args[d] >= 0 ? TmaOperand{int(args[d]), 0}
                                 : TmaOperand{-1, values[d]});
    }
    return true;
  };
  for (const nlohmann::json &map : json) {
    if (!map.is_object()) {
      why = "a map is not an object";
      return false;
    }
    TmaArgSpec spec;
    std::vector<int64_t> shapeArgs, shapeValues, strideArgs, strideValues, box;
    if (!ints(map, "shape_args", shapeArgs) ||
        !ints(map, "shape_values", shapeValues) ||
        !ints(map, "stride_args", strideArgs) ||
        !ints(map, "stride_values", strideValues) || !ints(map, "box", box))
      return false;
    const size_t rank = shapeArgs.size();
    if (shapeValues.size() != rank || strideArgs.size() != rank ||
        strideValues.size() != rank || box.size() != rank) {
      why = "shape, strides and box differ in length";
      return false;
    }
    auto base = map.find("base");
    if (base == map.end() || !base->is_number_integer() ||
        base->get<int64_t>() < 0 ||
        base->get<int64_t>() > std::numeric_limits<int>::max()) {
      why = "no argument index \"base\"";
      return false;
    }
    spec.baseArg = int(base->get<int64_t>());
    if (!operands(shapeArgs, shapeValues, spec.shape) ||
        !operands(strideArgs, strideValues, spec.strides))
      return false;
    for (int64_t b : box) {
      if (b < 1 || b > std::numeric_limits<uint32_t>::max()) {
        why = "box entry " + std::to_string(b);
        return false;
      }
      spec.box.push_back(uint32_t(b));
    }
    auto element = map.find("element");
    std::optional<TmaElement> e;
    if (element != map.end() && element->is_string())
      e = tmaElementNamed(element->get<std::string>());
    if (!e) {
      why = "\"element\" is not bf16, f16 or f32";
      return false;
    }
    spec.element = *e;
    auto swizzle = map.find("swizzle");
    std::optional<TmaSwizzle> s;
    if (swizzle != map.end() && swizzle->is_number_integer())
      s = tmaSwizzleOfBytes(swizzle->get<int64_t>());
    if (!s) {
      why = "\"swizzle\" is not 0, 32, 64 or 128";
      return false;
    }
    spec.swizzle = *s;
    specs.push_back(std::move(spec));
  }
  return true;
}

} // namespace tessel::rt

#endif // TESSEL_RUNTIME_TMAARGSJSON_H
