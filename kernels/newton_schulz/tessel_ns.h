/*===- tessel_ns.h - C ABI of tessel::ns::orthogonalize ---------*- C -*-===//
 *
 * For languages that reach C (PyTorch through ctypes, Julia, Rust): the
 * Newton-Schulz call on device pointers and a CUDA stream, errors as a
 * status code plus a message.
 *
 *===--------------------------------------------------------------------===*/
#ifndef TESSEL_NS_C_H
#define TESSEL_NS_C_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Orthogonalizes `input` (bf16, [batch, rows, cols] row-major, a device
 *  address) into `output` (same shape, not aliasing `input`) on `stream`
 *  (a CUstream; NULL for the default stream) in the current CUDA context.
 *  `variant` is "muon5", "quintic5", "polar_express5" or "aol4". Returns 0 on
 *  success; otherwise non-zero with a message in `error` (when not NULL,
 *  truncated to `error_size` bytes, always NUL-terminated). Waits for the
 *  call's kernels before returning (it allocates its work buffers). */
int tessel_ns_orthogonalize(uint64_t input, uint64_t output, int64_t batch,
                            int64_t rows, int64_t cols, const char *variant,
                            void *stream, char *error, size_t error_size);

/** The same with an fp32 input (the output is bf16). */
int tessel_ns_orthogonalize_f32(uint64_t input, uint64_t output, int64_t batch,
                                int64_t rows, int64_t cols,
                                const char *variant, void *stream, char *error,
                                size_t error_size);

#ifdef __cplusplus
}
#endif

#endif /* TESSEL_NS_C_H */
