/* SPDX-License-Identifier: Apache-2.0 */
/* mean.c — MEAN and SUM over height and width on the pooling sum kernels (see mean.h). */
#include "mean.h"

#include <string.h>

#include "quantization.h"
#include "work_share.h"

/* Axes {1, 2} of a non-empty 4-D tensor of a covered type. */
static bool applies(SpryType type, const SpryMeanParams *params, int32_t rank, const int32_t *dims,
                    const bool *reduced) {
  if (rank != 4 || reduced[0] || !reduced[1] || !reduced[2] || reduced[3]) return false;
  for (int32_t i = 0; i < 4; i++)
    if (dims[i] <= 0) return false;
  if (type == SPRY_TYPE_FLOAT32) return true;
  if ((type != SPRY_TYPE_INT8 && type != SPRY_TYPE_UINT8) || !params) return false;
  return (int64_t)dims[1] * dims[2] <= SPRY_MEAN_MAX_PIXELS;
}

static SpryPoolSumFn pick(const SpryPoolSumKernels *k, SpryType type) {
  return type == SPRY_TYPE_FLOAT32 ? k->f32 : type == SPRY_TYPE_INT8 ? k->s8 : k->u8;
}

SpryStatus spry_fast_mean_prepare(SpryContext *ctx, SpryFastMean *m, bool mean, SpryType type,
                                  const SpryMeanParams *params, int32_t rank, const int32_t *dims,
                                  const bool *reduced) {
  memset(m, 0, sizeof *m);
  const SpryPoolSumKernels *k = spry_pool_sum_kernels(spry_context_isa(ctx));
  if (!k || !applies(type, params, rank, dims, reduced)) return SPRY_OK;
  m->type = type;
  m->mean = mean;
  m->batches = dims[0];
  m->height = dims[1];
  m->width = dims[2];
  m->channels = dims[3];
  m->threads = spry_context_num_threads(ctx);
  if (type != SPRY_TYPE_FLOAT32) {
    m->params = *params;
    m->multiplier = params->multiplier;
    m->shift = params->shift;
    if (mean)
      spry_mean_multiplier(params, (size_t)m->height * (size_t)m->width, &m->multiplier,
                           &m->shift);
    SPRY_TRY(spry_context_request_scratch(ctx, (size_t)m->channels * sizeof(int32_t),
                                          &m->scratch));
  }
  m->block = type == SPRY_TYPE_FLOAT32 ? k->f32_block : k->q8_block;
  m->tail = pick(&spry_pool_sum_portable, type);
  m->sum = pick(k, type);
  return SPRY_OK;
}

typedef struct MeanJob {
  const SpryFastMean *m;
  const uint8_t *input;
  void *output;
  int32_t *sums; /* quantized */
} MeanJob;

static size_t value_bytes(const SpryFastMean *m) {
  return m->type == SPRY_TYPE_FLOAT32 ? sizeof(float) : 1;
}

/* Sums of channels [c0, c1) of image b: floats straight into the output,
 * 8-bit ones into the scratch sums. */
static void sum_channels(const MeanJob *job, int32_t b, int32_t c0, int32_t c1) {
  const SpryFastMean *m = job->m;
  const size_t bytes = value_bytes(m), pixel = (size_t)m->channels * bytes;
  const size_t image = (size_t)m->height * (size_t)m->width * pixel;
  uint8_t *sums = m->type == SPRY_TYPE_FLOAT32
                      ? (uint8_t *)job->output + ((size_t)b * (size_t)m->channels + (size_t)c0) * 4
                      : (uint8_t *)(job->sums + c0);
  const int32_t n = c1 - c0, main = spry_pool_main_channels(n, m->block);
  SpryPoolWindow w = {.origin = job->input + (size_t)b * image + (size_t)c0 * bytes,
                      .row_stride = (size_t)m->width * pixel, .pixel_stride = pixel,
                      .rows = m->height, .cols = m->width, .channels = n};
  if (main < n) {
    const SpryPoolWindow rest = spry_pool_window_from(&w, main, bytes);
    m->tail(&rest, sums + (size_t)main * 4); /* float and int32 sums are 4 bytes */
  }
  w.channels = main;
  if (main > 0) m->sum(&w, sums);
}

/* Outputs of channels [c0, c1) of image b from their sums. */
static void finish_channels(const MeanJob *job, int32_t b, int32_t c0, int32_t c1) {
  const SpryFastMean *m = job->m;
  const size_t first = (size_t)b * (size_t)m->channels;
  const int64_t count = (int64_t)m->height * m->width;
  if (m->type == SPRY_TYPE_FLOAT32) {
    if (!m->mean) return;
    float *out = (float *)job->output + first;
    for (int32_t c = c0; c < c1; c++) out[c] = out[c] / (float)count;
    return;
  }
  const bool u8 = m->type == SPRY_TYPE_UINT8;
  const int32_t lo = u8 ? 0 : INT8_MIN, hi = u8 ? UINT8_MAX : INT8_MAX;
  for (int32_t c = c0; c < c1; c++) {
    const int32_t v = spry_clamp_i32(
        spry_reduce_requantize(&m->params, job->sums[c], count, m->multiplier, m->shift), lo, hi);
    if (u8)
      ((uint8_t *)job->output)[first + (size_t)c] = (uint8_t)v;
    else
      ((int8_t *)job->output)[first + (size_t)c] = (int8_t)v;
  }
}

/* Work item t: its static share of the channel blocks, in every image. */
static void mean_share(void *arg, int32_t t) {
  const MeanJob *job = arg;
  const SpryFastMean *m = job->m;
  const size_t units = ((size_t)m->channels + SPRY_MEAN_SPLIT - 1) / SPRY_MEAN_SPLIT;
  size_t first, last;
  spry_work_share(units, t, m->threads, &first, &last);
  if (first == last) return;
  const int32_t c0 = (int32_t)(first * SPRY_MEAN_SPLIT);
  const int32_t c1 = last * SPRY_MEAN_SPLIT < (size_t)m->channels
                         ? (int32_t)(last * SPRY_MEAN_SPLIT)
                         : m->channels;
  for (int32_t b = 0; b < m->batches; b++) {
    sum_channels(job, b, c0, c1);
    finish_channels(job, b, c0, c1);
  }
}

void spry_fast_mean_run(SpryContext *ctx, const SpryFastMean *m, const void *input, void *output) {
  MeanJob job = {.m = m, .input = input, .output = output};
  if (m->type != SPRY_TYPE_FLOAT32) job.sums = spry_context_scratch(ctx, m->scratch);
  spry_context_parallel_for(ctx, m->threads, mean_share, &job);
}
