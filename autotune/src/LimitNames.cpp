//===- LimitNames.cpp - the device names a constraint may read ------------===//
//
// Kept apart from deviceLimits() so the compiler can check a constraint's
// names (tessel-specialize) without a device.
//
//===----------------------------------------------------------------------===//
#include "tessel/autotune/ConfigSpace.h"

namespace tessel::tune {

const std::vector<std::string> &limitNames() {
  static const std::vector<std::string> names = {
      "CC", "REGS", "SMEM", "SMEM_SM", "SMS", "THREADS", "WARP"};
  return names;
}

} // namespace tessel::tune
