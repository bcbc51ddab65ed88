/* SPDX-License-Identifier: Apache-2.0 */
/*
 * depthwise_avx512vnni.c — AVX-512 depthwise pixel kernels for x86-64 CPUs
 * with VNNI (compiled with the avx512vnni library's flags, run only where
 * the CPU and the OS support them). A block of 16 channels is one ZMM
 * register of 16 int32 (or float) lanes, channel c in lane c.
 *
 * Quantized: VPDPWSSD adds the products of each lane's two int16 halves
 * with the packed weight pair of that channel (depthwise.h's layout for one
 * tap pair of one block is exactly one ZMM register), wrapping as the
 * reference's int32 sums do. The pair of activations is built without
 * VPMOVSXBW's 32-lane widen of interleaved bytes, which costs four shuffles
 * on the one shuffle port: each tap's 16 bytes are widened straight to
 * int32 lanes (one shuffle each), the second tap's moved to the upper
 * halves by a shift and merged by a bitwise select, which run on the other
 * port. The row kernel takes two pixels × two blocks at a time (four
 * independent sums sharing each weight load); the pixel kernel, for the
 * image's edges, a block at a time; a partial block is read and written
 * with masked loads and stores. The requantization is requant_avx512.h's.
 *
 * Float: one FMA per tap and 16 channels; even and odd taps go to separate
 * sums, added at the end, so every channel's sum is the AVX2 kernel's, in
 * the same order, bit for bit.
 */
#include <immintrin.h>

#include "depthwise.h"
#include "dot_avx512.h"
#include "requant_avx512.h"

/* 16 bytes of int8 or uint8 as 16 int32 lanes; only the bytes in `lanes`
 * are read (a masked load never touches the others, and costs an extra
 * instruction, so whole blocks — lanes a constant 0xFFFF once inlined —
 * take the plain one), the rest are 0. */
SPRY_DW_INLINE __m512i widen(const uint8_t *bytes, __mmask16 lanes, bool u8) {
  const __m128i v = lanes == 0xFFFF ? _mm_loadu_si128((const __m128i *)bytes)
                                    : _mm_maskz_loadu_epi8(lanes, bytes);
  return u8 ? _mm512_cvtepu8_epi32(v) : _mm512_cvtepi8_epi32(v);
}

/* Channel c of x0 and x1 as lane c's low and high int16: the operand that
 * meets the packed weight pairs. The low halves are taken by a bitwise
 * select (VPTERNLOGD), which unlike a masked blend leaves the register
 * allocator free to keep the sums in place. */
SPRY_DW_INLINE __m512i tap_pair(const uint8_t *x0, const uint8_t *x1, __mmask16 lanes, bool u8) {
  const __m512i high = _mm512_slli_epi32(widen(x1, lanes, u8), 16);
  /* 0xD8: the second operand's bits where the third's are set, else the
   * first's. */
  return _mm512_ternarylogic_epi32(high, widen(x0, lanes, u8), _mm512_set1_epi32(0xFFFF), 0xD8);
}

static inline __m512i load_pair_weights(const int16_t *w) { return _mm512_loadu_si512(w); }

/* Two independent int32 sums. */
typedef struct BlockSums {
  __m512i a, b;
} BlockSums;

/* Sums of 16 channels at byte offsets at_a and at_b of every tap, whose
 * weights start at wa and wb (one block of two pixels). */
SPRY_DW_INLINE BlockSums two_sums(const void *const *taps, size_t at_a, size_t at_b,
                                  int32_t pairs, const int16_t *wa, const int16_t *wb, bool u8) {
  __m512i a = _mm512_setzero_si512(), b = a;
  for (int32_t p = 0; p < pairs; p++, wa += 2 * SPRY_DW_BLOCK, wb += 2 * SPRY_DW_BLOCK) {
    const uint8_t *x0 = taps[2 * p], *x1 = taps[2 * p + 1];
    a = dpwssd(a, tap_pair(x0 + at_a, x1 + at_a, 0xFFFF, u8), load_pair_weights(wa));
    b = dpwssd(b, tap_pair(x0 + at_b, x1 + at_b, 0xFFFF, u8), load_pair_weights(wb));
  }
  return (BlockSums){a, b};
}

