/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_fast_elementwise.c — the fast elementwise paths (kernels/fast/
 * elementwise.h, activation.h, quantize.h) against the reference kernels,
 * both run through the ops' registrations on the mock context, for every
 * kernel variant this CPU runs and 1 to 3 threads:
 *
 *   ADD, SUB, MUL        float32, int8, uint8: lengths 1..67 and large ones,
 *                        scalar, per-channel, squeeze-excite and general
 *                        broadcasts, every fused activation, quantization
 *                        at its limits;
 *   unary activations    RELU family, LEAKY_RELU, HARD_SWISH, LOGISTIC, TANH
 *                        (float32) and their 8-bit forms, ABS int8;
 *   QUANTIZE/DEQUANTIZE  float32 <-> 8-bit and 8-bit requantization.
 *
 * Integer outputs must match byte for byte, float outputs bit for bit (any
 * NaN matching any NaN) except LOGISTIC and TANH, which must stay within
 * 1e-5 * (1 + max |reference|). The fast path must be taken where it
 * applies (the node allocates persistent memory at prepare) and nodes it
 * does not cover must keep the reference kernel.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conv_mock_context.h"
#include "cpu_isa.h"
#include "fast/elementwise.h"
#include "fast_op_check.h"
#include "quantization.h"

extern const SpryOpRegistration spry_op_add, spry_op_sub, spry_op_mul, spry_op_relu,
    spry_op_relu6, spry_op_relu_n1_to_1, spry_op_relu_0_to_1, spry_op_leaky_relu,
    spry_op_hard_swish, spry_op_logistic, spry_op_tanh, spry_op_quantize, spry_op_dequantize,
    spry_op_abs, spry_op_elu;

#define FLOAT_TOLERANCE 1e-5

/* Builtin codes (schema.fbs). */
enum { ADD = 0, SUB = 41, MUL = 18, RELU = 19, RELU6 = 21, RELU_N1_TO_1 = 20, RELU_0_TO_1 = 152,
       LEAKY_RELU = 98, HARD_SWISH = 117, LOGISTIC = 14, TANH = 28, QUANTIZE = 114,
       DEQUANTIZE = 6, ABS = 101, ELU = 111 };

/* How outputs must agree. */
typedef enum Match { MATCH_EXACT, MATCH_CLOSE } Match;

/* Values every float kernel must treat as the reference does. */
static const float k_specials[] = {NAN, INFINITY, -INFINITY, -0.0f, 0.0f, 3e38f, -3e38f, 1e-40f,
                                   -1e-40f, 6.0f, -3.0f, 1.0f, -1.0f};
#define NUM_SPECIALS (sizeof k_specials / sizeof k_specials[0])

/* ---- Nodes ------------------------------------------------------------------------ */

/* A node: one or two inputs, then the output (type and quantization only). */
typedef struct Node {
  const SpryOpRegistration *reg;
  int32_t code;
  int32_t inputs;
  SpryTensor t[3];
  SpryOptionsTable options;
  char label[160];
} Node;

static SpryTensor *output_of(Node *n) { return &n->t[n->inputs]; }

static void set_shape(SpryTensor *t, SpryType type, int32_t rank, const int32_t *dims) {
  t->type = type;
  t->kind = SPRY_TENSOR_ARENA;
  t->rank = rank;
  for (int32_t i = 0; i < rank; i++) t->dims[i] = dims[i];
}

static void set_quant(SpryTensor *t, float scale, int32_t zero_point) {
  t->quant.scale = scale;
  t->quant.zero_point = zero_point;
  t->quant.num_channels = 1;
}

static size_t elements(const SpryTensor *t) {
  size_t n = 1;
  for (int32_t i = 0; i < t->rank; i++) n *= (size_t)t->dims[i];
  return n;
}

/* Random contents: floats in [lo, hi] with the specials sprinkled in when
 * asked, bytes over the whole type. */
static void fill(SpryTensor *t, uint64_t *rng, float lo, float hi, bool specials) {
  const size_t n = elements(t);
  t->bytes = n * spry_type_size(t->type);
  t->data = malloc(t->bytes + 1);
  assert_non_null(t->data);
  for (size_t i = 0; i < n; i++) {
    if (t->type == SPRY_TYPE_FLOAT32) {
      float v = fast_op_random_float(rng, lo, hi);
      if (specials && i % 7 == 3) v = k_specials[(i / 7) % NUM_SPECIALS];
      ((float *)t->data)[i] = v;
    } else if (t->type == SPRY_TYPE_INT16) {
      ((int16_t *)t->data)[i] = (int16_t)fast_op_random_int(rng, INT16_MIN, INT16_MAX);
    } else {
      ((uint8_t *)t->data)[i] = (uint8_t)fast_op_random_int(rng, 0, 255);
    }
  }
}

