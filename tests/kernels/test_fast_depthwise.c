/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_fast_depthwise.c — the fast DEPTHWISE_CONV_2D path (kernels/fast/
 * depthwise.h) against the reference kernel, both run through the op's
 * registration on the mock context: a sweep over channel counts, filter
 * sizes, strides, dilations, padding, image sizes, batches, fused
 * activations and extreme quantization parameters, for every kernel variant
 * this CPU runs and 1 to 3 threads. Quantized outputs must match byte for
 * byte, float ones within 1e-5 * (1 + max |reference|). Nodes the fast path
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
#include "fast_op_check.h"
#include "kernel_util.h"
#include "quant_sweep.h"
#include "quantization.h"

extern const SpryOpRegistration spry_op_depthwise_conv_2d;

#define FLOAT_TOLERANCE 1e-5

/* DepthwiseConv2DOptions field ids (schema.fbs). */
enum { OPT_PADDING, OPT_STRIDE_W, OPT_STRIDE_H, OPT_DEPTH_MULTIPLIER, OPT_ACTIVATION,
       OPT_DILATION_W, OPT_DILATION_H };

typedef enum DwType { DW_F32, DW_S8, DW_U8 } DwType;

/* A node to build: geometry, types and quantization. */
typedef struct DwCase {
  DwType type;
  int32_t batch, height, width, channels, multiplier;
  int32_t filter_h, filter_w, stride, dilation, padding, activation;
  QuantSweep q; /* 8-bit types only */
  bool variable_filter; /* weights not constant */
  uint64_t seed;
} DwCase;

/* ---- Building and running a node -------------------------------------------------- */

/* The tensors of a case; tensor 3 is the output. */
typedef struct DwNode {
  SpryTensor tensors[4];
  float *filter_scales;
  int32_t *filter_zps;
  SpryOptionsTable options;
} DwNode;

static SpryType type_of(DwType t) {
  return t == DW_F32 ? SPRY_TYPE_FLOAT32 : t == DW_S8 ? SPRY_TYPE_INT8 : SPRY_TYPE_UINT8;
}

static void set_quant(SpryTensor *t, float scale, int32_t zero_point) {
  t->quant.scale = scale;
  t->quant.zero_point = zero_point;
  t->quant.num_channels = 1;
}

static void *random_values(uint64_t *rng, DwType type, size_t count, float lo, float hi) {
  const size_t size = type == DW_F32 ? sizeof(float) : 1;
  uint8_t *data = malloc(count * size + 1);
  assert_non_null(data);
  for (size_t i = 0; i < count; i++) {
    if (type == DW_F32)
      ((float *)data)[i] = fast_op_random_float(rng, lo, hi);
    else if (type == DW_S8)
      ((int8_t *)data)[i] = (int8_t)fast_op_random_int(rng, -128, 127);
    else
      data[i] = (uint8_t)fast_op_random_int(rng, 0, 255);
  }
  return data;
}

static void build_filter(const DwCase *c, DwNode *n, uint64_t *rng) {
  const int32_t out_c = c->channels * c->multiplier;
  SpryTensor *f = &n->tensors[1];
  f->type = type_of(c->type);
  f->kind = c->variable_filter ? SPRY_TENSOR_ARENA : SPRY_TENSOR_CONSTANT;
  f->rank = 4;
  f->dims[0] = 1;
  f->dims[1] = c->filter_h;
  f->dims[2] = c->filter_w;
  f->dims[3] = out_c;
  const size_t count = (size_t)c->filter_h * (size_t)c->filter_w * (size_t)out_c;
  f->data = random_values(rng, c->type, count, -1.0f, 1.0f);
  f->bytes = count * spry_type_size(f->type);
  if (c->type == DW_F32) return;
  set_quant(f, c->q.filter_scale, c->q.filter_zp);
  if (c->type == DW_U8 || out_c == 1) return;
  /* int8: one scale per output channel along dimension 3. */
  n->filter_scales = calloc((size_t)out_c, sizeof *n->filter_scales);
  n->filter_zps = calloc((size_t)out_c, sizeof *n->filter_zps);
  assert_true(n->filter_scales && n->filter_zps);
  for (int32_t i = 0; i < out_c; i++)
    n->filter_scales[i] = c->q.filter_scale * fast_op_random_float(rng, 1.0f, c->q.channel_spread);
  f->quant.scales = n->filter_scales;
  f->quant.zero_points = n->filter_zps;
  f->quant.num_channels = out_c;
  f->quant.quantized_dimension = 3;
  f->quant.scale = n->filter_scales[0];
}

