/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_fast_gemm.c — the fast CONV_2D / FULLY_CONNECTED path against its
 * specifications, for every kernel variant this build and CPU run:
 *
 *   1. the micro-kernels (kernels/fast/gemm.h) against the plain C ones of
 *      gemm_portable.c: qgemm_acc and qgemm_requant bit for bit, fgemm
 *      within float tolerance (NaN and infinities where the reference has
 *      them), over edge sizes, extreme operands and wrapping sums; the
 *      8-bit layout's packing and qgemm8_acc (dot-product variants) bit for
 *      bit against the int16 layout's portable kernel on the same operands;
 *   2. the CONV_2D and FULLY_CONNECTED registrations on the mock context
 *      (conv_mock_context.c) with 1..3 threads against the same node under
 *      SPRY_ISA_REFERENCE: the same bytes for uint8/int8, float tolerance
 *      for float32 — with a check that the fast path really ran.
 *
 * Under the aarch64 cross build the suite runs in qemu, which checks the
 * NEON kernels, and the dot-product ones where the emulated CPU has them
 * (SPRY_TEST_REQUIRE_ISA=neondot makes their absence a failure).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conv_mock_context.h"
#include "fast/gemm.h"
#include "kernel_util.h"
#include "quantization.h"
#include "reference/conv_params.h"
#include "status.h"

extern const SpryOpRegistration spry_op_conv_2d;
extern const SpryOpRegistration spry_op_fully_connected;

#define FLOAT_TOLERANCE 1e-5

/* ---- Helpers ------------------------------------------------------------------ */

static uint64_t g_rng = UINT64_C(0x243F6A8885A308D3);

/* splitmix64: deterministic, so a failure reproduces. */
static uint32_t rnd(void) {
  uint64_t z = (g_rng += UINT64_C(0x9E3779B97F4A7C15));
  z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
  return (uint32_t)((z ^ (z >> 31)) >> 32);
}

static int32_t rnd_i32(void) { return spry_wrap_i32(rnd()); }

/* Uniform in [lo, hi] (hi - lo < 2^32). */
static int32_t rnd_range(int32_t lo, int32_t hi) {
  const uint64_t span = (uint64_t)((int64_t)hi - (int64_t)lo) + 1;
  return (int32_t)((int64_t)lo + (int64_t)(rnd() % span));
}

static float rnd_float(float lo, float hi) {
  return lo + (hi - lo) * (float)(rnd() >> 8) * (1.0f / 16777216.0f);
}

static void *xmalloc(size_t bytes) {
  void *p = malloc(bytes ? bytes : 1);
  assert_non_null(p);
  return p;
}

/* The variants with micro-kernels this build and CPU run (portable first). */
static int fast_isas(SpryIsa isas[SPRY_ISA_COUNT]) {
  int n = 0;
  for (int isa = SPRY_ISA_PORTABLE; isa < SPRY_ISA_COUNT; isa++)
    if (spry_isa_supported((SpryIsa)isa) && spry_gemm_kernels((SpryIsa)isa)) isas[n++] = (SpryIsa)isa;
  return n;
}

/* Variants whose table is not the portable one: the micro-kernel tests
 * compare these with the portable kernels. */
static int simd_isas(SpryIsa isas[SPRY_ISA_COUNT]) {
  SpryIsa all[SPRY_ISA_COUNT];
  const int count = fast_isas(all);
  int n = 0;
  for (int i = 0; i < count; i++)
    if (spry_gemm_kernels(all[i]) != &spry_gemm_portable) isas[n++] = all[i];
  return n;
}

/* ---- Variant tables ------------------------------------------------------------- */

/* Each SIMD build hands out its own kernels, and a dot-product CPU without
 * dot-product kernels gets NEON's rather than the plain C ones. */
static void test_dispatch(void **state) {
  (void)state;
  assert_null(spry_gemm_kernels(SPRY_ISA_REFERENCE));
  assert_ptr_equal(spry_gemm_kernels(SPRY_ISA_PORTABLE), &spry_gemm_portable);
#if defined(SPRY_HAVE_AVX2)
  assert_ptr_equal(spry_gemm_kernels(SPRY_ISA_AVX2), &spry_gemm_avx2);
  assert_ptr_not_equal(spry_gemm_avx2.fgemm, spry_fgemm_portable);
  assert_null(spry_gemm_avx2.qgemm8_acc);
#if defined(SPRY_HAVE_AVX512_VNNI)
  assert_ptr_equal(spry_gemm_kernels(SPRY_ISA_AVX512_VNNI), &spry_gemm_avx512vnni);
  assert_non_null(spry_gemm_avx512vnni.qgemm8_acc);
  assert_non_null(spry_gemm_avx512vnni.qgemm8_row_sums);
#else
  assert_ptr_equal(spry_gemm_kernels(SPRY_ISA_AVX512_VNNI), &spry_gemm_avx2);
#endif
#endif
#if defined(SPRY_HAVE_NEON)
  assert_ptr_equal(spry_gemm_kernels(SPRY_ISA_NEON), &spry_gemm_neon);
  assert_null(spry_gemm_neon.qgemm8_acc);
#if defined(SPRY_HAVE_NEON_DOT)
  assert_ptr_equal(spry_gemm_kernels(SPRY_ISA_NEON_DOT), &spry_gemm_neondot);
  assert_non_null(spry_gemm_neondot.qgemm8_acc);
  assert_non_null(spry_gemm_neondot.qgemm8_row_sums);
#else
  assert_ptr_equal(spry_gemm_kernels(SPRY_ISA_NEON_DOT), &spry_gemm_neon);
#endif
#endif
  assert_null(spry_gemm_portable.qgemm8_acc);
  SpryIsa isas[SPRY_ISA_COUNT];
  const int n = fast_isas(isas);
  for (int i = 0; i < n; i++) {
    const SpryGemmKernels *k = spry_gemm_kernels(isas[i]);
    assert_true(k->qgemm_acc && spry_qgemm_requant_kernel(isas[i]) && k->fgemm);
    assert_true(k->fgemm_rows >= SPRY_GEMM_MR);
    print_message("variant %s: %s kernels%s\n", spry_isa_name(isas[i]),
                  k == &spry_gemm_portable ? "portable" : "its own",
                  k->qgemm8_acc ? ", 8-bit layout" : "");
  }
  /* A stage that must exercise a variant (the aarch64 one, for neondot)
   * names it: an emulator without the instructions then fails here rather
   * than passing without testing them. */
  const char *required = getenv("SPRY_TEST_REQUIRE_ISA");
  if (required && *required) {
    bool found = false;
    for (int i = 0; i < n; i++)
      found = found || (strcmp(spry_isa_name(isas[i]), required) == 0 &&
                        spry_gemm_kernels(isas[i]) != &spry_gemm_portable);
    if (!found) fail_msg("SPRY_TEST_REQUIRE_ISA=%s: this build and CPU do not run it", required);
  }
}

/* ---- qgemm_acc ------------------------------------------------------------------ */

enum { FILL_RANDOM, FILL_EXTREMES, FILL_MAX, FILL_MIN, FILL_COUNT };

static int16_t operand(int fill) {
  switch (fill) {
    case FILL_RANDOM:
      return (int16_t)rnd_range(-255, 255);
    case FILL_EXTREMES:
      return (int16_t)((rnd() & 1) ? 255 : -255);
    case FILL_MAX:
      return 255;
    default:
      return -255;
  }
}

/* One call of a variant's qgemm_acc against the portable one; acc starts
 * from a pattern, so rows past mr must keep it. A is allocated to its last
 * value and B to its size, so sanitizers see any read past them. */
static void check_acc(const SpryGemmKernels *k, SpryIsa isa, int32_t mr, int32_t k_pairs,
                      int fill_a, int fill_b) {
  const size_t stride = 2 * (size_t)k_pairs + 3; /* odd: rows at any alignment */
  const size_t a_values = (size_t)(mr - 1) * stride + 2 * (size_t)k_pairs;
  const size_t b_values = (size_t)k_pairs * 2 * SPRY_GEMM_NR;
  int16_t *a = xmalloc(a_values * sizeof *a), *b = xmalloc(b_values * sizeof *b);
  for (size_t i = 0; i < a_values; i++)
    a[i] = (i % stride) < 2 * (size_t)k_pairs ? operand(fill_a) : INT16_MAX; /* padding: unread */
  for (size_t i = 0; i < b_values; i++) b[i] = operand(fill_b);
  int32_t want[SPRY_GEMM_MR][SPRY_GEMM_NR], got[SPRY_GEMM_MR][SPRY_GEMM_NR];
  memset(want, 0x5A, sizeof want);
  memset(got, 0x5A, sizeof got);
  spry_qgemm_acc_portable(mr, k_pairs, a, stride, b, want);
  k->qgemm_acc(mr, k_pairs, a, stride, b, got);
  for (int r = 0; r < SPRY_GEMM_MR; r++)
    for (int c = 0; c < SPRY_GEMM_NR; c++)
      if (want[r][c] != got[r][c])
        fail_msg("%s qgemm_acc mr %d k_pairs %d fills %d/%d: acc[%d][%d] is %d, want %d",
                 spry_isa_name(isa), (int)mr, (int)k_pairs, fill_a, fill_b, r, c,
                 (int)got[r][c], (int)want[r][c]);
  free(a);
  free(b);
}

