/* SPDX-License-Identifier: Apache-2.0 */
/* signal_fft.c — fixed-point mixed-radix real FFT, bit-exact with TFLM's SignalRfft. */
#include "signal_fft.h"

#include <math.h>
#include <string.h>

/* Twiddle tables and the butterflies' shared arithmetic. */
typedef struct FftArith {
  int32_t bits; /* 16 or 32 */
  int64_t max;  /* 2^(bits-1) - 1 */
  int32_t frac; /* bits - 1 */
  const SpryFftCpx *tw;
  int32_t n; /* complex FFT length */
  SpryFftCpx *scratch;
} FftArith;

/* Truncates to a `bits`-bit two's complement value, as a store into an
 * int16_t / int32_t variable does in the original. */
static int32_t wrap_bits(int64_t v, int32_t bits) {
  const uint64_t mask = bits >= 32 ? 0xFFFFFFFFu : ((uint64_t)1 << bits) - 1;
  const uint64_t sign = (uint64_t)1 << (bits - 1);
  const uint64_t u = (uint64_t)v & mask;
  return (u & sign) ? (int32_t)((int64_t)u - (int64_t)(mask + 1)) : (int32_t)u;
}

/* Arithmetic right shift (floor division by 2^s) without relying on the
 * implementation's handling of negative operands. */
static int64_t shift_floor(int64_t v, int32_t s) {
  return v >= 0 ? v >> s : -((-(v + 1)) >> s) - 1;
}

static int32_t wrap(const FftArith *a, int64_t v) { return wrap_bits(v, a->bits); }

/* KISS FFT's sround(x): round half up at the fraction bits, then truncate. */
static int32_t round_frac(const FftArith *a, int64_t x) {
  return wrap(a, shift_floor(x + ((int64_t)1 << (a->frac - 1)), a->frac));
}

static int32_t smul(const FftArith *a, int32_t x, int32_t y) {
  return round_frac(a, (int64_t)x * y);
}

static SpryFftCpx cmul(const FftArith *a, SpryFftCpx x, SpryFftCpx y) {
  SpryFftCpx m;
  m.r = round_frac(a, (int64_t)x.r * y.r - (int64_t)x.i * y.i);
  m.i = round_frac(a, (int64_t)x.r * y.i + (int64_t)x.i * y.r);
  return m;
}

static SpryFftCpx cadd(const FftArith *a, SpryFftCpx x, SpryFftCpx y) {
  return (SpryFftCpx){wrap(a, (int64_t)x.r + y.r), wrap(a, (int64_t)x.i + y.i)};
}

static SpryFftCpx csub(const FftArith *a, SpryFftCpx x, SpryFftCpx y) {
  return (SpryFftCpx){wrap(a, (int64_t)x.r - y.r), wrap(a, (int64_t)x.i - y.i)};
}

/* Scales by 1/p the fixed-point way (multiply by MAX / p) to keep a
 * radix-p stage from overflowing. */
static void fixdiv(const FftArith *a, SpryFftCpx *c, int32_t p) {
  const int32_t k = (int32_t)(a->max / p);
  c->r = smul(a, c->r, k);
  c->i = smul(a, c->i, k);
}

static void bfly2(const FftArith *a, SpryFftCpx *f, int32_t fs, int32_t m) {
  for (int32_t k = 0; k < m; k++) {
    fixdiv(a, &f[k], 2);
    fixdiv(a, &f[k + m], 2);
    const SpryFftCpx t = cmul(a, f[k + m], a->tw[(size_t)k * fs]);
    f[k + m] = csub(a, f[k], t);
    f[k] = cadd(a, f[k], t);
  }
}

