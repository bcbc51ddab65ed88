/* SPDX-License-Identifier: Apache-2.0 */
/*
 * elementwise.h — the fast path of the elementwise binary ops: float32 ADD,
 * SUB and MUL with their fused activation, and 8-bit quantized ADD, SUB and
 * MUL, under any broadcast. Results are identical to the reference kernels:
 * the float kernels do the reference's IEEE operations in its order (one
 * add, subtract or multiply, then its clamp, NaN kept), the quantized ones
 * its fixed-point steps lane by lane.
 *
 * The broadcast is split once, at prepare, into runs: the longest block of
 * trailing output dimensions over which each operand either steps with the
 * output or stays on one element. A run is one call of a per-ISA kernel
 * (SpryEltRun says which operand stays); the dimensions above it are walked
 * with the broadcast iterator. Elementwise operands and a scalar against a
 * tensor are a single run; a per-channel [C] operand against [N, H, W, C]
 * (the squeeze-excite MUL) is N * H * W runs of C.
 *
 * Big outputs are split into one contiguous share of elements per thread
 * (spry_elt_parallel), so the thread count never changes a result.
 *
 * Kernels read `n` elements of each operand that steps (one of one that
 * stays) and write `n` outputs; they read nothing past them. The output may
 * be one of the operands when that operand steps with it.
 */
#ifndef SPRY_KERNELS_FAST_ELEMENTWISE_H
#define SPRY_KERNELS_FAST_ELEMENTWISE_H

#include <stddef.h>
#include <stdint.h>

#include "broadcast.h"
#include "cpu_isa.h"
#include "reference/add.h"
#include "spry/op.h"

#if defined(__GNUC__)
#define SPRY_ELT_INLINE static inline __attribute__((always_inline))
#else
#define SPRY_ELT_INLINE static inline
#endif

/* Operation and element type of a binary kernel. Quantized SUB runs the ADD
 * kernels: its parameters carry input 2's multiplier negated, as the
 * reference's do. */
typedef enum SpryEltKind {
  SPRY_ELT_F32_ADD,
  SPRY_ELT_F32_SUB,
  SPRY_ELT_F32_MUL,
  SPRY_ELT_S8_ADD,
  SPRY_ELT_U8_ADD,
  SPRY_ELT_S8_MUL,
  SPRY_ELT_U8_MUL,
  SPRY_ELT_KIND_COUNT
} SpryEltKind;

/* How the operands move along a run. */
typedef enum SpryEltRun {
  SPRY_ELT_RUN_VV, /* both step with the output */
  SPRY_ELT_RUN_VS, /* the second operand stays on one element */
  SPRY_ELT_RUN_SV, /* the first operand stays on one element */
  SPRY_ELT_RUN_COUNT
} SpryEltRun;

/* The input stage of an 8-bit ADD or SUB (the input offset, a left shift
 * of 20, the input's rescale) in 32-bit steps, for the variants that ask
 * for it (SpryEltKernels.split_add): the reference's 64-bit rounding
 * multiply made of two 32-bit ones, the multiplier split as
 * mul_hi * 2^11 + mul_lo (spry_elt_add_input gives the formula;
 * elementwise.c derives it and checks it on every input value). */
typedef struct SpryEltAddInput {
  int32_t mul_hi, mul_lo, round, shift;
  int32_t ties; /* -1 where the shift rounds ties away from zero (shift > 0), else 0 */
} SpryEltAddInput;

/* The input stage of an offset input value v, as the vector kernels take
 * it, all in int32 with arithmetic shifts: with high = v * mul_hi,
 * (high + ((v * mul_lo + round) >> 11) + (ties & (high >> 31))) >> shift. */
static inline int32_t spry_elt_add_input(const SpryEltAddInput *in, int32_t v) {
  const int32_t high = v * in->mul_hi, low = (v * in->mul_lo + in->round) >> 11;
  return (high + low + (in->ties & (high >> 31))) >> in->shift;
}

