//===- Coefficients.cpp - Newton-Schulz coefficient tables and names ------===//
//
// Every variant's (a, b, c) table and normalization, in one place. The numbers
// are DESIGN.md's ("Newton-Schulz library"), which checked them against the
// sources cited above each table; only the numbers are taken from them.
//
//===----------------------------------------------------------------------===//

#include "NewtonSchulz.h"

#include <cassert>
#include <iterator>

namespace tessel::ns {

namespace {

// Plain arrays (constant-initialized): no static-initialization order issue
// for callers in other translation units' initializers.

// muon5 — KellerJordan/Muon, muon.py (zeropower_via_newtonschulz5): one
// quintic, five times. Its fixed points oscillate in about [0.7, 1.2]: Muon
// trades exact orthogonality for a steep slope (3.4445) at 0.
const Step kMuon5[] = {
    {3.4445, -4.7750, 2.0315}, {3.4445, -4.7750, 2.0315},
    {3.4445, -4.7750, 2.0315}, {3.4445, -4.7750, 2.0315},
    {3.4445, -4.7750, 2.0315},
};

// quintic5 — microsoft/dion, newton_schulz_triton.py: a tuned five-row table,
// one quintic per step.
const Step kQuintic5[] = {
    {4.0848, -6.8946, 2.9270}, {3.9505, -6.3029, 2.6377},
    {3.7418, -5.5913, 2.3037}, {2.8769, -3.1427, 1.2046},
    {2.8366, -3.0525, 1.2012},
};

// polar_express5 — microsoft/dion, polar_express.py: the Polar Express
// minimax steps with the safety factor 1.02 already folded into all rows but
// the last (as DESIGN.md gives them); the input is divided by 1.02·‖X‖_F.
const Step kPolarExpress5[] = {
    {8.156554524902461, -22.48329292557795, 15.878769915207462},
    {4.042929935166739, -2.808917465908714, 0.5000178451051316},
    {3.8916678022926607, -2.772484153217685, 0.5060648178503393},
    {3.285753657755655, -2.3681294933425376, 0.46449024233003106},
    {2.3465413258596377, -1.7097828382687081, 0.42323551169305323},
};

// aol4 — thib-s/flash-newton-schulz, merged in microsoft/dion as
// newton_schulz_triton_fast: AOL preconditioning, then four steps. Older
// coefficient sets seen elsewhere for AOL are superseded by these.
const Step kAol4[] = {
    {4.6051, -9.6552, 5.6769},
    {4.7505, -6.0861, 2.1790},
    {2.7763, -2.3190, 0.5523},
    {2.4231, -2.2861, 0.8193},
};

} // namespace

std::string_view variantName(Variant variant) {
  switch (variant) {
  case Variant::Muon5:
    return "muon5";
  case Variant::Quintic5:
    return "quintic5";
  case Variant::PolarExpress5:
    return "polar_express5";
  case Variant::Aol4:
    return "aol4";
  }
  return "unknown";
}

std::optional<Variant> parseVariant(std::string_view name) {
  for (Variant variant : allVariants())
    if (variantName(variant) == name)
      return variant;
  return std::nullopt;
}

const std::vector<Variant> &allVariants() {
  static const std::vector<Variant> variants = {
      Variant::Muon5, Variant::Quintic5, Variant::PolarExpress5, Variant::Aol4};
  return variants;
}

const std::vector<Step> &steps(Variant variant) {
  static const std::vector<Step> muon5(std::begin(kMuon5), std::end(kMuon5));
  static const std::vector<Step> quintic5(std::begin(kQuintic5),
                                          std::end(kQuintic5));
  static const std::vector<Step> polarExpress5(std::begin(kPolarExpress5),
                                               std::end(kPolarExpress5));
  static const std::vector<Step> aol4(std::begin(kAol4), std::end(kAol4));
  switch (variant) {
  case Variant::Muon5:
    return muon5;
  case Variant::Quintic5:
    return quintic5;
  case Variant::PolarExpress5:
    return polarExpress5;
  case Variant::Aol4:
    return aol4;
  }
  assert(false && "unknown Newton-Schulz variant");
  return muon5;
}

Normalization normalization(Variant variant) {
  switch (variant) {
  case Variant::Muon5:
  case Variant::Quintic5:
    return {Normalization::Frobenius, 1.0, 1e-7};
  case Variant::PolarExpress5:
    return {Normalization::Frobenius, 1.02, 1e-6};
  case Variant::Aol4:
    return {Normalization::Aol, 1.0, kAolRowSumEps};
  }
  assert(false && "unknown Newton-Schulz variant");
  return {Normalization::Frobenius, 1.0, 1e-7};
}

} // namespace tessel::ns