static void free_node(Node *n) {
  for (int32_t i = 0; i < n->inputs; i++) free(n->t[i].data);
}

/* One prepare and invoke. */
typedef struct Result {
  uint8_t *data; /* malloc'd */
  size_t bytes;
  bool fast; /* prepare allocated persistent memory: the fast path's state */
} Result;

static Result run_node(const Node *n, SpryIsa isa, int32_t threads) {
  SpryTensor tensors[3];
  memcpy(tensors, n->t, sizeof tensors);
  SpryTensor *out = &tensors[n->inputs];
  out->data = NULL;
  SpryOptionsTable options = n->options;
  const int32_t inputs[2] = {0, 1}, outputs[1] = {n->inputs};
  SpryNode node = {.inputs = inputs, .num_inputs = n->inputs, .outputs = outputs,
                   .num_outputs = 1, .builtin_code = n->code, .version = 1, .options = &options};
  SpryContext ctx;
  mock_context_init(&ctx, tensors, n->inputs + 1);
  ctx.isa = isa;
  ctx.threads = threads;
  if (n->reg->init) assert_int_equal(n->reg->init(&ctx, &node, &node.user_data), SPRY_OK);
  if (n->reg->prepare(&ctx, &node) != SPRY_OK)
    fail_msg("%s: prepare failed: %s", n->label, ctx.message);
  Result r = {.bytes = out->bytes, .fast = ctx.num_allocs > 0};
  r.data = malloc(r.bytes + 1);
  assert_non_null(r.data);
  memset(r.data, 0xA5, r.bytes); /* every value must be written */
  out->data = r.data;
  if (n->reg->invoke(&ctx, &node) != SPRY_OK)
    fail_msg("%s: invoke failed: %s", n->label, ctx.message);
  if (n->reg->free) n->reg->free(&ctx, node.user_data);
  mock_context_release(&ctx);
  return r;
}

/* ---- Comparing ---------------------------------------------------------------- */

/* Whether `got` matches `want` (integers byte for byte, floats bit for bit
 * or within the float tolerance); says why not in `why`. */
static bool outputs_match(SpryType type, Match match, const void *got, const void *want,
                          size_t bytes, char *why, size_t why_size) {
  return fast_op_outputs_match(type, got, want, bytes,
                               match == MATCH_EXACT ? 0.0 : FLOAT_TOLERANCE, why, why_size);
}

/* Runs the node on the reference and on every fast variant with 1..3
 * threads; `fast`: whether the fast path must be taken (else the reference
 * kernel runs everywhere, with identical bytes). Frees the node. */
static void check_node(Node *n, Match match, bool fast) {
  const Result want = run_node(n, SPRY_ISA_REFERENCE, 1);
  if (want.fast) fail_msg("%s: the reference variant allocated", n->label);
  SpryIsa isas[SPRY_ISA_COUNT];
  const int32_t count = fast_op_variants(isas);
  for (int32_t i = 0; i < count; i++)
    for (int32_t threads = 1; threads <= 3; threads++) {
      const Result got = run_node(n, isas[i], threads);
      char why[200] = "";
      const bool same = got.bytes == want.bytes &&
                        outputs_match(output_of(n)->type, fast ? match : MATCH_EXACT, got.data,
                                      want.data, want.bytes, why, sizeof why);
      free(got.data);
      if (got.fast != fast || !same)
        fail_msg("%s, %d threads: %s%s %s", spry_isa_name(isas[i]), (int)threads,
                 got.fast != fast ? (fast ? "fast path not taken; " : "fast path taken; ") : "",
                 n->label, why);
    }
  free(want.data);
  free_node(n);
}

/* ---- Binary ops ------------------------------------------------------------------- */

typedef struct Shape {
  int32_t rank;
  int32_t dims[4];
} Shape;

typedef struct ShapePair {
  Shape a, b;
} ShapePair;

/* Broadcasts besides the plain elementwise lengths. */
static const ShapePair k_broadcasts[] = {
    /* per channel, both ways */
    {{4, {2, 3, 5, 1}}, {1, {1}}},       {{4, {2, 3, 5, 3}}, {1, {3}}},
    {{4, {2, 3, 5, 8}}, {1, {8}}},       {{1, {17}}, {4, {2, 3, 5, 17}}},
    {{4, {1, 4, 6, 24}}, {1, {24}}},     {{1, {16}}, {4, {1, 3, 3, 16}}},
    /* squeeze-excite */
    {{4, {1, 5, 7, 16}}, {4, {1, 1, 1, 16}}}, {{4, {1, 4, 4, 24}}, {4, {1, 1, 1, 24}}},
    {{4, {1, 16, 16, 96}}, {4, {1, 1, 1, 96}}}, {{4, {1, 1, 1, 13}}, {4, {1, 9, 2, 13}}},
    /* scalars */
    {{3, {3, 7, 11}}, {0, {0}}},         {{0, {0}}, {3, {3, 7, 11}}},
    {{1, {40000}}, {1, {1}}},            {{1, {1}}, {2, {3, 20011}}},
    /* general */
    {{4, {2, 1, 3, 1}}, {4, {1, 4, 1, 5}}}, {{3, {4, 1, 9}}, {3, {4, 6, 1}}},
    {{4, {1, 5, 1, 7}}, {4, {3, 1, 4, 1}}}, {{4, {2, 3, 4, 5}}, {4, {2, 1, 4, 1}}},
    {{4, {3, 4, 5, 1}}, {4, {1, 1, 1, 6}}}, {{2, {0, 3}}, {1, {3}}},
};
#define NUM_BROADCASTS (sizeof k_broadcasts / sizeof k_broadcasts[0])

