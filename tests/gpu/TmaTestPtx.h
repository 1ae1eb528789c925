//===- TmaTestPtx.h - a hand-written TMA tile copy for the runtime test ---===//
//
// One CTA of 128 threads: thread 0 sets up an mbarrier, expects the box's
// bytes and issues one cp.async.bulk.tensor.2d of a 64 x 64 bf16 box at
// (col, row) from the map (a CUtensorMap in global memory, passed by
// pointer); everyone waits on the barrier, then copies the box from shared
// memory to `out` (64 x 64, row-major), undoing the 128-byte swizzle when
// the map has one. Written by hand so the runtime's TMA support is tested
// without the compiler.
//
//===----------------------------------------------------------------------===//
#ifndef TESSEL_TESTS_GPU_TMATESTPTX_H
#define TESSEL_TESTS_GPU_TMATESTPTX_H

#include <string>

namespace tessel::rt::test {

/// The entry point: (const CUtensorMap *map, bf16 *out, u32 col, u32 row).
inline constexpr const char *kTmaTileKernel = "tessel_test_tma_tile";

/// The 3-D entry point, with the map last, as the hidden argument a compiled
/// kernel gets after its own: (const bf16 *src, bf16 *out, u32 col, u32 row,
/// u32 batch, i32 rows, i32 cols, i64 batchStride, const CUtensorMap *map).
/// src, rows, cols and batchStride are unused: they are there for
/// rt::appendTensorMaps to build the map from. The box is (1, 64, 64) at
/// (col, row, batch).
inline constexpr const char *kTmaTile3dKernel = "tessel_test_tma_tile3d";

/// Dynamic shared memory the kernel needs: the 8 KiB box, then the mbarrier.
inline constexpr unsigned kTmaTileSharedBytes = 8192 + 16;

/// The PTX; `swizzled128` reads the box as TMA's 128-byte swizzle wrote it
/// (16-byte chunk c of box row r sits at chunk c ^ (r % 8)); `rank3` makes
/// kTmaTile3dKernel instead of kTmaTileKernel (same box in shared memory).
inline std::string tmaTilePtx(bool swizzled128, bool rank3 = false) {
  std::string offset =
      swizzled128 ? R"(
    shr.u32 %r20, %r6, 6;          // row of the box
    and.b32 %r21, %r6, 63;         // column
    shl.b32 %r22, %r21, 1;         // byte in the row
    shr.u32 %r23, %r22, 4;         // 16-byte chunk
    and.b32 %r24, %r20, 7;
    xor.b32 %r23, %r23, %r24;      // swizzled chunk
    shl.b32 %r23, %r23, 4;
    and.b32 %r25, %r22, 15;
    shl.b32 %r26, %r20, 7;         // row * 128 bytes
    add.u32 %r7, %r26, %r23;
    add.u32 %r7, %r7, %r25;)"
                  : R"(
    shl.b32 %r7, %r6, 1;           // row-major: element i at byte 2i)";
  // Coordinates are innermost first: (col, row[, batch]).
  std::string entry = rank3 ? R"(tessel_test_tma_tile3d(
    .param .u64 src_param,
    .param .u64 out_param,
    .param .u32 col_param,
    .param .u32 row_param,
    .param .u32 batch_param,
    .param .u32 rows_param,
    .param .u32 cols_param,
    .param .u64 batch_stride_param,
    .param .u64 map_param
)
.maxntid 128, 1, 1)"
                            : R"(tessel_test_tma_tile(
    .param .u64 map_param,
    .param .u64 out_param,
    .param .u32 col_param,
    .param .u32 row_param
)
.maxntid 128, 1, 1)";
  std::string loadBatch = rank3 ? R"(
    ld.param.u32 %r9, [batch_param];)"
                                : "";
  std::string copy =
      rank3 ? "cp.async.bulk.tensor.3d.shared::cluster.global.mbarrier::"
              "complete_tx::bytes [%r4], [%rd1, {%r1, %r2, %r9}], [%r5];"
            : "cp.async.bulk.tensor.2d.shared::cluster.global.mbarrier::"
              "complete_tx::bytes [%r4], [%rd1, {%r1, %r2}], [%r5];";
  // Appended piece by piece: the PTX stays readable as it is printed.
  std::string ptx = R"(.version 8.0
.target sm_90a
.address_size 64

.extern .shared .align 1024 .b8 tessel_test_smem[];

.visible .entry )";
  ptx += entry;
  ptx += R"(
{
    .reg .pred %p<4>;
    .reg .b16 %h<2>;
    .reg .b32 %r<32>;
    .reg .b64 %rd<8>;

    ld.param.u64 %rd1, [map_param];
    ld.param.u64 %rd2, [out_param];
    ld.param.u32 %r1, [col_param];
    ld.param.u32 %r2, [row_param];)";
  ptx += loadBatch;
  ptx += R"(
    mov.u32 %r3, %tid.x;
    mov.u32 %r4, tessel_test_smem;     // the box
    add.u32 %r5, %r4, 8192;            // the mbarrier after it
    setp.eq.u32 %p1, %r3, 0;
    @%p1 mbarrier.init.shared::cta.b64 [%r5], 1;
    @%p1 fence.mbarrier_init.release.cluster;
    bar.sync 0;
    @%p1 mbarrier.arrive.expect_tx.shared::cta.b64 %rd3, [%r5], 8192;
    @%p1 )";
  ptx += copy;
  ptx += R"(
WAIT:
    mbarrier.try_wait.parity.shared::cta.b64 %p2, [%r5], 0;
    @!%p2 bra WAIT;

    mov.u32 %r6, %r3;                  // element i = tid, tid + 128, ...
COPY:)";
  ptx += offset;
  ptx += R"(
    add.u32 %r8, %r4, %r7;
    ld.shared.b16 %h1, [%r8];
    mul.wide.u32 %rd4, %r6, 2;
    add.u64 %rd5, %rd2, %rd4;
    st.global.b16 [%rd5], %h1;
    add.u32 %r6, %r6, 128;
    setp.lt.u32 %p3, %r6, 4096;
    @%p3 bra COPY;
    ret;
}
)";
  return ptx;
}

} // namespace tessel::rt::test

#endif // TESSEL_TESTS_GPU_TMATESTPTX_H
