//===- CApi.cpp - C ABI of tessel::ns::orthogonalize ----------------------===//
//
// Argument checks, the C++ call, and its Status as a code and a message.
//
//===----------------------------------------------------------------------===//
#include "tessel_ns.h"

#include "Orthogonalize.h"

#include <cstring>
#include <string>

static int report(const std::string &message, char *error, size_t size) {
  if (error && size > 0) {
    size_t n = std::min(size - 1, message.size());
    std::memcpy(error, message.data(), n);
    error[n] = '\0';
  }
  return 1;
}

static int orthogonalize(uint64_t input, uint64_t output, int64_t batch,
                         int64_t rows, int64_t cols, const char *variant,
                         void *stream, char *error, size_t error_size,
                         tessel::ns::InputType type) {
  if (!variant)
    return report("tessel_ns_orthogonalize: variant is NULL", error,
                  error_size);
  auto v = tessel::ns::parseVariant(variant);
  if (!v)
    return report(std::string("tessel_ns_orthogonalize: unknown variant '") +
                      variant +
                      "'; use muon5, quintic5, polar_express5 or aol4",
                  error, error_size);
  if (input == 0 || output == 0)
    return report("tessel_ns_orthogonalize: input and output must be device "
                  "addresses, not 0",
                  error, error_size);
  std::string why;
  tessel::ns::Shape shape{batch, rows, cols};
  if (!tessel::ns::makePlan(shape, *v, &why))
    return report("tessel_ns_orthogonalize: " + why, error, error_size);
  tessel::ns::Options options;
  options.variant = *v;
  options.input = type;
  tessel::rt::Status s = tessel::ns::orthogonalize(
      input, output, shape, options, static_cast<CUstream>(stream));
  if (!s.ok())
    return report(s.message(), error, error_size);
  if (error && error_size > 0)
    error[0] = '\0';
  return 0;
}

extern "C" int tessel_ns_orthogonalize(uint64_t input, uint64_t output,
                                       int64_t batch, int64_t rows,
                                       int64_t cols, const char *variant,
                                       void *stream, char *error,
                                       size_t error_size) {
  return orthogonalize(input, output, batch, rows, cols, variant, stream, error,
                       error_size, tessel::ns::InputType::BF16);
}

extern "C" int tessel_ns_orthogonalize_f32(uint64_t input, uint64_t output,
                                           int64_t batch, int64_t rows,
                                           int64_t cols, const char *variant,
                                           void *stream, char *error,
                                           size_t error_size) {
  return orthogonalize(input, output, batch, rows, cols, variant, stream, error,
                       error_size, tessel::ns::InputType::F32);
}