/* One block's sums, reading only the channels in `lanes` (masked loads,
 * which never touch the bytes outside them). */
SPRY_DW_INLINE __m512i block_sums(const void *const *taps, size_t at, int32_t pairs,
                                  const int16_t *w, __mmask16 lanes, bool u8) {
  __m512i s = _mm512_setzero_si512();
  for (int32_t p = 0; p < pairs; p++, w += 2 * SPRY_DW_BLOCK) {
    const uint8_t *x0 = (const uint8_t *)taps[2 * p] + at;
    const uint8_t *x1 = (const uint8_t *)taps[2 * p + 1] + at;
    s = dpwssd(s, tap_pair(x0, x1, lanes, u8), load_pair_weights(w));
  }
  return s;
}

/* Two blocks (at, at + 16) of two pixels (step bytes apart): four sums,
 * each weight load shared by two of them. */
typedef struct FourBlockSums {
  __m512i a, b, next_a, next_b;
} FourBlockSums;

SPRY_DW_INLINE FourBlockSums two_pixel_sums(const void *const *taps, size_t at, size_t step,
                                            int32_t pairs, const int16_t *wa, const int16_t *wb,
                                            bool u8) {
  /* Plain variables, not the struct's members: GCC 12 copies members
   * through another register around every multiply-add. */
  __m512i a = _mm512_setzero_si512(), b = a, next_a = a, next_b = a;
  for (int32_t p = 0; p < pairs; p++, wa += 2 * SPRY_DW_BLOCK, wb += 2 * SPRY_DW_BLOCK) {
    const uint8_t *x0 = (const uint8_t *)taps[2 * p] + at;
    const uint8_t *x1 = (const uint8_t *)taps[2 * p + 1] + at;
    const __m512i va = load_pair_weights(wa), vb = load_pair_weights(wb);
    a = dpwssd(a, tap_pair(x0, x1, 0xFFFF, u8), va);
    b = dpwssd(b, tap_pair(x0 + SPRY_DW_BLOCK, x1 + SPRY_DW_BLOCK, 0xFFFF, u8), vb);
    next_a = dpwssd(next_a, tap_pair(x0 + step, x1 + step, 0xFFFF, u8), va);
    next_b = dpwssd(
        next_b, tap_pair(x0 + step + SPRY_DW_BLOCK, x1 + step + SPRY_DW_BLOCK, 0xFFFF, u8), vb);
  }
  return (FourBlockSums){a, b, next_a, next_b};
}

/* Channel block `block`'s sums as output bytes at out (the channels in
 * `lanes`). */
SPRY_DW_INLINE void store_block(__m512i sums, const SpryQgemmOutput *o, int32_t block,
                               __mmask16 lanes, uint8_t *out) {
  const RequantColumns16 k = requant_columns16(o, block * SPRY_DW_BLOCK, 0xFFFF);
  _mm_mask_storeu_epi8(out, lanes, requant_bytes16(sums, &k, o));
}

/* The same block of two pixels, its constants loaded once. */
SPRY_DW_INLINE void store_block_twice(__m512i sums, __m512i next, const SpryQgemmOutput *o,
                                     int32_t block, uint8_t *out, uint8_t *next_out) {
  const RequantColumns16 k = requant_columns16(o, block * SPRY_DW_BLOCK, 0xFFFF);
  _mm_storeu_si128((__m128i *)out, requant_bytes16(sums, &k, o));
  _mm_storeu_si128((__m128i *)next_out, requant_bytes16(next, &k, o));
}

/* Code size. The type only changes how activations are widened, so each
 * kernel below is one function that picks between two inlined copies of
 * its multiply loop and has one copy of the requantization: with a copy
 * of everything per type, the library's selective build grew by 12 KB. */

/* Blocks [first, first + blocks) of one pixel, a block at a time, the
 * last one's channels limited to `last` (the image's edges, odd last
 * pixels of a row, partial blocks). Tap t's block b is at taps[t] + base +
 * b * 16 bytes. */