/* Lengths of the elementwise sweep: every vector tail, and sizes that are
 * split over threads. */
static size_t sweep_length(int32_t i) {
  static const size_t big[] = {1000, 40000, 100003};
  return i < 67 ? (size_t)i + 1 : big[i - 67];
}
#define NUM_LENGTHS (67 + 3)

static const int32_t k_activations[] = {SPRY_ACTIVATION_NONE, SPRY_ACTIVATION_RELU,
                                        SPRY_ACTIVATION_RELU_N1_TO_1, SPRY_ACTIVATION_RELU6};

static int32_t zero_point(SpryType type, uint64_t *rng, int32_t pick) {
  const int32_t lo = type == SPRY_TYPE_INT8 ? -128 : 0, hi = lo + 255;
  switch (pick % 4) {
    case 0:
      return lo;
    case 1:
      return hi;
    case 2:
      return lo + 128;
    default:
      return fast_op_random_int(rng, lo, hi);
  }
}

/* Quantization of a binary node, cycled by `index`. ADD and SUB need the
 * output scale above 2 * max input scale / 2^20; MUL takes any
 * multiplier s1 * s2 / so within the fixed-point range, including those
 * above 1 and just above 2^-31, and powers of two (exact ties). */
static void quantize_binary(Node *n, int32_t index, uint64_t *rng) {
  static const float input_scales[] = {0.5f, 0.0078125f, 0.02f, 1.7f};
  static const float add_factors[] = {1.3f, 0.02f, 3e-6f, 60.0f, 1.0f};
  static const double mul_reals[] = {0.0021, 0.37, 3.0, 1.2 * 0x1p-31, 0.25, 1.1 * 0x1p+29,
                                     41.0,   0x1p-7, 1.0};
  enum { NUM_MUL_REALS = sizeof mul_reals / sizeof mul_reals[0] };
  const SpryType type = n->t[0].type;
  const float s1 = input_scales[index % 4], s2 = input_scales[(index / 4 + 1) % 4];
  float so;
  if (n->code == MUL)
    so = (float)((double)s1 * s2 / mul_reals[(size_t)index % NUM_MUL_REALS]);
  else
    so = fmaxf(s1, s2) * add_factors[index % 5];
  set_quant(&n->t[0], s1, zero_point(type, rng, index));
  set_quant(&n->t[1], s2, zero_point(type, rng, index / 4 + 1));
  set_quant(&n->t[2], so, zero_point(type, rng, index / 16 + 2));
}

static const SpryOpRegistration *binary_reg(int32_t code) {
  return code == ADD ? &spry_op_add : code == SUB ? &spry_op_sub : &spry_op_mul;
}

static void build_binary(Node *n, int32_t code, SpryType type, const Shape *a, const Shape *b,
                         int32_t index) {
  memset(n, 0, sizeof *n);
  n->reg = binary_reg(code);
  n->code = code;
  n->inputs = 2;
  uint64_t rng = UINT64_C(0xB1) + (uint64_t)index * 7919u + (uint64_t)code;
  set_shape(&n->t[0], type, a->rank, a->dims);
  set_shape(&n->t[1], type, b->rank, b->dims);
  n->t[2].type = type;
  n->t[2].kind = SPRY_TENSOR_ARENA;
  if (type != SPRY_TYPE_FLOAT32) quantize_binary(n, index, &rng);
  /* Operand ranges so that products and sums also reach the clamps. */
  fill(&n->t[0], &rng, -8.0f, 8.0f, true);
  fill(&n->t[1], &rng, -8.0f, 8.0f, index % 2 == 0);
  const int32_t activation = k_activations[index % 4];
  mock_options_set(&n->options, 0, activation);
  snprintf(n->label, sizeof n->label, "op %d %s rank %d (%d..) x rank %d (%d..) act %d case %d",
           (int)code, spry_type_name(type), (int)a->rank, (int)(a->rank ? a->dims[0] : 0),
           (int)b->rank, (int)(b->rank ? b->dims[0] : 0), (int)activation, (int)index);
}