static void test_qgemm_acc(void **state) {
  (void)state;
  SpryIsa isas[SPRY_ISA_COUNT];
  const int n = simd_isas(isas);
  for (int i = 0; i < n; i++) {
    const SpryGemmKernels *k = spry_gemm_kernels(isas[i]);
    for (int fill = 0; fill < FILL_COUNT; fill++)
      for (int32_t k_pairs = 0; k_pairs <= 40; k_pairs++)
        for (int32_t mr = 1; mr <= SPRY_GEMM_MR; mr++)
          check_acc(k, isas[i], mr, k_pairs, fill, (fill + k_pairs) % FILL_COUNT);
  }
}

/* Sums past int32's range wrap as TFLite's accumulators do: 17000 pairs of
 * 255 * 255 products reach 2.2e9 (and -2.2e9 with opposite signs). */
static void test_qgemm_acc_wraps(void **state) {
  (void)state;
  SpryIsa isas[SPRY_ISA_COUNT];
  const int n = simd_isas(isas);
  int32_t want[SPRY_GEMM_MR][SPRY_GEMM_NR];
  memset(want, 0, sizeof want);
  for (int i = 0; i < n; i++) {
    const SpryGemmKernels *k = spry_gemm_kernels(isas[i]);
    check_acc(k, isas[i], 4, 17000, FILL_MAX, FILL_MAX);
    check_acc(k, isas[i], 3, 17000, FILL_MIN, FILL_MAX);
    check_acc(k, isas[i], 2, 17001, FILL_EXTREMES, FILL_MIN);
  }
  /* The reference itself wraps (the test means something). */
  int16_t *a = xmalloc(2 * 17000 * sizeof *a), *b = xmalloc(17000 * 2 * SPRY_GEMM_NR * sizeof *b);
  for (size_t j = 0; j < 2 * 17000; j++) a[j] = 255;
  for (size_t j = 0; j < 17000 * 2 * SPRY_GEMM_NR; j++) b[j] = 255;
  spry_qgemm_acc_portable(1, 17000, a, 2 * 17000, b, want);
  assert_int_equal(want[0][0], spry_wrap_i32((uint32_t)(17000u * 2u * 65025u)));
  assert_true(want[0][0] < 0);
  free(a);
  free(b);
}

/* ---- qgemm8_acc: the 8-bit layout ------------------------------------------------- */

/* Variants whose table has the 8-bit layout. */
static int byte_isas(SpryIsa isas[SPRY_ISA_COUNT]) {
  SpryIsa all[SPRY_ISA_COUNT];
  const int count = fast_isas(all);
  int n = 0;
  for (int i = 0; i < count; i++)
    if (spry_gemm_kernels(all[i])->qgemm8_acc) isas[n++] = all[i];
  return n;
}

/* One operand pair's types and offsets (offset = -zero point: [-255, 0]
 * for uint8, [-127, 128] for int8). */
typedef struct ByteOperands {
  int is_u8;
  int32_t input_offset, filter_offset;
} ByteOperands;

/* A stored 8-bit value of a fill: random, the type's ends, its maximum or
 * its minimum. */
static uint8_t raw_operand(int fill, int is_u8) {
  const uint8_t lo = is_u8 ? 0 : 0x80, hi = is_u8 ? 255 : 0x7F;
  switch (fill) {
    case FILL_RANDOM:
      return (uint8_t)rnd();
    case FILL_EXTREMES:
      return (rnd() & 1) ? hi : lo;
    case FILL_MAX:
      return hi;
    default:
      return lo;
  }
}

static int32_t stored_value(uint8_t raw, int is_u8) {
  return is_u8 ? (int32_t)raw : (int32_t)raw - (raw & 0x80 ? 256 : 0);
}

/* The layout's contract (gemm.h) in plain C, read from the packed block:
 * sum a*w + filter_offset * sum a + the column term, modulo 2^32. */
static void acc8_model(int32_t mr, int32_t k_quads, const uint8_t *a, size_t a_stride,
                       const uint8_t *b_block, const ByteOperands *op,
                       int32_t acc[SPRY_GEMM_MR][SPRY_GEMM_NR]) {
  const uint8_t *terms = b_block + (size_t)k_quads * 4 * SPRY_GEMM_NR;
  for (int32_t r = 0; r < mr; r++)
    for (int c = 0; c < SPRY_GEMM_NR; c++) {
      uint32_t term, sum = 0, row_sum = 0;
      memcpy(&term, terms + 4 * (size_t)c, sizeof term);
      for (int32_t d = 0; d < 4 * k_quads; d++) {
        const uint32_t x = (uint32_t)stored_value(a[(size_t)r * a_stride + (size_t)d], op->is_u8);
        const size_t at = ((size_t)(d / 4) * SPRY_GEMM_NR + (size_t)c) * 4 + (size_t)(d % 4);
        sum += x * (uint32_t)stored_value(b_block[at], op->is_u8);
        row_sum += x;
      }
      acc[r][c] = spry_wrap_i32(sum + (uint32_t)op->filter_offset * row_sum + term);
    }
}

/* mr rows of depth k (A at an odd stride, zero past k to the last quad, as
 * the gather writes them) times 16 columns of OHWI weights, in the 8-bit
 * layout: the layout's model and every variant's qgemm8_acc against the
 * portable int16 kernel on the same operands with their offsets added. A
 * and the packed B are allocated to their last byte, so sanitizers see any
 * read past them. Returns the portable kernel's acc[0][0]. */
static int32_t check_acc8(int32_t mr, int32_t k, const ByteOperands *op, int fill_a, int fill_b) {
  const size_t row_bytes = spry_qgemm8_row_bytes(k), stride = row_bytes + 3;
  const size_t a_bytes = (size_t)(mr - 1) * stride + row_bytes;
  const size_t w_bytes = (size_t)k * SPRY_GEMM_NR, stride16 = spry_qgemm_row_values(k);
  uint8_t *a = xmalloc(a_bytes), *w = xmalloc(w_bytes);
  uint8_t *b = xmalloc(spry_qgemm8_packed_bytes(SPRY_GEMM_NR, k));
  int16_t *a16 = xmalloc((size_t)mr * stride16 * sizeof *a16);
  int16_t *b16 = xmalloc(spry_qgemm_packed_bytes(SPRY_GEMM_NR, k));
  memset(a, 0xA5, a_bytes); /* the gaps between rows: never read */
  memset(a16, 0, (size_t)mr * stride16 * sizeof *a16);
  for (int32_t r = 0; r < mr; r++) {
    memset(a + (size_t)r * stride + (size_t)k, 0, row_bytes - (size_t)k);
    for (int32_t d = 0; d < k; d++) {
      const uint8_t x = raw_operand(fill_a, op->is_u8);
      a[(size_t)r * stride + (size_t)d] = x;
      a16[(size_t)r * stride16 + (size_t)d] =
          (int16_t)(stored_value(x, op->is_u8) + op->input_offset);
    }
  }
  for (size_t i = 0; i < w_bytes; i++) w[i] = raw_operand(fill_b, op->is_u8);
  const SpryGemmLayout ohwi = {(size_t)k, 1};
  spry_qgemm8_pack(SPRY_GEMM_NR, k, w, ohwi, op->is_u8, op->filter_offset, op->input_offset, b);
  spry_qgemm_pack(NULL, SPRY_GEMM_NR, k, w, ohwi, op->is_u8, op->filter_offset, b16);
  const int32_t k_quads = (int32_t)(row_bytes / 4);
  uint32_t row_sums[SPRY_GEMM_MR];
  int32_t want[SPRY_GEMM_MR][SPRY_GEMM_NR], got[SPRY_GEMM_MR][SPRY_GEMM_NR];
  memset(want, 0x5A, sizeof want);
  spry_qgemm_acc_portable(mr, (int32_t)(stride16 / 2), a16, stride16, b16, want);
  SpryIsa isas[SPRY_ISA_COUNT];
  const int n = byte_isas(isas);
  for (int i = -1; i < n; i++) { /* -1: the model */
    memset(got, 0x5A, sizeof got);
    memset(row_sums, 0xA5, sizeof row_sums);
    if (i < 0) {
      acc8_model(mr, k_quads, a, stride, b, op, got);
    } else {
      /* Each variant's row sums: the portable ones for its tile, against
       * its own once the tile passes. */
      const SpryGemmKernels *kernels = spry_gemm_kernels(isas[i]);
      spry_qgemm8_row_sums(mr, row_bytes, a, stride, op->is_u8, row_sums);
      kernels->qgemm8_acc(mr, k_quads, a, stride, b, row_sums, op->filter_offset, op->is_u8,
                          got);
      uint32_t own[SPRY_GEMM_MR];
      kernels->qgemm8_row_sums(mr, row_bytes, a, stride, op->is_u8, own);
      for (int r = 0; r < mr; r++)
        if (own[r] != row_sums[r])
          fail_msg("%s qgemm8_row_sums %s row %d of %d bytes: %u, want %u",
                   spry_isa_name(isas[i]), op->is_u8 ? "u8" : "s8", r, (int)row_bytes,
                   (unsigned)own[r], (unsigned)row_sums[r]);
    }
    for (int r = 0; r < SPRY_GEMM_MR; r++)
      for (int c = 0; c < SPRY_GEMM_NR; c++)
        if (want[r][c] != got[r][c])
          fail_msg("%s qgemm8_acc %s mr %d k %d offsets %d/%d fills %d/%d: acc[%d][%d] is %d, "
                   "want %d",
                   i < 0 ? "model" : spry_isa_name(isas[i]), op->is_u8 ? "u8" : "s8", (int)mr,
                   (int)k, (int)op->input_offset, (int)op->filter_offset, fill_a, fill_b, r, c,
                   (int)got[r][c], (int)want[r][c]);
  }
  free(a);
  free(w);
  free(b);
  free(a16);
  free(b16);
  return want[0][0];
}

