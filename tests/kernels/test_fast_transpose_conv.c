/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_fast_transpose_conv.c — the fast TRANSPOSE_CONV and
 * Convolution2DTransposeBias path (kernels/fast/transpose_conv.h) against
 * the reference kernels, both run through the ops' registrations on the
 * mock context: filters 1x1 to 5x5 (square or not), strides 1 to 3 on each
 * axis, both paddings, output_shape values between the smallest and the
 * largest output an input size allows, channel counts on both sides of the
 * 16-column blocks, batches 1 and 2, with and without bias, fused
 * activations and extreme quantization parameters, for every kernel
 * variant this CPU runs at 1 to 3 threads. Quantized outputs must match
 * byte for byte, float ones within 1e-5 * (1 + max |reference|) (NaN and
 * infinities where the reference has them), and every thread count must
 * give the same bytes. Nodes the fast path does not cover must keep the
 * reference kernel.
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
#include "cpu_isa.h"
#include "fast_op_check.h"
#include "kernel_util.h"
#include "quant_sweep.h"
#include "quantization.h"

extern const SpryOpRegistration spry_op_transpose_conv;
extern const SpryOpRegistration spry_op_convolution2dtransposebias;

#define FLOAT_TOLERANCE 1e-5

/* TransposeConvOptions field ids (schema.fbs). */
enum { OPT_PADDING, OPT_STRIDE_W, OPT_STRIDE_H, OPT_ACTIVATION };

/* Tensor slots of a node. */
enum { T_SHAPE, T_FILTER, T_INPUT, T_BIAS, T_OUTPUT, T_COUNT };

typedef enum TcType { TC_F32, TC_S8, TC_U8, TC_S16 } TcType;

/* A node to build: geometry, types and quantization. */
typedef struct TcCase {
  TcType type;
  bool custom; /* Convolution2DTransposeBias (float32, always with a bias) */
  int32_t batch, in_h, in_w, in_c, out_c;
  int32_t filter_h, filter_w, stride_h, stride_w, padding, activation;
  /* TRANSPOSE_CONV's output size: the smallest the input size allows plus
   * this (0 .. stride - 1 gives every size whose convolution has in_h x
   * in_w outputs). */
  int32_t extra_h, extra_w;
  bool bias;
  bool variable_filter; /* weights not constant */
  bool variable_bias;   /* bias not constant */
  QuantSweep q; /* 8-bit types only */
  uint64_t seed;
} TcCase;

/* ---- Building and running a node -------------------------------------------------- */

typedef struct TcNode {
  SpryTensor tensors[T_COUNT];
  int32_t shape[4];
  float *filter_scales;
  int32_t *filter_zps;
  SpryOptionsTable options;
  uint8_t custom_options[12];
} TcNode;

static SpryType type_of(TcType t) {
  static const SpryType types[] = {SPRY_TYPE_FLOAT32, SPRY_TYPE_INT8, SPRY_TYPE_UINT8,
                                   SPRY_TYPE_INT16};
  return types[t];
}

static void set_quant(SpryTensor *t, float scale, int32_t zero_point) {
  t->quant.scale = scale;
  t->quant.zero_point = zero_point;
  t->quant.num_channels = 1;
}

/* count values of `type` (one spare byte, so that an empty tensor still
 * has a buffer). */
static void *random_values(uint64_t *rng, SpryType type, size_t count, float lo, float hi) {
  const size_t size = spry_type_size(type);
  uint8_t *data = malloc(count * size + 1);
  assert_non_null(data);
  for (size_t i = 0; i < count; i++) {
    if (type == SPRY_TYPE_FLOAT32)
      ((float *)data)[i] = fast_op_random_float(rng, lo, hi);
    else if (type == SPRY_TYPE_INT8)
      ((int8_t *)data)[i] = (int8_t)fast_op_random_int(rng, -128, 127);
    else if (type == SPRY_TYPE_UINT8)
      data[i] = (uint8_t)fast_op_random_int(rng, 0, 255);
    else
      ((int16_t *)data)[i] = (int16_t)fast_op_random_int(rng, -32768, 32767);
  }
  return data;
}

static void set_dims(SpryTensor *t, SpryType type, SpryTensorKind kind, int32_t rank,
                     const int32_t *dims) {
  t->type = type;
  t->kind = kind;
  t->rank = rank;
  memcpy(t->dims, dims, (size_t)rank * sizeof *dims);
  t->bytes = spry_type_size(type) * spry_tensor_elements(t);
}

