/* SPDX-License-Identifier: Apache-2.0 */
/* elementwise.c — fast binary elementwise ops: runs, kernels, threads (see elementwise.h). */
#include "elementwise.h"

#include <string.h>

#include "kernel_util.h"
#include "quantization.h"
#include "work_share.h"

/* Fewer elements than this per thread are not worth waking a thread for:
 * about 2 µs of work for the float kernels (and the unary ones). The 8-bit
 * binary kernels take about 1 ns per element (three fixed-point rescales),
 * so their shares may be 8 times smaller: at 2 threads a 28x28x32 ADD took
 * 0.024 ms in one share, 0.015 ms in two. */
#define MIN_SHARE 16384
#define MIN_SHARE_Q8 2048

struct SpryEltBinary {
  SpryEltFn fn;
  SpryEltParams params;
  SpryEltRun run;
  SpryBroadcast outer; /* the dimensions above a run, with the operands' strides */
  size_t run_length;   /* output elements per run (0 only for an empty output) */
  size_t count;        /* output elements */
  size_t element_bytes; /* of the operands and the output alike */
  bool swapped;         /* the kernel takes input 2 as a, input 1 as b */
};

const SpryEltKernels *spry_elt_add_kernels(SpryIsa isa) {
  return SPRY_ISA_TABLE(isa, spry_elt_add);
}

const SpryEltKernels *spry_elt_mul_kernels(SpryIsa isa) {
  return SPRY_ISA_TABLE(isa, spry_elt_mul);
}

/* ---- the split over threads ----------------------------------------------------- */

typedef struct ParallelJob {
  void (*range)(void *arg, size_t begin, size_t end);
  void *arg;
  size_t count;
  int32_t shares;
} ParallelJob;

static void parallel_share(void *arg, int32_t t) {
  const ParallelJob *job = arg;
  size_t begin, end;
  spry_work_share(job->count, t, job->shares, &begin, &end);
  if (begin < end) job->range(job->arg, begin, end);
}

void spry_elt_parallel(SpryContext *ctx, size_t count,
                       void (*range)(void *arg, size_t begin, size_t end), void *arg) {
  spry_elt_parallel_min(ctx, count, MIN_SHARE, range, arg);
}

void spry_elt_parallel_min(SpryContext *ctx, size_t count, size_t min_share,
                           void (*range)(void *arg, size_t begin, size_t end), void *arg) {
  const size_t most = count / min_share;
  int32_t shares = spry_context_num_threads(ctx);
  if ((size_t)shares > most) shares = most > 0 ? (int32_t)most : 1;
  if (shares <= 1) {
    if (count > 0) range(arg, 0, count);
    return;
  }
  ParallelJob job = {.range = range, .arg = arg, .count = count, .shares = shares};
  spry_context_parallel_for(ctx, shares, parallel_share, &job);
}

/* ---- prepare: splitting the broadcast into runs ----------------------------------- */

/* How an operand with this stride moves along a run of `length` trailing
 * elements: with the output (its stride is the run's length so far), not
 * at all (stride 0), or neither (-1). */
static int operand_motion(size_t stride, size_t length) {
  if (stride == 0) return 0;
  return stride == length ? 1 : -1;
}

/* The longest trailing block of dimensions over which both operands keep
 * one motion; fills the outer broadcast (the dimensions above it). */
static void split_runs(const SpryBroadcast *bc, SpryEltBinary *e) {
  int motion_a = 1, motion_b = 1;
  bool started = false;
  size_t length = 1;
  int32_t split = bc->rank;
  for (int32_t d = bc->rank - 1; d >= 0; d--) {
    if (bc->dims[d] == 1) {
      split = d; /* a dimension of 1 joins any run */
      continue;
    }
    const int ma = operand_motion(bc->stride_a[d], length);
    const int mb = operand_motion(bc->stride_b[d], length);
    if (ma < 0 || mb < 0 || (started && (ma != motion_a || mb != motion_b))) break;
    /* Both operands repeated along one dimension cannot happen: the output
     * takes the larger size. */
    motion_a = ma;
    motion_b = mb;
    started = true;
    length *= (size_t)bc->dims[d];
    split = d;
  }
  e->run = motion_a && motion_b ? SPRY_ELT_RUN_VV : (motion_b ? SPRY_ELT_RUN_SV : SPRY_ELT_RUN_VS);
  e->run_length = length;
  e->outer = *bc;
  e->outer.rank = split;
  e->outer.count = length > 0 ? bc->count / length : 0;
}