static __attribute__((noinline)) void quantized_blocks(const SpryDepthwise *d,
                                                       const void *const *taps, size_t base,
                                                       int32_t first, int32_t blocks,
                                                       __mmask16 last, uint8_t *out, bool u8) {
  const int32_t pairs = d->tap_slots / 2;
  const size_t block_weights = (size_t)pairs * 2 * SPRY_DW_BLOCK;
  const int16_t *w = (const int16_t *)d->weights + (size_t)first * block_weights;
  for (int32_t b = 0; b < blocks; b++, w += block_weights) {
    const size_t at = (size_t)b * SPRY_DW_BLOCK;
    const __mmask16 lanes = b + 1 == blocks ? last : 0xFFFF;
    const __m512i sums = u8 ? block_sums(taps, base + at, pairs, w, lanes, true)
                            : block_sums(taps, base + at, pairs, w, lanes, false);
    store_block(sums, &d->output, first + b, lanes, out + at);
  }
}

static void s8_pixel(const SpryDepthwise *d, const void *const *taps, int32_t first,
                     int32_t blocks, void *out) {
  quantized_blocks(d, taps, 0, first, blocks, 0xFFFF, out, false);
}

static void u8_pixel(const SpryDepthwise *d, const void *const *taps, int32_t first,
                     int32_t blocks, void *out) {
  quantized_blocks(d, taps, 0, first, blocks, 0xFFFF, out, true);
}

/* SpryDwTailFn: the partial block straight from the taps, no copies. */
static void s8_tail(const SpryDepthwise *d, const void *const *taps, int32_t block,
                    int32_t channels, void *out) {
  quantized_blocks(d, taps, (size_t)block * SPRY_DW_BLOCK, block, 1,
                   requant_first_lanes(channels), out, false);
}

static void u8_tail(const SpryDepthwise *d, const void *const *taps, int32_t block,
                    int32_t channels, void *out) {
  quantized_blocks(d, taps, (size_t)block * SPRY_DW_BLOCK, block, 1,
                   requant_first_lanes(channels), out, true);
}

/* Two pixels at a time (SpryDwRowFn): pairs of blocks as four sums, an odd
 * block as two. An odd last pixel is left to the caller. */
static __attribute__((noinline)) int32_t quantized_row(const SpryDepthwise *d,
                                                       const void *const *taps, size_t step,
                                                       int32_t pixels, int32_t blocks, void *out,
                                                       size_t out_step, bool u8) {
  const int32_t pairs = d->tap_slots / 2;
  const size_t block_weights = (size_t)pairs * 2 * SPRY_DW_BLOCK;
  uint8_t *o = out;
  int32_t k = 0;
  for (; k + 2 <= pixels; k += 2, o += 2 * out_step) {
    const size_t pixel = (size_t)k * step;
    const int16_t *w = d->weights;
    int32_t b = 0;
    for (; b + 2 <= blocks; b += 2, w += 2 * block_weights) {
      const size_t at = (size_t)b * SPRY_DW_BLOCK;
      const int16_t *wb = w + block_weights;
      const FourBlockSums s = u8 ? two_pixel_sums(taps, pixel + at, step, pairs, w, wb, true)
                                 : two_pixel_sums(taps, pixel + at, step, pairs, w, wb, false);
      store_block_twice(s.a, s.next_a, &d->output, b, o + at, o + out_step + at);
      store_block_twice(s.b, s.next_b, &d->output, b + 1, o + at + SPRY_DW_BLOCK,
                        o + out_step + at + SPRY_DW_BLOCK);
    }
    if (b < blocks) {
      const size_t at = pixel + (size_t)b * SPRY_DW_BLOCK;
      const BlockSums s = u8 ? two_sums(taps, at, at + step, pairs, w, w, true)
                             : two_sums(taps, at, at + step, pairs, w, w, false);
      const size_t out_at = (size_t)b * SPRY_DW_BLOCK;
      store_block_twice(s.a, s.b, &d->output, b, o + out_at, o + out_step + out_at);
    }
  }
  return k;
}

static int32_t s8_row(const SpryDepthwise *d, const void *const *taps, size_t step,
                      int32_t pixels, int32_t blocks, void *out, size_t out_step) {
  return quantized_row(d, taps, step, pixels, blocks, out, out_step, false);
}