static void build_bias(const DwCase *c, DwNode *n, uint64_t *rng) {
  const int32_t out_c = c->channels * c->multiplier;
  SpryTensor *b = &n->tensors[2];
  b->type = c->type == DW_F32 ? SPRY_TYPE_FLOAT32 : SPRY_TYPE_INT32;
  b->kind = SPRY_TENSOR_CONSTANT;
  b->rank = 1;
  b->dims[0] = out_c;
  b->bytes = (size_t)out_c * 4;
  b->data = malloc(b->bytes);
  assert_non_null(b->data);
  for (int32_t i = 0; i < out_c; i++) {
    if (c->type == DW_F32) {
      ((float *)b->data)[i] = fast_op_random_float(rng, -1.0f, 1.0f);
    } else if (c->q.extreme_bias) {
      const int32_t near = fast_op_random_int(rng, 0, 1 << 16);
      ((int32_t *)b->data)[i] = (i % 2) ? INT32_MAX - near : INT32_MIN + near;
    } else {
      ((int32_t *)b->data)[i] = fast_op_random_int(rng, -(1 << 18), 1 << 18);
    }
  }
}

static void build_node(const DwCase *c, DwNode *n) {
  memset(n, 0, sizeof *n);
  uint64_t rng = c->seed;
  SpryTensor *in = &n->tensors[0], *out = &n->tensors[3];
  in->type = out->type = type_of(c->type);
  in->kind = out->kind = SPRY_TENSOR_ARENA;
  in->rank = 4;
  in->dims[0] = c->batch;
  in->dims[1] = c->height;
  in->dims[2] = c->width;
  in->dims[3] = c->channels;
  const size_t count = (size_t)c->batch * (size_t)c->height * (size_t)c->width * (size_t)c->channels;
  in->data = random_values(&rng, c->type, count, -2.0f, 2.0f);
  in->bytes = count * spry_type_size(in->type);
  if (c->type != DW_F32) {
    set_quant(in, c->q.input_scale, c->q.input_zp);
    set_quant(out, c->q.output_scale, c->q.output_zp);
  }
  build_filter(c, n, &rng);
  build_bias(c, n, &rng);
  mock_options_set(&n->options, OPT_PADDING, c->padding);
  mock_options_set(&n->options, OPT_STRIDE_W, c->stride);
  mock_options_set(&n->options, OPT_STRIDE_H, c->stride);
  mock_options_set(&n->options, OPT_DEPTH_MULTIPLIER, c->multiplier);
  mock_options_set(&n->options, OPT_ACTIVATION, c->activation);
  mock_options_set(&n->options, OPT_DILATION_W, c->dilation);
  mock_options_set(&n->options, OPT_DILATION_H, c->dilation);
}

static void free_node(DwNode *n) {
  for (int i = 0; i < 3; i++) free(n->tensors[i].data);
  free(n->filter_scales);
  free(n->filter_zps);
}

/* One prepare and invoke. */
typedef struct DwRun {
  uint8_t *output; /* malloc'd */
  size_t bytes;
  int32_t scratch_buffers; /* requested by prepare: the fast path needs one */
} DwRun;

static void run_node(const DwNode *n, SpryIsa isa, int32_t threads, DwRun *run) {
  SpryTensor tensors[4];
  memcpy(tensors, n->tensors, sizeof tensors);
  tensors[3].rank = 0;
  SpryOptionsTable options = n->options;
  const int32_t inputs[3] = {0, 1, 2}, outputs[1] = {3};
  SpryNode node = {.inputs = inputs, .num_inputs = 3, .outputs = outputs, .num_outputs = 1,
                   .builtin_code = 4, .version = 3, .options = &options};
  SpryContext ctx;
  mock_context_init(&ctx, tensors, 4);
  ctx.isa = isa;
  ctx.threads = threads;
  const SpryOpRegistration *reg = &spry_op_depthwise_conv_2d;
  assert_int_equal(reg->init(&ctx, &node, &node.user_data), SPRY_OK);
  if (reg->prepare(&ctx, &node) != SPRY_OK) fail_msg("prepare failed: %s", ctx.message);
  run->scratch_buffers = ctx.num_scratch;
  run->bytes = tensors[3].bytes;
  run->output = malloc(run->bytes + 1);
  assert_non_null(run->output);
  memset(run->output, 0xA5, run->bytes); /* every value must be written */
  tensors[3].data = run->output;
  if (reg->invoke(&ctx, &node) != SPRY_OK) fail_msg("invoke failed: %s", ctx.message);
  reg->free(&ctx, node.user_data);
  mock_context_release(&ctx);
}