static void sweep_binary(SpryType type) {
  static const int32_t codes[] = {ADD, SUB, MUL};
  for (size_t c = 0; c < 3; c++) {
    int32_t index = 0;
    for (int32_t l = 0; l < NUM_LENGTHS; l++, index++) {
      const Shape s = {1, {(int32_t)sweep_length(l)}};
      Node n;
      build_binary(&n, codes[c], type, &s, &s, index);
      check_node(&n, MATCH_EXACT, true);
    }
    for (size_t b = 0; b < NUM_BROADCASTS; b++, index++) {
      Node n;
      build_binary(&n, codes[c], type, &k_broadcasts[b].a, &k_broadcasts[b].b, index);
      check_node(&n, MATCH_EXACT, true);
    }
  }
}

static void test_binary_f32(void **state) {
  (void)state;
  sweep_binary(SPRY_TYPE_FLOAT32);
}

static void test_binary_s8(void **state) {
  (void)state;
  sweep_binary(SPRY_TYPE_INT8);
}

static void test_binary_u8(void **state) {
  (void)state;
  sweep_binary(SPRY_TYPE_UINT8);
}

/* Every quantization of the cycle on one shape with a vector tail. */
static void test_binary_quantization(void **state) {
  (void)state;
  static const SpryType types[] = {SPRY_TYPE_INT8, SPRY_TYPE_UINT8};
  static const int32_t codes[] = {ADD, SUB, MUL};
  const Shape a = {2, {3, 37}}, b = {1, {37}};
  for (size_t t = 0; t < 2; t++)
    for (size_t c = 0; c < 3; c++)
      for (int32_t index = 0; index < 180; index++) {
        Node n;
        build_binary(&n, codes[c], types[t], &a, index % 3 ? &a : &b, index);
        check_node(&n, MATCH_EXACT, true);
      }
}

/* ---- Unary ops -------------------------------------------------------------------- */

static const SpryOpRegistration *unary_reg(int32_t code) {
  switch (code) {
    case RELU:
      return &spry_op_relu;
    case RELU6:
      return &spry_op_relu6;
    case RELU_N1_TO_1:
      return &spry_op_relu_n1_to_1;
    case RELU_0_TO_1:
      return &spry_op_relu_0_to_1;
    case LEAKY_RELU:
      return &spry_op_leaky_relu;
    case HARD_SWISH:
      return &spry_op_hard_swish;
    case LOGISTIC:
      return &spry_op_logistic;
    case TANH:
      return &spry_op_tanh;
    case ABS:
      return &spry_op_abs;
    case QUANTIZE:
      return &spry_op_quantize;
    case DEQUANTIZE:
      return &spry_op_dequantize;
    default:
      return &spry_op_elu;
  }
}

/* A one-input node over `count` elements; the caller sets quantization and
 * then fills the input. */
static void build_unary(Node *n, int32_t code, SpryType in_type, SpryType out_type, size_t count,
                        int32_t index) {
  memset(n, 0, sizeof *n);
  n->reg = unary_reg(code);
  n->code = code;
  n->inputs = 1;
  const int32_t dims[2] = {1, (int32_t)count};
  set_shape(&n->t[0], in_type, 2, dims);
  n->t[1].type = out_type;
  n->t[1].kind = SPRY_TENSOR_ARENA;
  snprintf(n->label, sizeof n->label, "op %d %s -> %s, %zu elements, case %d", (int)code,
           spry_type_name(in_type), spry_type_name(out_type), count, (int)index);
}

/* Every byte value in the first 256 elements (all table entries), then
 * random ones. */
static void fill_bytes(SpryTensor *t, uint64_t *rng) {
  fill(t, rng, 0, 0, false);
  uint8_t *b = t->data;
  for (size_t i = 0; i < t->bytes && i < 256; i++) b[i] = (uint8_t)(i * 167u + 13u);
}

static void test_unary_f32(void **state) {
  (void)state;
  static const int32_t codes[] = {RELU, RELU6, RELU_N1_TO_1, RELU_0_TO_1, LEAKY_RELU,
                                  HARD_SWISH, LOGISTIC, TANH};
  static const int32_t alphas[] = {0, 2, -3, 1}; /* the mock's options hold integers */
  static const float ranges[] = {10.0f, 100.0f, 1e-3f};
  for (size_t c = 0; c < sizeof codes / sizeof codes[0]; c++)
    for (int32_t l = 0; l < NUM_LENGTHS; l++) {
      Node n;
      build_unary(&n, codes[c], SPRY_TYPE_FLOAT32, SPRY_TYPE_FLOAT32, sweep_length(l), l);
      if (codes[c] == LEAKY_RELU) mock_options_set(&n.options, 0, alphas[l % 4]);
      uint64_t rng = UINT64_C(0x11) + (uint64_t)l * 31u + (uint64_t)c;
      const float range = ranges[l % 3];
      fill(&n.t[0], &rng, -range, range, true);
      const bool close = codes[c] == LOGISTIC || codes[c] == TANH;
      check_node(&n, close ? MATCH_CLOSE : MATCH_EXACT, true);
    }
}