/* OHWI weights; int8 (and int16's int8) per output channel along dimension 0. */
static void build_filter(const TcCase *c, TcNode *n, uint64_t *rng) {
  SpryTensor *f = &n->tensors[T_FILTER];
  const SpryType type = c->type == TC_S16 ? SPRY_TYPE_INT8 : type_of(c->type);
  set_dims(f, type, c->variable_filter ? SPRY_TENSOR_ARENA : SPRY_TENSOR_CONSTANT, 4,
           (const int32_t[4]){c->out_c, c->filter_h, c->filter_w, c->in_c});
  f->data = random_values(rng, type, spry_tensor_elements(f), -1.0f, 1.0f);
  if (c->type == TC_F32) return;
  set_quant(f, c->q.filter_scale, c->q.filter_zp);
  if (c->type == TC_U8) return;
  n->filter_scales = calloc((size_t)c->out_c, sizeof *n->filter_scales);
  n->filter_zps = calloc((size_t)c->out_c, sizeof *n->filter_zps);
  assert_true(n->filter_scales && n->filter_zps);
  for (int32_t i = 0; i < c->out_c; i++)
    n->filter_scales[i] = c->q.filter_scale * fast_op_random_float(rng, 1.0f, c->q.channel_spread);
  f->quant.scales = n->filter_scales;
  f->quant.zero_points = n->filter_zps;
  f->quant.num_channels = c->out_c;
  f->quant.quantized_dimension = 0;
  f->quant.scale = n->filter_scales[0];
}

static void build_bias(const TcCase *c, TcNode *n, uint64_t *rng) {
  SpryTensor *b = &n->tensors[T_BIAS];
  const SpryType type = c->type == TC_F32   ? SPRY_TYPE_FLOAT32
                        : c->type == TC_S16 ? SPRY_TYPE_INT64
                                            : SPRY_TYPE_INT32;
  set_dims(b, type, c->variable_bias ? SPRY_TENSOR_ARENA : SPRY_TENSOR_CONSTANT, 1, &c->out_c);
  b->data = malloc(b->bytes + 1);
  assert_non_null(b->data);
  for (int32_t i = 0; i < c->out_c; i++) {
    if (type == SPRY_TYPE_FLOAT32) {
      ((float *)b->data)[i] = fast_op_random_float(rng, -1.0f, 1.0f);
    } else if (type == SPRY_TYPE_INT64) {
      ((int64_t *)b->data)[i] = fast_op_random_int(rng, -(1 << 20), 1 << 20);
    } else if (c->q.extreme_bias) {
      const int32_t near = fast_op_random_int(rng, 0, 1 << 16);
      ((int32_t *)b->data)[i] = (i % 2) ? INT32_MAX - near : INT32_MIN + near;
    } else {
      ((int32_t *)b->data)[i] = fast_op_random_int(rng, -(1 << 18), 1 << 18);
    }
  }
}

/* Output size along one axis: the custom op's own, or TRANSPOSE_CONV's
 * smallest for the input size plus `extra`. */
static int32_t output_size(const TcCase *c, int32_t in, int32_t filter, int32_t stride,
                           int32_t extra) {
  if (c->padding == SPRY_PADDING_SAME)
    return c->custom ? in * stride : (in > 0 ? (in - 1) * stride + 1 : 0) + extra;
  return (in > 0 ? in - 1 : 0) * stride + filter + (c->custom ? 0 : extra);
}

static void set_options(const TcCase *c, TcNode *n) {
  mock_options_set(&n->options, OPT_PADDING, c->padding);
  mock_options_set(&n->options, OPT_STRIDE_W, c->stride_w);
  mock_options_set(&n->options, OPT_STRIDE_H, c->stride_h);
  mock_options_set(&n->options, OPT_ACTIVATION, c->activation);
  /* The custom op's raw struct: TfLitePadding (1 SAME, 2 VALID), stride_w, stride_h. */
  const int32_t raw[3] = {c->padding == SPRY_PADDING_SAME ? 1 : 2, c->stride_w, c->stride_h};
  for (int i = 0; i < 12; i++)
    n->custom_options[i] = (uint8_t)((uint32_t)raw[i / 4] >> (8 * (i % 4)));
}