static void bfly4(const FftArith *a, SpryFftCpx *f, int32_t fs, int32_t m) {
  for (int32_t k = 0; k < m; k++) {
    SpryFftCpx *q0 = &f[k], *q1 = &f[k + m], *q2 = &f[k + 2 * m], *q3 = &f[k + 3 * m];
    fixdiv(a, q0, 4);
    fixdiv(a, q1, 4);
    fixdiv(a, q2, 4);
    fixdiv(a, q3, 4);
    const SpryFftCpx s0 = cmul(a, *q1, a->tw[(size_t)k * fs]);
    const SpryFftCpx s1 = cmul(a, *q2, a->tw[(size_t)2 * k * fs]);
    const SpryFftCpx s2 = cmul(a, *q3, a->tw[(size_t)3 * k * fs]);
    const SpryFftCpx s5 = csub(a, *q0, s1);
    *q0 = cadd(a, *q0, s1);
    const SpryFftCpx s3 = cadd(a, s0, s2), s4 = csub(a, s0, s2);
    *q2 = csub(a, *q0, s3);
    *q0 = cadd(a, *q0, s3);
    /* Forward transform: multiply the odd difference by -i. */
    q1->r = wrap(a, (int64_t)s5.r + s4.i);
    q1->i = wrap(a, (int64_t)s5.i - s4.r);
    q3->r = wrap(a, (int64_t)s5.r - s4.i);
    q3->i = wrap(a, (int64_t)s5.i + s4.r);
  }
}

static void bfly3(const FftArith *a, SpryFftCpx *f, int32_t fs, int32_t m) {
  const SpryFftCpx epi3 = a->tw[(size_t)fs * m];
  for (int32_t k = 0; k < m; k++) {
    SpryFftCpx *q0 = &f[k], *q1 = &f[k + m], *q2 = &f[k + 2 * m];
    fixdiv(a, q0, 3);
    fixdiv(a, q1, 3);
    fixdiv(a, q2, 3);
    const SpryFftCpx s1 = cmul(a, *q1, a->tw[(size_t)k * fs]);
    const SpryFftCpx s2 = cmul(a, *q2, a->tw[(size_t)2 * k * fs]);
    const SpryFftCpx s3 = cadd(a, s1, s2);
    SpryFftCpx s0 = csub(a, s1, s2);
    q1->r = wrap(a, q0->r - shift_floor(s3.r, 1));
    q1->i = wrap(a, q0->i - shift_floor(s3.i, 1));
    s0.r = smul(a, s0.r, epi3.i);
    s0.i = smul(a, s0.i, epi3.i);
    *q0 = cadd(a, *q0, s3);
    q2->r = wrap(a, (int64_t)q1->r + s0.i);
    q2->i = wrap(a, (int64_t)q1->i - s0.r);
    q1->r = wrap(a, (int64_t)q1->r - s0.i);
    q1->i = wrap(a, (int64_t)q1->i + s0.r);
  }
}

/* Two rotated sums of the radix-5 butterfly: c0 + x*u + y*v (real parts of
 * the twiddles ya, yb in either order). */
static SpryFftCpx bfly5_sum(const FftArith *a, SpryFftCpx c0, SpryFftCpx x, SpryFftCpx y, int32_t u,
                            int32_t v) {
  return (SpryFftCpx){wrap(a, (int64_t)c0.r + smul(a, x.r, u) + smul(a, y.r, v)),
                      wrap(a, (int64_t)c0.i + smul(a, x.i, u) + smul(a, y.i, v))};
}