/* Offsets at their ends, zero (symmetric int8 weights: no row sums),
 * -128 for uint8 weights (VNNI's flipped weights then need no row sums)
 * and random, for both types. */
static ByteOperands byte_operands(int is_u8, int kind) {
  const int32_t lo = is_u8 ? -255 : -127, hi = is_u8 ? 0 : 128;
  switch (kind) {
    case 0:
      return (ByteOperands){is_u8, rnd_range(lo, hi), 0};
    case 1:
      return (ByteOperands){is_u8, lo, lo};
    case 2:
      return (ByteOperands){is_u8, hi, is_u8 ? -1 : hi};
    case 3:
      return (ByteOperands){is_u8, rnd_range(lo, hi), is_u8 ? -128 : -1};
    default:
      return (ByteOperands){is_u8, rnd_range(lo, hi), rnd_range(lo, hi)};
  }
}

/* Every depth up to 70 (every tail of the 2-quad steps and of the quads
 * themselves), every row count, fills and offsets. */
static void test_qgemm8_acc(void **state) {
  (void)state;
  SpryIsa isas[SPRY_ISA_COUNT];
  if (byte_isas(isas) == 0) print_message("no variant with the 8-bit layout: the model only\n");
  for (int is_u8 = 0; is_u8 < 2; is_u8++)
    for (int kind = 0; kind < 5; kind++)
      for (int32_t k = 0; k <= 70; k++)
        for (int32_t mr = 1; mr <= SPRY_GEMM_MR; mr++) {
          const ByteOperands op = byte_operands(is_u8, kind);
          const int fill = (int)(k + mr + kind) % FILL_COUNT;
          check_acc8(mr, k, &op, fill, (fill + is_u8 + (int)k / 5) % FILL_COUNT);
        }
}

/* Sums past int32's range wrap as the int16 layout's do, with each part of
 * the sum the one that overflows: the products (255 * 255 unsigned), the
 * column terms (zero stored values, offsets -255), the row terms (zero
 * weights), and signed extremes with offsets. 34001 quads' worth of depth:
 * 2.2e9 and more. */
static void test_qgemm8_acc_wraps(void **state) {
  (void)state;
  static const struct {
    ByteOperands op;
    int fill_a, fill_b;
  } cases[] = {
      {{1, 0, 0}, FILL_MAX, FILL_MAX},       {{1, -255, 0}, FILL_MIN, FILL_MAX},
      {{1, -255, -255}, FILL_MIN, FILL_MIN}, {{1, 0, -255}, FILL_MAX, FILL_MIN},
      {{0, -127, -127}, FILL_MIN, FILL_MIN}, {{0, 128, 128}, FILL_MAX, FILL_MAX},
      {{0, 128, 0}, FILL_MAX, FILL_MIN},
  };
  int32_t first = 0;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const int32_t acc = check_acc8((int32_t)(i % SPRY_GEMM_MR) + 1, 34001 + (int32_t)i,
                                   &cases[i].op, cases[i].fill_a, cases[i].fill_b);
    if (i == 0) first = acc;
  }
  /* The reference wrapped (the test means something). */
  assert_int_equal(first, spry_wrap_i32(34001u * 65025u));
  assert_true(first < 0);
}

/* The column terms as packed: input_offset * sum (w + filter_offset) per
 * column, zero past n, for a layout other than OHWI (depthwise
 * [1, H, W, n] filters) and n not a multiple of the block. */
static void test_qgemm8_pack(void **state) {
  (void)state;
  const int32_t n = 21, k = 9, input_offset = -200, filter_offset = -3;
  uint8_t w[21 * 9];
  for (size_t i = 0; i < sizeof w; i++) w[i] = (uint8_t)rnd();
  const SpryGemmLayout hwn = {1, (size_t)n};
  uint8_t *b = xmalloc(spry_qgemm8_packed_bytes(n, k));
  spry_qgemm8_pack(n, k, w, hwn, 1, filter_offset, input_offset, b);
  assert_int_equal(spry_qgemm8_packed_bytes(n, k), 2 * (12 + 4) * SPRY_GEMM_NR);
  for (int32_t c = 0; c < 2 * SPRY_GEMM_NR; c++) {
    const uint8_t *block = b + (size_t)(c / SPRY_GEMM_NR) * spry_qgemm8_block_bytes(k);
    const int32_t lane = c % SPRY_GEMM_NR;
    int32_t sum = 0;
    for (int32_t d = 0; d < 12; d++) {
      const size_t at = ((size_t)(d / 4) * SPRY_GEMM_NR + (size_t)lane) * 4 + (size_t)(d % 4);
      const uint8_t v = block[at];
      assert_int_equal(v, c < n && d < k ? w[(size_t)d * (size_t)n + (size_t)c] : 0);
      if (c < n && d < k) sum += v + filter_offset;
    }
    int32_t term;
    memcpy(&term, block + 12 * SPRY_GEMM_NR + 4 * (size_t)lane, sizeof term);
    assert_int_equal(term, c < n ? input_offset * sum : 0);
  }
  free(b);
}

/* ---- qgemm_requant ----------------------------------------------------------------- */

#define REQUANT_COLUMNS 40

typedef struct RequantTables {
  int32_t bias[REQUANT_COLUMNS], multiplier[REQUANT_COLUMNS], shift[REQUANT_COLUMNS];
} RequantTables;

/* Output offset and clamp range of one output type. */
typedef struct OutputRange {
  int is_u8;
  int32_t offset, act_min, act_max;
} OutputRange;

static const OutputRange k_ranges[] = {
    {1, 0, 0, 255},       {1, 255, 0, 255},     {1, 128, 128, 255},
    {1, 3, 17, 17},       {0, -128, -128, 127}, {0, 127, -128, 127},
    {0, 0, -128, -128},   {0, -5, -100, 6},
};
#define NUM_RANGES (sizeof k_ranges / sizeof k_ranges[0])

/* A multiplier in [2^30, 2^31), or 0. */
static int32_t multiplier_of(int kind) {
  switch (kind) {
    case 0:
      return 0;
    case 1:
      return INT32_C(1) << 30;
    case 2:
      return INT32_MAX;
    default:
      return rnd_range(INT32_C(1) << 30, INT32_MAX);
  }
}

/* n columns from `column` of a variant's one-row requantization
 * (spry_qgemm_requant_kernel) against the
 * portable one, with the shift constants derived by the kernel and
 * prepared by spry_qgemm_shifts_derive; the bytes past n must stay as they
 * were. */
static void check_requant(SpryIsa isa, int32_t n, const int32_t *acc, const RequantTables *t,
                          int32_t column, const OutputRange *range) {
  SpryQgemmOutput o = {.bias = t->bias,
                       .multiplier = t->multiplier,
                       .shift = t->shift,
                       .output_offset = range->offset,
                       .act_min = range->act_min,
                       .act_max = range->act_max,
                       .is_u8 = range->is_u8};
  int32_t shifts[5 * REQUANT_COLUMNS];
  assert_int_equal(spry_qgemm_shifts_values(REQUANT_COLUMNS), 5 * REQUANT_COLUMNS);
  for (int prepared = 0; prepared < 2; prepared++) {
    if (prepared) spry_qgemm_shifts_derive(REQUANT_COLUMNS, t->shift, shifts, &o.shifts);
    uint8_t want[SPRY_GEMM_NR + 8], got[SPRY_GEMM_NR + 8];
    memset(want, 0xA5, sizeof want);
    memset(got, 0xA5, sizeof got);
    spry_qgemm_requant_portable(n, acc, &o, column, want);
    spry_qgemm_requant_kernel(isa)(n, acc, &o, column, got);
    for (size_t c = 0; c < sizeof want; c++)
      if (want[c] != got[c])
        fail_msg("%s qgemm_requant n %d column %d %s offset %d%s: byte %zu is %d, want %d (acc "
                 "%d, bias %d, multiplier %d, shift %d)",
                 spry_isa_name(isa), (int)n, (int)column, range->is_u8 ? "u8" : "s8",
                 (int)range->offset, prepared ? ", prepared shifts" : "", c, got[c], want[c],
                 c < (size_t)n ? (int)acc[c] : 0,
                 c < (size_t)n ? (int)t->bias[column + (int32_t)c] : 0,
                 c < (size_t)n ? (int)t->multiplier[column + (int32_t)c] : 0,
                 c < (size_t)n ? (int)t->shift[column + (int32_t)c] : 0);
  }
}