/* Fills *in for an input with this offset and reference rescale; false
 * where the form does not hold (a left shift other than 20, a shift right
 * beyond 19 or an offset beyond 255) or, checked on every int8 value of
 * the input, does not give the reference's results. */
bool spry_elt_add_input_prepare(int32_t offset, int left_shift, int32_t multiplier, int shift,
                                SpryEltAddInput *in);

typedef struct SpryEltParams {
  float f_min, f_max; /* float: the fused activation clamp */
  /* Quantized: offsets, multipliers, shifts and clamp in reference/add.h's
   * layout. ADD and SUB use all of it (left_shift 20); MUL only the input
   * offsets and the output multiplier, shift, offset and clamp. */
  SpryAddParams q;
  /* 0, or 0x80 where a uint8 node runs a table's int8 kernels (a table
   * without uint8 entries): they xor every byte they load and store with
   * it. A uint8 value u is (int8_t)(u ^ 0x80) + 128, so with every zero
   * point and clamp bound moved by 128 the int8 steps give the same
   * results, bit for bit. */
  uint8_t flip;
  /* ADD and SUB on a variant with split_add: inputs 1 and 2's stages. */
  SpryEltAddInput in1, in2;
} SpryEltParams;

/* out[i] = op(a[i or 0], b[i or 0]) for i < n. */
typedef void (*SpryEltFn)(const SpryEltParams *p, const void *a, const void *b, void *out,
                          size_t n);

/* Defines name_vv, name_vs and name_sv, SpryEltFn entry points that call
 * body(p, a, b, out, n, arg, run) with `arg` and the run constant: inlined
 * bodies become straight code for each. SPRY_ELT_ENTRIES(name) lists them
 * in SpryEltRun order.
 *
 * The quantized kinds treat their two operands alike, each with its own
 * offset, multiplier and shift (SUB too: its input 2 multiplier carries
 * the minus sign), so swapping the operands along with those parameters
 * gives the same results. Their tables leave out the VS entry
 * (SPRY_ELT_SWAPPING_RUNS, SPRY_ELT_SWAPPING_ENTRIES): such a run goes to
 * the SV kernel with the operands swapped, and each kernel's code is in
 * the library twice, not three times. */
#define SPRY_ELT_RUN_ENTRY(name, body, arg, suffix, run)                                     \
  static void name##_##suffix(const SpryEltParams *p, const void *a, const void *b, void *o, \
                              size_t n) {                                                   \
    body(p, a, b, o, n, arg, run);                                                          \
  }
#define SPRY_ELT_SWAPPING_RUNS(name, body, arg)                                              \
  SPRY_ELT_RUN_ENTRY(name, body, arg, vv, SPRY_ELT_RUN_VV)                                   \
  SPRY_ELT_RUN_ENTRY(name, body, arg, sv, SPRY_ELT_RUN_SV)
#define SPRY_ELT_RUNS(name, body, arg)                                                       \
  SPRY_ELT_SWAPPING_RUNS(name, body, arg)                                                    \
  SPRY_ELT_RUN_ENTRY(name, body, arg, vs, SPRY_ELT_RUN_VS)
#define SPRY_ELT_ENTRIES(name) {name##_vv, name##_vs, name##_sv}
#define SPRY_ELT_SWAPPING_ENTRIES(name) {name##_vv, NULL, name##_sv}

/* Defines q8_kernel, the 8-bit ADD/MUL body for SPRY_ELT_RUNS, from the
 * including file's q8_steps(p, a, b, out, steps, u8, add, run), which
 * handles whole steps of 8 elements: the whole steps in place, then the last
 * partial one through zero-padded 8-byte buffers, so that nothing past n is
 * read or written. (Needs <string.h>.) The steps get a local copy of the
 * parameters: the byte stores through `out` may alias `*params` for all the
 * compiler knows, which made it derive the rescale constants again at every
 * step (a third of an ADD's time on AVX2). */
