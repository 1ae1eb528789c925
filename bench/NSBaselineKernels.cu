// NSBaselineKernels.cu - the Frobenius normalization of the plain cuBLAS
// Newton-Schulz baseline (bench/NSBench.cpp), X <- X / (||X||_F + eps) per
// batch entry, as torch does it: one reduction kernel and one elementwise
// kernel for the whole batch (cuBLAS has no batched nrm2; one cublasNrm2Ex per
// batch entry would add `batch` launches). Compiled to PTX (compute_80) at
// build time and embedded in tessel-bench-ns; the driver JITs it for the GPU.
#include <cuda_bf16.h>

// sums[blockIdx.y] += sum of x^2 over batch entry blockIdx.y (perBatch
// elements from x + blockIdx.y * perBatch); sums must start at 0.
// Block: 256 threads; grid: (any, batch).
extern "C" __global__ void __launch_bounds__(256)
    ns_base_sumsq(const __nv_bfloat16 *__restrict__ x, float *__restrict__ sums,
                  long long perBatch) {
  const __nv_bfloat16 *entry = x + (long long)blockIdx.y * perBatch;
  float acc = 0.0f;
  for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
       i < perBatch; i += (long long)gridDim.x * blockDim.x) {
    float v = __bfloat162float(entry[i]);
    acc += v * v;
  }
  for (int offset = 16; offset > 0; offset >>= 1)
    acc += __shfl_xor_sync(0xffffffffu, acc, offset);
  __shared__ float warpSums[8];
  if ((threadIdx.x & 31) == 0)
    warpSums[threadIdx.x >> 5] = acc;
  __syncthreads();
  if (threadIdx.x == 0) {
    float total = 0.0f;
    for (int w = 0; w < (int)(blockDim.x >> 5); ++w)
      total += warpSums[w];
    atomicAdd(&sums[blockIdx.y], total);
  }
}

// y = bf16(x / (sqrt(sums[b]) + eps)) over batch entry b = blockIdx.y.
extern "C" __global__ void __launch_bounds__(256)
    ns_base_scale(const __nv_bfloat16 *__restrict__ x,
                  __nv_bfloat16 *__restrict__ y,
                  const float *__restrict__ sums, long long perBatch,
                  float eps) {
  const long long base = (long long)blockIdx.y * perBatch;
  const float inv = 1.0f / (sqrtf(sums[blockIdx.y]) + eps);
  for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
       i < perBatch; i += (long long)gridDim.x * blockDim.x)
    y[base + i] = __float2bfloat16_rn(__bfloat162float(x[base + i]) * inv);
}