/* mr rows of a tile through a variant's qgemm_requant_tile, rows at a
 * stride past n, against the portable qgemm_requant row by row (prepared
 * shift constants, or none); the bytes between and after the rows must
 * stay as they were. */
static void check_requant_tile(const SpryGemmKernels *k, SpryIsa isa, int32_t mr, int32_t n,
                               int32_t acc[SPRY_GEMM_MR][SPRY_GEMM_NR], const RequantTables *t,
                               int32_t column, const OutputRange *range) {
  SpryQgemmOutput o = {.bias = t->bias,
                       .multiplier = t->multiplier,
                       .shift = t->shift,
                       .output_offset = range->offset,
                       .act_min = range->act_min,
                       .act_max = range->act_max,
                       .is_u8 = range->is_u8};
  int32_t shifts[5 * REQUANT_COLUMNS];
  const size_t stride = (size_t)n + 5;
  uint8_t want[SPRY_GEMM_MR * (SPRY_GEMM_NR + 5)], got[sizeof want];
  for (int prepared = 0; prepared < 2; prepared++) {
    if (prepared) spry_qgemm_shifts_derive(REQUANT_COLUMNS, t->shift, shifts, &o.shifts);
    memset(want, 0xA5, sizeof want);
    memset(got, 0xA5, sizeof got);
    for (int32_t r = 0; r < mr; r++)
      spry_qgemm_requant_portable(n, acc[r], &o, column, want + (size_t)r * stride);
    k->qgemm_requant_tile(mr, n, acc, &o, column, got, stride);
    for (size_t i = 0; i < sizeof want; i++)
      if (want[i] != got[i])
        fail_msg("%s qgemm_requant_tile mr %d n %d column %d %s offset %d%s: byte %zu (row %zu) "
                 "is %d, want %d",
                 spry_isa_name(isa), (int)mr, (int)n, (int)column, range->is_u8 ? "u8" : "s8",
                 (int)range->offset, prepared ? ", prepared shifts" : "", i % stride, i / stride,
                 got[i], want[i]);
  }
}

/* The prepared constants of the shifts' ends and of zero. */
static void test_qgemm_shifts_derive(void **state) {
  (void)state;
  const int32_t shift[4] = {-31, -1, 0, 31};
  int32_t table[5 * 4];
  SpryQgemmShifts s;
  spry_qgemm_shifts_derive(4, shift, table, &s);
  static const int32_t want[5][4] = {{0, 0, 0, 31},
                                     {31, 1, 0, 0},
                                     {-31, -1, 0, 0},
                                     {INT32_MAX, 1, 0, 0},
                                     {INT32_MAX / 2, 0, 0, 0}};
  const int32_t *got[5] = {s.left, s.right, s.neg_right, s.mask, s.half};
  for (int f = 0; f < 5; f++)
    for (int c = 0; c < 4; c++) assert_int_equal(got[f][c], want[f][c]);
}

/* ---- qgemm_pack ------------------------------------------------------------------- */

/* Each variant's packing of whole blocks against the portable one, for
 * depths around its 8-pair steps (odd ones included: the last value then
 * pairs with a zero), both types and offsets at their ends; with n not a
 * multiple of the block, so the partial block's path runs too. */
static void test_qgemm_pack(void **state) {
  (void)state;
  static const int32_t depths[] = {1, 2, 3, 15, 16, 17, 18, 30, 31, 32, 33, 34, 47, 64, 100, 289};
  static const int32_t offsets[] = {-255, 0, 128, 255};
  const int32_t n = 2 * SPRY_GEMM_NR + 5;
  SpryIsa isas[SPRY_ISA_COUNT];
  const int n_isas = fast_isas(isas);
  for (size_t d = 0; d < sizeof depths / sizeof depths[0]; d++) {
    const int32_t k = depths[d];
    const SpryGemmLayout ohwi = {(size_t)k, 1};
    const size_t values = spry_qgemm_packed_bytes(n, k) / sizeof(int16_t);
    uint8_t *w = xmalloc((size_t)n * (size_t)k);
    int16_t *want = xmalloc(values * sizeof *want), *got = xmalloc(values * sizeof *got);
    for (size_t i = 0; i < (size_t)n * (size_t)k; i++) w[i] = (uint8_t)rnd();
    w[0] = 0x80;
    w[(size_t)n * (size_t)k - 1] = 0x7F;
    for (int is_u8 = 0; is_u8 < 2; is_u8++)
      for (size_t o = 0; o < sizeof offsets / sizeof offsets[0]; o++) {
        spry_qgemm_pack(NULL, n, k, w, ohwi, is_u8, offsets[o], want);
        for (int i = 0; i < n_isas; i++) {
          memset(got, 0x5A, values * sizeof *got);
          spry_qgemm_pack(spry_gemm_kernels(isas[i]), n, k, w, ohwi, is_u8, offsets[o], got);
          if (memcmp(want, got, values * sizeof *got) != 0)
            fail_msg("%s qgemm_pack k %d %s offset %d differs", spry_isa_name(isas[i]), (int)k,
                     is_u8 ? "u8" : "s8", (int)offsets[o]);
        }
      }
    /* The portable packing is the specification: pair p of lane c holds
     * weights 2p and 2p + 1 of column c plus the offset, zero past k. */
    spry_qgemm_pack(NULL, n, k, w, ohwi, 0, 3, want);
    const int32_t pairs = (int32_t)(spry_qgemm_row_values(k) / 2);
    for (int32_t c = 0; c < n; c++)
      for (int32_t e = 0; e < 2 * pairs; e++) {
        const size_t at = ((size_t)(c / SPRY_GEMM_NR) * (size_t)pairs + (size_t)(e / 2)) *
                              2 * SPRY_GEMM_NR +
                          (size_t)(c % SPRY_GEMM_NR) * 2 + (size_t)(e % 2);
        const int16_t expect = e < k ? (int16_t)((int8_t)w[(size_t)c * (size_t)k + (size_t)e] + 3)
                                     : 0;
        assert_int_equal(want[at], expect);
      }
    free(w);
    free(want);
    free(got);
  }
}

/* ---- qgemm_widen ------------------------------------------------------------------ */

/* Every length up to 40 (the vector widths' tails), both types, offsets at
 * their ends: each variant's against the portable one, nothing written
 * past n. */
static void test_qgemm_widen(void **state) {
  (void)state;
  static const int32_t offsets[] = {-255, -128, 0, 127, 255};
  SpryIsa isas[SPRY_ISA_COUNT];
  const int n_isas = fast_isas(isas);
  uint8_t src[40];
  int16_t want[48], got[48];
  for (int i = 0; i < n_isas; i++) {
    const SpryGemmKernels *k = spry_gemm_kernels(isas[i]);
    assert_non_null(k->qgemm_widen);
    for (int is_u8 = 0; is_u8 < 2; is_u8++)
      for (size_t o = 0; o < sizeof offsets / sizeof offsets[0]; o++)
        for (int32_t n = 0; n <= 40; n++) {
          for (size_t j = 0; j < sizeof src; j++) src[j] = (uint8_t)rnd();
          src[0] = 0x80;
          src[n > 1 ? n - 1 : 0] = 0x7F;
          memset(want, 0x5A, sizeof want);
          memset(got, 0x5A, sizeof got);
          spry_qgemm_widen_portable(n, src, is_u8, offsets[o], want);
          k->qgemm_widen(n, src, is_u8, offsets[o], got);
          if (memcmp(want, got, sizeof want) != 0)
            fail_msg("%s qgemm_widen n %d %s offset %d differs", spry_isa_name(isas[i]), (int)n,
                     is_u8 ? "u8" : "s8", (int)offsets[o]);
        }
  }
  /* The portable one is the specification: x + offset. */
  const uint8_t bytes[2] = {0xFF, 0x80};
  spry_qgemm_widen_portable(2, bytes, 1, -255, want);
  assert_int_equal(want[0], 0);
  assert_int_equal(want[1], 128 - 255);
  spry_qgemm_widen_portable(2, bytes, 0, 255, want);
  assert_int_equal(want[0], -1 + 255);
  assert_int_equal(want[1], -128 + 255);
}

/* Accumulators of one kind: random int32, the extremes and their
 * neighbours, or small values that land near every rounding boundary of
 * the larger right shifts. */
static int32_t accumulator(int kind, int32_t shift) {
  static const int32_t specials[] = {INT32_MIN, INT32_MIN + 1, INT32_MAX, INT32_MAX - 1, 0, 1, -1,
                                     INT32_C(1) << 30, -(INT32_C(1) << 30)};
  switch (kind) {
    case 0:
      return rnd_i32();
    case 1:
      return specials[rnd() % (sizeof specials / sizeof specials[0])];
    default: { /* |x| <= 2^(right + 2): around the first rounding boundaries */
      const int32_t bits = shift < 0 ? -shift + 2 : 4;
      if (bits >= 31) return rnd_i32();
      return rnd_range(-(INT32_C(1) << bits), INT32_C(1) << bits);
    }
  }
}