static int32_t u8_row(const SpryDepthwise *d, const void *const *taps, size_t step,
                      int32_t pixels, int32_t blocks, void *out, size_t out_step) {
  return quantized_row(d, taps, step, pixels, blocks, out, out_step, true);
}

/* The sum of a block's taps in the AVX2 kernel's order: even and odd taps
 * apart, then added. Only the channels in `lanes` are read (masked loads
 * never touch the others). */
/* 16 floats, or only those in `lanes`: a masked load costs an extra
 * instruction per tap, so whole blocks (lanes a constant 0xFFFF once
 * inlined) take the plain one. */
static inline __m512 load_lanes(const float *p, __mmask16 lanes) {
  return lanes == 0xFFFF ? _mm512_loadu_ps(p) : _mm512_maskz_loadu_ps(lanes, p);
}

static inline __m512 f32_block_sum(const void *const *taps, size_t at, int32_t n, const float *w,
                                   __mmask16 lanes) {
  __m512 even = _mm512_setzero_ps(), odd = even;
  int32_t t = 0;
  for (; t + 2 <= n; t += 2, w += 2 * SPRY_DW_BLOCK) {
    even = _mm512_fmadd_ps(load_lanes((const float *)taps[t] + at, lanes), _mm512_loadu_ps(w),
                           even);
    odd = _mm512_fmadd_ps(load_lanes((const float *)taps[t + 1] + at, lanes),
                          _mm512_loadu_ps(w + SPRY_DW_BLOCK), odd);
  }
  if (t < n)
    even = _mm512_fmadd_ps(load_lanes((const float *)taps[t] + at, lanes), _mm512_loadu_ps(w),
                           even);
  return _mm512_add_ps(even, odd);
}

/* Four sums, each in f32_block_sum's order. One block has only its two
 * chains of dependent FMAs; four give the two FMA ports eight. */
typedef struct FourSums {
  __m512 a, b, c, d;
} FourSums;

static inline __m512 tap_fma(const void *tap, size_t at, const float *w, __m512 acc) {
  return _mm512_fmadd_ps(_mm512_loadu_ps((const float *)tap + at), _mm512_loadu_ps(w), acc);
}

/* Four blocks of a pixel (at, at + 16, ...; weights block_weights apart). */
static inline FourSums f32_four_block_sums(const void *const *taps, size_t at, int32_t n,
                                           const float *w, size_t block_weights) {
  const size_t wb = block_weights, b1 = SPRY_DW_BLOCK, b2 = 2 * SPRY_DW_BLOCK,
               b3 = 3 * SPRY_DW_BLOCK;
  const __m512 zero = _mm512_setzero_ps();
  __m512 ea = zero, eb = zero, ec = zero, ed = zero, oa = zero, ob = zero, oc = zero, od = zero;
  int32_t t = 0;
  for (; t + 2 <= n; t += 2, w += 2 * SPRY_DW_BLOCK) {
    const void *x0 = taps[t], *x1 = taps[t + 1];
    const float *v = w + SPRY_DW_BLOCK;
    ea = tap_fma(x0, at, w, ea);
    eb = tap_fma(x0, at + b1, w + wb, eb);
    ec = tap_fma(x0, at + b2, w + 2 * wb, ec);
    ed = tap_fma(x0, at + b3, w + 3 * wb, ed);
    oa = tap_fma(x1, at, v, oa);
    ob = tap_fma(x1, at + b1, v + wb, ob);
    oc = tap_fma(x1, at + b2, v + 2 * wb, oc);
    od = tap_fma(x1, at + b3, v + 3 * wb, od);
  }
  if (t < n) {
    const void *x0 = taps[t];
    ea = tap_fma(x0, at, w, ea);
    eb = tap_fma(x0, at + b1, w + wb, eb);
    ec = tap_fma(x0, at + b2, w + 2 * wb, ec);
    ed = tap_fma(x0, at + b3, w + 3 * wb, ed);
  }
  return (FourSums){_mm512_add_ps(ea, oa), _mm512_add_ps(eb, ob), _mm512_add_ps(ec, oc),
                    _mm512_add_ps(ed, od)};
}