/* Input and output scales of the quantized unary sweep: output multipliers
 * far above and below 1. HARD_SWISH needs output scale >= input / 128. */
static const float k_unary_scales[][2] = {
    {0.05f, 0.03f}, {1.0f, 0.0079f}, {0.003f, 0.5f}, {0.1f, 0.1f}, {0.02f, 0.0002f}, {4.0f, 1e-3f}};
#define NUM_UNARY_SCALES (sizeof k_unary_scales / sizeof k_unary_scales[0])

static void test_unary_q8(void **state) {
  (void)state;
  static const int32_t codes[] = {RELU,       RELU6,      RELU_N1_TO_1, RELU_0_TO_1,
                                  LEAKY_RELU, HARD_SWISH, LOGISTIC,     ABS};
  static const SpryType types[] = {SPRY_TYPE_INT8, SPRY_TYPE_UINT8};
  static const size_t lengths[] = {1, 7, 31, 33, 256, 300, 40000};
  int32_t index = 0;
  for (size_t c = 0; c < sizeof codes / sizeof codes[0]; c++)
    for (size_t t = 0; t < 2; t++)
      for (size_t s = 0; s < NUM_UNARY_SCALES; s++)
        for (size_t l = 0; l < sizeof lengths / sizeof lengths[0]; l++, index++) {
          if (codes[c] == ABS && types[t] == SPRY_TYPE_UINT8) continue; /* int8 only */
          Node n;
          build_unary(&n, codes[c], types[t], types[t], lengths[l], index);
          uint64_t rng = UINT64_C(0x22) + (uint64_t)index;
          float so = k_unary_scales[s][1];
          if (codes[c] == HARD_SWISH) so = fmaxf(so, k_unary_scales[s][0] / 100.0f);
          int32_t out_zp = zero_point(types[t], &rng, index / 3);
          if (codes[c] == LOGISTIC) { /* the scale TFLite requires */
            so = 1.0f / 256;
            out_zp = types[t] == SPRY_TYPE_INT8 ? -128 : 0;
          }
          set_quant(&n.t[0], k_unary_scales[s][0], zero_point(types[t], &rng, index));
          set_quant(&n.t[1], so, out_zp);
          if (codes[c] == LEAKY_RELU) mock_options_set(&n.options, 0, (int64_t)(index % 3));
          fill_bytes(&n.t[0], &rng);
          check_node(&n, MATCH_EXACT, true);
        }
}

/* LOGISTIC and TANH: the largest error over a dense sweep, printed, within
 * the bound. */
static void test_logistic_tanh_accuracy(void **state) {
  (void)state;
  const size_t count = 400001;
  SpryIsa isas[SPRY_ISA_COUNT];
  const int32_t variants = fast_op_variants(isas);
  for (int32_t code = 0; code < 2; code++) {
    Node n;
    build_unary(&n, code ? TANH : LOGISTIC, SPRY_TYPE_FLOAT32, SPRY_TYPE_FLOAT32, count, code);
    float *x = malloc(count * sizeof *x);
    assert_non_null(x);
    /* [-40, 40] in even steps, then tiny magnitudes. */
    for (size_t i = 0; i < count; i++)
      x[i] = i < 300000 ? -40.0f + 80.0f * (float)i / 300000.0f
                        : ldexpf((float)(i % 1000) - 500.0f, -(int)(i % 40));
    n.t[0].data = x;
    n.t[0].bytes = count * sizeof *x;
    const Result want = run_node(&n, SPRY_ISA_REFERENCE, 1);
    for (int32_t v = 0; v < variants; v++) {
      const Result got = run_node(&n, isas[v], 1);
      double max_err = 0;
      const float *g = (const float *)got.data, *w = (const float *)want.data;
      for (size_t i = 0; i < count; i++) max_err = fmax(max_err, fabs((double)g[i] - w[i]));
      print_message("%s %s: max |error| %.3g\n", code ? "TANH" : "LOGISTIC",
                    spry_isa_name(isas[v]), max_err);
      assert_true(max_err <= 2.0 * FLOAT_TOLERANCE);
      free(got.data);
    }
    free(want.data);
    free_node(&n);
  }
}

/* ---- QUANTIZE and DEQUANTIZE ------------------------------------------------------ */