/* Every shift in [-31, 31], every multiplier kind, every output range;
 * multipliers and biases differ per column, and the calls start at varying
 * columns of the tables with every width. */
static void test_qgemm_requant(void **state) {
  (void)state;
  SpryIsa isas[SPRY_ISA_COUNT];
  const int n_isas = simd_isas(isas);
  RequantTables t;
  int32_t acc[SPRY_GEMM_MR][SPRY_GEMM_NR];
  for (int i = 0; i < n_isas; i++) {
    const SpryGemmKernels *k = spry_gemm_kernels(isas[i]);
    for (int32_t shift = -31; shift <= 31; shift++)
      for (int acc_kind = 0; acc_kind < 3; acc_kind++)
        for (size_t r = 0; r < NUM_RANGES; r++) {
          for (int c = 0; c < REQUANT_COLUMNS; c++) {
            t.multiplier[c] = multiplier_of((int)((c + acc_kind + (int)r) % 5));
            t.shift[c] = (c % 7 == 6) ? rnd_range(-31, 31) : shift;
            t.bias[c] = (c % 3 == 0) ? accumulator(1, shift) : rnd_range(-1000, 1000);
          }
          for (int32_t n = 1; n <= SPRY_GEMM_NR; n++) {
            for (int row = 0; row < SPRY_GEMM_MR; row++)
              for (int c = 0; c < SPRY_GEMM_NR; c++) acc[row][c] = accumulator(acc_kind, shift);
            const int32_t column = (n * 7 + shift + 31) % (REQUANT_COLUMNS - SPRY_GEMM_NR + 1);
            check_requant(isas[i], n, acc[0], &t, column, &k_ranges[r]);
            check_requant_tile(k, isas[i], 1 + (n + shift + 31) % SPRY_GEMM_MR, n, acc, &t,
                               column, &k_ranges[r]);
          }
        }
  }
}

/* Exact ties of the rounding right shift, both signs: with a multiplier of
 * 2^30 the doubling high multiply of x is floor((x + 1) / 2), so
 * x = 2 * (q * 2^r + 2^(r-1)) + e lands on (or next to) a tie of the
 * division by 2^r. */
static void test_qgemm_requant_ties(void **state) {
  (void)state;
  SpryIsa isas[SPRY_ISA_COUNT];
  const int n_isas = simd_isas(isas);
  RequantTables t;
  memset(&t, 0, sizeof t);
  int32_t acc[SPRY_GEMM_NR];
  const OutputRange wide = {0, 0, -128, 127};
  for (int i = 0; i < n_isas; i++) {
    for (int32_t r = 1; r <= 31; r++) {
      for (int c = 0; c < REQUANT_COLUMNS; c++) {
        t.multiplier[c] = INT32_C(1) << 30;
        t.shift[c] = -r;
      }
      for (int round = 0; round < 8; round++) {
        for (int c = 0; c < SPRY_GEMM_NR; c++) {
          /* |tie| < 2^30, so that x fits in int32 (q in [-2^(30-r), 2^(30-r) - 1],
           * or -1 for r = 31), and |q| <= 100, so that the results stay
           * inside the clamp range, where the rounding shows. */
          const int32_t q_max = r < 31 ? (INT32_C(1) << (30 - r)) - 1 : -1;
          const int32_t q_hi = q_max < 100 ? q_max : 100;
          const int64_t q = rnd_range(r < 31 ? -q_hi - 1 : -1, q_hi);
          const int64_t tie = q * (INT64_C(1) << r) + (INT64_C(1) << (r - 1));
          int64_t x = 2 * tie + (int64_t)(c % 4) - 2; /* high: tie - 1, tie, tie, tie + 1 */
          if (x > INT32_MAX || x < INT32_MIN) x = 2 * tie; /* 2 * tie always fits */
          acc[c] = (int32_t)x;
        }
        check_requant(isas[i], SPRY_GEMM_NR, acc, &t, 0, &wide);
      }
    }
  }
  /* The construction hits ties, rounded away from zero: with r = 2, q = -1
   * gives the tie -2 (x = -4): -2 / 4 -> -1; q = 0 the tie 2 (x = 4) -> 1;
   * -3 (x = -6) is no tie: -3 / 4 -> -1. */
  assert_int_equal(spry_multiply_by_quantized_multiplier(-4, INT32_C(1) << 30, -2), -1);
  assert_int_equal(spry_multiply_by_quantized_multiplier(4, INT32_C(1) << 30, -2), 1);
  assert_int_equal(spry_multiply_by_quantized_multiplier(-6, INT32_C(1) << 30, -2), -1);
  assert_int_equal(spry_multiply_by_quantized_multiplier(-12, INT32_C(1) << 30, -2), -2);
}

/* ---- fgemm -------------------------------------------------------------------------- */

/* got against want, element by element: NaN where want has NaN, the same
 * infinity, else within FLOAT_TOLERANCE * (1 + max |finite want|). Returns
 * the first offending index, or -1. */
static long float_mismatch(const float *want, const float *got, size_t n, double max_ref) {
  const double tolerance = FLOAT_TOLERANCE * (1.0 + max_ref);
  for (size_t i = 0; i < n; i++) {
    if (isnan(want[i]) || isnan(got[i])) {
      if (isnan(want[i]) != isnan(got[i])) return (long)i;
    } else if (isinf(want[i]) || isinf(got[i])) {
      if (want[i] != got[i]) return (long)i;
    } else if (fabs((double)got[i] - (double)want[i]) > tolerance) {
      return (long)i;
    }
  }
  return -1;
}

static double max_finite(const float *v, size_t n) {
  double m = 0;
  for (size_t i = 0; i < n; i++)
    if (isfinite(v[i])) m = fmax(m, fabs((double)v[i]));
  return m;
}

typedef struct FgemmCase {
  int32_t mr, nr, k;
  float lo, hi;
  bool specials;    /* NaN and infinities among the operands */
  int32_t segments; /* runs per A row the variant reads (SpryFgemmFn) */
} FgemmCase;

/* A laid out in fc->segments runs per row, as a convolution hands its
 * filter rows to fgemm: each row's run s at s * *segment_stride, rows
 * *stride apart, gaps between them (so that a kernel that read a run past
 * its end, or the wrong run, would read other values). */
static float *segmented_a(const FgemmCase *fc, const float *a, size_t a_stride, size_t *stride,
                          size_t *segment_stride) {
  const int32_t run = fc->k / fc->segments;
  *stride = (size_t)run + 2;
  *segment_stride = (size_t)fc->mr * *stride + 3;
  const size_t values = (size_t)fc->segments * *segment_stride;
  float *out = xmalloc(values * sizeof *out);
  for (size_t i = 0; i < values; i++) out[i] = 1e30f;
  for (int32_t r = 0; r < fc->mr; r++)
    for (int32_t d = 0; d < fc->k; d++)
      out[(size_t)r * *stride + (size_t)(d / run) * *segment_stride + (size_t)(d % run)] =
          a[(size_t)r * a_stride + (size_t)d];
  return out;
}

static void fill_fgemm_operands(const FgemmCase *fc, float *a, size_t a_stride, float *b,
                                float *bias) {
  for (size_t i = 0; i < (size_t)(fc->mr - 1) * a_stride + (size_t)fc->k; i++)
    a[i] = rnd_float(-1.0f, 1.0f);
  for (size_t i = 0; i < (size_t)fc->k * SPRY_GEMM_NR; i++) b[i] = rnd_float(-1.0f, 1.0f);
  for (int j = 0; j < SPRY_GEMM_NR; j++) bias[j] = rnd_float(-1.0f, 1.0f);
  bias[1] = -0.0f; /* with k == 0 and lo == 0 the result keeps its sign */
  if (!fc->specials) return;
  bias[2] = INFINITY;
  bias[3] = -INFINITY;
  bias[4] = NAN;
  if (fc->k == 0) return;
  a[(size_t)(fc->mr - 1) * a_stride + (size_t)(fc->k - 1)] = NAN; /* last row: all NaN */
  b[(size_t)(fc->k / 2) * SPRY_GEMM_NR + 5] = INFINITY;            /* column 5: +-inf or NaN */
  b[(size_t)(fc->k - 1) * SPRY_GEMM_NR + 6] = -INFINITY;
  a[0] = INFINITY; /* row 0: infinite sums, NaN where infinities of both signs meet */
}

/* The first element where got differs from want, or -1: results (r < mr,
 * j < nr) within tolerance, or bit for bit when k == 0 (no products: the
 * clamped bias); the elements between rows (nr <= j < c_stride) keep
 * their pattern bit for bit. */
static long fgemm_mismatch(const FgemmCase *fc, const float *want, const float *got,
                           size_t c_stride) {
  double max_ref = 0;
  for (int32_t r = 0; r < fc->mr; r++)
    max_ref = fmax(max_ref, max_finite(want + (size_t)r * c_stride, (size_t)fc->nr));
  const size_t count = (size_t)(fc->mr - 1) * c_stride + (size_t)fc->nr;
  for (size_t i = 0; i < count; i++) {
    const bool result = i % c_stride < (size_t)fc->nr;
    if (result && fc->k > 0) {
      if (float_mismatch(want + i, got + i, 1, max_ref) >= 0) return (long)i;
    } else if (memcmp(want + i, got + i, sizeof *want) != 0) {
      return (long)i;
    }
  }
  return -1;
}

