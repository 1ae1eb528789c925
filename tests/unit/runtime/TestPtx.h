//===- TestPtx.h - Hand-written PTX for the runtime tests -------*- C++ -*-===//
//
// y[i] = 2 * x[i] + 1 for i < n, written by hand so the runtime tests need no
// compiler: a valid kernel for any target, and one the assembler rejects.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_TESTS_UNIT_RUNTIME_TESTPTX_H
#define TESSEL_TESTS_UNIT_RUNTIME_TESTPTX_H

#include <string>
#include <string_view>

namespace tessel::rt::test {

/// The entry point of scalePtx(): (const float *x, float *y, int n).
inline constexpr const char *kScaleKernel = "tessel_test_scale";

/// The PTX ISA version that can name `target` (sm_90a needs 8.0, sm_100a
/// 8.6); old enough that the driver JIT of any CUDA 12+ driver accepts it.
inline std::string ptxVersionFor(std::string_view target) {
  return target == "sm_100a" ? "8.6" : "8.0";
}

/// y[i] = fma(x[i], 2, 1) for i < n, one thread per element, for `target`.
/// `body` replaces the arithmetic line (for broken variants).
inline std::string scalePtx(
    std::string_view target = "sm_80",
    std::string_view body = "fma.rn.f32 %f2, %f1, 0f40000000, 0f3F800000;") {
  std::string ptx;
  ptx += ".version " + ptxVersionFor(target) + "\n";
  ptx += ".target " + std::string(target) + "\n";
  ptx += R"(.address_size 64

.visible .entry tessel_test_scale(
    .param .u64 x_param,
    .param .u64 y_param,
    .param .u32 n_param
)
{
    .reg .pred %p<2>;
    .reg .b32 %r<6>;
    .reg .f32 %f<3>;
    .reg .b64 %rd<8>;

    ld.param.u64 %rd1, [x_param];
    ld.param.u64 %rd2, [y_param];
    ld.param.u32 %r1, [n_param];
    mov.u32 %r2, %ctaid.x;
    mov.u32 %r3, %ntid.x;
    mov.u32 %r4, %tid.x;
    mad.lo.s32 %r5, %r2, %r3, %r4;
    setp.ge.s32 %p1, %r5, %r1;
    @%p1 bra DONE;
    cvta.to.global.u64 %rd3, %rd1;
    cvta.to.global.u64 %rd4, %rd2;
    mul.wide.s32 %rd5, %r5, 4;
    add.s64 %rd6, %rd3, %rd5;
    ld.global.f32 %f1, [%rd6];
    )";
  ptx += body;
  ptx += R"(
    add.s64 %rd7, %rd4, %rd5;
    st.global.f32 [%rd7], %f2;
DONE:
    ret;
}
)";
  return ptx;
}

/// scalePtx() with an instruction no PTX version has; the assembler's log
/// names it.
inline std::string brokenScalePtx(std::string_view target = "sm_80") {
  return scalePtx(target, "frobnicate.f32 %f2, %f1;");
}

} // namespace tessel::rt::test

#endif // TESSEL_TESTS_UNIT_RUNTIME_TESTPTX_H