static void build_node(const TcCase *c, TcNode *n) {
  memset(n, 0, sizeof *n);
  uint64_t rng = c->seed;
  SpryTensor *in = &n->tensors[T_INPUT], *out = &n->tensors[T_OUTPUT];
  set_dims(in, type_of(c->type), SPRY_TENSOR_ARENA, 4,
           (const int32_t[4]){c->batch, c->in_h, c->in_w, c->in_c});
  in->data = random_values(&rng, in->type, spry_tensor_elements(in), -2.0f, 2.0f);
  out->type = in->type;
  out->kind = SPRY_TENSOR_ARENA;
  if (c->type == TC_S16) {
    set_quant(in, c->q.input_scale, 0);
    set_quant(out, c->q.output_scale, 0);
  } else if (c->type != TC_F32) {
    set_quant(in, c->q.input_scale, c->q.input_zp);
    set_quant(out, c->q.output_scale, c->q.output_zp);
  }
  n->shape[0] = c->batch;
  n->shape[1] = output_size(c, c->in_h, c->filter_h, c->stride_h, c->extra_h);
  n->shape[2] = output_size(c, c->in_w, c->filter_w, c->stride_w, c->extra_w);
  n->shape[3] = c->out_c;
  SpryTensor *shape = &n->tensors[T_SHAPE];
  set_dims(shape, SPRY_TYPE_INT32, SPRY_TENSOR_CONSTANT, 1, (const int32_t[1]){4});
  shape->data = n->shape;
  build_filter(c, n, &rng);
  if (c->bias || c->custom) build_bias(c, n, &rng);
  set_options(c, n);
}

static void free_node(TcNode *n) {
  for (int i = T_FILTER; i <= T_BIAS; i++) free(n->tensors[i].data);
  free(n->filter_scales);
  free(n->filter_zps);
}

/* One prepare and invoke. */
typedef struct TcRun {
  uint8_t *output; /* malloc'd */
  size_t bytes;
  int32_t allocs; /* persistent allocations of prepare: the fast path packs weights */
} TcRun;

static void run_node(const TcCase *c, const TcNode *n, SpryIsa isa, int32_t threads, TcRun *run) {
  SpryTensor tensors[T_COUNT];
  memcpy(tensors, n->tensors, sizeof tensors);
  tensors[T_OUTPUT].rank = 0;
  SpryOptionsTable options = n->options;
  const int32_t builtin_inputs[4] = {T_SHAPE, T_FILTER, T_INPUT, T_BIAS};
  const int32_t custom_inputs[3] = {T_INPUT, T_FILTER, T_BIAS}, outputs[1] = {T_OUTPUT};
  SpryNode node = {.outputs = outputs, .num_outputs = 1, .version = c->type == TC_S16 ? 3 : 4};
  if (c->custom) {
    node.inputs = custom_inputs;
    node.num_inputs = 3;
    node.builtin_code = SPRY_BUILTIN_CUSTOM;
    node.custom_options = n->custom_options;
    node.custom_options_size = sizeof n->custom_options;
  } else {
    node.inputs = builtin_inputs;
    node.num_inputs = c->bias ? 4 : 3;
    node.builtin_code = 67;
    node.options = &options;
  }
  SpryContext ctx;
  mock_context_init(&ctx, tensors, T_COUNT);
  ctx.isa = isa;
  ctx.threads = threads;
  const SpryOpRegistration *reg =
      c->custom ? &spry_op_convolution2dtransposebias : &spry_op_transpose_conv;
  if (reg->init(&ctx, &node, &node.user_data) != SPRY_OK) fail_msg("init failed: %s", ctx.message);
  if (reg->prepare(&ctx, &node) != SPRY_OK) fail_msg("prepare failed: %s", ctx.message);
  run->allocs = ctx.num_allocs;
  run->bytes = tensors[T_OUTPUT].bytes;
  run->output = malloc(run->bytes + 1);
  assert_non_null(run->output);
  memset(run->output, 0xA5, run->bytes); /* every value must be written */
  tensors[T_OUTPUT].data = run->output;
  if (reg->invoke(&ctx, &node) != SPRY_OK) fail_msg("invoke failed: %s", ctx.message);
  reg->free(&ctx, node.user_data);
  mock_context_release(&ctx);
}

/* ---- Comparing ---------------------------------------------------------------- */

/* A float the fused activation saturated (it clamps to +-FLT_MAX), or an
 * infinity or NaN: only exactly the same value matches it. */
static bool saturated(float x) { return !isfinite(x) || fabsf(x) == FLT_MAX; }

