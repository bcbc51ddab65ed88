/* SPDX-License-Identifier: Apache-2.0 */
/*
 * activation_portable.c — the unary float kernels in plain C: the reference
 * formulas in straight loops, and LOGISTIC / TANH on the polynomial exp of
 * activation.h, operation for operation as the vector variants compute it.
 */
#include <math.h>
#include <string.h>

#include "activation.h"
#include "elementwise.h"
#include "lut.h"

/* exp(t) for t <= 0 (not NaN), see activation.h. */
static inline float exp_nonpositive(float t) {
  t = t < SPRY_EXP_MIN ? SPRY_EXP_MIN : t;
  const float n = floorf(t * SPRY_EXP_LOG2E + 0.5f);
  const float r = (t - n * SPRY_EXP_LN2_HI) - n * SPRY_EXP_LN2_LO;
  float p = SPRY_EXP_C6 + r * SPRY_EXP_C7;
  p = SPRY_EXP_C5 + r * p;
  p = SPRY_EXP_C4 + r * p;
  p = SPRY_EXP_C3 + r * p;
  p = SPRY_EXP_C2 + r * p;
  p = 1.0f + r * p;
  p = 1.0f + r * p;
  /* n lies in [-126, 0]: 2^n is a normal float. */
  const uint32_t bits = (uint32_t)((int32_t)n + 127) << 23;
  float scale;
  memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

SPRY_ELT_INLINE float apply(SpryActKind kind, const SpryActF32Params *p, float x) {
  switch (kind) {
    case SPRY_ACT_CLAMP: {
      if (isnan(x)) return x;
      const float lower = x > p->lo ? x : p->lo;
      return lower < p->hi ? lower : p->hi;
    }
    case SPRY_ACT_LEAKY_RELU:
      return x > 0.0f ? x : x * p->alpha;
    case SPRY_ACT_HARD_SWISH: {
      const float r = x + 3.0f;
      const float relu6 = r > 6.0f ? 6.0f : (r > 0.0f ? r : 0.0f);
      return x * relu6 / 6.0f;
    }
    case SPRY_ACT_LOGISTIC: {
      if (isnan(x)) return x;
      /* exp(-|x|) never overflows; x < 0 takes e / (1 + e). */
      const float e = exp_nonpositive(-fabsf(x));
      return (x >= 0.0f ? 1.0f : e) / (1.0f + e);
    }
    default: { /* SPRY_ACT_TANH */
      const float ax = fabsf(x);
      if (isnan(x) || ax < SPRY_TANH_TINY) return x;
      const float e = exp_nonpositive(-2.0f * ax);
      return copysignf((1.0f - e) / (1.0f + e), x);
    }
  }
}

SPRY_ELT_INLINE void act_kernel(const SpryActF32Params *p, const float *in, float *out, size_t n,
                                SpryActKind kind) {
  for (size_t i = 0; i < n; i++) out[i] = apply(kind, p, in[i]);
}

SPRY_ACT_KERNELS(act_kernel)

const SpryActKernels spry_act_kernels_portable = {
    .fn = SPRY_ACT_ENTRIES(act_kernel),
    .lut8 = spry_lut8_apply,
};