/* The 8-bit kinds follow the float ones in SpryEltKind. */
static bool quantized_kind(SpryEltKind kind) { return kind > SPRY_ELT_F32_MUL; }

static size_t element_size(SpryEltKind kind) { return quantized_kind(kind) ? 1 : sizeof(float); }

/* The vector requantizations take shifts within [-31, 31]. */
static bool shifts_fit(SpryEltKind kind, const SpryAddParams *q) {
  if (!quantized_kind(kind)) return true;
  const int shifts[3] = {q->input1_shift, q->input2_shift, q->output_shift};
  const bool add = kind == SPRY_ELT_S8_ADD || kind == SPRY_ELT_U8_ADD;
  for (int i = add ? 0 : 2; i < 3; i++)
    if (shifts[i] < -31 || shifts[i] > 31) return false;
  return !add || (q->left_shift >= 0 && q->left_shift <= 31);
}

/* A uint8 kind on a table with only the int8 kernels: the int8 kind, on
 * flipped bytes (SpryEltParams.flip). */
static SpryEltKind flipped_kind(const SpryEltKernels *kernels, SpryEltKind kind,
                                SpryEltParams *p) {
  const SpryEltKind signed_kind = kind == SPRY_ELT_U8_ADD   ? SPRY_ELT_S8_ADD
                                  : kind == SPRY_ELT_U8_MUL ? SPRY_ELT_S8_MUL
                                                            : kind;
  if (signed_kind == kind || kernels->fn[kind][0]) return kind;
  p->flip = 0x80;
  p->q.input1_offset += 128;
  p->q.input2_offset += 128;
  p->q.output_offset -= 128;
  p->q.q_min -= 128;
  p->q.q_max -= 128;
  return signed_kind;
}

/* A VS run on a table without its kernel, for the kinds whose kernels
 * treat both operands alike (elementwise.h, SPRY_ELT_SWAPPING_RUNS): an SV
 * run of the operands swapped, each with its own parameters. */
static void swap_operands(const SpryBroadcast *bc, SpryEltBinary *e) {
  SpryBroadcast swapped = *bc;
  memcpy(swapped.stride_a, bc->stride_b, sizeof swapped.stride_a);
  memcpy(swapped.stride_b, bc->stride_a, sizeof swapped.stride_b);
  split_runs(&swapped, e);
  SpryAddParams *q = &e->params.q;
  const SpryAddParams original = *q;
  q->input1_offset = original.input2_offset;
  q->input2_offset = original.input1_offset;
  q->input1_multiplier = original.input2_multiplier;
  q->input2_multiplier = original.input1_multiplier;
  q->input1_shift = original.input2_shift;
  q->input2_shift = original.input1_shift;
  e->swapped = true;
}

/* Why SpryEltAddInput's form is the reference's. The reference shifts the
 * offset input v (|v| <= 383: an int8 value and an offset within 255)
 * left by 20 and takes RoundingDivideByPOT(SaturatingRoundingDoublingHighMul
 * (v << 20, m), r), r = -shift >= 0.
 * - The high multiply (it cannot saturate) is
 *   q = floor((v * m * 2^20 + 2^30) / 2^31) = floor((v * m + 2^10) / 2^11),
 *   and with m = mul_hi * 2^11 + mul_lo (0 <= mul_lo < 2^11) that is
 *   v * mul_hi + floor((v * mul_lo + 2^10) / 2^11): the products stay
 *   within 2^29 and 2^20.
 * - For r >= 1 the rounding divide (ties away from zero) is
 *   floor((q + 2^(r-1) - [q < 0]) / 2^r). Its 2^(r-1) goes into the inner
 *   floor as 2^(10+r) (round: within int32 for r <= 19), and q < 0
 *   exactly when v * mul_hi < 0, as |m| >= 2^11 (the multipliers are
 *   normalised to [2^30, 2^31), negated for SUB's input 2). For r = 0 it
 *   is q itself.
 * Every input value is checked against the reference all the same. */
SPRY_PREPARE_CODE
bool spry_elt_add_input_prepare(int32_t offset, int left_shift, int32_t multiplier, int shift,
                                SpryEltAddInput *in) {
  const int r = -shift;
  if (left_shift != 20 || r < 0 || r > 19 || offset < -255 || offset > 255) return false;
  in->mul_hi = (int32_t)((int64_t)multiplier >> 11);
  in->mul_lo = multiplier & 2047;
  in->round = (1 << 10) + (r > 0 ? 1 << (10 + r) : 0);
  in->shift = r;
  in->ties = r > 0 ? -1 : 0;
  for (int32_t x = -128; x < 128; x++) {
    const int32_t v = x + offset;
    const int32_t reference = spry_multiply_by_quantized_multiplier_smaller_than_one(
        spry_shift_left_wrapping(v, left_shift), multiplier, shift);
    if (spry_elt_add_input(in, v) != reference) return false;
  }
  return true;
}