/* ---- Comparing ---------------------------------------------------------------- */

/* Whether `got` matches `want`: byte for byte for the quantized types, within
 * the float tolerance (and NaN for NaN) for float. Says why not in `why`. */
static bool outputs_match(DwType type, const void *got, const void *want, size_t bytes, char *why,
                          size_t why_size) {
  return fast_op_outputs_match(type_of(type), got, want, bytes, FLOAT_TOLERANCE, why, why_size);
}

static void describe(const DwCase *c, char *text, size_t size) {
  static const char *const types[] = {"f32", "s8", "u8"};
  snprintf(text, size,
           "%s %dx%dx%dx%d*%d filter %dx%d stride %d dilation %d %s act %d zp in %d out %d "
           "filter %d scales %g %g %g%s",
           types[c->type], (int)c->batch, (int)c->height, (int)c->width, (int)c->channels,
           (int)c->multiplier, (int)c->filter_h, (int)c->filter_w, (int)c->stride,
           (int)c->dilation, c->padding == SPRY_PADDING_SAME ? "SAME" : "VALID",
           (int)c->activation, (int)c->q.input_zp, (int)c->q.output_zp, (int)c->q.filter_zp,
           (double)c->q.input_scale, (double)c->q.filter_scale, (double)c->q.output_scale,
           c->q.extreme_bias ? " extreme bias" : "");
}

/* Runs the case on the reference and on every fast variant with 1..3
 * threads. `fast` says whether the fast path must be taken (else the
 * reference kernel must run everywhere, with identical bytes). */
static void check_case(const DwCase *c, bool fast) {
  DwNode n;
  build_node(c, &n);
  DwRun want;
  run_node(&n, SPRY_ISA_REFERENCE, 1, &want);
  assert_int_equal(want.scratch_buffers, 0);
  SpryIsa isas[SPRY_ISA_COUNT];
  const int32_t count = fast_op_variants(isas);
  for (int32_t i = 0; i < count; i++)
    for (int32_t threads = 1; threads <= 3; threads++) {
      DwRun got;
      run_node(&n, isas[i], threads, &got);
      char why[160] = "", text[256];
      const bool taken = got.scratch_buffers == 1;
      /* Without the fast path both ran the reference kernel: identical
       * bytes, float included (compared as bytes). */
      const DwType compare_as = fast ? c->type : DW_U8;
      const bool same = got.bytes == want.bytes &&
                        outputs_match(compare_as, got.output, want.output, want.bytes, why,
                                      sizeof why);
      free(got.output);
      if (taken != fast || !same) {
        describe(c, text, sizeof text);
        free(want.output);
        free_node(&n);
        fail_msg("%s, %d threads: %s%s %s", spry_isa_name(isas[i]), (int)threads,
                 taken != fast ? (fast ? "fast path not taken; " : "fast path taken; ") : "",
                 text, why);
      }
    }
  free(want.output);
  free_node(&n);
}

/* ---- The sweep ------------------------------------------------------------------ */

static void set_quantization(DwCase *c, int32_t index, uint64_t *rng) {
  c->q = quant_sweep_case(index, c->type == DW_S8, rng);
  /* int8 weights are symmetric: a filter zero point is ignored, by both. */
  if (c->type == DW_S8) c->q.filter_zp = (index % 2) * -7;
}

/* A case from its index in the sweep: channels, filter sizes, geometry and
 * image sizes in full, the rest cycled so that every value meets every other
 * often. */
static DwCase sweep_case(DwType type, int32_t channels, int32_t filter, int32_t geometry,
                         int32_t image, int32_t index) {
  static const int32_t filters[][2] = {{1, 1}, {3, 3}, {5, 5}, {2, 3}};
  static const int32_t images[][2] = {{7, 9}, {1, 1}, {13, 5}, {4, 6}};
  static const int32_t activations[] = {SPRY_ACTIVATION_NONE, SPRY_ACTIVATION_RELU,
                                        SPRY_ACTIVATION_RELU6};
  DwCase c = {.type = type, .channels = channels, .multiplier = 1};
  c.filter_h = filters[filter][0];
  c.filter_w = filters[filter][1];
  c.stride = 1 + geometry % 2;
  c.dilation = 1 + (geometry / 2) % 2;
  c.padding = geometry / 4 ? SPRY_PADDING_VALID : SPRY_PADDING_SAME;
  c.height = images[image][0];
  c.width = images[image][1];
  if (c.padding == SPRY_PADDING_VALID) {
    /* At least one output: the image covers the dilated filter. */
    const int32_t fh = (c.filter_h - 1) * c.dilation + 1, fw = (c.filter_w - 1) * c.dilation + 1;
    c.height = c.height < fh ? fh : c.height;
    c.width = c.width < fw ? fw : c.width;
  }
  c.batch = 1 + index % 2;
  c.activation = activations[index % 3];
  c.seed = UINT64_C(0x5EED) + (uint64_t)index;
  uint64_t rng = c.seed ^ UINT64_C(0xABCDEF);
  if (type != DW_F32) set_quantization(&c, index / 3, &rng);
  return c;
}