/* Whether `got` matches `want`: byte for byte for the integer types; for
 * float NaN where the reference has NaN, the same saturated values, and
 * the rest within the float tolerance. Says why not in `why`. */
static bool outputs_match(TcType type, const void *got, const void *want, size_t bytes, char *why,
                          size_t why_size) {
  if (type != TC_F32)
    return fast_op_outputs_match(SPRY_TYPE_UINT8, got, want, bytes, 0.0, why, why_size);
  const float *g = got, *w = want;
  const size_t n = bytes / sizeof(float);
  double max_ref = 0, max_err = 0;
  size_t worst = 0;
  for (size_t i = 0; i < n; i++) {
    if (isnan(g[i]) != isnan(w[i]) ||
        ((saturated(g[i]) || saturated(w[i])) && g[i] != w[i] && !isnan(w[i]))) {
      snprintf(why, why_size, "element %zu: %g, reference %g", i, (double)g[i], (double)w[i]);
      return false;
    }
    if (saturated(w[i])) continue;
    max_ref = fmax(max_ref, fabs((double)w[i]));
    const double err = fabs((double)g[i] - (double)w[i]);
    if (err > max_err) {
      max_err = err;
      worst = i;
    }
  }
  if (max_err <= FLOAT_TOLERANCE * (1.0 + max_ref)) return true;
  snprintf(why, why_size, "element %zu: %g, reference %g (error %g > %g)", worst, (double)g[worst],
           (double)w[worst], max_err, FLOAT_TOLERANCE * (1.0 + max_ref));
  return false;
}

static void describe(const TcCase *c, char *text, size_t size) {
  static const char *const types[] = {"f32", "s8", "u8", "s16"};
  snprintf(text, size,
           "%s%s b%d %dx%dx%d -> %d filter %dx%d stride %d/%d %s extra %d/%d act %d%s zp in %d "
           "out %d filter %d scales %g %g %g%s",
           c->custom ? "Convolution2DTransposeBias " : "", types[c->type], (int)c->batch,
           (int)c->in_h, (int)c->in_w, (int)c->in_c, (int)c->out_c, (int)c->filter_h,
           (int)c->filter_w, (int)c->stride_h, (int)c->stride_w,
           c->padding == SPRY_PADDING_SAME ? "SAME" : "VALID", (int)c->extra_h, (int)c->extra_w,
           (int)c->activation, c->bias || c->custom ? "" : " no bias", (int)c->q.input_zp,
           (int)c->q.output_zp, (int)c->q.filter_zp, (double)c->q.input_scale, (double)c->q.filter_scale,
           (double)c->q.output_scale, c->q.extreme_bias ? " extreme bias" : "");
}

static void fail_case(const TcCase *c, SpryIsa isa, int32_t threads, const char *what) {
  char text[320];
  describe(c, text, sizeof text);
  fail_msg("%s, %d threads: %s: %s", spry_isa_name(isa), (int)threads, text, what);
}

/* Runs the case on the reference and on every fast variant with 1..3
 * threads. `fast` says whether the fast path must be taken; without it
 * both run the reference kernel: identical bytes, float included. With it,
 * every thread count must give the bytes of one thread. */
static void check_case(const TcCase *c, bool fast) {
  TcNode n;
  build_node(c, &n);
  TcRun want;
  run_node(c, &n, SPRY_ISA_REFERENCE, 1, &want);
  SpryIsa isas[SPRY_ISA_COUNT];
  const int32_t count = fast_op_variants(isas);
  char why[200] = "";
  for (int32_t i = 0; i < count; i++) {
    TcRun first = {0};
    for (int32_t threads = 1; threads <= 3; threads++) {
      TcRun got;
      run_node(c, &n, isas[i], threads, &got);
      if ((got.allocs > want.allocs) != fast)
        fail_case(c, isas[i], threads, fast ? "fast path not taken" : "fast path taken");
      if (got.bytes != want.bytes) fail_case(c, isas[i], threads, "output size differs");
      if (!outputs_match(fast ? c->type : TC_U8, got.output, want.output, want.bytes, why,
                         sizeof why))
        fail_case(c, isas[i], threads, why);
      if (threads == 1) {
        first = got;
        continue;
      }
      if (memcmp(got.output, first.output, got.bytes) != 0)
        fail_case(c, isas[i], threads, "differs from the result of 1 thread");
      free(got.output);
    }
    free(first.output);
  }
  free(want.output);
  free_node(&n);
}