static void bfly5(const FftArith *a, SpryFftCpx *f, int32_t fs, int32_t m) {
  const SpryFftCpx ya = a->tw[(size_t)fs * m], yb = a->tw[(size_t)fs * 2 * m];
  for (int32_t u = 0; u < m; u++) {
    SpryFftCpx *q[5];
    for (int32_t j = 0; j < 5; j++) {
      q[j] = &f[u + j * m];
      fixdiv(a, q[j], 5);
    }
    const SpryFftCpx s0 = *q[0];
    SpryFftCpx s[5];
    for (int32_t j = 1; j < 5; j++) s[j] = cmul(a, *q[j], a->tw[(size_t)j * u * fs]);
    const SpryFftCpx s7 = cadd(a, s[1], s[4]), s10 = csub(a, s[1], s[4]);
    const SpryFftCpx s8 = cadd(a, s[2], s[3]), s9 = csub(a, s[2], s[3]);
    q[0]->r = wrap(a, (int64_t)q[0]->r + s7.r + s8.r);
    q[0]->i = wrap(a, (int64_t)q[0]->i + s7.i + s8.i);
    const SpryFftCpx s5 = bfly5_sum(a, s0, s7, s8, ya.r, yb.r);
    const SpryFftCpx s6 = {wrap(a, (int64_t)smul(a, s10.i, ya.i) + smul(a, s9.i, yb.i)),
                           wrap(a, -(int64_t)smul(a, s10.r, ya.i) - smul(a, s9.r, yb.i))};
    *q[1] = csub(a, s5, s6);
    *q[4] = cadd(a, s5, s6);
    const SpryFftCpx s11 = bfly5_sum(a, s0, s7, s8, yb.r, ya.r);
    const SpryFftCpx s12 = {wrap(a, -(int64_t)smul(a, s10.i, yb.i) + smul(a, s9.i, ya.i)),
                            wrap(a, (int64_t)smul(a, s10.r, yb.i) - smul(a, s9.r, ya.i))};
    *q[2] = cadd(a, s11, s12);
    *q[3] = csub(a, s11, s12);
  }
}

/* Any other radix: a direct DFT of p points per output group. */
static void bfly_generic(const FftArith *a, SpryFftCpx *f, int32_t fs, int32_t m, int32_t p) {
  SpryFftCpx *scratch = a->scratch;
  for (int32_t u = 0; u < m; u++) {
    for (int32_t q = 0; q < p; q++) {
      scratch[q] = f[u + q * m];
      fixdiv(a, &scratch[q], p);
    }
    for (int32_t q1 = 0; q1 < p; q1++) {
      const int32_t k = u + q1 * m;
      int64_t twidx = 0;
      f[k] = scratch[0];
      for (int32_t q = 1; q < p; q++) {
        twidx += (int64_t)fs * k;
        if (twidx >= a->n) twidx -= a->n;
        f[k] = cadd(a, f[k], cmul(a, scratch[q], a->tw[twidx]));
      }
    }
  }
}

/* Decimation in time: p sub-transforms of length m on every p-th input,
 * then one radix-p recombination. */
static void fft_stage(const FftArith *a, SpryFftCpx *out, const SpryFftCpx *in, int32_t fs,
                      const int32_t *factors) {
  const int32_t p = factors[0], m = factors[1];
  for (int32_t q = 0; q < p; q++) {
    if (m == 1)
      out[q] = in[(size_t)q * fs];
    else
      fft_stage(a, out + (size_t)q * m, in + (size_t)q * fs, fs * p, factors + 2);
  }
  switch (p) {
    case 2:
      bfly2(a, out, fs, m);
      break;
    case 3:
      bfly3(a, out, fs, m);
      break;
    case 4:
      bfly4(a, out, fs, m);
      break;
    case 5:
      bfly5(a, out, fs, m);
      break;
    default:
      bfly_generic(a, out, fs, m, p);
      break;
  }
}

/* KISS FFT's factorisation: radix 4 first, then 2, then odd numbers up to
 * the square root of the length, then whatever remains. */
static int32_t factorize(int32_t n, int32_t *factors) {
  const double floor_sqrt = floor(sqrt((double)n));
  int32_t p = 4, count = 0;
  do {
    while (n % p) {
      p = p == 4 ? 2 : p == 2 ? 3 : p + 2;
      if (p > floor_sqrt) p = n;
    }
    n /= p;
    factors[2 * count] = p;
    factors[2 * count + 1] = n;
    count++;
  } while (n > 1 && count < SPRY_FFT_MAX_FACTORS);
  return count;
}

bool spry_rfft_sizes(int32_t length, size_t *plan_bytes, size_t *work_bytes) {
  if (length < 2 || (length & 1) || length > (1 << 24)) return false;
  const size_t half = (size_t)length / 2;
  *plan_bytes = (half + half / 2 + 1) * sizeof(SpryFftCpx);
  *work_bytes = 3 * half * sizeof(SpryFftCpx);
  return true;
}