/* One block (at floats past each tap) of four pixels whose taps are step
 * floats apart, sharing every weight load. */
static inline FourSums f32_four_pixel_sums(const void *const *taps, size_t at, size_t step,
                                           int32_t n, const float *w) {
  const size_t p1 = at + step, p2 = at + 2 * step, p3 = at + 3 * step;
  const __m512 zero = _mm512_setzero_ps();
  __m512 ea = zero, eb = zero, ec = zero, ed = zero, oa = zero, ob = zero, oc = zero, od = zero;
  int32_t t = 0;
  for (; t + 2 <= n; t += 2, w += 2 * SPRY_DW_BLOCK) {
    const void *x0 = taps[t], *x1 = taps[t + 1];
    const __m512 we = _mm512_loadu_ps(w), wo = _mm512_loadu_ps(w + SPRY_DW_BLOCK);
    ea = _mm512_fmadd_ps(_mm512_loadu_ps((const float *)x0 + at), we, ea);
    eb = _mm512_fmadd_ps(_mm512_loadu_ps((const float *)x0 + p1), we, eb);
    ec = _mm512_fmadd_ps(_mm512_loadu_ps((const float *)x0 + p2), we, ec);
    ed = _mm512_fmadd_ps(_mm512_loadu_ps((const float *)x0 + p3), we, ed);
    oa = _mm512_fmadd_ps(_mm512_loadu_ps((const float *)x1 + at), wo, oa);
    ob = _mm512_fmadd_ps(_mm512_loadu_ps((const float *)x1 + p1), wo, ob);
    oc = _mm512_fmadd_ps(_mm512_loadu_ps((const float *)x1 + p2), wo, oc);
    od = _mm512_fmadd_ps(_mm512_loadu_ps((const float *)x1 + p3), wo, od);
  }
  if (t < n) {
    const void *x0 = taps[t];
    const __m512 we = _mm512_loadu_ps(w);
    ea = _mm512_fmadd_ps(_mm512_loadu_ps((const float *)x0 + at), we, ea);
    eb = _mm512_fmadd_ps(_mm512_loadu_ps((const float *)x0 + p1), we, eb);
    ec = _mm512_fmadd_ps(_mm512_loadu_ps((const float *)x0 + p2), we, ec);
    ed = _mm512_fmadd_ps(_mm512_loadu_ps((const float *)x0 + p3), we, ed);
  }
  return (FourSums){_mm512_add_ps(ea, oa), _mm512_add_ps(eb, ob), _mm512_add_ps(ec, oc),
                    _mm512_add_ps(ed, od)};
}

/* Bias and clamp, then the block's outputs (the channels in `lanes`). NaN
 * passes as in the reference: MAXPS and MINPS return their second operand
 * when either is NaN. */
static inline void f32_store_block(__m512 sum, const float *bias, __m512 lo, __m512 hi,
                                   __mmask16 lanes, float *out) {
  const __m512 v = _mm512_add_ps(sum, _mm512_loadu_ps(bias));
  const __m512 clamped = _mm512_min_ps(hi, _mm512_max_ps(lo, v));
  if (lanes == 0xFFFF)
    _mm512_storeu_ps(out, clamped);
  else
    _mm512_mask_storeu_ps(out, lanes, clamped);
}