/* ---- The sweep ------------------------------------------------------------------ */

static void set_quantization(TcCase *c, int32_t index, uint64_t *rng) {
  c->q = quant_sweep_case(index, c->type == TC_S8, rng);
}

static const int32_t k_filters[][2] = {{1, 1}, {2, 2}, {3, 3}, {5, 5},
                                       {2, 3}, {4, 1}, {1, 5}, {5, 3}};
#define NUM_FILTERS ((int32_t)(sizeof k_filters / sizeof k_filters[0]))

/* A case from its index in the sweep: filter, strides and padding given,
 * channel counts, image size, batch, activation, bias and quantization
 * cycled so that every value meets every other often. */
static TcCase sweep_case(TcType type, int32_t filter, int32_t stride_h, int32_t stride_w,
                         int32_t padding, int32_t index) {
  static const int32_t in_channels[] = {1, 3, 16, 17, 40};
  static const int32_t out_channels[] = {1, 2, 15, 16, 17, 33, 40};
  static const int32_t images[][2] = {{1, 1}, {3, 4}, {5, 2}, {4, 6}, {2, 7}};
  static const int32_t activations[] = {SPRY_ACTIVATION_NONE, SPRY_ACTIVATION_RELU,
                                        SPRY_ACTIVATION_RELU6, SPRY_ACTIVATION_RELU_N1_TO_1};
  TcCase c = {.type = type,
              .filter_h = k_filters[filter][0],
              .filter_w = k_filters[filter][1],
              .stride_h = stride_h,
              .stride_w = stride_w,
              .padding = padding};
  c.in_c = in_channels[index % 5];
  c.out_c = out_channels[(index / 5) % 7];
  c.in_h = images[(index / 3) % 5][0];
  c.in_w = images[(index / 3) % 5][1];
  c.batch = 1 + index % 2;
  c.activation = activations[(index / 2) % 4];
  c.bias = index % 5 != 4;
  c.extra_h = index % stride_h;
  c.extra_w = (index / 2) % stride_w;
  c.seed = UINT64_C(0x7C0) + (uint64_t)index;
  uint64_t rng = c.seed ^ UINT64_C(0xABCDEF);
  if (type != TC_F32) set_quantization(&c, index / 3, &rng);
  return c;
}

/* Every filter, every pair of strides 1..3 and both paddings. */
static void sweep(TcType type) {
  int32_t index = 0;
  for (int32_t filter = 0; filter < NUM_FILTERS; filter++)
    for (int32_t sh = 1; sh <= 3; sh++)
      for (int32_t sw = 1; sw <= 3; sw++)
        for (int32_t padding = SPRY_PADDING_SAME; padding <= SPRY_PADDING_VALID; padding++) {
          const TcCase c = sweep_case(type, filter, sh, sw, padding, index++);
          check_case(&c, true);
        }
}

static void test_sweep_f32(void **state) {
  (void)state;
  sweep(TC_F32);
}

static void test_sweep_s8(void **state) {
  (void)state;
  sweep(TC_S8);
}

static void test_sweep_u8(void **state) {
  (void)state;
  sweep(TC_U8);
}

/* MediaPipe's op: both paddings, every filter, strides 1..3. */
static void test_custom_op(void **state) {
  (void)state;
  int32_t index = 0;
  for (int32_t filter = 0; filter < NUM_FILTERS; filter++)
    for (int32_t stride = 1; stride <= 3; stride++)
      for (int32_t padding = SPRY_PADDING_SAME; padding <= SPRY_PADDING_VALID; padding++) {
        TcCase c = sweep_case(TC_F32, filter, stride, 4 - stride, padding, index++);
        c.custom = true;
        c.activation = SPRY_ACTIVATION_NONE;
        check_case(&c, true);
      }
}

/* A wider image (several A tiles per input row), more output rows than
 * threads, several column blocks, two batches; selfie segmentation's shape
 * (2x2, stride 2, 16 -> 1 channel) on a smaller image. */
static void test_larger_images(void **state) {
  (void)state;
  for (int t = TC_F32; t <= TC_U8; t++) {
    TcCase c = sweep_case((TcType)t, 2, 2, 2, SPRY_PADDING_SAME, 7);
    c.in_h = 9;
    c.in_w = 70;
    c.in_c = 17;
    c.out_c = 33;
    c.batch = 2;
    check_case(&c, true);
    c = sweep_case((TcType)t, 1, 2, 2, SPRY_PADDING_SAME, 12);
    c.custom = t == TC_F32;
    c.in_h = 16;
    c.in_w = 20;
    c.in_c = 16;
    c.out_c = 1;
    c.bias = true;
    c.activation = SPRY_ACTIVATION_NONE;
    check_case(&c, true);
  }
}