static SpryFftCpx twiddle(double phase, int64_t max) {
  return (SpryFftCpx){(int32_t)floor(0.5 + (double)max * cos(phase)),
                      (int32_t)floor(0.5 + (double)max * sin(phase))};
}

void spry_rfft_plan_init(SpryRfftPlan *plan, int32_t length, int32_t bits, void *plan_memory) {
  const double pi = 3.14159265358979323846264338327950288;
  const int64_t max = bits == 16 ? INT16_MAX : INT32_MAX;
  plan->length = length;
  plan->half = length / 2;
  plan->bits = bits;
  plan->twiddles = plan_memory;
  plan->super = plan->twiddles + plan->half;
  for (int32_t i = 0; i < plan->half; i++)
    plan->twiddles[i] = twiddle(-2 * pi * i / plan->half, max);
  for (int32_t i = 0; i < plan->half / 2; i++)
    plan->super[i] = twiddle(-pi * ((double)(i + 1) / plan->half + 0.5), max);
  plan->num_factors = factorize(plan->half, plan->factors);
}

static int32_t load_sample(const void *input, int32_t bits, int32_t count, int32_t i) {
  if (i >= count) return 0;
  if (bits == 16) return ((const int16_t *)input)[i];
  return ((const int32_t *)input)[i];
}

static void store_pair(void *output, int32_t bits, int32_t k, SpryFftCpx v) {
  if (bits == 16) {
    ((int16_t *)output)[2 * k] = (int16_t)v.r;
    ((int16_t *)output)[2 * k + 1] = (int16_t)v.i;
  } else {
    ((int32_t *)output)[2 * k] = v.r;
    ((int32_t *)output)[2 * k + 1] = v.i;
  }
}

/* HALF_OF in the real split: the sum is formed in C int, then halved. */
static int32_t half_of(const FftArith *a, int64_t sum) {
  return wrap(a, shift_floor(wrap_bits(sum, 32), 1));
}

void spry_rfft_fixed(const SpryRfftPlan *plan, const void *input, int32_t input_length,
                     void *output, void *work) {
  const int32_t n = plan->half;
  SpryFftCpx *packed = work, *spectrum = packed + n;
  FftArith a = {
      plan->bits,  plan->bits == 16 ? INT16_MAX : INT32_MAX, plan->bits - 1, plan->twiddles, n,
      spectrum + n};
  /* Even samples become real parts, odd ones imaginary parts. */
  for (int32_t j = 0; j < n; j++) {
    packed[j].r = load_sample(input, plan->bits, input_length, 2 * j);
    packed[j].i = load_sample(input, plan->bits, input_length, 2 * j + 1);
  }
  fft_stage(&a, spectrum, packed, 1, plan->factors);
  SpryFftCpx dc = spectrum[0];
  fixdiv(&a, &dc, 2);
  store_pair(output, plan->bits, 0, (SpryFftCpx){wrap(&a, (int64_t)dc.r + dc.i), 0});
  store_pair(output, plan->bits, n, (SpryFftCpx){wrap(&a, (int64_t)dc.r - dc.i), 0});
  for (int32_t k = 1; k <= n / 2; k++) {
    SpryFftCpx fpk = spectrum[k];
    SpryFftCpx fpnk = {spectrum[n - k].r, wrap(&a, -(int64_t)spectrum[n - k].i)};
    fixdiv(&a, &fpk, 2);
    fixdiv(&a, &fpnk, 2);
    const SpryFftCpx f1k = cadd(&a, fpk, fpnk), f2k = csub(&a, fpk, fpnk);
    const SpryFftCpx tw = cmul(&a, f2k, plan->super[k - 1]);
    /* For k == n - k the second store wins, as in the original. */
    store_pair(
        output, plan->bits, k,
        (SpryFftCpx){half_of(&a, (int64_t)f1k.r + tw.r), half_of(&a, (int64_t)f1k.i + tw.i)});
    store_pair(
        output, plan->bits, n - k,
        (SpryFftCpx){half_of(&a, (int64_t)f1k.r - tw.r), half_of(&a, (int64_t)tw.i - f1k.i)});
  }
}