/* fgemm of mr rows through a kernel that takes at most MR a call. */
static void fgemm_by_mr_rows(SpryFgemmFn fgemm, const FgemmCase *fc, const float *a,
                             size_t a_stride, const float *b, const float *bias, float *c,
                             size_t c_stride) {
  for (int32_t r = 0; r < fc->mr; r += SPRY_GEMM_MR) {
    const int32_t mr = fc->mr - r < SPRY_GEMM_MR ? fc->mr - r : SPRY_GEMM_MR;
    fgemm(mr, fc->nr, fc->k, a + (size_t)r * a_stride, a_stride, 1, 0, b, bias, fc->lo, fc->hi,
          c + (size_t)r * c_stride, c_stride);
  }
}

/* One call of a variant's fgemm against the portable one. C is allocated
 * to its last element and filled with a pattern. */
static void check_fgemm(const SpryGemmKernels *k, SpryIsa isa, const FgemmCase *fc) {
  const size_t a_stride = (size_t)fc->k + 3, c_stride = SPRY_GEMM_NR + 5;
  const size_t a_values = (size_t)(fc->mr - 1) * a_stride + (size_t)fc->k;
  const size_t c_values = (size_t)(fc->mr - 1) * c_stride + (size_t)fc->nr;
  float *a = xmalloc(a_values * sizeof *a), *b = xmalloc((size_t)fc->k * SPRY_GEMM_NR * sizeof *b);
  float bias[SPRY_GEMM_NR];
  float *want = xmalloc(c_values * sizeof *want), *got = xmalloc(c_values * sizeof *got);
  fill_fgemm_operands(fc, a, a_stride, b, bias);
  memset(want, 0x7B, c_values * sizeof *want);
  memset(got, 0x7B, c_values * sizeof *got);
  fgemm_by_mr_rows(spry_fgemm_portable, fc, a, a_stride, b, bias, want, c_stride);
  if (fc->segments > 1) {
    size_t stride, segment_stride;
    float *runs = segmented_a(fc, a, a_stride, &stride, &segment_stride);
    k->fgemm(fc->mr, fc->nr, fc->k, runs, stride, fc->segments, segment_stride, b, bias, fc->lo,
             fc->hi, got, c_stride);
    free(runs);
  } else {
    k->fgemm(fc->mr, fc->nr, fc->k, a, a_stride, 1, 0, b, bias, fc->lo, fc->hi, got, c_stride);
  }
  const long bad = fgemm_mismatch(fc, want, got, c_stride);
  if (bad >= 0)
    fail_msg("%s fgemm mr %d nr %d k %d in %d runs, clamp [%g, %g]%s: element %ld (row %ld) is "
             "%a, want %a",
             spry_isa_name(isa), (int)fc->mr, (int)fc->nr, (int)fc->k,
             (int)fc->segments, (double)fc->lo,
             (double)fc->hi, fc->specials ? " with NaN/inf" : "", bad % (long)c_stride,
             bad / (long)c_stride, (double)got[bad], (double)want[bad]);
  if (fc->k == 0 && fc->nr > 1 && fc->lo == 0.0f && fc->hi > 0.0f) assert_true(signbit(got[1]));
#if defined(SPRY_HAVE_AVX2)
  /* avx512vnni adds in AVX2's order: the same floats, bit for bit. */
  if (isa == SPRY_ISA_AVX512_VNNI && k != &spry_gemm_avx2) {
    memset(want, 0x7B, c_values * sizeof *want);
    fgemm_by_mr_rows(spry_gemm_avx2.fgemm, fc, a, a_stride, b, bias, want, c_stride);
    if (memcmp(want, got, c_values * sizeof *want) != 0)
      fail_msg("avx512vnni fgemm mr %d nr %d k %d: not AVX2's floats bit for bit", (int)fc->mr,
               (int)fc->nr, (int)fc->k);
  }
#endif
  free(a);
  free(b);
  free(want);
  free(got);
}

static void test_fgemm(void **state) {
  (void)state;
  static const int32_t depths[] = {0, 1, 2, 3, 5, 8, 16, 17, 31, 64, 129};
  static const float bounds[][2] = {{-FLT_MAX, FLT_MAX}, {0.0f, FLT_MAX}, {0.0f, 6.0f},
                                    {-0.25f, 0.25f},     {-INFINITY, INFINITY}};
  SpryIsa isas[SPRY_ISA_COUNT];
  const int n = simd_isas(isas);
  for (int i = 0; i < n; i++) {
    const SpryGemmKernels *k = spry_gemm_kernels(isas[i]);
    for (size_t d = 0; d < sizeof depths / sizeof depths[0]; d++)
      for (int32_t mr = 1; mr <= k->fgemm_rows; mr++)
        for (int32_t nr = 1; nr <= SPRY_GEMM_NR; nr++)
          for (int specials = 0; specials < 2; specials++) {
            const size_t bi = (d + (size_t)nr + (size_t)specials) % 5;
            /* Depths that split into runs also go as 3 runs (a 3-row filter). */
            const int32_t segments = depths[d] % 3 == 0 && (nr + specials) % 2 ? 3 : 1;
            const FgemmCase fc = {mr, nr, depths[d], bounds[bi][0], bounds[bi][1], specials,
                                  segments};
            check_fgemm(k, isas[i], &fc);
          }
  }
}

/* The clamp's edge semantics, bit for bit (k = 0: the results are the
 * bias): NaN bounds let values through, crossed bounds pick hi. */
static void test_fgemm_clamp_edges(void **state) {
  (void)state;
  static const float bounds[][2] = {{NAN, NAN}, {NAN, 1.0f}, {0.0f, NAN}, {1.0f, 0.0f},
                                    {0.0f, 0.0f}, {-0.0f, 0.0f}};
  SpryIsa isas[SPRY_ISA_COUNT];
  const int n = simd_isas(isas);
  for (int i = 0; i < n; i++)
    for (size_t b = 0; b < sizeof bounds / sizeof bounds[0]; b++)
      for (int32_t nr = 1; nr <= SPRY_GEMM_NR; nr += 5) {
        const FgemmCase fc = {spry_gemm_kernels(isas[i])->fgemm_rows, nr, 0, bounds[b][0],
                              bounds[b][1], true, 1};
        check_fgemm(spry_gemm_kernels(isas[i]), isas[i], &fc);
      }
}

/* ---- Op-level sweep ------------------------------------------------------------------- */

#define MAX_CHANNELS 64

enum { QUANT_TYPICAL, QUANT_LARGE, QUANT_SMALL, QUANT_COUNT };

typedef struct OpSpec {
  int32_t code; /* 3: CONV_2D, 9: FULLY_CONNECTED */
  SpryType type;
  int32_t batches, in_h, in_w, in_c, out_c, filter_h, filter_w;
  int32_t stride_h, stride_w, dilation_h, dilation_w;
  int padding, activation;
  bool bias;
  int quant;
} OpSpec;

/* A node's tensors (input, filter, bias, output) with the data they own. */
typedef struct OpTensors {
  SpryTensor t[4];
  float scales[4][MAX_CHANNELS];
  int32_t zero_points[4][MAX_CHANNELS];
} OpTensors;

static void describe(const OpSpec *s, char *out, size_t size) {
  snprintf(out, size,
           "%s %s b%d %dx%dx%d -> %d, filter %dx%d stride %d/%d dilation %d/%d %s act %d%s "
           "quant %d",
           s->code == 3 ? "CONV_2D" : "FULLY_CONNECTED", spry_type_name(s->type), (int)s->batches,
           (int)s->in_h, (int)s->in_w, (int)s->in_c, (int)s->out_c, (int)s->filter_h,
           (int)s->filter_w, (int)s->stride_h, (int)s->stride_w, (int)s->dilation_h,
           (int)s->dilation_w, s->padding == SPRY_PADDING_SAME ? "SAME" : "VALID", s->activation,
           s->bias ? "" : " no bias", s->quant);
}

static void set_quant(OpTensors *ot, int i, int32_t channels, const float *scales,
                      const int32_t *zero_points) {
  SpryQuantization *q = &ot->t[i].quant;
  memcpy(ot->scales[i], scales, (size_t)channels * sizeof *scales);
  memcpy(ot->zero_points[i], zero_points, (size_t)channels * sizeof *zero_points);
  *q = (SpryQuantization){.scale = scales[0],
                          .zero_point = zero_points[0],
                          .num_channels = channels,
                          .quantized_dimension = 0,
                          .scales = ot->scales[i],
                          .zero_points = ot->zero_points[i]};
}

static void set_per_tensor(OpTensors *ot, int i, float scale, int32_t zero_point) {
  set_quant(ot, i, 1, &scale, &zero_point);
}

/* Scales and zero points: TYPICAL ones, LARGE multipliers (up to ~2^6:
 * left shifts, many outputs saturate) or SMALL ones (down to ~2^-31), zero
 * points at the ends of their ranges for the extreme sets. int8 weights
 * are per channel, with scales spread over decades. */