static void f32_pixel(const SpryDepthwise *d, const void *const *taps, int32_t first,
                      int32_t blocks, void *out) {
  const size_t block_weights = (size_t)d->taps * SPRY_DW_BLOCK;
  const float *w = (const float *)d->weights + (size_t)first * block_weights;
  const float *bias = d->bias_f + (size_t)first * SPRY_DW_BLOCK;
  const __m512 lo = _mm512_set1_ps(d->params.act_min_f), hi = _mm512_set1_ps(d->params.act_max_f);
  float *o = out;
  int32_t b = 0;
  for (; b + 4 <= blocks; b += 4, w += 4 * block_weights, bias += 4 * SPRY_DW_BLOCK) {
    const size_t at = (size_t)b * SPRY_DW_BLOCK;
    const FourSums s = f32_four_block_sums(taps, at, d->taps, w, block_weights);
    f32_store_block(s.a, bias, lo, hi, 0xFFFF, o + at);
    f32_store_block(s.b, bias + SPRY_DW_BLOCK, lo, hi, 0xFFFF, o + at + SPRY_DW_BLOCK);
    f32_store_block(s.c, bias + 2 * SPRY_DW_BLOCK, lo, hi, 0xFFFF, o + at + 2 * SPRY_DW_BLOCK);
    f32_store_block(s.d, bias + 3 * SPRY_DW_BLOCK, lo, hi, 0xFFFF, o + at + 3 * SPRY_DW_BLOCK);
  }
  for (; b < blocks; b++, w += block_weights, bias += SPRY_DW_BLOCK) {
    const size_t at = (size_t)b * SPRY_DW_BLOCK;
    f32_store_block(f32_block_sum(taps, at, d->taps, w, 0xFFFF), bias, lo, hi, 0xFFFF, o + at);
  }
}

/* Four pixels at a time (SpryDwRowFn): each block as four sums that share
 * every weight load. For nodes of up to 3 whole blocks (f32_row_blocks):
 * wider pixels keep f32_pixel, whose four sums take four blocks of one
 * pixel; the taps of four wide pixels no longer fit in the L1 cache
 * together (DeepLab's 480 channels ran 6% slower this way). */
static int32_t f32_row(const SpryDepthwise *d, const void *const *taps, size_t step,
                       int32_t pixels, int32_t blocks, void *out, size_t out_step) {
  const size_t block_weights = (size_t)d->taps * SPRY_DW_BLOCK;
  const __m512 lo = _mm512_set1_ps(d->params.act_min_f), hi = _mm512_set1_ps(d->params.act_max_f);
  /* In floats: a pixel's step and output step are whole floats. */
  const size_t step_f = step / sizeof(float), out_f = out_step / sizeof(float);
  int32_t k = 0;
  for (; k + 4 <= pixels; k += 4) {
    float *o = (float *)out + (size_t)k * out_f;
    for (int32_t b = 0; b < blocks; b++) {
      const size_t at = (size_t)k * step_f + (size_t)b * SPRY_DW_BLOCK;
      const float *w = (const float *)d->weights + (size_t)b * block_weights;
      const FourSums s = f32_four_pixel_sums(taps, at, step_f, d->taps, w);
      const float *bias = d->bias_f + (size_t)b * SPRY_DW_BLOCK;
      float *first = o + (size_t)b * SPRY_DW_BLOCK;
      f32_store_block(s.a, bias, lo, hi, 0xFFFF, first);
      f32_store_block(s.b, bias, lo, hi, 0xFFFF, first + out_f);
      f32_store_block(s.c, bias, lo, hi, 0xFFFF, first + 2 * out_f);
      f32_store_block(s.d, bias, lo, hi, 0xFFFF, first + 3 * out_f);
    }
  }
  return k;
}

/* SpryDwTailFn: the partial block straight from the taps, no copies. */
static void f32_tail(const SpryDepthwise *d, const void *const *taps, int32_t block,
                     int32_t channels, void *out) {
  const size_t block_weights = (size_t)d->taps * SPRY_DW_BLOCK;
  const __mmask16 lanes = requant_first_lanes(channels);
  const __m512 lo = _mm512_set1_ps(d->params.act_min_f), hi = _mm512_set1_ps(d->params.act_max_f);
  const float *w = (const float *)d->weights + (size_t)block * block_weights;
  const __m512 sum = f32_block_sum(taps, (size_t)block * SPRY_DW_BLOCK, d->taps, w, lanes);
  f32_store_block(sum, d->bias_f + (size_t)block * SPRY_DW_BLOCK, lo, hi, lanes, out);
}

const SpryDwKernels spry_dw_avx512vnni = {.f32 = f32_pixel,
                                          .s8 = s8_pixel,
                                          .u8 = u8_pixel,
                                          .f32_row = f32_row,
                                          .f32_row_blocks = 3,
                                          .s8_row = s8_row,
                                          .u8_row = u8_row,
                                          .f32_tail = f32_tail,
                                          .s8_tail = s8_tail,
                                          .u8_tail = u8_tail};