static void test_quantize_float(void **state) {
  (void)state;
  static const float scales[] = {1.0f, 0.0078125f, 1e-3f, 3.0f, 1e4f, 1e-30f};
  static const SpryType types[] = {SPRY_TYPE_INT8, SPRY_TYPE_UINT8};
  int32_t index = 0;
  for (size_t t = 0; t < 2; t++)
    for (size_t s = 0; s < sizeof scales / sizeof scales[0]; s++)
      for (int32_t l = 0; l < NUM_LENGTHS; l += 1 + l / 8, index++) {
        Node n;
        build_unary(&n, QUANTIZE, SPRY_TYPE_FLOAT32, types[t], sweep_length(l), index);
        uint64_t rng = UINT64_C(0x33) + (uint64_t)index;
        set_quant(&n.t[1], scales[s], zero_point(types[t], &rng, index));
        fill(&n.t[0], &rng, -300.0f * scales[s], 300.0f * scales[s], true);
        /* Exact ties (k + 1/2) * scale for the power-of-two scales. */
        float *x = n.t[0].data;
        for (size_t i = 5; i < elements(&n.t[0]); i += 7)
          x[i] = ((float)fast_op_random_int(&rng, -300, 300) + 0.5f) * scales[s];
        check_node(&n, MATCH_EXACT, true);
      }
}

static void test_requantize_dequantize(void **state) {
  (void)state;
  static const SpryType types[] = {SPRY_TYPE_INT8, SPRY_TYPE_UINT8};
  static const float ratios[] = {1.0f, 0.37f, 3.0f, 1e-3f, 200.0f, 0x1p-7f};
  int32_t index = 0;
  for (size_t ti = 0; ti < 2; ti++)
    for (size_t to = 0; to < 3; to++)
      for (size_t r = 0; r < sizeof ratios / sizeof ratios[0]; r++, index++) {
        /* to == 2: DEQUANTIZE to float32. */
        const SpryType out_type = to < 2 ? types[to] : SPRY_TYPE_FLOAT32;
        Node n;
        build_unary(&n, to < 2 ? QUANTIZE : DEQUANTIZE, types[ti], out_type,
                    (size_t)(300 + 997 * r), index);
        uint64_t rng = UINT64_C(0x44) + (uint64_t)index;
        set_quant(&n.t[0], 0.05f, zero_point(types[ti], &rng, index));
        if (to < 2) set_quant(&n.t[1], 0.05f / ratios[r], zero_point(types[to], &rng, index + 1));
        if (to == 2) n.t[0].quant.scale = ratios[r];
        fill_bytes(&n.t[0], &rng);
        check_node(&n, MATCH_EXACT, true);
      }
}

/* ---- The ADD input stage in 32-bit steps ---------------------------------------------- */

/* The reference's input stage of an 8-bit ADD: offset, shift left by 20,
 * rescale. */
static int32_t reference_add_input(int32_t v, int32_t multiplier, int shift) {
  return spry_multiply_by_quantized_multiplier_smaller_than_one(spry_shift_left_wrapping(v, 20),
                                                                multiplier, shift);
}

/* One rescale with every offset of a spread, for the multiplier and its
 * negation (SUB's second input): accepted, and equal to the reference on
 * every int8 value. */
static void check_add_input(int32_t multiplier, int shift) {
  static const int32_t offsets[] = {-255, -200, -128, -127, -1, 0, 1, 37, 127, 128, 129, 255};
  for (size_t o = 0; o < sizeof offsets / sizeof offsets[0]; o++)
    for (int sign = 1; sign >= -1; sign -= 2) {
      const int32_t m = sign * multiplier;
      SpryEltAddInput in;
      if (!spry_elt_add_input_prepare(offsets[o], 20, m, shift, &in))
        fail_msg("multiplier %d shift %d offset %d refused", (int)m, shift, (int)offsets[o]);
      for (int32_t x = -128; x < 128; x++) {
        const int32_t v = x + offsets[o];
        if (spry_elt_add_input(&in, v) != reference_add_input(v, m, shift))
          fail_msg("multiplier %d shift %d value %d: %d, reference %d", (int)m, shift, (int)v,
                   (int)spry_elt_add_input(&in, v), (int)reference_add_input(v, m, shift));
      }
    }
}

/* Every rescale an 8-bit ADD or SUB input can have, real multipliers from
 * 1/2 (the input of the larger scale) down to 2^-20, takes the 32-bit form;
 * so do multipliers at the edges of the split (low part 0 or 2^11 - 1,
 * exact powers of two: ties at every shift). What the form cannot take is
 * refused. */