static void quantize_tensors(const OpSpec *s, OpTensors *ot) {
  const bool u8 = s->type == SPRY_TYPE_UINT8;
  static const float in_scale[QUANT_COUNT] = {0.05f, 0.5f, 1e-3f};
  static const float out_scale[QUANT_COUNT] = {0.2f, 0.01f, 10.0f};
  const int32_t lo = u8 ? 0 : -128, hi = u8 ? 255 : 127;
  const int32_t in_zp[QUANT_COUNT] = {u8 ? 128 : -3, lo, hi};
  const int32_t out_zp[QUANT_COUNT] = {u8 ? 100 : 5, hi, lo};
  set_per_tensor(ot, 0, in_scale[s->quant], in_zp[s->quant]);
  set_per_tensor(ot, 3, out_scale[s->quant], out_zp[s->quant]);
  if (u8) {
    static const float filter_scale[QUANT_COUNT] = {0.01f, 0.8f, 1e-5f};
    const int32_t filter_zp[QUANT_COUNT] = {120, 255, 0};
    set_per_tensor(ot, 1, filter_scale[s->quant], filter_zp[s->quant]);
  } else if (s->code == 9 && s->quant == QUANT_LARGE) {
    /* FULLY_CONNECTED applies a per-tensor int8 filter's zero point. */
    set_per_tensor(ot, 1, 0.9f, 127);
  } else {
    float scales[MAX_CHANNELS];
    const int32_t zeros[MAX_CHANNELS] = {0};
    /* SMALL stays above 2^-32 (shifts >= -31, the fast path's range). */
    static const float decades[QUANT_COUNT] = {1.0f, 5.0f, 1.5f};
    for (int32_t c = 0; c < s->out_c; c++)
      scales[c] = (s->quant == QUANT_SMALL ? 1e-4f : 1.0f) *
                  powf(10.0f, -decades[s->quant] * rnd_float(0, 1));
    set_quant(ot, 1, s->out_c, scales, zeros);
  }
  const float bias_scale = ot->t[0].quant.scale * ot->t[1].quant.scale;
  if (s->bias) set_per_tensor(ot, 2, bias_scale, 0);
}

static void shape(SpryTensor *t, SpryType type, int32_t rank, const int32_t *dims,
                  SpryTensorKind kind) {
  t->type = type;
  t->rank = rank;
  for (int32_t i = 0; i < rank; i++) t->dims[i] = dims[i];
  t->kind = kind;
  t->bytes = spry_type_size(type) * spry_tensor_elements(t);
  t->data = xmalloc(t->bytes);
}

static void fill_data(SpryTensor *t, bool extreme_bias) {
  const size_t n = spry_tensor_elements(t);
  for (size_t i = 0; i < n; i++) switch (t->type) {
      case SPRY_TYPE_FLOAT32:
        ((float *)t->data)[i] = rnd_float(-1.0f, 1.0f);
        break;
      case SPRY_TYPE_UINT8:
        ((uint8_t *)t->data)[i] = (uint8_t)rnd_range(0, 255);
        break;
      case SPRY_TYPE_INT8:
        ((int8_t *)t->data)[i] = (int8_t)rnd_range(-128, 127);
        break;
      default: /* int32 bias; the extreme sets put int32's ends on two channels */
        ((int32_t *)t->data)[i] = extreme_bias && i < 2 ? (i ? INT32_MIN : INT32_MAX)
                                                        : rnd_range(-65536, 65536);
        break;
    }
}

static void make_tensors(const OpSpec *s, OpTensors *ot) {
  memset(ot, 0, sizeof *ot);
  const SpryType bias_type = s->type == SPRY_TYPE_FLOAT32 ? SPRY_TYPE_FLOAT32 : SPRY_TYPE_INT32;
  if (s->code == 3) {
    const int32_t in[4] = {s->batches, s->in_h, s->in_w, s->in_c};
    const int32_t filter[4] = {s->out_c, s->filter_h, s->filter_w, s->in_c};
    shape(&ot->t[0], s->type, 4, in, SPRY_TENSOR_ARENA);
    shape(&ot->t[1], s->type, 4, filter, SPRY_TENSOR_CONSTANT);
  } else {
    const int32_t in[2] = {s->batches, s->in_c}, filter[2] = {s->out_c, s->in_c};
    shape(&ot->t[0], s->type, 2, in, SPRY_TENSOR_ARENA);
    shape(&ot->t[1], s->type, 2, filter, SPRY_TENSOR_CONSTANT);
  }
  if (s->bias) shape(&ot->t[2], bias_type, 1, &s->out_c, SPRY_TENSOR_CONSTANT);
  ot->t[3].type = s->type;
  ot->t[3].kind = SPRY_TENSOR_ARENA;
  for (int i = 0; i < 3; i++)
    if (ot->t[i].data) fill_data(&ot->t[i], s->quant != QUANT_TYPICAL);
  if (s->type != SPRY_TYPE_FLOAT32) quantize_tensors(s, ot);
}

static void free_tensors(OpTensors *ot) {
  for (int i = 0; i < 3; i++) free(ot->t[i].data);
}

/* One run's output and how much persistent memory its prepare took. */
typedef struct OpResult {
  void *output;
  size_t bytes;
  int32_t allocs;
} OpResult;

static void set_options(const OpSpec *s, SpryOptionsTable *o) {
  memset(o, 0, sizeof *o);
  if (s->code == 9) {
    mock_options_set(o, 0, s->activation);
    return;
  }
  mock_options_set(o, 0, s->padding);
  mock_options_set(o, 1, s->stride_w);
  mock_options_set(o, 2, s->stride_h);
  mock_options_set(o, 3, s->activation);
  mock_options_set(o, 4, s->dilation_w);
  mock_options_set(o, 5, s->dilation_h);
}

/* init, prepare and invoke of the node on a fresh mock context. */
static OpResult run_op(const OpSpec *s, const OpTensors *ot, SpryIsa isa, int32_t threads) {
  SpryTensor tensors[4];
  memcpy(tensors, ot->t, sizeof tensors);
  SpryContext ctx;
  mock_context_init(&ctx, tensors, 4);
  ctx.isa = isa;
  ctx.threads = threads;
  SpryOptionsTable options;
  set_options(s, &options);
  const int32_t inputs[3] = {0, 1, 2}, outputs[1] = {3};
  SpryNode node = {.inputs = inputs, .num_inputs = s->bias ? 3 : 2, .outputs = outputs,
                   .num_outputs = 1, .builtin_code = s->code, .options = &options};
  node.version = s->type == SPRY_TYPE_INT8 ? (s->code == 3 ? 3 : 4) : 1;
  const SpryOpRegistration *reg = s->code == 3 ? &spry_op_conv_2d : &spry_op_fully_connected;
  assert_int_equal(reg->init(&ctx, &node, &node.user_data), SPRY_OK);
  if (reg->prepare(&ctx, &node) != SPRY_OK) fail_msg("prepare failed: %s", ctx.message);
  OpResult r = {.output = xmalloc(tensors[3].bytes), .bytes = tensors[3].bytes,
                .allocs = ctx.num_allocs};
  memset(r.output, 0xA5, r.bytes); /* stale values must all be overwritten */
  tensors[3].data = r.output;
  if (reg->invoke(&ctx, &node) != SPRY_OK) fail_msg("invoke failed: %s", ctx.message);
  reg->free(&ctx, node.user_data);
  mock_context_release(&ctx);
  return r;
}

/* NULL when got matches want (exact bytes, or float tolerance), else what
 * differs, in `message`. */
static const char *compare_outputs(SpryType type, const OpResult *want, const OpResult *got,
                                   char *message, size_t size) {
  if (want->bytes != got->bytes) {
    snprintf(message, size, "%zu output bytes, want %zu", got->bytes, want->bytes);
    return message;
  }
  if (type == SPRY_TYPE_FLOAT32) {
    const size_t n = want->bytes / sizeof(float);
    const float *w = want->output, *g = got->output;
    const long bad = float_mismatch(w, g, n, max_finite(w, n));
    if (bad < 0) return NULL;
    snprintf(message, size, "element %ld is %g, want %g", bad, (double)g[bad], (double)w[bad]);
    return message;
  }
  const uint8_t *w = want->output, *g = got->output;
  for (size_t i = 0; i < want->bytes; i++)
    if (w[i] != g[i]) {
      snprintf(message, size, "byte %zu is 0x%02x, want 0x%02x", i, g[i], w[i]);
      return message;
    }
  return NULL;
}

/* Every fast variant with 1..3 threads against SPRY_ISA_REFERENCE. The fast
 * prepare packs the weights into persistent memory the reference prepare
 * does not take: more allocations show the fast path is in use. */
static void sweep_one(const OpSpec *s) {
  char name[256], message[128];
  describe(s, name, sizeof name);
  OpTensors ot;
  make_tensors(s, &ot);
  const OpResult want = run_op(s, &ot, SPRY_ISA_REFERENCE, 1);
  SpryIsa isas[SPRY_ISA_COUNT];
  const int n = fast_isas(isas);
  for (int i = 0; i < n; i++)
    for (int32_t threads = 1; threads <= 3; threads++) {
      OpResult got = run_op(s, &ot, isas[i], threads);
      if (got.allocs <= want.allocs)
        fail_msg("%s, %s, %d threads: the fast path was not taken", name,
                 spry_isa_name(isas[i]), (int)threads);
      if (compare_outputs(s->type, &want, &got, message, sizeof message))
        fail_msg("%s, %s, %d threads: %s", name, spry_isa_name(isas[i]), (int)threads, message);
      free(got.output);
    }
  free(want.output);
  free_tensors(&ot);
}

