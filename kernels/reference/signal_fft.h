/* SPDX-License-Identifier: Apache-2.0 */
/*
 * signal_fft.h — the fixed-point real FFT of the TFLite Micro `signal`
 * library's SignalRfft (int16 and int32 variants), bit-exact with the
 * KISS FFT build it wraps (kiss_fftr over a mixed-radix complex FFT of half
 * the length, FIXED_POINT 16 or 32).
 *
 * Arithmetic that matters for exactness:
 *  - twiddles are floor(0.5 + MAX * cos/sin(phase)) with MAX = 2^(w-1) - 1,
 *    phase = -2 pi i / n (complex stage) and -pi ((i + 1) / n + 1/2)
 *    (real-split "super" twiddles), computed in double;
 *  - a product a*b of w-bit values is rounded as (a*b + 2^(w-2)) >> (w-1)
 *    and truncated to w bits; sums are truncated to w bits where the C
 *    original stores them into a w-bit variable;
 *  - each radix-p stage first scales its inputs by (MAX / p) with that
 *    rounding, which keeps the transform from overflowing;
 *  - the halving in the real split is an arithmetic shift of the 32-bit sum.
 * Values are kept in int32 storage and computed in int64, then truncated to
 * w bits exactly where the original truncates, so both widths share one
 * code path.
 */
#ifndef SPRY_KERNELS_REFERENCE_SIGNAL_FFT_H
#define SPRY_KERNELS_REFERENCE_SIGNAL_FFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SPRY_FFT_MAX_FACTORS 32

typedef struct SpryFftCpx {
  int32_t r;
  int32_t i;
} SpryFftCpx;

/* A plan for a real FFT of `length` (even, >= 2) samples of `bits`-bit
 * values (16 or 32). The arrays live in caller-provided memory. */
typedef struct SpryRfftPlan {
  int32_t length; /* real input length n */
  int32_t half;   /* n / 2: length of the complex FFT */
  int32_t bits;   /* 16 or 32 */
  int32_t num_factors;
  int32_t factors[2 * SPRY_FFT_MAX_FACTORS]; /* radix p, remaining length m, ... */
  SpryFftCpx *twiddles;                      /* half entries */
  SpryFftCpx *super;                         /* half / 2 entries (at least one) */
} SpryRfftPlan;

/* Bytes of plan memory (twiddle tables) and of work memory for a length;
 * false when the length is odd, below 2 or too large. */
bool spry_rfft_sizes(int32_t length, size_t *plan_bytes, size_t *work_bytes);

/* Fills the plan; plan_memory holds plan_bytes (suitably aligned). */
void spry_rfft_plan_init(SpryRfftPlan *plan, int32_t length, int32_t bits, void *plan_memory);

/* One transform: `input` holds input_length (<= plan->length) values
 * (int16 or int32 as the plan's bits), zero-padded to the FFT length;
 * `output` receives length / 2 + 1 complex values as interleaved (re, im)
 * pairs of the same type. `work` holds work_bytes. */
void spry_rfft_fixed(const SpryRfftPlan *plan, const void *input, int32_t input_length,
                     void *output, void *work);

#endif /* SPRY_KERNELS_REFERENCE_SIGNAL_FFT_H */