SPRY_PREPARE_CODE
SpryStatus spry_elt_binary_prepare(SpryContext *ctx, SpryEltFamily family, SpryEltKind kind,
                                   const SpryEltParams *params, const SpryBroadcast *bc,
                                   const SpryEltBinary **out) {
  *out = NULL;
  const SpryEltKernels *kernels = family(spry_context_isa(ctx));
  if (!kernels || !shifts_fit(kind, &params->q)) return SPRY_OK;
  SpryEltBinary probe;
  split_runs(bc, &probe);
  probe.params = *params;
  probe.params.flip = 0;
  probe.swapped = false;
  const SpryEltKind runs_as = flipped_kind(kernels, kind, &probe.params);
  if (probe.run == SPRY_ELT_RUN_VS && !kernels->fn[runs_as][probe.run] && quantized_kind(kind))
    swap_operands(bc, &probe);
  if (!kernels->fn[runs_as][probe.run]) return SPRY_OK;
  const SpryAddParams *q = &probe.params.q;
  if (kernels->split_add && runs_as == SPRY_ELT_S8_ADD &&
      !(spry_elt_add_input_prepare(q->input1_offset, q->left_shift, q->input1_multiplier,
                                   q->input1_shift, &probe.params.in1) &&
        spry_elt_add_input_prepare(q->input2_offset, q->left_shift, q->input2_multiplier,
                                   q->input2_shift, &probe.params.in2)))
    return SPRY_OK;
  SpryEltBinary *e = spry_context_alloc_persistent(ctx, sizeof *e);
  if (!e) return SPRY_ERROR_OUT_OF_MEMORY;
  *e = probe;
  e->fn = kernels->fn[runs_as][e->run];
  e->count = bc->count;
  e->element_bytes = element_size(kind);
  *out = e;
  return SPRY_OK;
}

/* ---- run -------------------------------------------------------------------------- */

typedef struct BinaryJob {
  const SpryEltBinary *e;
  const uint8_t *a, *b;
  uint8_t *out;
} BinaryJob;

/* The iterator at the start of run `row` of the outer dimensions. */
static void iter_at(const SpryBroadcast *outer, size_t row, SpryBroadcastIter *it) {
  spry_broadcast_iter_start(it);
  for (int32_t d = outer->rank - 1; d >= 0; d--) {
    const size_t size = (size_t)outer->dims[d];
    const size_t index = row % size;
    row /= size;
    it->index[d] = (int32_t)index;
    it->a += index * outer->stride_a[d];
    it->b += index * outer->stride_b[d];
  }
}

/* Output elements [begin, end): the runs they cover, the first and last
 * possibly in part. */
static void binary_range(void *arg, size_t begin, size_t end) {
  const BinaryJob *job = arg;
  const SpryEltBinary *e = job->e;
  const size_t length = e->run_length;
  const bool a_steps = e->run != SPRY_ELT_RUN_SV, b_steps = e->run != SPRY_ELT_RUN_VS;
  SpryBroadcastIter it;
  iter_at(&e->outer, begin / length, &it);
  size_t col = begin % length;
  while (begin < end) {
    const size_t n = length - col < end - begin ? length - col : end - begin;
    const size_t ia = it.a + (a_steps ? col : 0), ib = it.b + (b_steps ? col : 0);
    const size_t bytes = e->element_bytes;
    e->fn(&e->params, job->a + ia * bytes, job->b + ib * bytes, job->out + begin * bytes, n);
    begin += n;
    col = 0;
    spry_broadcast_iter_next(&e->outer, &it);
  }
}

void spry_elt_binary_run(SpryContext *ctx, const SpryEltBinary *e, const void *input1,
                         const void *input2, void *output) {
  BinaryJob job = {.e = e, .a = e->swapped ? input2 : input1, .b = e->swapped ? input1 : input2,
                   .out = output};
  /* Elements of one byte are the 8-bit kernels'. */
  const size_t min_share = e->element_bytes == 1 ? MIN_SHARE_Q8 : MIN_SHARE;
  spry_elt_parallel_min(ctx, e->count, min_share, binary_range, &job);
}