static void test_add_input_split(void **state) {
  (void)state;
  enum { STEPS = 3000 };
  for (int i = 0; i <= STEPS; i++) {
    int32_t m;
    int shift;
    assert_true(spry_quantize_multiplier(0.5 * exp2(-19.0 * i / STEPS), &m, &shift));
    check_add_input(m, shift);
  }
  static const int32_t edges[] = {INT32_C(1) << 30, (INT32_C(1) << 30) + 2047,
                                  (INT32_C(1) << 30) + 2048, INT32_MAX, INT32_MAX - 2047};
  for (size_t e = 0; e < sizeof edges / sizeof edges[0]; e++)
    for (int shift = 0; shift >= -19; shift--) check_add_input(edges[e], shift);
  SpryEltAddInput in;
  assert_false(spry_elt_add_input_prepare(0, 15, INT32_C(1) << 30, -1, &in)); /* int16's shift */
  assert_false(spry_elt_add_input_prepare(0, 20, INT32_C(1) << 30, -20, &in));
  assert_false(spry_elt_add_input_prepare(0, 20, INT32_C(1) << 30, 1, &in));
  assert_false(spry_elt_add_input_prepare(256, 20, INT32_C(1) << 30, -1, &in));
}

/* An input stage's rounding seen in a kernel's output: input 2 takes input
 * 1's multiplier negated and the same values, so the two stages cancel but
 * for their roundings (ties away from zero in both directions), and an
 * output rescale of exactly 1 (2^30 shifted left by 1) keeps the -1, 0 or
 * 1 left. One 8-bit ADD kernel on all 256 int8 values. */
static void check_add_lanes(SpryIsa isa, const SpryEltKernels *kernels, int32_t multiplier,
                            int shift, int32_t offset) {
  SpryEltParams p = {.q = {.input1_offset = offset,
                           .input2_offset = offset,
                           .left_shift = 20,
                           .input1_multiplier = multiplier,
                           .input1_shift = shift,
                           .input2_multiplier = -multiplier,
                           .input2_shift = shift,
                           .output_multiplier = INT32_C(1) << 30,
                           .output_shift = 1,
                           .q_min = -128,
                           .q_max = 127}};
  if (kernels->split_add) {
    assert_true(spry_elt_add_input_prepare(offset, 20, multiplier, shift, &p.in1));
    assert_true(spry_elt_add_input_prepare(offset, 20, -multiplier, shift, &p.in2));
  }
  int8_t values[256], out[256];
  for (int32_t i = 0; i < 256; i++) values[i] = (int8_t)(i - 128);
  kernels->fn[SPRY_ELT_S8_ADD][SPRY_ELT_RUN_VV](&p, values, values, out, 256);
  for (int32_t i = 0; i < 256; i++) {
    const int32_t v = values[i] + offset;
    const int32_t sum = reference_add_input(v, multiplier, shift) +
                        reference_add_input(v, -multiplier, shift);
    const int32_t want = spry_multiply_by_quantized_multiplier(sum, INT32_C(1) << 30, 1);
    if (out[i] != want)
      fail_msg("%s: multiplier %d shift %d value %d: %d, reference %d", spry_isa_name(isa),
               (int)multiplier, shift, (int)v, (int)out[i], (int)want);
  }
}

/* Every variant's 8-bit ADD kernel rounds each input as the reference does,
 * at every shift the 32-bit form takes. */
static void test_add_input_lanes(void **state) {
  (void)state;
  static const int32_t multipliers[] = {INT32_C(1) << 30, (INT32_C(1) << 30) + 2047,
                                        1473422380, INT32_MAX};
  SpryIsa isas[SPRY_ISA_COUNT];
  const int32_t count = fast_op_variants(isas);
  for (int32_t i = 0; i < count; i++) {
    const SpryEltKernels *kernels = spry_elt_add_kernels(isas[i]);
    if (!kernels || !kernels->fn[SPRY_ELT_S8_ADD][SPRY_ELT_RUN_VV]) continue;
    for (size_t m = 0; m < sizeof multipliers / sizeof multipliers[0]; m++)
      for (int shift = 0; shift >= -19; shift--)
        for (int32_t offset = -255; offset <= 255; offset += 85)
          check_add_lanes(isas[i], kernels, multipliers[m], shift, offset);
  }
}

/* ---- What the fast paths leave to the reference ------------------------------------ */