static void sweep(DwType type) {
  static const int32_t channels[] = {1, 3, 8, 12, 17, 28, 32, 33, 64};
  int32_t index = 0;
  for (size_t ci = 0; ci < sizeof channels / sizeof channels[0]; ci++)
    for (int32_t filter = 0; filter < 4; filter++)
      for (int32_t geometry = 0; geometry < 8; geometry++)
        for (int32_t image = 0; image < 4; image++, index++) {
          const DwCase c = sweep_case(type, channels[ci], filter, geometry, image, index);
          check_case(&c, true);
        }
}

static void test_sweep_f32(void **state) {
  (void)state;
  sweep(DW_F32);
}

static void test_sweep_s8(void **state) {
  (void)state;
  sweep(DW_S8);
}

static void test_sweep_u8(void **state) {
  (void)state;
  sweep(DW_U8);
}

/* A larger image: more rows than threads, many channel blocks. */
static void test_larger_images(void **state) {
  (void)state;
  for (int t = DW_F32; t <= DW_U8; t++) {
    DwCase c = sweep_case((DwType)t, 72, 1, 1, 0, 5);
    c.height = 23;
    c.width = 19;
    c.batch = 2;
    check_case(&c, true);
  }
}

/* Fewer channels than a block, dividing it (1, 2, 4, 8): with stride 1
 * along x a variant with a row kernel packs neighbouring pixels into one
 * block. Rows wide enough for several groups and a remainder, both 8-bit
 * types, strides 1 and 2, dilations, both paddings. */
static void test_narrow_channel_groups(void **state) {
  (void)state;
  static const int32_t channels[] = {1, 2, 4, 8};
  int32_t index = 0;
  for (int t = DW_S8; t <= DW_U8; t++)
    for (size_t ci = 0; ci < sizeof channels / sizeof channels[0]; ci++)
      for (int32_t geometry = 0; geometry < 8; geometry++, index++) {
        DwCase c = sweep_case((DwType)t, channels[ci], index % 2 ? 2 : 1, geometry, 0, index);
        c.height = 11; /* a 5x5 filter dilated by 2 covers 9 */
        c.width = 41;
        check_case(&c, true);
      }
}

/* Huge strides and dilations: one output pixel whose taps all but the
 * first fall outside the image; nothing may overflow or read out of bounds
 * (ASan and UBSan watch this). */
static void test_huge_window(void **state) {
  (void)state;
  for (int t = DW_F32; t <= DW_U8; t++) {
    DwCase c = sweep_case((DwType)t, 33, 2, 0, 2, 1);
    c.stride = INT32_MAX;
    c.dilation = INT32_MAX / 2;
    check_case(&c, true);
  }
}

/* ---- What the fast path leaves to the reference ----------------------------------- */

static void test_fallbacks(void **state) {
  (void)state;
  DwCase c = sweep_case(DW_S8, 8, 1, 0, 0, 2);
  c.multiplier = 2; /* depth multiplier 2 */
  check_case(&c, false);

  c = sweep_case(DW_U8, 8, 1, 0, 0, 2);
  c.variable_filter = true;
  check_case(&c, false);

}

/* One input channel with a depth multiplier (micro_speech's first layer):
 * the node runs as a convolution on the GEMM fast path, which also requests
 * one scratch buffer (float 1x1 stride 1 without padding would not: those
 * geometries are skipped). */
static void test_single_channel_multiplier(void **state) {
  (void)state;
  const DwType types[] = {DW_F32, DW_S8, DW_U8};
  const int32_t multipliers[] = {2, 8, 17};
  int32_t index = 0;
  for (size_t t = 0; t < 3; t++)
    for (size_t m = 0; m < 3; m++)
      for (int32_t filter = 0; filter < 4; filter++)
        for (int32_t geometry = 0; geometry < 8; geometry += 3, index++) {
          DwCase c = sweep_case(types[t], 1, filter, geometry, index % 4, index);
          c.multiplier = multipliers[m];
          if (types[t] == DW_F32 && filter == 0 && c.stride == 1) continue;
          check_case(&c, true);
        }
}