/* Multipliers beyond what the fixed-point form holds: below 2^-32 they
 * become 0 (every output the zero point), above 2^31 the largest one. */
static void test_multiplier_limits(void **state) {
  (void)state;
  static const double reals[] = {0.3 * 0x1p-32, 0x1p+40};
  for (int t = TC_S8; t <= TC_U8; t++)
    for (int i = 0; i < 2; i++) {
      TcCase c = sweep_case((TcType)t, 2, 2, 1, SPRY_PADDING_SAME, 5);
      c.q.output_scale = (float)((double)c.q.input_scale * c.q.filter_scale / reals[i]);
      c.q.channel_spread = 1.0f;
      if (t == TC_S8 && i == 1) continue; /* per-channel multipliers above 2^31 are refused */
      check_case(&c, true);
    }
}

/* An input without rows: the output is the bias, clamped (requantized). */
static void test_empty_input(void **state) {
  (void)state;
  for (int t = TC_F32; t <= TC_U8; t++) {
    TcCase c = sweep_case((TcType)t, 3, 2, 2, SPRY_PADDING_SAME, 3);
    c.in_h = 0;
    c.extra_h = 4; /* output_shape asks for 4 rows */
    c.bias = true;
    check_case(&c, true);
  }
}

/* Non-finite float data: the products of taps outside the output are
 * computed but dropped, so NaN and infinities land exactly where the
 * reference puts them. */
static void test_float_nonfinite(void **state) {
  (void)state;
  const TcCase c = sweep_case(TC_F32, 3, 2, 1, SPRY_PADDING_SAME, 11);
  TcNode n;
  build_node(&c, &n);
  ((float *)n.tensors[T_FILTER].data)[1] = INFINITY;
  ((float *)n.tensors[T_INPUT].data)[5] = NAN;
  TcRun want, got;
  char why[200];
  run_node(&c, &n, SPRY_ISA_REFERENCE, 1, &want);
  SpryIsa isas[SPRY_ISA_COUNT];
  const int32_t count = fast_op_variants(isas);
  bool saw_nan = false, saw_inf = false;
  for (size_t i = 0; i < want.bytes / sizeof(float); i++) {
    saw_nan |= isnan(((float *)want.output)[i]);
    saw_inf |= saturated(((float *)want.output)[i]) && !isnan(((float *)want.output)[i]);
  }
  assert_true(saw_nan && saw_inf); /* the case means something */
  for (int32_t i = 0; i < count; i++) {
    run_node(&c, &n, isas[i], 2, &got);
    assert_true(got.allocs > want.allocs);
    if (!outputs_match(TC_F32, got.output, want.output, want.bytes, why, sizeof why))
      fail_case(&c, isas[i], 2, why);
    free(got.output);
  }
  free(want.output);
  free_node(&n);
}

/* ---- What the fast path leaves to the reference ----------------------------------- */

static void test_fallbacks(void **state) {
  (void)state;
  TcCase c = sweep_case(TC_S16, 2, 2, 2, SPRY_PADDING_SAME, 1);
  c.q.input_scale = 0.01f;
  c.q.filter_scale = 0.02f;
  c.q.output_scale = 0.05f;
  c.q.channel_spread = 1.0f;
  check_case(&c, false); /* int16 activations */
  c.bias = false;
  check_case(&c, false);

  c = sweep_case(TC_U8, 3, 1, 2, SPRY_PADDING_VALID, 2);
  c.variable_filter = true;
  check_case(&c, false);
  c = sweep_case(TC_F32, 3, 1, 2, SPRY_PADDING_VALID, 2);
  c.variable_filter = true;
  check_case(&c, false);
  c = sweep_case(TC_S8, 3, 2, 2, SPRY_PADDING_SAME, 2);
  c.bias = true;
  c.variable_bias = true; /* quantized biases are folded in at prepare */
  check_case(&c, false);
}

/* A float bias is read at invoke: it need not be constant. */
static void test_float_variable_bias(void **state) {
  (void)state;
  TcCase c = sweep_case(TC_F32, 4, 2, 3, SPRY_PADDING_VALID, 6);
  c.bias = true;
  c.variable_bias = true;
  check_case(&c, true);
}