static void test_fallbacks(void **state) {
  (void)state;
  uint64_t rng = 0x55;
  const Shape s = {2, {3, 19}};
  /* int16 ADD */
  Node n;
  build_binary(&n, ADD, SPRY_TYPE_INT16, &s, &s, 0);
  set_quant(&n.t[0], 0.01f, 0);
  set_quant(&n.t[1], 0.02f, 0);
  set_quant(&n.t[2], 0.03f, 0);
  check_node(&n, MATCH_EXACT, false);
  /* float ELU */
  build_unary(&n, ELU, SPRY_TYPE_FLOAT32, SPRY_TYPE_FLOAT32, 50, 1);
  fill(&n.t[0], &rng, -4.0f, 4.0f, true);
  check_node(&n, MATCH_EXACT, false);
  /* int16 RELU */
  build_unary(&n, RELU, SPRY_TYPE_INT16, SPRY_TYPE_INT16, 50, 2);
  set_quant(&n.t[0], 0.01f, 0);
  set_quant(&n.t[1], 0.02f, 0);
  fill(&n.t[0], &rng, 0, 0, false);
  check_node(&n, MATCH_EXACT, false);
  /* per-channel QUANTIZE */
  static const float scales[3] = {0.1f, 0.2f, 0.3f};
  static const int32_t zps[3] = {0, 1, -2};
  build_unary(&n, QUANTIZE, SPRY_TYPE_FLOAT32, SPRY_TYPE_INT8, 3, 3);
  fill(&n.t[0], &rng, -30.0f, 30.0f, false);
  n.t[1].quant = (SpryQuantization){.scale = 0.1f, .num_channels = 3, .quantized_dimension = 1,
                                    .scales = scales, .zero_points = zps};
  set_shape(&n.t[1], SPRY_TYPE_INT8, n.t[0].rank, n.t[0].dims); /* the model's output shape */
  check_node(&n, MATCH_EXACT, false);
}

/* ---- The checks themselves ------------------------------------------------------------ */

static void test_compare_catches_differences(void **state) {
  (void)state;
  char why[200];
  const uint8_t want_q[4] = {1, 2, 3, 4}, got_q[4] = {1, 2, 3, 5};
  assert_true(outputs_match(SPRY_TYPE_INT8, MATCH_EXACT, want_q, want_q, 4, why, sizeof why));
  assert_false(outputs_match(SPRY_TYPE_UINT8, MATCH_EXACT, got_q, want_q, 4, why, sizeof why));
  const float want_f[4] = {1.0f, -100.0f, 0.0f, NAN};
  float got_f[4] = {1.0f, -100.0f, 0.0f, NAN};
  assert_true(outputs_match(SPRY_TYPE_FLOAT32, MATCH_EXACT, got_f, want_f, sizeof want_f, why,
                            sizeof why));
  got_f[2] = -0.0f; /* a different bit pattern */
  assert_false(outputs_match(SPRY_TYPE_FLOAT32, MATCH_EXACT, got_f, want_f, sizeof want_f, why,
                             sizeof why));
  got_f[2] = 5e-4f; /* within 1e-5 * 101 */
  assert_true(outputs_match(SPRY_TYPE_FLOAT32, MATCH_CLOSE, got_f, want_f, sizeof want_f, why,
                            sizeof why));
  got_f[2] = 2e-3f;
  assert_false(outputs_match(SPRY_TYPE_FLOAT32, MATCH_CLOSE, got_f, want_f, sizeof want_f, why,
                             sizeof why));
  got_f[2] = 0.0f;
  got_f[3] = 1.0f;
  assert_false(outputs_match(SPRY_TYPE_FLOAT32, MATCH_CLOSE, got_f, want_f, sizeof want_f, why,
                             sizeof why));
}

/* A fast output with one value changed is caught by check_node's comparison. */
static void test_corrupted_fast_output_fails(void **state) {
  (void)state;
  SpryIsa isas[SPRY_ISA_COUNT];
  const int32_t count = fast_op_variants(isas);
  assert_true(count > 0);
  static const SpryType types[] = {SPRY_TYPE_FLOAT32, SPRY_TYPE_INT8};
  for (size_t t = 0; t < 2; t++) {
    const Shape s = {1, {67}};
    Node n;
    build_binary(&n, MUL, types[t], &s, &s, 3);
    const Result want = run_node(&n, SPRY_ISA_REFERENCE, 1);
    const Result got = run_node(&n, isas[count - 1], 2);
    char why[200];
    assert_true(got.fast);
    assert_true(outputs_match(types[t], MATCH_EXACT, got.data, want.data, want.bytes, why,
                              sizeof why));
    got.data[got.bytes / 2] ^= 1;
    assert_false(outputs_match(types[t], MATCH_EXACT, got.data, want.data, want.bytes, why,
                               sizeof why));
    free(want.data);
    free(got.data);
    free_node(&n);
  }
}

int main(void) {
  static const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_compare_catches_differences),
      cmocka_unit_test(test_corrupted_fast_output_fails),
      cmocka_unit_test(test_binary_f32),
      cmocka_unit_test(test_binary_s8),
      cmocka_unit_test(test_binary_u8),
      cmocka_unit_test(test_binary_quantization),
      cmocka_unit_test(test_add_input_split),
      cmocka_unit_test(test_add_input_lanes),
      cmocka_unit_test(test_unary_f32),
      cmocka_unit_test(test_unary_q8),
      cmocka_unit_test(test_logistic_tanh_accuracy),
      cmocka_unit_test(test_quantize_float),
      cmocka_unit_test(test_requantize_dequantize),
      cmocka_unit_test(test_fallbacks),
  };
  return cmocka_run_group_tests_name("fast_elementwise", tests, NULL, NULL);
}