/* Multipliers beyond what the fixed-point form holds: below 2^-32 they
 * become 0 (every output the zero point), above 2^31 the largest one. */
static void test_multiplier_limits(void **state) {
  (void)state;
  static const double reals[] = {0.3 * 0x1p-32, 0x1p+40};
  for (int t = DW_S8; t <= DW_U8; t++)
    for (int i = 0; i < 2; i++) {
      DwCase c = sweep_case((DwType)t, 5, 1, 3, 0, 4);
      c.q.output_scale = (float)((double)c.q.input_scale * c.q.filter_scale / reals[i]);
      check_case(&c, true);
    }
}

/* Non-finite float weights: a tap in the padding would multiply them by 0
 * where the reference skips it, so such nodes keep the reference kernel. */
static void test_float_nonfinite_weights(void **state) {
  (void)state;
  const DwCase c = sweep_case(DW_F32, 4, 1, 0, 0, 0);
  DwNode n;
  build_node(&c, &n);
  ((float *)n.tensors[1].data)[0] = INFINITY;
  DwRun want, got;
  run_node(&n, SPRY_ISA_REFERENCE, 1, &want);
  run_node(&n, SPRY_ISA_PORTABLE, 2, &got);
  assert_int_equal(got.scratch_buffers, 0);
  assert_int_equal(got.bytes, want.bytes);
  assert_memory_equal(got.output, want.output, want.bytes);
  free(want.output);
  free(got.output);
  free_node(&n);
}

/* An empty batch prepares to an empty output on every variant. */
static void test_empty_batch(void **state) {
  (void)state;
  DwCase c = sweep_case(DW_S8, 8, 1, 0, 0, 0);
  c.batch = 0;
  DwNode n;
  build_node(&c, &n);
  SpryIsa isas[SPRY_ISA_COUNT];
  const int32_t count = fast_op_variants(isas);
  for (int32_t i = 0; i < count; i++) {
    DwRun got;
    run_node(&n, isas[i], 2, &got);
    assert_int_equal(got.bytes, 0);
    free(got.output);
  }
  free_node(&n);
}

/* The comparison itself must catch wrong outputs. */
static void test_compare_catches_differences(void **state) {
  (void)state;
  char why[160];
  const uint8_t want_q[4] = {1, 2, 3, 4}, got_q[4] = {1, 2, 3, 5};
  assert_true(outputs_match(DW_S8, want_q, want_q, 4, why, sizeof why));
  assert_false(outputs_match(DW_S8, got_q, want_q, 4, why, sizeof why));
  assert_false(outputs_match(DW_U8, got_q, want_q, 4, why, sizeof why));
  const float want_f[3] = {1.0f, -100.0f, 0.5f};
  float got_f[3] = {1.0f, -100.0f, 0.5f};
  got_f[2] += 5e-4f; /* within 1e-5 * 101 */
  assert_true(outputs_match(DW_F32, got_f, want_f, sizeof want_f, why, sizeof why));
  got_f[2] += 2e-3f;
  assert_false(outputs_match(DW_F32, got_f, want_f, sizeof want_f, why, sizeof why));
  got_f[2] = NAN;
  assert_false(outputs_match(DW_F32, got_f, want_f, sizeof want_f, why, sizeof why));
}

/* A deliberately wrong fast output (one value changed) is caught by
 * check_case's comparison: run the fast path, corrupt it, compare. */
static void test_corrupted_fast_output_fails(void **state) {
  (void)state;
  for (int t = DW_F32; t <= DW_U8; t++) {
    const DwCase c = sweep_case((DwType)t, 17, 1, 0, 0, 6);
    DwNode n;
    build_node(&c, &n);
    DwRun want, got;
    char why[160];
    run_node(&n, SPRY_ISA_REFERENCE, 1, &want);
    run_node(&n, SPRY_ISA_PORTABLE, 3, &got);
    assert_int_equal(got.scratch_buffers, 1);
    assert_true(outputs_match(c.type, got.output, want.output, want.bytes, why, sizeof why));
    if (c.type == DW_F32)
      ((float *)got.output)[got.bytes / sizeof(float) / 2] += 1.0f;
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
      cmocka_unit_test(test_larger_images),
      cmocka_unit_test(test_narrow_channel_groups),
      cmocka_unit_test(test_huge_window),
      cmocka_unit_test(test_fallbacks),
      cmocka_unit_test(test_single_channel_multiplier),
      cmocka_unit_test(test_multiplier_limits),
      cmocka_unit_test(test_float_nonfinite_weights),
      cmocka_unit_test(test_empty_batch),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