typedef struct ConvGeometry {
  int32_t batches, in_h, in_w, in_c, out_c, filter_h, filter_w, stride, dilation_h, dilation_w;
  int padding;
} ConvGeometry;

/* Odd sizes, channel counts off the 16-column blocks (1, 3, 17, 33), 1x1 /
 * 3x3 / 5x3 / 3x7 / 10x8 filters (one wider than its image, so a row's taps
 * start and end in the padding), strides 1 and 2, dilations 1 and 2, both paddings,
 * batches 1 and 2, one image of 320 output rows (several tiles), and
 * pointwise ones whose depth is whole quads (the 8-bit layout multiplies
 * the input in place). */
static const ConvGeometry k_conv[] = {
    {1, 7, 9, 1, 17, 3, 3, 1, 1, 1, SPRY_PADDING_SAME},
    {2, 5, 6, 3, 33, 5, 3, 2, 1, 1, SPRY_PADDING_SAME},
    {1, 9, 8, 17, 3, 1, 1, 1, 1, 1, SPRY_PADDING_VALID},
    {2, 8, 7, 33, 16, 3, 3, 2, 2, 2, SPRY_PADDING_SAME},
    {1, 11, 6, 3, 1, 5, 3, 1, 2, 1, SPRY_PADDING_VALID},
    {1, 10, 10, 16, 48, 1, 1, 2, 1, 1, SPRY_PADDING_SAME},
    {2, 4, 5, 17, 33, 3, 3, 1, 1, 2, SPRY_PADDING_SAME},
    {1, 16, 20, 3, 17, 3, 3, 1, 1, 1, SPRY_PADDING_SAME},
    {1, 9, 7, 33, 1, 5, 3, 2, 2, 2, SPRY_PADDING_VALID},
    {2, 5, 7, 12, 20, 1, 1, 1, 1, 1, SPRY_PADDING_SAME},
    {1, 3, 11, 24, 3, 1, 1, 1, 1, 1, SPRY_PADDING_VALID},
    {1, 4, 3, 2, 5, 3, 7, 1, 1, 1, SPRY_PADDING_SAME},     /* filter wider than the image */
    {1, 49, 40, 1, 8, 10, 8, 2, 1, 1, SPRY_PADDING_SAME}, /* micro_speech's one-byte taps */
};

static void sweep_conv(SpryType type) {
  static const int activations[] = {SPRY_ACTIVATION_NONE, SPRY_ACTIVATION_RELU,
                                    SPRY_ACTIVATION_RELU6};
  int index = 0;
  for (size_t g = 0; g < sizeof k_conv / sizeof k_conv[0]; g++)
    for (int q = 0; q < (type == SPRY_TYPE_FLOAT32 ? 1 : QUANT_COUNT); q++, index++) {
      const ConvGeometry *c = &k_conv[g];
      const OpSpec s = {.code = 3, .type = type, .batches = c->batches, .in_h = c->in_h,
                        .in_w = c->in_w, .in_c = c->in_c, .out_c = c->out_c,
                        .filter_h = c->filter_h, .filter_w = c->filter_w, .stride_h = c->stride,
                        .stride_w = c->stride, .dilation_h = c->dilation_h,
                        .dilation_w = c->dilation_w, .padding = c->padding,
                        .activation = activations[(g + (size_t)q) % 3], .bias = index % 4 != 3,
                        .quant = q};
      sweep_one(&s);
    }
}

/* Batches x depth -> units, the last ones split over threads by columns. */
static const int32_t k_fc[][3] = {{1, 1, 17}, {2, 33, 3}, {5, 17, 33}, {3, 64, 16},
                                  {1, 100, 1}, {9, 7, 40}, {1, 48, 64}};

static void sweep_fully_connected(SpryType type) {
  static const int activations[] = {SPRY_ACTIVATION_NONE, SPRY_ACTIVATION_RELU,
                                    SPRY_ACTIVATION_RELU6};
  int index = 0;
  for (size_t g = 0; g < sizeof k_fc / sizeof k_fc[0]; g++)
    for (int q = 0; q < (type == SPRY_TYPE_FLOAT32 ? 1 : QUANT_COUNT); q++, index++) {
      const OpSpec s = {.code = 9, .type = type, .batches = k_fc[g][0], .in_h = 1, .in_w = 1,
                        .in_c = k_fc[g][1], .out_c = k_fc[g][2], .filter_h = 1, .filter_w = 1,
                        .stride_h = 1, .stride_w = 1, .dilation_h = 1, .dilation_w = 1,
                        .padding = SPRY_PADDING_VALID,
                        .activation = activations[(g + (size_t)q) % 3], .bias = index % 3 != 2,
                        .quant = q};
      sweep_one(&s);
    }
}

static void test_conv_f32(void **state) {
  (void)state;
  sweep_conv(SPRY_TYPE_FLOAT32);
}

static void test_conv_s8(void **state) {
  (void)state;
  sweep_conv(SPRY_TYPE_INT8);
}

static void test_conv_u8(void **state) {
  (void)state;
  sweep_conv(SPRY_TYPE_UINT8);
}

static void test_fully_connected_f32(void **state) {
  (void)state;
  sweep_fully_connected(SPRY_TYPE_FLOAT32);
}

static void test_fully_connected_s8(void **state) {
  (void)state;
  sweep_fully_connected(SPRY_TYPE_INT8);
}

static void test_fully_connected_u8(void **state) {
  (void)state;
  sweep_fully_connected(SPRY_TYPE_UINT8);
}

/* The comparison catches a wrong output: one byte off by one (quantized),
 * one element off by more than the tolerance, or a NaN (float). */
static void test_corruption_is_caught(void **state) {
  (void)state;
  static const SpryType types[] = {SPRY_TYPE_FLOAT32, SPRY_TYPE_INT8, SPRY_TYPE_UINT8};
  SpryIsa isas[SPRY_ISA_COUNT];
  const int n = fast_isas(isas);
  char message[128];
  for (size_t t = 0; t < 3; t++) {
    const ConvGeometry *c = &k_conv[1];
    const OpSpec s = {.code = 3, .type = types[t], .batches = c->batches, .in_h = c->in_h,
                      .in_w = c->in_w, .in_c = c->in_c, .out_c = c->out_c,
                      .filter_h = c->filter_h, .filter_w = c->filter_w, .stride_h = c->stride,
                      .stride_w = c->stride, .dilation_h = 1, .dilation_w = 1,
                      .padding = c->padding, .bias = true, .quant = QUANT_TYPICAL};
    OpTensors ot;
    make_tensors(&s, &ot);
    const OpResult want = run_op(&s, &ot, SPRY_ISA_REFERENCE, 1);
    OpResult got = run_op(&s, &ot, isas[n - 1], 2);
    assert_null(compare_outputs(s.type, &want, &got, message, sizeof message));
    const size_t at = got.bytes / 2;
    if (s.type == SPRY_TYPE_FLOAT32) {
      float *g = got.output;
      const size_t i = at / sizeof(float);
      g[i] += (float)(4 * FLOAT_TOLERANCE * (1.0 + max_finite(want.output, want.bytes / 4)));
      assert_non_null(compare_outputs(s.type, &want, &got, message, sizeof message));
      g[i] = NAN;
      assert_non_null(compare_outputs(s.type, &want, &got, message, sizeof message));
    } else {
      ((uint8_t *)got.output)[at] ^= 1;
      assert_non_null(compare_outputs(s.type, &want, &got, message, sizeof message));
    }
    free(got.output);
    free(want.output);
    free_tensors(&ot);
  }
}

int main(void) {
  static const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_dispatch),
      cmocka_unit_test(test_qgemm_acc),
      cmocka_unit_test(test_qgemm_acc_wraps),
      cmocka_unit_test(test_qgemm8_acc),
      cmocka_unit_test(test_qgemm8_acc_wraps),
      cmocka_unit_test(test_qgemm8_pack),
      cmocka_unit_test(test_qgemm_requant),
      cmocka_unit_test(test_qgemm_requant_ties),
      cmocka_unit_test(test_qgemm_shifts_derive),
      cmocka_unit_test(test_qgemm_pack),
      cmocka_unit_test(test_qgemm_widen),
      cmocka_unit_test(test_fgemm),
      cmocka_unit_test(test_fgemm_clamp_edges),
      cmocka_unit_test(test_conv_f32),
      cmocka_unit_test(test_conv_s8),
      cmocka_unit_test(test_conv_u8),
      cmocka_unit_test(test_fully_connected_f32),
      cmocka_unit_test(test_fully_connected_s8),
      cmocka_unit_test(test_fully_connected_u8),
      cmocka_unit_test(test_corruption_is_caught),
  };
  return cmocka_run_group_tests_name("fast_gemm", tests, NULL, NULL);
}