/* An int8 node turned hybrid: float32 input, output and bias (random
 * floats: the int8 node's input bytes reread), int8 weights. */
static void hybrid_node(const TcCase *c, TcNode *n, SpryTensor *tensors) {
  build_node(c, n);
  memcpy(tensors, n->tensors, sizeof n->tensors);
  tensors[T_INPUT].type = tensors[T_OUTPUT].type = tensors[T_BIAS].type = SPRY_TYPE_FLOAT32;
  tensors[T_OUTPUT].rank = 0;
}

/* Prepares (and, with `output`, invokes into it) a hybrid node; returns the
 * first failing status, or SPRY_OK, with the context's message. */
static SpryStatus hybrid_run(SpryTensor *tensors, const SpryOptionsTable *options, float *output,
                             char *message, size_t size) {
  SpryOptionsTable opts = *options;
  const int32_t inputs[4] = {T_SHAPE, T_FILTER, T_INPUT, T_BIAS}, outputs[1] = {T_OUTPUT};
  SpryNode node = {.inputs = inputs, .num_inputs = 4, .outputs = outputs, .num_outputs = 1,
                   .builtin_code = 67, .version = 3, .options = &opts};
  SpryContext ctx;
  mock_context_init(&ctx, tensors, T_COUNT);
  assert_int_equal(spry_op_transpose_conv.init(&ctx, &node, &node.user_data), SPRY_OK);
  SpryStatus status = spry_op_transpose_conv.prepare(&ctx, &node);
  if (status == SPRY_OK && output) {
    tensors[T_OUTPUT].data = output;
    status = spry_op_transpose_conv.invoke(&ctx, &node);
  }
  snprintf(message, size, "%s", ctx.message);
  spry_op_transpose_conv.free(&ctx, node.user_data);
  mock_context_release(&ctx);
  return status;
}

typedef void (*TcBreak)(SpryTensor *tensors);

static SpryStatus hybrid_prepare(TcBreak breaks, char *message, size_t size) {
  TcCase c = sweep_case(TC_S8, 2, 2, 2, SPRY_PADDING_SAME, 7);
  c.bias = true;
  TcNode n;
  SpryTensor tensors[T_COUNT];
  hybrid_node(&c, &n, tensors);
  if (breaks) breaks(tensors);
  const SpryStatus status = hybrid_run(tensors, &n.options, NULL, message, size);
  free_node(&n);
  return status;
}

static void variable_weights(SpryTensor *t) { t[T_FILTER].kind = SPRY_TENSOR_ARENA; }
static void uint8_weights(SpryTensor *t) { t[T_FILTER].type = SPRY_TYPE_UINT8; }
static void int8_output(SpryTensor *t) { t[T_OUTPUT].type = SPRY_TYPE_INT8; }
static void int32_bias(SpryTensor *t) { t[T_BIAS].type = SPRY_TYPE_INT32; }