#define SPRY_ELT_Q8_KERNEL()                                                                 \
  SPRY_ELT_INLINE void q8_kernel(const SpryEltParams *params, const void *a, const void *b,   \
                                 void *out, size_t n, SpryEltKind kind, SpryEltRun run) {     \
    const SpryEltParams copy = *params, *p = &copy;                                           \
    const bool u8 = kind == SPRY_ELT_U8_ADD || kind == SPRY_ELT_U8_MUL;                       \
    const bool add = kind == SPRY_ELT_S8_ADD || kind == SPRY_ELT_U8_ADD;                      \
    const bool x_steps = run != SPRY_ELT_RUN_SV, y_steps = run != SPRY_ELT_RUN_VS;            \
    const uint8_t *x = a, *y = b;                                                             \
    uint8_t *o = out, xt[8] = {0}, yt[8] = {0}, ot[8];                                        \
    const size_t done = n / 8 * 8, rest = n - done;                                           \
    /* One copy of the steps: the second pass is the partial step. */                         \
    for (size_t steps = n / 8;; steps = 1) {                                                  \
      q8_steps(p, x, y, o, steps, u8, add, run);                                              \
      if (o == ot) {                                                                          \
        memcpy((uint8_t *)out + done, ot, rest);                                              \
        return;                                                                               \
      }                                                                                       \
      if (rest == 0) return;                                                                  \
      if (x_steps) memcpy(xt, x + done, rest);                                                \
      if (y_steps) memcpy(yt, y + done, rest);                                                \
      x = x_steps ? xt : x;                                                                   \
      y = y_steps ? yt : y;                                                                   \
      o = ot;                                                                                 \
    }                                                                                         \
  }

/* A variant's kernels of one family. An entry may be NULL where the variant
 * has none (the op then keeps its other paths). The additive kinds (ADD,
 * SUB) and the multiplicative ones (MUL) sit in separate tables, so that a
 * build with ADD but not MUL links no multiply kernel. */
typedef struct SpryEltKernels {
  SpryEltFn fn[SPRY_ELT_KIND_COUNT][SPRY_ELT_RUN_COUNT];
  bool split_add; /* the 8-bit ADD kernels take SpryEltParams.in1 and in2 */
} SpryEltKernels;

extern const SpryEltKernels spry_elt_add_portable, spry_elt_mul_portable;
extern const SpryEltKernels spry_elt_add_avx2, spry_elt_mul_avx2;
extern const SpryEltKernels spry_elt_add_neon, spry_elt_mul_neon;

/* A family: the variant's table of it, NULL for SPRY_ISA_REFERENCE. */
typedef const SpryEltKernels *(*SpryEltFamily)(SpryIsa isa);
const SpryEltKernels *spry_elt_add_kernels(SpryIsa isa); /* F32_ADD, F32_SUB, S8_ADD, U8_ADD */
const SpryEltKernels *spry_elt_mul_kernels(SpryIsa isa); /* F32_MUL, S8_MUL, U8_MUL */

/* A prepared binary node (persistent memory). */
typedef struct SpryEltBinary SpryEltBinary;

/* Sets up the fast path of a binary node whose reference parameters are in
 * `params` and broadcast in `bc`. *out stays NULL, and SPRY_OK is returned,
 * where the fast path does not apply: the reference variant, a variant
 * without the kernel, quantized shifts the vector code cannot take. */
SpryStatus spry_elt_binary_prepare(SpryContext *ctx, SpryEltFamily family, SpryEltKind kind,
                                   const SpryEltParams *params, const SpryBroadcast *bc,
                                   const SpryEltBinary **out);

void spry_elt_binary_run(SpryContext *ctx, const SpryEltBinary *e, const void *input1,
                         const void *input2, void *output);

/* Calls range(arg, begin, end) on consecutive shares of [0, count): one
 * share per thread when count is large, else a single call. */
void spry_elt_parallel(SpryContext *ctx, size_t count,
                       void (*range)(void *arg, size_t begin, size_t end), void *arg);
/* The same with shares of at least `min_share` (> 0) elements. */
void spry_elt_parallel_min(SpryContext *ctx, size_t count, size_t min_share,
                           void (*range)(void *arg, size_t begin, size_t end), void *arg);

#endif /* SPRY_KERNELS_FAST_ELEMENTWISE_H */