/* Hybrid TRANSPOSE_CONV prepares, and refuses what TFLite refuses. */
static void test_hybrid_refusals(void **state) {
  (void)state;
  static const struct {
    TcBreak breaks;
    SpryStatus status;
    const char *fragment;
  } cases[] = {
      {NULL, SPRY_OK, ""},
      {variable_weights, SPRY_ERROR_UNSUPPORTED, "hybrid filter must be constant"},
      {uint8_weights, SPRY_ERROR_UNSUPPORTED, "hybrid filter must be int8, is uint8"},
      {int8_output, SPRY_ERROR_UNSUPPORTED, "hybrid: output must be float32, is int8"},
      {int32_bias, SPRY_ERROR_UNSUPPORTED, "hybrid: bias must be float32, is int32"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char message[512];
    const SpryStatus status = hybrid_prepare(cases[i].breaks, message, sizeof message);
    if (status != cases[i].status || !strstr(message, cases[i].fragment))
      fail_msg("case %zu: expected %d with \"%s\", got %d: \"%s\"", i, (int)cases[i].status,
               cases[i].fragment, (int)status, message);
  }
}

/* A hybrid node whose input has no rows still has outputs: the bias,
 * clamped by the activation. */
static void test_hybrid_empty_input(void **state) {
  (void)state;
  TcCase c = sweep_case(TC_S8, 1, 2, 1, SPRY_PADDING_SAME, 3);
  c.in_h = 0;
  c.extra_h = 4; /* output_shape asks for 4 rows */
  c.bias = true;
  c.activation = SPRY_ACTIVATION_NONE;
  TcNode n;
  SpryTensor tensors[T_COUNT];
  hybrid_node(&c, &n, tensors);
  const float *bias = n.tensors[T_BIAS].data;
  const size_t count = (size_t)n.shape[0] * (size_t)n.shape[1] * (size_t)n.shape[2] *
                       (size_t)n.shape[3];
  assert_true(count > 0);
  float *out = malloc(count * sizeof *out);
  assert_non_null(out);
  char message[512];
  if (hybrid_run(tensors, &n.options, out, message, sizeof message) != SPRY_OK)
    fail_msg("hybrid empty input: %s", message);
  for (size_t i = 0; i < count; i++) {
    /* The node's bias bytes are int32 values reread as floats: compare bits. */
    const float want = bias[i % (size_t)c.out_c] + 0.0f;
    assert_memory_equal(&out[i], &want, sizeof want);
  }
  free(out);
  free_node(&n);
}

/* ---- The comparison itself ---------------------------------------------------------- */

static void test_compare_catches_differences(void **state) {
  (void)state;
  char why[200];
  const uint8_t want_q[4] = {1, 2, 3, 4}, got_q[4] = {1, 2, 3, 5};
  assert_true(outputs_match(TC_S8, want_q, want_q, 4, why, sizeof why));
  assert_false(outputs_match(TC_S8, got_q, want_q, 4, why, sizeof why));
  assert_false(outputs_match(TC_U8, got_q, want_q, 4, why, sizeof why));
  const float want_f[3] = {1.0f, -100.0f, 0.5f};
  float got_f[3] = {1.0f, -100.0f, 0.5f};
  got_f[2] += 5e-4f; /* within 1e-5 * 101 */
  assert_true(outputs_match(TC_F32, got_f, want_f, sizeof want_f, why, sizeof why));
  got_f[2] += 2e-3f;
  assert_false(outputs_match(TC_F32, got_f, want_f, sizeof want_f, why, sizeof why));
  got_f[2] = NAN;
  assert_false(outputs_match(TC_F32, got_f, want_f, sizeof want_f, why, sizeof why));
  got_f[2] = FLT_MAX;
  assert_false(outputs_match(TC_F32, got_f, want_f, sizeof want_f, why, sizeof why));
  const float want_max[2] = {FLT_MAX, 1.0f}, got_max[2] = {3.4e38f, 1.0f};
  assert_false(outputs_match(TC_F32, got_max, want_max, sizeof want_max, why, sizeof why));
}

/* A deliberately wrong fast output (one value changed) is caught: run the
 * fast path, corrupt it, compare. */
static void test_corrupted_fast_output_fails(void **state) {
  (void)state;
  for (int t = TC_F32; t <= TC_U8; t++) {
    const TcCase c = sweep_case((TcType)t, 2, 2, 2, SPRY_PADDING_SAME, 8);
    TcNode n;
    build_node(&c, &n);
    TcRun want, got;
    char why[200];
    run_node(&c, &n, SPRY_ISA_REFERENCE, 1, &want);
    run_node(&c, &n, SPRY_ISA_PORTABLE, 3, &got);
    assert_true(got.allocs > want.allocs);
    assert_true(outputs_match(c.type, got.output, want.output, want.bytes, why, sizeof why));
    if (c.type == TC_F32)
      ((float *)got.output)[got.bytes / sizeof(float) / 2] += 0.01f;
    else
      got.output[got.bytes / 2] ^= 1;
    assert_false(outputs_match(c.type, got.output, want.output, want.bytes, why, sizeof why));
    free(want.output);
    free(got.output);
    free_node(&n);
  }
}

int main(void) {
  static const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_compare_catches_differences),
      cmocka_unit_test(test_corrupted_fast_output_fails),
      cmocka_unit_test(test_sweep_f32),
      cmocka_unit_test(test_sweep_s8),
      cmocka_unit_test(test_sweep_u8),
      cmocka_unit_test(test_custom_op),
      cmocka_unit_test(test_larger_images),
      cmocka_unit_test(test_multiplier_limits),
      cmocka_unit_test(test_empty_input),
      cmocka_unit_test(test_float_nonfinite),
      cmocka_unit_test(test_fallbacks),
      cmocka_unit_test(test_float_variable_bias),
      cmocka_unit_test(test_hybrid_refusals),
      cmocka_unit_test(test_hybrid_empty_input),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
